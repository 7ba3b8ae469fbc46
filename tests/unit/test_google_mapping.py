"""Google's event JSON -> model.Event, rule by rule (DESIGN.md section 2)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from focuscal.model import Attendee
from focuscal.sources.google import is_person, to_event
from focuscal.timeline import local_instant


def event(**fields):
    base = {"id": "e1", "start": {"dateTime": "2026-03-09T14:00:00Z"},
            "end": {"dateTime": "2026-03-09T15:00:00Z"}}
    return to_event({**base, **fields}, UTC, "google:primary")


def test_timed_values_keep_their_instant():
    e = event(start={"dateTime": "2026-03-09T10:00:00-04:00", "timeZone": "America/New_York"})
    assert e.start == datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert not e.all_day


def test_all_day_dates_are_local_midnights_of_the_analysis_zone(tz):
    e = to_event({"id": "d", "start": {"date": "2026-04-04"}, "end": {"date": "2026-04-06"}},
                 tz, "google:primary")
    assert e.all_day
    assert e.start == local_instant(datetime(2026, 4, 4).date(), time(0), tz)
    assert e.end == local_instant(datetime(2026, 4, 6).date(), time(0), tz)


def test_all_day_without_an_end_lasts_a_day():
    e = to_event({"id": "d", "start": {"date": "2026-03-09"}}, UTC, "g")
    assert (e.end - e.start).days == 1


@pytest.mark.parametrize(("google", "partstat"), [
    ("accepted", "ACCEPTED"), ("declined", "DECLINED"), ("tentative", "TENTATIVE"),
    ("needsAction", "NEEDS-ACTION"), (None, "NEEDS-ACTION")])
def test_response_status(google, partstat):
    person = {"email": "Me@Example.com", "self": True}
    if google:
        person["responseStatus"] = google
    e = event(attendees=[person, {"email": "room@example.com", "resource": True,
                                  "responseStatus": "accepted"}])
    assert e.attendees == (Attendee("me@example.com", partstat, is_self=True),
                           Attendee("room@example.com", "ACCEPTED", resource=True))


@pytest.mark.parametrize(("fields", "attribute", "expected"), [
    ({"status": "cancelled"}, "status", "CANCELLED"),
    ({"status": "tentative"}, "status", "TENTATIVE"),
    ({}, "status", "CONFIRMED"),
    ({"transparency": "transparent"}, "transparent", True),
    ({"transparency": "opaque"}, "transparent", False),
    ({"eventType": "focusTime"}, "event_type", "focusTime"),
    ({"eventType": "outOfOffice"}, "event_type", "outOfOffice"),
    ({"extendedProperties": {"private": {"focuscal": "1"}}}, "focuscal_block", True),
    ({"extendedProperties": {"private": {"focuscal": "0"}}}, "focuscal_block", False),
    ({"extendedProperties": {"shared": {"focuscal": "1"}}}, "focuscal_block", False),
    ({"organizer": {"email": "Boss@Example.com"}}, "organizer", "boss@example.com"),
    ({"iCalUID": "abc@google.com"}, "uid", "abc@google.com"),
    ({}, "uid", "e1"),
    ({"recurringEventId": "r", "originalStartTime": {"dateTime": "2026-03-09T14:00:00Z"}},
     "recurrence_id", "2026-03-09T14:00:00Z"),
])
def test_fields(fields, attribute, expected):
    assert getattr(event(**fields), attribute) == expected


def test_a_deleted_instance_without_times_is_skipped():
    assert to_event({"id": "x", "status": "cancelled"}, UTC, "g") is None


@pytest.mark.parametrize(("address", "person"), [
    ("me@example.com", True),
    ("team@group.calendar.google.com", False),
    ("en.usa#holiday@group.v.calendar.google.com", False),
    ("primary", False),
])
def test_is_person(address, person):
    assert is_person(address) is person
