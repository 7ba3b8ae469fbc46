"""The Outlook source against the fake Graph server: the held-out week audits as its ICS file
does, each Graph feature maps to the rule it stands for, calendarView is read for the window
only and page by page, throttling and server errors are retried and a persistent failure is
one clear error."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from focuscal import app
from focuscal.errors import AuthError, FetchError, InputError
from focuscal.model import EventKind
from tests.conftest import EXAMPLES
from tests.fakes.graph_server import when
from tests.fakes.graph_week import MARK, events_from_ics

NY = ZoneInfo("America/New_York")
WEEK = app.Window(date(2026, 3, 9), date(2026, 3, 15))
ME = "alex.rivera@acme-sales.com"


def at(day: int, hour: int, minute: int = 0, zone=NY) -> dict[str, str]:
    return when(datetime(2026, 3, day, hour, minute, tzinfo=zone))


def load(settings, uri="outlook:me", tz=NY):
    return app.load(settings, [uri], WEEK, tz)


def kinds(loaded) -> dict[str, tuple[EventKind, str]]:
    return {c.event.summary: (c.kind, c.reason) for c in loaded.classified}


def person(address: str, response: str = "accepted", kind: str = "required") -> dict:
    return {"type": kind, "status": {"response": response},
            "emailAddress": {"address": address}}


def test_the_held_out_week_audits_as_its_ics_file(fake_graph, settings, signed_in):
    owner, items = events_from_ics((EXAMPLES / "sales-week.ics").read_bytes(), WEEK.first,
                                   WEEK.last)
    assert owner == fake_graph.user
    for item in items:
        fake_graph.put_event(**item)
    through_graph = app.audit(settings, ["outlook:me"], WEEK, NY)
    through_ics = app.audit(settings, [str(EXAMPLES / "sales-week.ics")], WEEK, NY)
    graph_kinds = sorted((c.event.start, c.event.summary, c.kind, c.external)
                         for c in through_graph.analysis.classified)
    ics_kinds = sorted((c.event.start, c.event.summary, c.kind, c.external)
                       for c in through_ics.analysis.classified)
    assert graph_kinds == ics_kinds
    assert through_graph.period == through_ics.period
    assert through_graph.analysis.me == through_ics.analysis.me == (ME,)
    assert through_graph.period.total("meeting_minutes") > 0
    assert through_graph.period.total("external_meeting_minutes") > 0


def test_each_graph_feature_maps_to_its_rule(fake_graph, settings, signed_in):
    fake_graph.add_mailbox("dana@acme-sales.com")
    put = fake_graph.put_event
    put(subject="Declined review", start=at(9, 10), end=at(9, 11),
        responseStatus={"response": "declined"}, attendees=[person(ME, "none")])
    put(subject="Dentist", start=at(9, 13), end=at(9, 17), showAs="oof")
    put(subject="Hold", start=at(10, 9), end=at(10, 10), showAs="free")
    put(subject="Maybe", start=at(10, 11), end=at(10, 12), showAs="tentative",
        responseStatus={"response": "tentativelyAccepted"})
    put(subject="Home office", start=at(10, 13), end=at(10, 17), showAs="workingElsewhere")
    put(subject="Quarter starts", start={"dateTime": "2026-03-11T00:00:00.0000000",
                                         "timeZone": "UTC"},
        end={"dateTime": "2026-03-12T00:00:00.0000000", "timeZone": "UTC"}, isAllDay=True)
    put(subject="Vacation", start={"dateTime": "2026-03-13T00:00:00.0000000",
                                   "timeZone": "UTC"},
        end={"dateTime": "2026-03-14T00:00:00.0000000", "timeZone": "UTC"}, isAllDay=True,
        showAs="oof")
    put(subject="Cancelled sync", start=at(11, 10), end=at(11, 11), isCancelled=True)
    put(subject="Customer call", start=at(11, 14), end=at(11, 15),
        organizer={"emailAddress": {"address": ME}},
        attendees=[person("buyer@customer.com"), person("room@acme-sales.com", "accepted",
                                                       "resource")])
    put(subject="Room only", start=at(11, 15), end=at(11, 16),
        attendees=[person("dana@acme-sales.com"),
                   person("hudson@rooms.example.net", "accepted", "resource")])
    put(subject="Focus time", start=at(12, 9), end=at(12, 11))  # Viva Insights' focus time
    put(subject="Booked block", start=at(12, 14), end=at(12, 16),
        singleValueExtendedProperties=[{"id": MARK, "value": "fc1234"}])
    loaded = load(settings)
    got = kinds(loaded)
    assert got["Declined review"] == (EventKind.IGNORED, "declined")
    assert got["Dentist"][0] is EventKind.OUT_OF_OFFICE
    assert got["Hold"] == (EventKind.IGNORED, "transparent (free)")
    assert got["Maybe"][0] is EventKind.MEETING
    assert got["Home office"] == (EventKind.IGNORED, "transparent (free)")
    assert got["Quarter starts"] == (EventKind.IGNORED, "all-day event")
    assert got["Vacation"][0] is EventKind.OUT_OF_OFFICE
    assert got["Cancelled sync"] == (EventKind.IGNORED, "cancelled")
    assert got["Focus time"][0] is EventKind.FOCUS
    assert got["Booked block"][0] is EventKind.FOCUS
    by_summary = {c.event.summary: c for c in loaded.classified}
    assert by_summary["Customer call"].external
    assert not by_summary["Room only"].external  # a room outside the domain is no customer
    assert by_summary["Booked block"].event.focuscal_block
    assert by_summary["Booked block"].event.uid == "fc1234"
    # all-day dates are local midnights of the analysis zone
    vacation = by_summary["Vacation"].event
    assert (vacation.start, vacation.end) == (datetime(2026, 3, 13, tzinfo=NY),
                                             datetime(2026, 3, 14, tzinfo=NY))
    audit = app.measure(loaded)
    friday = next(d for d in audit.period.days if d.date == date(2026, 3, 13))
    assert friday.status == "off"
    tentative = app.load(dataclasses.replace(settings, tentative="free"), ["outlook:me"], WEEK,
                         NY)
    assert kinds(tentative)["Maybe"] == (EventKind.IGNORED, "tentative (counted as free)")


def test_calendar_view_asks_for_the_window_in_utc_and_follows_every_page(
        fake_graph, settings, signed_in):
    for n in range(600):  # three pages of 250
        start = datetime(2026, 3, 9, 9, tzinfo=UTC) + timedelta(minutes=10 * n)
        fake_graph.put_event(subject=f"m{n}", start=when(start),
                             end=when(start + timedelta(minutes=5)))
    progress: list[str] = []
    from focuscal import sources
    from focuscal.config import CalendarEntry
    from focuscal.model import Interval

    window = Interval(datetime(2026, 3, 9, tzinfo=NY), datetime(2026, 3, 16, tzinfo=NY))
    request = sources.Request(window=window, tz=NY, settings=settings,
                              progress=progress.append)  # type: ignore[arg-type]
    fetched = sources.fetch(CalendarEntry(uri="outlook:me"), request)
    assert len(fetched.events) == 600
    views = fake_graph.requests_to("GET", "/calendarView")
    assert len(views) == 3
    first = views[0]
    assert first.headers["prefer"] == 'outlook.timezone="UTC"'
    assert first.query["startDateTime"] == "2026-03-08T05:00:00Z"  # the window, a day wider
    assert first.query["endDateTime"] == "2026-03-17T04:00:00Z"
    assert "attendees" in first.query["$select"]
    assert "body" not in first.query["$select"]
    assert MARK in first.query["$expand"]
    assert all(v.headers["prefer"] == 'outlook.timezone="UTC"' for v in views)
    assert progress == ["outlook:me: page 2", "outlook:me: page 3"]


def test_other_mailboxes_and_calendars(fake_graph, settings, signed_in):
    fake_graph.add_calendar(fake_graph.user, "AAMkteam=", "Team")
    fake_graph.put_event(cal_id="AAMkteam=", subject="Team call", start=at(9, 10),
                         end=at(9, 11))
    fake_graph.put_event(subject="Own call", start=at(9, 12), end=at(9, 13))
    assert list(kinds(load(settings, "outlook:me/AAMkteam="))) == ["Team call"]
    assert list(kinds(load(settings, f"outlook:{ME}"))) == ["Own call"]
    with pytest.raises(FetchError, match="answered 404") as info:
        load(settings, "outlook:me/AAMknone=")
    assert "focuscal calendars outlook" in str(info.value)
    fake_graph.add_mailbox("boss@acme-sales.com")
    with pytest.raises(AuthError, match="answered 403"):
        load(settings, "outlook:boss@acme-sales.com")
    with pytest.raises(InputError, match="expected outlook:me"):
        load(settings, "outlook:")


def test_throttling_and_server_errors_are_retried(fake_graph, settings, signed_in, no_waits):
    fake_graph.put_event(subject="Call", start=at(9, 10), end=at(9, 11))
    fake_graph.fail(429, path="/calendarView", retry_after="7", times=2)
    fake_graph.fail(503, path="/calendarView", times=1)
    fake_graph.fail(504, path="/me", times=1)
    assert list(kinds(load(settings))) == ["Call"]
    assert no_waits.count(7.0) == 2  # Retry-After honoured
    assert len(no_waits) == 4


def test_a_persistent_failure_is_one_error(fake_graph, settings, signed_in, no_waits):
    fake_graph.fail(503, path="/calendarView", times=None, message="The service is busy.")
    with pytest.raises(FetchError) as info:
        load(settings)
    assert str(info.value) == ("outlook:me: Microsoft Graph answered 503: The service is busy.")
    assert len(fake_graph.requests_to("GET", "/calendarView")) == settings.outlook.retries + 1
    assert len(no_waits) == settings.outlook.retries
    assert all(0 <= w <= 30 for w in no_waits)


def test_a_server_that_does_not_answer_in_time(fake_graph, tls, signed_in, no_waits):
    from tests.outlook.conftest import outlook_settings

    settings = dataclasses.replace(outlook_settings(fake_graph, tls[0], retries=1), timeout=1)
    fake_graph.slow(2.5, path="/calendarView", times=None)
    with pytest.raises(FetchError, match="no answer from Microsoft Graph within 1 s"):
        load(settings)
    assert len(fake_graph.requests_to("GET", "/calendarView")) == 2

