"""A free/busy answer (VFREEBUSY, RFC 5545 section 3.6.4) -> its busy periods.

A CalDAV ``free-busy-query`` REPORT (RFC 4791 section 7.10) answers with one VCALENDAR holding a
VFREEBUSY whose FREEBUSY properties list the busy periods, each typed by FBTYPE: BUSY (the
default), BUSY-TENTATIVE, BUSY-UNAVAILABLE, or FREE. RFC 5545 says to read a type it does not
name as BUSY, so only FREE is left out. Periods are start/end or start/duration, in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from focuscal.errors import InputError

BUSY = "BUSY"
TENTATIVE = "BUSY-TENTATIVE"
UNAVAILABLE = "BUSY-UNAVAILABLE"
FREE = "FREE"


@dataclass(frozen=True)
class Busy:
    """One busy period: UTC start and end, and its FBTYPE (BUSY, BUSY-TENTATIVE or
    BUSY-UNAVAILABLE)."""

    start: datetime
    end: datetime
    kind: str = BUSY


def busy_periods(text: str | bytes, where: str) -> list[Busy]:
    """Every busy period of the VFREEBUSY components of ``text``, in the order given;
    InputError naming ``where`` when ``text`` is not iCalendar."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
        found = [_period(value, where) for component in calendar.walk("VFREEBUSY")
                 for value in _values(component.get("FREEBUSY"))]
    except ValueError as exc:
        raise InputError(f"the free/busy answer is not iCalendar: {exc}", where=where) from exc
    return [busy for busy in found if busy is not None]


def _values(prop: Any) -> list[Any]:
    if prop is None:
        return []
    return list(prop) if isinstance(prop, list) else [prop]


def _period(value: Any, where: str) -> Busy | None:
    """One FREEBUSY period (icalendar's vPeriod, parameters included); None for FREE."""
    kind = str(value.params.get("FBTYPE", BUSY)).upper()
    if kind == FREE:
        return None
    if kind not in (TENTATIVE, UNAVAILABLE):
        kind = BUSY
    start, until = value.dt
    end = start + until if isinstance(until, timedelta) else until
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise InputError("a free/busy period that is not a date-time", where=where)
    return Busy(_utc(start), _utc(end), kind)


def _utc(value: datetime) -> datetime:
    # RFC 5545 requires UTC here; a server that leaves the Z off means UTC all the same
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
