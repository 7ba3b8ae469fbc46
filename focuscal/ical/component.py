"""One VEVENT component (icalendar's object) -> focuscal's ``Event``.

Floating times and all-day dates are read in the analysis zone ``tz`` (``times.aware``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any

from focuscal.ical import MARK, is_marked
from focuscal.ical.times import aware
from focuscal.model import Attendee, Event


def to_event(component: Any, tz: tzinfo, where: str) -> Event | None:
    """One expanded VEVENT -> Event; None for a component without a start."""
    if component.get("DTSTART") is None:
        return None
    raw_start = component.get("DTSTART").dt
    raw_end = component.get("DTEND").dt if component.get("DTEND") is not None else raw_start
    rid = component.get("RECURRENCE-ID")
    return event_of(component, raw_start, raw_end,
                    rid.dt if rid is not None and hasattr(rid, "dt") else None, tz, where)


def event_of(
    component: Any, raw_start: Any, raw_end: Any, rid: Any, tz: tzinfo, where: str
) -> Event:
    """The Event of ``component`` with the given start, end and recurrence id values (as
    icalendar gives them: aware, floating or dates)."""
    return occurrence(details(component, where), raw_start, raw_end, rid, tz)


def details(component: Any, where: str) -> dict[str, Any]:
    """Every field of ``component``'s events but their times (the same for each occurrence)."""
    return {
        "summary": str(component.get("SUMMARY", "")),
        "uid": str(component.get("UID", "")),
        "status": _upper(component.get("STATUS")),
        "transparent": _upper(component.get("TRANSP")) == "TRANSPARENT",
        "attendees": tuple(
            a for a in (_attendee(v) for v in _values(component.get("ATTENDEE"))) if a
        ),
        "organizer": _address(component.get("ORGANIZER")),
        "busy_status": _upper(component.get("X-MICROSOFT-CDO-BUSYSTATUS")),
        "focuscal_block": is_marked(component.get(MARK)),
        "source": where,
    }


def occurrence(fields: dict[str, Any], raw_start: Any, raw_end: Any, rid: Any,
               tz: tzinfo) -> Event:
    """The Event with ``details`` and the given start, end and recurrence id values."""
    all_day = not isinstance(raw_start, datetime)
    start, end = aware(raw_start, tz), aware(raw_end, tz)
    if all_day and end <= start:
        end = aware(raw_start + timedelta(days=1), tz)
    if end < start:
        start, end = end, start
    return Event(start=start, end=end, all_day=all_day,
                 recurrence_id=rid.isoformat() if rid is not None else None, **fields)


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _upper(value: Any) -> str | None:
    return None if value is None else str(value).strip().upper()


def _address(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    return text or None


def _attendee(value: Any) -> Attendee | None:
    email = _address(value)
    if email is None:
        return None
    params = getattr(value, "params", {}) or {}
    cutype = str(params.get("CUTYPE", "")).upper()
    return Attendee(
        email=email,
        partstat=_upper(params.get("PARTSTAT")) or "NEEDS-ACTION",
        resource=cutype in ("ROOM", "RESOURCE"),
    )
