"""One realistic week (2026-W11, New York) as Google Calendar API items.

The same list is served by the fake Google server and written as ICS (``ics_from_google``), so
both sources must give the same audit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ME = "me@example.com"
NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = NY) -> dict[str, str]:
    return {"dateTime": datetime(2026, 3, day, hour, minute, tzinfo=zone).isoformat()}


def people(*pairs: tuple[str, str], me: str | None = "accepted") -> list[dict[str, Any]]:
    out = [{"email": email, "responseStatus": status} for email, status in pairs]
    if me:
        out.append({"email": ME, "self": True, "responseStatus": me})
    return out


def week() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for day in range(9, 14):  # the standup, a recurring event expanded by Google
        start = datetime(2026, 3, day, 9, 30, tzinfo=NY)
        items.append({
            "id": f"standup_{start.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}",
            "iCalUID": "standup@example.com", "summary": "Standup",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=15)).isoformat()},
            "recurringEventId": "standup", "originalStartTime": {"dateTime": start.isoformat()},
            "organizer": {"email": "lead@example.com"},
            "attendees": people(("lead@example.com", "accepted")),
        })
    items += [
        {"id": "late0sunday", "summary": "Late call", "start": at(8, 23), "end": at(9, 0, 30),
         "attendees": people(("partner@other.org", "accepted"))},
        {"id": "customer01", "summary": "Customer call", "start": at(9, 14), "end": at(9, 15),
         "organizer": {"email": ME},
         "attendees": people(("client@customer.com", "accepted"),
                             ("room1@resource.example.com", "accepted"))},
        {"id": "workloc001", "summary": "Home", "eventType": "workingLocation",
         "start": {"date": "2026-03-09"}, "end": {"date": "2026-03-10"},
         "transparency": "transparent"},
        {"id": "focusblock1", "summary": "Focus time", "eventType": "focusTime",
         "start": at(10, 9), "end": at(10, 11)},
        {"id": "demo000001", "summary": "Demo", "start": at(10, 14), "end": at(10, 15),
         "attendees": people(("buyer@customer.com", "needsAction"))},
        {"id": "debrief001", "summary": "Debrief", "start": at(10, 15), "end": at(10, 15, 30)},
        {"id": "tokyo00001", "summary": "Tokyo sync", "start": at(11, 9, 0, TOKYO),
         "end": at(11, 9, 45, TOKYO), "attendees": people(("kenji@customer.jp", "accepted"))},
        {"id": "offsite001", "summary": "Team offsite", "start": {"date": "2026-03-10"},
         "end": {"date": "2026-03-11"}},
        {"id": "declined01", "summary": "Pipeline review", "start": at(11, 11), "end": at(11, 12),
         "attendees": people(("boss@example.com", "accepted"), me="declined")},
        {"id": "hold000001", "summary": "Hold", "start": at(11, 13), "end": at(11, 14),
         "transparency": "transparent"},
        {"id": "birthday01", "summary": "Ana's birthday", "eventType": "birthday",
         "start": {"date": "2026-03-11"}, "end": {"date": "2026-03-12"}},
        {"id": "booked0001", "summary": "Booked block", "start": at(12, 9), "end": at(12, 11),
         "extendedProperties": {"private": {"focuscal": "1"}}},
        {"id": "dentist001", "summary": "Dentist", "eventType": "outOfOffice",
         "start": at(12, 13), "end": at(12, 17)},
        {"id": "cancelled1", "summary": "Forecast", "status": "cancelled", "start": at(13, 10),
         "end": at(13, 11)},
        {"id": "tentative1", "summary": "Maybe", "start": at(13, 13), "end": at(13, 14),
         "attendees": people(("peer@example.com", "accepted"), me="tentative")},
        {"id": "lastweek01", "summary": "Old", "start": at(4, 10), "end": at(4, 11)},
        {"id": "nextweek01", "summary": "Later", "start": at(17, 10), "end": at(17, 11)},
    ]
    return items
