"""ICS -> Google Calendar API items, to load an ICS week into the fake Google server.

The counterpart of ``google_server.ics_from_google``: each feature is written the way Google
says it (OOF as ``eventType: outOfOffice``, focuscal's mark as a private extended property, the
owner's attendee entry as ``self``, rooms as ``resource``). The fake stores instances and does
not expand recurrences, so a series becomes its instances between two dates, as Google returns
them with ``singleEvents=true`` (``recurringEventId`` and ``originalStartTime`` set).

Google has no floating times: an ICS value without TZID or Z is refused (ValueError), since any
zone chosen here would be a guess that the other backends do not make.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

PARTSTAT = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative",
            "NEEDS-ACTION": "needsAction"}


def google_items(data: bytes, first: date, last: date, *, owner: str) -> list[dict[str, Any]]:
    """The event instances of the ICS ``data`` between local dates ``first`` and ``last``, as
    ``events.list`` items of the calendar of ``owner`` (an address)."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(data)
    # recurring-ical-events would apply X-WR-TIMEZONE to values whose zone has no TZNAME
    # (Outlook's Windows zones), as if they were floating; Google items have no floating times.
    calendar.pop("X-WR-TIMEZONE", None)
    series = {str(c["UID"]) for c in calendar.walk("VEVENT") if "RRULE" in c or "RDATE" in c}
    items = []
    for component in recurring_ical_events.of(calendar).between(first, last):
        uid = str(component["UID"])
        start, end = component["DTSTART"].dt, component["DTEND"].dt
        rid = component["RECURRENCE-ID"].dt if "RECURRENCE-ID" in component else start
        item: dict[str, Any] = {
            "id": _id(uid, rid), "iCalUID": uid, "summary": str(component.get("SUMMARY", "")),
            "start": _when(start, uid), "end": _when(end, uid),
            "status": str(component.get("STATUS", "CONFIRMED")).lower(),
        }
        if uid in series:
            item["recurringEventId"] = _id(uid, None)
            item["originalStartTime"] = _when(rid, uid)
        if str(component.get("TRANSP", "")).upper() == "TRANSPARENT":
            item["transparency"] = "transparent"
        if str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "OOF":
            item["eventType"] = "outOfOffice"
        if str(component.get("X-FOCUSCAL-BLOCK", "")).strip() not in ("", "0"):
            item["extendedProperties"] = {"private": {"focuscal": "1"}}
        if "ORGANIZER" in component:
            item["organizer"] = {"email": _address(component["ORGANIZER"])}
        attendees = component.get("ATTENDEE", [])
        for person in attendees if isinstance(attendees, list) else [attendees]:
            email = _address(person)
            entry: dict[str, Any] = {"email": email, "responseStatus": PARTSTAT.get(
                str(person.params.get("PARTSTAT", "NEEDS-ACTION")).upper(), "needsAction")}
            if email == owner.lower():
                entry["self"] = True
            if str(person.params.get("CUTYPE", "")).upper() in ("ROOM", "RESOURCE"):
                entry["resource"] = True
            item.setdefault("attendees", []).append(entry)
        items.append(item)
    return items


def _when(value: date | datetime, uid: str) -> dict[str, str]:
    if not isinstance(value, datetime):
        return {"date": value.isoformat()}
    if value.tzinfo is None:
        raise ValueError(f"{uid}: Google Calendar has no floating times")
    return {"dateTime": value.isoformat()}


def _id(uid: str, rid: date | datetime | None) -> str:
    """A Google event id (base32hex: lower-case hex is a subset) for a series or instance."""
    key = uid if rid is None else f"{uid}|{rid.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:26]


def _address(value: Any) -> str:
    return str(value).strip().lower().removeprefix("mailto:")
