"""An ICS calendar as Microsoft Graph would hold it: the events of a window, as calendarView
items (series expanded), each feature written the way Graph says it.

The expansion uses icalendar and recurring-ical-events directly (not focuscal's reader), so an
audit through Graph and an audit of the same file through the ICS source meet only in the
numbers. Graph's spelling: STATUS:CANCELLED is ``isCancelled``; the owner's PARTSTAT is the
event's ``responseStatus``; TRANSP:TRANSPARENT is ``showAs: free``, X-MICROSOFT-CDO-BUSYSTATUS
OOF is ``showAs: oof``, STATUS:TENTATIVE is ``showAs: tentative``; rooms are attendees of type
``resource``; DATE values are all-day events at midnight; occurrences carry ``seriesMasterId``
and ``originalStart``; X-FOCUSCAL-BLOCK is focuscal's extended property.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

MARK = "String {8c3e5f2a-6d1b-4f7e-9a2c-0b5d7e4f1a93} Name focuscal"
RESPONSE = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentativelyAccepted",
            "NEEDS-ACTION": "notResponded"}


def graph_time(value: Any) -> tuple[dict[str, str], bool]:
    if isinstance(value, datetime):
        return {"dateTime": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                "timeZone": "UTC"}, False
    return {"dateTime": f"{value.isoformat()}T00:00:00.0000000", "timeZone": "UTC"}, True


def address(value: Any) -> str:
    return str(value).removeprefix("mailto:").removeprefix("MAILTO:").lower()


def events_from_ics(data: bytes, first: date, last: date) -> tuple[str, list[dict[str, Any]]]:
    """(owner, calendarView items) of the local dates ``first`` to ``last`` and a week around."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(data)
    owner = address(calendar.get("X-WR-CALNAME", "me@example.com"))
    # recurring-ical-events would apply X-WR-TIMEZONE to Outlook's Windows zones too (their
    # VTIMEZONEs have no TZNAME) and move those times; the file has no floating time, so the
    # property changes no instant and is dropped.
    calendar.pop("X-WR-TIMEZONE", None)
    low = first - timedelta(days=7)
    high = last + timedelta(days=7)
    items = []
    for n, component in enumerate(recurring_ical_events.of(calendar).between(low, high)):
        items.append(to_graph(component, owner, n))
    return owner, items


def to_graph(component: Any, owner: str, n: int) -> dict[str, Any]:
    start_value = component.decoded("DTSTART")
    if "DTEND" in component:
        end_value = component.decoded("DTEND")
    elif "DURATION" in component:
        end_value = start_value + component.decoded("DURATION")
    else:
        end_value = start_value + timedelta(days=1) if not isinstance(
            start_value, datetime) else start_value
    start, all_day = graph_time(start_value)
    end, _ = graph_time(end_value)
    uid = str(component.get("UID", f"event-{n}"))
    status = str(component.get("STATUS", "CONFIRMED")).upper()
    show_as = "busy"
    if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
        show_as = "free"
    if status == "TENTATIVE":
        show_as = "tentative"
    if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "OOF":
        show_as = "oof"
    organizer = address(component["ORGANIZER"]) if "ORGANIZER" in component else owner
    attendees = component.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    people = []
    response = "organizer" if organizer == owner else "none"
    for person in attendees:
        email = address(person)
        partstat = str(person.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        cutype = str(person.params.get("CUTYPE", "")).upper()
        people.append({"type": "resource" if cutype in ("ROOM", "RESOURCE") else "required",
                       "status": {"response": RESPONSE.get(partstat, "none")},
                       "emailAddress": {"address": email, "name": email.split("@")[0]}})
        # the owner's answer; an event without ORGANIZER still has the owner's PARTSTAT
        if email == owner and (organizer != owner or "ORGANIZER" not in component):
            response = RESPONSE.get(partstat, "none")
    item: dict[str, Any] = {
        "id": "AAMk" + hashlib.sha256(f"{uid}|{start['dateTime']}".encode()).hexdigest()[:24],
        "subject": str(component.get("SUMMARY", "")),
        "start": start,
        "end": end,
        "isAllDay": all_day,
        "isCancelled": status == "CANCELLED",
        "showAs": show_as,
        "responseStatus": {"response": response, "time": "0001-01-01T00:00:00Z"},
        "organizer": {"emailAddress": {"address": organizer}},
        "attendees": people,
        "iCalUId": hashlib.sha256(f"{uid}|{start['dateTime']}".encode()).hexdigest().upper(),
        "type": "singleInstance",
    }
    if "RECURRENCE-ID" in component or "RRULE" in component:
        original = component.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in component \
            else start_value
        item["type"] = "occurrence"
        item["seriesMasterId"] = "AAMkseries" + hashlib.sha256(uid.encode()).hexdigest()[:16]
        if isinstance(original, datetime):
            item["originalStart"] = original.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if "X-FOCUSCAL-BLOCK" in component:
        item["singleValueExtendedProperties"] = [{"id": MARK, "value": uid}]
    return item
