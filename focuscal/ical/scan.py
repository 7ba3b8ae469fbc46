"""A cheap scan of raw ICS text that drops the VEVENTs that cannot touch a window.

Parsing a years-long export with icalendar costs seconds, most of it on events far from the
window asked about. This scan reads only the lines that decide when an event happens (DTSTART,
DTEND, DURATION, the recurrence properties, UID, SEQUENCE) and keeps, verbatim:

- everything that is not a VEVENT directly inside a VCALENDAR (VTIMEZONEs, the calendar's own
  properties, VTODOs, ...);
- every VEVENT whose UID group (all VEVENTs that share its UID: a recurring master and its
  RECURRENCE-ID overrides, or duplicates that recurring-ical-events resolves by SEQUENCE) might
  have an instance within a margin of the window.

It never decides on a guess: whatever it cannot read with certainty (an unusual value, a
property given twice, RDATE, an RRULE it cannot bound, a RANGE parameter, a missing UID, an
unbalanced BEGIN/END, a VEVENT holding a subcomponent, line endings it does not recognise)
keeps the group or makes :func:`select` give up, and the caller parses the whole text.

Times in the scan are wall times read as if they were UTC. Whatever zone a value is in (TZID,
floating, all-day dates read in the analysis zone, UTC), its instant is within a day of that
(UTC offsets stay within ±14 hours), so a margin of three days on each side of the window is safe.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

MARGIN = timedelta(days=3)

_BOUNDARY = re.compile(rb"^(BEGIN|END):([A-Za-z0-9-]+)[ \t]*\r?$", re.M | re.I)
_ANY_BEGIN_VEVENT = re.compile(rb"BEGIN:VEVENT", re.I)
_UNFOLD = re.compile(rb"(?:\r?\n)+[ \t]")
_PROP = re.compile(
    rb"^(DTSTART|DTEND|DURATION|UID|RRULE|RDATE|EXDATE|EXRULE|RECURRENCE-ID|SEQUENCE)"
    rb"([;:][^\r\n]*)",
    re.M | re.I,
)
# Parameters (quoted values may hold colons), then a DATE or DATE-TIME value.
_DT_VALUE = re.compile(
    rb'^((?:;(?:[^:;"\r\n]|"[^"\r\n]*")*)*):(\d{8})(T\d{6}Z?)?[ \t]*$'
)
_DURATION_VALUE = re.compile(
    rb"^(?:;[^:\"\r\n]*)?:([+-]?)P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)"
    rb"[ \t]*$"
)
_DT_LIST = re.compile(
    rb'^(?:;(?:[^:;"\r\n]|"[^"\r\n]*")*)*:\d{8}(?:T\d{6}Z?)?(?:,\d{8}(?:T\d{6}Z?)?)*[ \t]*$'
)
_RULE_PART = re.compile(
    rb"FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)|(INTERVAL|COUNT)=\d{1,4}"
    rb"|UNTIL=\d{8}(T\d{6}Z?)?|WKST=(MO|TU|WE|TH|FR|SA|SU)"
    rb"|BYDAY=[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)(,[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU))*"
    rb"|(BYMONTHDAY|BYMONTH|BYSETPOS|BYYEARDAY|BYWEEKNO|BYHOUR|BYMINUTE)=[+-]?\d{1,3}"
    rb"(,[+-]?\d{1,3})*"
)
_ALARM_LINE = re.compile(
    rb"(?:(?:ACTION|DESCRIPTION|SUMMARY|UID|X-[A-Z0-9-]+)(?:;[A-Z-]+=[^;:\"\r\n]*)*:[^\r\n]*"
    rb"|(?:TRIGGER|DURATION)(?:;RELATED=(?:START|END))?:[+-]?P(?:\d+W|(?:\d+D)?"
    rb"(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?)"
    rb"|TRIGGER;VALUE=DATE-TIME:\d{8}T\d{6}Z|REPEAT:\d{1,6})[ \t]*",
    re.I,
)
_PLAIN_VALUE = re.compile(rb'^(?:;[^:"\r\n]*)?:([^\r\n]*)$')
_VALUE_PARAM = re.compile(rb";VALUE=([^;:]*)", re.I)
_RANGE_PARAM = re.compile(rb";RANGE=", re.I)
_NEVER_ENDS = datetime.max.replace(tzinfo=UTC)
_ESCAPE = re.compile(rb"\\([\\,;:nN])")


class Unsure(Exception):
    """The scan cannot be certain; keep what is being looked at."""


def select(data: bytes, window_start: datetime, window_end: datetime) -> bytes | None:
    """``data`` without the VEVENT groups that cannot touch ``[window_start, window_end)``
    (aware datetimes), or None when nothing can be dropped or the text is not one the scan
    understands (then parse ``data`` itself)."""
    drop = _droppable(data, window_start, window_end)
    if not drop:
        return None
    out, cursor = [], 0
    for event in drop:
        out.append(data[cursor:event.start])
        cursor = event.end
    out.append(data[cursor:])
    return b"".join(out)


def dropped_uids(data: bytes, window_start: datetime, window_end: datetime) -> set[str]:
    """The UIDs (unescaped, stripped) of the VEVENT groups :func:`select` drops: an event the
    full parse cannot read is no news when the fast path never reads it either."""
    return {e.uid.decode("utf-8", "replace") for e in _droppable(data, window_start, window_end)
            if e.uid}


def _droppable(data: bytes, window_start: datetime, window_end: datetime) -> list[_Event]:
    """The VEVENTs of the groups that cannot touch the window, in the order of the text."""
    lo = window_start.astimezone(UTC) - MARGIN
    hi = window_end.astimezone(UTC) + MARGIN
    chunks = _vevents(data)
    if not chunks:
        return []
    groups: dict[bytes, list[_Event]] = {}
    for start, end, holds_component in chunks:
        event = _Event(data, start, end)
        event.unsure = event.unsure or holds_component
        groups.setdefault(event.uid or b"", []).append(event)
    drop: list[_Event] = []
    for uid, members in groups.items():
        if uid and not _may_touch(members, lo, hi):
            drop.extend(members)
    drop.sort(key=lambda e: e.start)
    return drop


def unescape(value: bytes) -> bytes:
    r"""An RFC 5545 TEXT value unescaped as icalendar does it (``\,`` ``\;`` ``\:`` ``\\``
    and ``\n``, in one pass), so that a UID groups the VEVENTs icalendar groups."""
    return _ESCAPE.sub(lambda m: b"\n" if m[1] in b"nN" else m[1], value)


def _vevents(data: bytes) -> list[tuple[int, int, bool]] | None:
    """Byte spans of the VEVENTs directly inside a VCALENDAR, each with its line ending, and
    whether it holds a subcomponent; None when the structure is not a plain, balanced one."""
    stack: list[bytes] = []
    spans: list[tuple[int, int, bool]] = []
    nested: set[int] = set()
    begin = alarm = 0
    for m in _BOUNDARY.finditer(data):
        name = m[2].upper()
        if m[1].upper() == b"BEGIN":
            if name == b"VEVENT":
                if stack != [b"VCALENDAR"]:
                    return None
                begin = m.start()
            elif stack and stack[-1] == b"VEVENT":
                alarm = m.start() if name == b"VALARM" else -1
                if alarm < 0:
                    nested.add(begin)
            stack.append(name)
        else:
            if not stack or stack[-1] != name:
                return None
            stack.pop()
            if name == b"VALARM" and stack == [b"VCALENDAR", b"VEVENT"] and alarm >= 0:
                # icalendar is strict inside a VALARM: a line it cannot read fails the file
                if not _plain_alarm(data[alarm:m.start()]):
                    nested.add(begin)
            elif name == b"VEVENT":
                end = m.end()
                if data[end:end + 1] == b"\n":
                    end += 1
                spans.append((begin, end, begin in nested))
    if stack or len(spans) != len(_ANY_BEGIN_VEVENT.findall(data)):
        return None
    return spans


def _unfold(text: bytes) -> bytes:
    if b"\n " in text or b"\n\t" in text:
        return _UNFOLD.sub(b"", text)
    return text  # most events hold no folded line


def _plain_alarm(text: bytes) -> bool:
    """Whether every line of a VALARM (from its BEGIN line up to its END line) is one that
    icalendar surely reads."""
    lines = _unfold(text).splitlines()[1:]
    return all(_ALARM_LINE.fullmatch(line) for line in lines if line)


class _Event:
    """The timing of one VEVENT as far as the scan can tell."""

    __slots__ = ("dates", "end", "range", "recurring", "rrule", "start", "uid", "unsure")

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.start, self.end = start, end
        self.uid: bytes | None = None
        self.unsure = False
        self.recurring = False  # any recurrence property
        self.range = False
        self.rrule: bytes | None = None
        self.dates: dict[bytes, bytes] = {}
        seen: set[bytes] = set()
        text = _unfold(data[start:end])
        for m in _PROP.finditer(text):
            name, rest = m[1].upper(), m[2]
            if name in seen and name not in (b"EXDATE",):
                self.unsure = True  # a property given twice: leave it to icalendar
            seen.add(name)
            if name == b"UID":
                value = _PLAIN_VALUE.match(rest)
                self.uid = unescape(value[1]).strip() if value else None
            elif name == b"RRULE":
                self.recurring = True
                value = _PLAIN_VALUE.match(rest)
                self.rrule = value[1].strip().upper() if value else None
                if self.rrule is None:
                    self.unsure = True
            elif name in (b"RDATE", b"EXRULE"):
                self.recurring = True
                self.unsure = True
            elif name == b"EXDATE":
                self.recurring = True
                if not _DT_LIST.match(rest):
                    self.unsure = True
            elif name == b"SEQUENCE":
                value = _PLAIN_VALUE.match(rest)
                if not value or not value[1].strip().isdigit():
                    self.unsure = True
            else:  # DTSTART, DTEND, DURATION, RECURRENCE-ID
                if name == b"RECURRENCE-ID":
                    self.recurring = True
                    self.range = bool(_RANGE_PARAM.search(rest.partition(b":")[0]))
                self.dates[name] = rest

    def span(self) -> tuple[datetime, datetime]:
        """The earliest and latest wall time the VEVENT itself covers (not its recurrences)."""
        if self.unsure or b"DTSTART" not in self.dates:
            raise Unsure
        start, is_date = _when(self.dates[b"DTSTART"])
        times = [start]
        if b"DTEND" in self.dates:
            end, end_is_date = _when(self.dates[b"DTEND"])
            if end_is_date != is_date:
                raise Unsure  # mixed DATE and DATE-TIME: let icalendar judge
            times.append(end)
        if b"DURATION" in self.dates:
            times.append(start + _duration(self.dates[b"DURATION"]))
        if is_date:
            times.append(start + timedelta(days=1))
        if b"RECURRENCE-ID" in self.dates:
            times.append(_when(self.dates[b"RECURRENCE-ID"])[0])
        return min(times), max(times)


def _may_touch(members: list[_Event], lo: datetime, hi: datetime) -> bool:
    """Whether the UID group might have an instance within ``[lo, hi]`` (wall times)."""
    try:
        masters = [e for e in members if e.rrule is not None]
        if len(masters) > 1 or any(e.range for e in members):
            return True
        for event in members:
            first, last = event.span()
            if event.rrule is not None:
                if b"RECURRENCE-ID" in event.dates:
                    return True
                last = _series_end(event.rrule, first, last)
            if first <= hi and last >= lo:
                return True
        return False
    except (Unsure, ValueError, OverflowError):
        return True


def _series_end(rule: bytes, start: datetime, last: datetime) -> datetime:
    """A bound on the latest wall time any instance of the series covers. ``start`` and
    ``last`` are the first instance's span."""
    parts: dict[bytes, bytes] = {}
    for part in rule.split(b";"):
        key, sep, value = part.partition(b"=")
        if not sep or key in parts or not _RULE_PART.fullmatch(part):
            raise Unsure  # a rule icalendar or dateutil might refuse: let them judge
        parts[key] = value
    if b"FREQ" not in parts:
        raise Unsure
    if parts[b"FREQ"] in (b"MONTHLY", b"YEARLY") and parts.keys() & {b"BYHOUR", b"BYMINUTE"}:
        # Thousands of instances a period: the expansion bounds its work on such a rule and
        # may warn (``expand``), so it decides on both paths.
        raise Unsure
    length = last - start
    if b"UNTIL" in parts:
        if b"COUNT" in parts:
            raise Unsure
        m = re.fullmatch(rb"(\d{8})(T\d{6}Z?)?", parts[b"UNTIL"])
        if not m:
            raise Unsure
        until = _wall(m[1], m[2])
        # An UNTIL given as a date ends at that date's end.
        return max(start, until + timedelta(days=1)) + length
    if b"COUNT" not in parts:
        return _NEVER_ENDS
    count, interval = parts[b"COUNT"], parts.get(b"INTERVAL", b"1")
    if not (count.isdigit() and interval.isdigit()) or int(interval) < 1:
        raise Unsure
    # COUNT is bounded only where every period surely holds an instance; then the last
    # instance is at most COUNT + 1 periods after the start.
    periods = (int(count) + 1) * int(interval)
    freq = parts[b"FREQ"]
    rest = set(parts) - {b"FREQ", b"COUNT", b"INTERVAL", b"WKST"}
    if freq == b"DAILY" and not rest:
        step = timedelta(days=periods)
    elif freq == b"WEEKLY" and rest <= {b"BYDAY"} and re.fullmatch(
        rb"(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*", parts.get(b"BYDAY", b"MO")
    ):
        step = timedelta(weeks=periods)
    elif freq == b"MONTHLY" and (
        (rest == {b"BYDAY"} and re.fullmatch(rb"[+-]?[1-4](MO|TU|WE|TH|FR|SA|SU)", parts[b"BYDAY"]))
        or (rest == {b"BYMONTHDAY"} and re.fullmatch(rb"[+-]?([1-9]|1\d|2[0-8])",
                                                      parts[b"BYMONTHDAY"]))
        or (not rest and start.day <= 28)
    ):
        step = timedelta(days=31 * periods)
    else:
        raise Unsure
    return start + step + length


def _when(rest: bytes) -> tuple[datetime, bool]:
    """The wall time of a DATE or DATE-TIME property (its text after the name) and whether it
    is a date."""
    m = _DT_VALUE.match(rest)
    if not m:
        raise Unsure
    value = _VALUE_PARAM.search(m[1])
    if value:
        kind = value[1].strip(b'"').upper()
        if (kind == b"DATE") != (m[3] is None) or kind not in (b"DATE", b"DATE-TIME"):
            raise Unsure
    return _wall(m[2], m[3]), m[3] is None


def _wall(day: bytes, at: bytes | None) -> datetime:
    if at:
        return datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), int(at[1:3]), int(at[3:5]),
                        int(at[5:7]), tzinfo=UTC)
    return datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), tzinfo=UTC)


def _duration(rest: bytes) -> timedelta:
    m = _DURATION_VALUE.match(rest)
    if not m or not any(m.groups()[1:]):
        raise Unsure
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in m.groups()[1:])
    value = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return -value if m[1] == b"-" else value
