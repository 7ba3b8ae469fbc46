"""Events that cannot be read: each is skipped with one warning naming its line and UID, so one
bad event in a five-year export never blocks an audit.

An event here is what recurring-ical-events calls a series: the VEVENTs that share a UID (a
recurring master and its overrides). It is skipped whole when any part of reading it fails
(an RRULE dateutil refuses, a DTSTART that is missing or unreadable, a time zone that cannot
convert its times).

The fast path (``scan``) never reads the events that cannot touch the window, so it never
meets their errors either; the full parse stays silent about those same events (the scan's own
judgement, ``scan.dropped_uids``), and both paths give the same warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_BEGIN = re.compile(rb"^BEGIN:VEVENT[ \t]*\r?$", re.I)
_UID = re.compile(rb"^UID(?:;[^:\r\n]*)?:([^\r\n]*)", re.I | re.M)
_SUMMARY = re.compile(rb"^SUMMARY(?:;[^:\r\n]*)?:([^\r\n]*)", re.I | re.M)
_BLOCK = re.compile(rb"^BEGIN:VEVENT[ \t]*\r?\n.*?^END:VEVENT[ \t]*\r?$", re.I | re.M | re.S)


@dataclass(frozen=True)
class Broken:
    """An event that could not be read: its summary and UID as far as known, its place (the
    0-based index among the file's VEVENTs in the order of the text, or the line of its
    BEGIN:VEVENT) and what went wrong."""

    summary: str
    uid: str
    error: BaseException
    index: int = -1
    line: int | None = None

    @classmethod
    def of(cls, components: list[Any], index: int, error: BaseException) -> Broken:
        """The event of icalendar ``components`` (one series) that failed with ``error``."""
        return cls(*identity(components), error, index)


def identity(components: list[Any]) -> tuple[str, str]:
    """The summary and the UID of an event's icalendar components ("" for what is absent)."""
    summary = next((str(c["SUMMARY"]) for c in components if c.get("SUMMARY")), "")
    uid = next((str(c["UID"]) for c in components if c.get("UID") is not None), "")
    return summary, uid


def warnings(broken: list[Broken], data: bytes, where: str, window_start: datetime,
             window_end: datetime) -> list[str]:
    """One warning for each event of ``broken`` the fast path would read too."""
    if not broken:
        return []
    from focuscal.ical import scan

    silent = scan.dropped_uids(data, window_start, window_end)
    lines = _places(data)
    out = []
    for item in broken:
        uid = item.uid.strip()
        if uid and uid in silent:
            continue
        line = item.line or (lines.get(uid) if uid else None)
        if line is None and 0 <= item.index < len(lines.order):
            line = lines.order[item.index]
        place = f"{where}:{line}" if line else where
        out.append(f"{place}: {describe(item.summary, item.uid)} cannot be read and is "
                   f"skipped: {problem(item.error)}")
    return out


def cut_unreadable(data: bytes) -> tuple[bytes, list[Broken]]:
    """``data`` without the VEVENTs icalendar cannot parse on their own, and those events
    (named from their raw text): when the whole text does not parse, so that the rest still
    counts. Nothing is cut when no VEVENT alone fails."""
    import icalendar

    from focuscal.ical.prune import prune
    from focuscal.ical.scan import unescape

    broken: list[Broken] = []
    kept, cursor = [], 0
    for m in _BLOCK.finditer(data):
        block = m[0]
        try:
            icalendar.Calendar.from_ical(prune(b"BEGIN:VCALENDAR\r\n" + block.rstrip(b"\r")
                                               + b"\r\nEND:VCALENDAR\r\n"))
        except Exception as exc:  # icalendar raises many kinds on bad input
            uid = _UID.search(block)
            summary = _SUMMARY.search(block)
            broken.append(Broken(
                summary=unescape(summary[1].rstrip(b"\r")).decode("utf-8", "replace")
                if summary else "",
                uid=unescape(uid[1].rstrip(b"\r")).decode("utf-8", "replace") if uid else "",
                error=exc, line=data.count(b"\n", 0, m.start()) + 1))
            kept.append(data[cursor:m.start()])
            cursor = m.end()
    kept.append(data[cursor:])
    return b"".join(kept), broken


def describe(summary: str, uid: str) -> str:
    """``event 'Summary' (UID x)`` for a user: what names the event best."""
    name = " ".join(filter(None, [repr(summary[:80]) if summary else "",
                                  f"(UID {uid[:120]})" if uid else ""]))
    return f"event {name}" if name else "an event without a UID"


def problem(error: BaseException) -> str:
    """What went wrong, in words (a missing property is named, never a bare ``'DTSTART'``)."""
    if isinstance(error, KeyError) and error.args and isinstance(error.args[0], str):
        name = error.args[0]
        if name == "DTSTART":
            return "it has no DTSTART (every event needs a start)"
        return f"it has no {name}"
    text = str(error).strip()
    if isinstance(error, OverflowError):
        return f"a date out of range ({text.splitlines()[0][:200]})" if text else (
            "a date out of range")
    return text.splitlines()[0][:300] if text else type(error).__name__


class _Places(dict[str, int]):
    """UID -> the line of the first VEVENT with it; ``order``: every VEVENT's line."""

    order: list[int]


def _places(data: bytes) -> _Places:
    from focuscal.ical.scan import unescape

    places = _Places()
    places.order = []
    begin = 0
    for number, line in enumerate(data.split(b"\n"), 1):
        if _BEGIN.match(line):
            begin = number
            places.order.append(number)
        elif begin and (m := _UID.match(line)):
            uid = unescape(m[1].rstrip(b"\r")).decode("utf-8", "replace").strip()
            places.setdefault(uid, begin)
            begin = 0
    return places
