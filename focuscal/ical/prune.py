"""ICS text without the VEVENT properties focuscal never reads, before icalendar parses it.

icalendar builds objects for every value of every property: a 10 MB export of long
DESCRIPTION, CATEGORIES or X-ALT-DESC lines cost 20 s and 900 MB, all for text no number
depends on. A VEVENT keeps only the properties that decide when it happens and how it is
classified (``KEEP``); its subcomponents, the VTIMEZONEs and the calendar's own properties are
kept as they are. Both paths (the scan's reduced text and the whole one) are pruned alike, and
every line number a message names is counted in the text as given.
"""

from __future__ import annotations

import re

from focuscal.ical import MARK

# What recurring-ical-events reads of a VEVENT (its times, recurrences, identity) and what
# focuscal.ical.component reads (the rules of DESIGN.md section 2); an odd BEGIN or END line
# stays for icalendar to judge.
KEEP = frozenset({
    b"BEGIN", b"END", b"DTSTART", b"DTEND", b"DURATION", b"RRULE", b"RDATE", b"EXDATE", b"EXRULE",
    b"RECURRENCE-ID", b"SEQUENCE", b"UID", b"SUMMARY", b"STATUS", b"TRANSP", b"ATTENDEE",
    b"ORGANIZER", b"X-MICROSOFT-CDO-BUSYSTATUS", MARK.encode(),
})
_NAME = re.compile(rb"[A-Za-z0-9-]+")
_BOUNDARY = re.compile(rb"(BEGIN|END):([A-Za-z0-9-]+)[ \t]*\r?$", re.I)


def prune(data: bytes) -> bytes:
    """``data`` without the properties (and their folded lines) of a VEVENT that are not in
    ``KEEP``; the text itself when it holds none."""
    lines = data.split(b"\n")
    out: list[bytes] = []
    depth = 0  # 1 directly inside a VEVENT, more inside its subcomponents
    dropping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):  # a folded continuation of the line before
            if not dropping:
                out.append(line)
            continue
        dropping = False
        boundary = _BOUNDARY.match(line)
        if boundary:
            name = boundary[2].upper()
            if boundary[1].upper() == b"BEGIN":
                depth = depth + 1 if depth or name == b"VEVENT" else 0
            elif depth:
                depth -= 1
        elif depth == 1:
            m = _NAME.match(line)
            if m and m.end() < len(line) and line[m.end():m.end() + 1] in (b":", b";") and (
                    m[0].upper() not in KEEP):
                dropping = True
                continue
        out.append(line)
    if len(out) == len(lines):
        return data
    return b"\n".join(out)
