"""focuscal's booked blocks in ICS bytes: the one reader the ICS and CalDAV sinks share.

A booked block is a VEVENT marked ``X-FOCUSCAL-BLOCK`` (``ical.is_marked``) that is neither
recurring nor an override, with a timed start and end (DTEND, else DURATION) and a positive
length. Floating times are read in the given zone (``times.aware``); blocks are returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from focuscal.errors import InputError
from focuscal.ical import MARK, is_marked
from focuscal.ical.times import aware
from focuscal.model import Block, Stored


def marked_blocks(
    data: bytes | str, where: str, tz: tzinfo, *, version: str | None = None
) -> list[Block]:
    """focuscal's blocks in ICS ``data``, in UTC, in file order. Each carries
    ``Stored(where, version, its SUMMARY)``. Raises InputError when ``data`` is not a calendar
    icalendar can read."""
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # icalendar raises ValueError and a few others on bad input
        text = str(exc).strip()
        reason = text.splitlines()[0][:200] if text else "unreadable"
        raise InputError(f"not a valid calendar: {reason}", where=where) from None
    out = []
    for calendar in calendars:
        for event in calendar.walk("VEVENT"):
            if not is_marked(event.get(MARK)):
                continue
            if event.get("RRULE") is not None or event.get("RECURRENCE-ID") is not None:
                continue  # focuscal never books recurring blocks
            block = _block(event, tz, where, version)
            if block is not None:
                out.append(block)
    return out


def _block(event: Any, tz: tzinfo, where: str, version: str | None) -> Block | None:
    start = event.get("DTSTART")
    if start is None or not isinstance(start.dt, datetime):
        return None  # an all-day event is never a block focuscal booked
    local = aware(start.dt, tz)
    begin = local.astimezone(UTC)
    if event.get("DTEND") is not None:
        end = event.get("DTEND").dt
        if not isinstance(end, datetime):
            return None  # a date end: not a block focuscal booked either
        finish = aware(end, tz).astimezone(UTC)
    elif event.get("DURATION") is not None:
        finish = (local + event.get("DURATION").dt).astimezone(UTC)
    else:
        return None  # no length: not a block focuscal booked
    if finish <= begin:
        return None
    summary = str(event.get("SUMMARY", ""))
    return Block(begin, finish, uid=str(event.get("UID", "")).strip(),
                 stored=Stored(location=where, version=version, summary=summary))
