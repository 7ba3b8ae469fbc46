"""Graph calendarView items -> Events: each Graph field read as DESIGN.md's rules need it."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from focuscal import graph
from focuscal.classify import classify
from focuscal.errors import FetchError, InputError
from focuscal.model import ClassifyRules, EventKind
from focuscal.sources.outlook import to_event

ME = "me@example.com"
RULES = ClassifyRules(me=frozenset({ME}))
BERLIN = ZoneInfo("Europe/Berlin")


def item(**kw):
    base = {"subject": "Meeting",
            "start": {"dateTime": "2026-03-10T09:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-03-10T10:00:00.0000000", "timeZone": "UTC"}}
    return {**base, **kw}


def who(address, response="none", kind="required"):
    return {"type": kind, "status": {"response": response},
            "emailAddress": {"address": address}}


@pytest.mark.parametrize(("fields", "kind", "reason"), [
    ({}, EventKind.MEETING, "meeting"),
    ({"isCancelled": True}, EventKind.IGNORED, "cancelled"),
    ({"responseStatus": {"response": "declined"}}, EventKind.IGNORED, "declined"),
    ({"responseStatus": {"response": "declined"}, "attendees": [who(ME.upper())]},
     EventKind.IGNORED, "declined"),
    ({"showAs": "free"}, EventKind.IGNORED, "transparent (free)"),
    ({"showAs": "workingElsewhere"}, EventKind.IGNORED, "transparent (free)"),
    ({"showAs": "oof"}, EventKind.OUT_OF_OFFICE, "out of office"),
    ({"showAs": "free", "subject": "Vacation"}, EventKind.OUT_OF_OFFICE, "out of office"),
    ({"showAs": "tentative", "responseStatus": {"response": "tentativelyAccepted"}},
     EventKind.MEETING, "meeting"),
    ({"subject": "Focus time"}, EventKind.FOCUS, "focus time"),
    ({"singleValueExtendedProperties": [{"id": graph.MARK, "value": "fc1"}], "subject": "x"},
     EventKind.FOCUS, "focus time"),
    ({"singleValueExtendedProperties": [{"id": "String {0} Name other", "value": "fc1"}]},
     EventKind.MEETING, "meeting"),
    ({"isAllDay": True, "start": {"dateTime": "2026-03-10T00:00:00.0000000", "timeZone": "UTC"},
      "end": {"dateTime": "2026-03-11T00:00:00.0000000", "timeZone": "UTC"}},
     EventKind.IGNORED, "all-day event"),
])
def test_rules(fields, kind, reason):
    event = to_event(item(**fields), BERLIN, "outlook:me", ME)
    got = classify(event, RULES)
    assert (got.kind, got.reason) == (kind, reason)


def test_times_all_day_dates_and_series():
    timed = to_event(item(start={"dateTime": "2026-03-10T09:00:00.1234567", "timeZone": "UTC"}),
                     BERLIN, "outlook:me", ME)
    assert timed.start == datetime(2026, 3, 10, 9, 0, 0, 123456, tzinfo=UTC)
    day = to_event(item(isAllDay=True,
                        start={"dateTime": "2026-03-29T00:00:00.0000000", "timeZone": "UTC"},
                        end={"dateTime": "2026-03-30T00:00:00.0000000", "timeZone": "UTC"}),
                   BERLIN, "outlook:me", ME)
    assert (day.start, day.end) == (datetime(2026, 3, 29, tzinfo=BERLIN),
                                    datetime(2026, 3, 30, tzinfo=BERLIN))
    assert day.interval.minutes == 23 * 60  # the spring-forward day
    one = to_event(item(type="occurrence", seriesMasterId="AAMkSeries", iCalUId="u1",
                        originalStart="2026-03-10T09:00:00Z"), BERLIN, "outlook:me", ME)
    assert one.uid == "AAMkSeries"
    assert one.recurrence_id == "2026-03-10T09:00:00Z"
    assert to_event(item(iCalUId="u2"), BERLIN, "w", ME).uid == "u2"
    with pytest.raises(FetchError, match="cannot be read"):
        to_event(item(start={"dateTime": "tomorrow", "timeZone": "UTC"}), BERLIN, "w", ME)


def test_attendees_rooms_and_the_owner():
    event = to_event(item(organizer={"emailAddress": {"address": "Boss@Example.com"}},
                          responseStatus={"response": "tentativelyAccepted"},
                          attendees=[who(ME, "none"), who("room1@example.com", "accepted",
                                                          "resource"),
                                     who("client@customer.com", "accepted")]),
                     BERLIN, "outlook:me", ME)
    assert event.organizer == "boss@example.com"
    mine, room, client = event.attendees
    assert (mine.is_self, mine.partstat) == (True, "TENTATIVE")
    assert room.resource
    assert client.partstat == "ACCEPTED"
    assert classify(event, RULES).external
    rooms_only = to_event(item(attendees=[who("r@rooms.net", "accepted", "resource")]),
                          BERLIN, "outlook:me", ME)
    assert not classify(rooms_only, RULES).external


@pytest.mark.parametrize(("uri", "path", "calendar_path"), [
    ("outlook:me", "/me", "/me/calendar"),
    ("outlook:Me/AAMk=", "/me", "/me/calendars/AAMk%3D"),
    ("outlook:Dana@Example.com", "/users/dana@example.com", "/users/dana@example.com/calendar"),
])
def test_mailboxes(uri, path, calendar_path):
    box = graph.mailbox(uri)
    assert (box.path, box.calendar_path) == (path, calendar_path)


@pytest.mark.parametrize("uri", ["outlook:", "outlook:dana", "outlook:a b@c.com"])
def test_bad_mailboxes(uri):
    with pytest.raises(InputError):
        graph.mailbox(uri)
