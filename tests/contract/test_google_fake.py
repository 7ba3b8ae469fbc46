"""The fake Calendar v3 server follows the real API where focuscal depends on it (RECIPES.md)."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def service(fake_google):
    import google_auth_httplib2
    import httplib2
    from google.auth.credentials import AnonymousCredentials
    from googleapiclient import discovery, discovery_cache

    doc = json.loads(discovery_cache.get_static_doc("calendar", "v3"))
    doc["rootUrl"] = fake_google.url
    http = google_auth_httplib2.AuthorizedHttp(AnonymousCredentials(),
                                               http=httplib2.Http(timeout=5))
    return discovery.build_from_document(doc, http=http)


def status(call) -> int:
    from googleapiclient.errors import HttpError

    try:
        call.execute()
    except HttpError as exc:
        return exc.resp.status
    return 200


def hour(h: int) -> dict[str, str]:
    return {"dateTime": f"2026-03-09T{h:02d}:00:00Z"}


def test_time_min_bounds_the_end_and_time_max_the_start_exclusively(fake_google, service):
    fake_google.put_event(id="nine", start=hour(9), end=hour(10))
    fake_google.put_event(id="ten", start=hour(10), end=hour(11))

    def ids(low, high):
        return [e["id"] for e in service.events().list(
            calendarId="primary", timeMin=f"2026-03-09T{low}:00:00Z",
            timeMax=f"2026-03-09T{high}:00:00Z").execute()["items"]]

    assert ids("10", "11") == ["ten"]  # nine ends at 10: not after timeMin
    assert ids("09", "10") == ["nine"]  # ten starts at 10: not before timeMax
    assert ids("09", "11") == ["nine", "ten"]


def test_fields_limit_the_answer(fake_google, service):
    fake_google.put_event(id="nine", summary="S", start=hour(9), end=hour(10),
                          extendedProperties={"private": {"a": "1"}, "shared": {"b": "2"}})
    answer = service.events().list(
        calendarId="primary", fields="items(id,extendedProperties/private)").execute()
    assert answer == {"items": [{"id": "nine", "extendedProperties": {"private": {"a": "1"}}}]}


def test_private_property_filter(fake_google, service):
    fake_google.put_event(id="mine1", start=hour(9), end=hour(10),
                          extendedProperties={"private": {"focuscal": "1"}})
    fake_google.put_event(id="other", start=hour(9), end=hour(10),
                          extendedProperties={"shared": {"focuscal": "1"}})
    answer = service.events().list(calendarId="primary",
                                   privateExtendedProperty="focuscal=1").execute()
    assert [e["id"] for e in answer["items"]] == ["mine1"]


def test_sync_tokens(fake_google, service):
    fake_google.put_event(id="first", start=hour(9), end=hour(10))
    token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    assert status(service.events().list(calendarId="primary", syncToken=token,
                                        timeMin="2026-03-09T00:00:00Z")) == 400
    fake_google.put_event(id="second", start=hour(11), end=hour(12))
    service.events().delete(calendarId="primary", eventId="first").execute()
    changes = service.events().list(calendarId="primary", syncToken=token).execute()
    assert sorted((e["id"], e["status"]) for e in changes["items"]) == [
        ("first", "cancelled"), ("second", "confirmed")]
    fake_google.expire_sync_tokens()
    assert status(service.events().list(calendarId="primary",
                                        syncToken=changes["nextSyncToken"])) == 410


def test_insert_ids_and_deletes(fake_google, service):
    body = {"start": hour(9), "end": hour(10)}
    assert status(service.events().insert(calendarId="primary",
                                          body={**body, "id": "Not-Base32"})) == 400
    assert status(service.events().insert(calendarId="primary", body={**body, "id": "abc12"})) \
        == 200
    assert status(service.events().insert(calendarId="primary", body={**body, "id": "abc12"})) \
        == 409
    assert status(service.events().delete(calendarId="primary", eventId="abc12")) == 200
    assert status(service.events().delete(calendarId="primary", eventId="abc12")) == 410
    # a deleted event keeps its id
    assert status(service.events().insert(calendarId="primary", body={**body, "id": "abc12"})) \
        == 409
    assert status(service.events().delete(calendarId="primary", eventId="nope1")) == 404


def test_focus_time_needs_a_calendar_that_takes_it(fake_google, service):
    fake_google.add_calendar("team@group.calendar.google.com", focus_time=False)
    body = {"start": hour(9), "end": hour(10), "eventType": "focusTime"}
    assert status(service.events().insert(calendarId="team@group.calendar.google.com",
                                          body=body)) == 400
    assert status(service.events().insert(calendarId="primary", body=body)) == 200
    assert status(service.events().insert(calendarId="primary", body={
        **body, "transparency": "transparent"})) == 400
