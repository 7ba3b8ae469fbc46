"""The fake Graph server itself behaves as Graph does where focuscal relies on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.fakes.graph_server import Grant, when
from tests.fakes.graph_week import MARK


@pytest.fixture
def api(fake_graph, tls):
    import requests

    token = fake_graph._issue(Grant(fake_graph.user, {"Calendars.ReadWrite", "User.Read"}))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token['access_token']}"

    def call(method, path, **kw):
        url = path if path.startswith("https://") else fake_graph.graph + path
        # verify per request: REQUESTS_CA_BUNDLE would override a session's
        return session.request(method, url, timeout=5, verify=str(tls[0]), **kw)

    return call


START = datetime(2026, 3, 9, 9, tzinfo=UTC)


def view(**extra):
    return {"startDateTime": "2026-03-09T00:00:00Z", "endDateTime": "2026-03-10T00:00:00Z",
            **extra}


def test_transaction_ids_extended_properties_and_paging(fake_graph, api):
    body = {"subject": "Block", "start": when(START), "end": when(START + timedelta(hours=1)),
            "transactionId": "fc1",
            "singleValueExtendedProperties": [{"id": MARK, "value": "fc1"}]}
    first = api("POST", "/me/events", json=body)
    again = api("POST", "/me/events", json=body)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert len(fake_graph.events()) == 1
    for n in range(3):
        fake_graph.put_event(subject=f"e{n}", start=when(START + timedelta(hours=2 + n)),
                             end=when(START + timedelta(hours=3 + n)))
    wanted = f"singleValueExtendedProperties/Any(ep: ep/id eq '{MARK}' and ep/value eq 'fc1')"
    found = api("GET", "/me/events", params={"$filter": wanted}).json()["value"]
    assert [e["subject"] for e in found] == ["Block"]
    expand = f"singleValueExtendedProperties($filter=id eq '{MARK}')"
    page = api("GET", "/me/calendarView", params=view(**{"$top": "2", "$expand": expand}),
               headers={"Prefer": 'outlook.timezone="America/New_York"'}).json()
    assert page["value"][0]["singleValueExtendedProperties"] == [{"id": MARK, "value": "fc1"}]
    assert "singleValueExtendedProperties" not in page["value"][1]
    assert page["value"][0]["start"] == {"dateTime": "2026-03-09T05:00:00.0000000",
                                         "timeZone": "America/New_York"}
    rest = api("GET", page["@odata.nextLink"]).json()
    assert [e["subject"] for e in rest["value"]] == ["e1", "e2"]
    assert "@odata.nextLink" not in rest


def test_batch_limits_and_statuses(fake_graph, api):
    too_many = {"requests": [{"id": str(n), "method": "GET", "url": "/me"} for n in range(21)]}
    assert api("POST", "/$batch", json=too_many).status_code == 400
    fake_graph.fail(429, path="/calendars", retry_after="5")
    answer = api("POST", "/$batch", json={"requests": [
        {"id": "a", "method": "GET", "url": "/me"},
        {"id": "b", "method": "GET", "url": "/me/calendars"},
        {"id": "c", "method": "DELETE", "url": "/me/events/nope"}]}).json()
    by_id = {r["id"]: r for r in answer["responses"]}
    assert by_id["a"]["status"] == 200
    assert by_id["b"]["status"] == 429
    assert by_id["b"]["headers"]["Retry-After"] == "5"
    assert by_id["c"]["status"] == 404
    assert api("GET", "/me", headers={"Authorization": "Bearer nope"}).status_code == 401
