"""The one writer of focuscal's blocks in iCalendar: the ICS sink, the CalDAV sink and
``focuscal plan --format ics`` all write these bytes.

Times are in UTC; DTSTAMP is derived from the block (no clock is read outside the CLI), so
the same block always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from focuscal.ical import MARK
from focuscal.model import Block, block_id

PRODID = "-//focuscal//focus blocks//EN"
CATEGORY = "Focus"
DESCRIPTION = "Focus time booked by focuscal. `focuscal unbook` removes it."


def vevent(block: Block, summary: str, target: str = "", newline: str = "\r\n") -> str:
    """The VEVENT of a booked block, its lines ended by ``newline``. Its UID is ``block.uid``,
    else ``block_id(target, start, end)``."""
    import icalendar

    start = block.start.astimezone(UTC)
    end = block.end.astimezone(UTC)
    event = icalendar.Event()
    event.add("UID", block.uid or block_id(target, start, end))
    event.add("DTSTAMP", start)
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("SUMMARY", summary)
    event.add("DESCRIPTION", DESCRIPTION)
    event.add("TRANSP", "OPAQUE")
    event.add("CATEGORIES", [CATEGORY])
    event.add(MARK, "1")
    text = event.to_ical().decode("utf-8")
    return text.replace("\r\n", newline) if newline != "\r\n" else text


def new_calendar(newline: str = "\r\n", events: str = "") -> str:
    """A VCALENDAR holding ``events`` (VEVENT text in the same line endings)."""
    head = newline.join(["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}",
                         "CALSCALE:GREGORIAN", ""])
    return f"{head}{events}END:VCALENDAR{newline}"


def calendar(blocks: Iterable[Block], summary: str, target: str = "") -> str:
    """A whole VCALENDAR of ``blocks`` (CR LF line endings): a CalDAV object, a vdir file,
    ``focuscal plan --format ics``."""
    return new_calendar("\r\n", "".join(vevent(b, summary, target) for b in blocks))
