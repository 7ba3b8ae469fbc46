"""The light reader: ICS text -> the event instances that touch a window, without icalendar's
component tree, for the calendars (and the series) it fully understands.

icalendar builds an object for every property of every event, and recurring-ical-events
copies and compares them; for a one-week audit of a years-long export that is nearly all the
time. The light reader instead

1. checks the structure of the whole text at C speed (one VCALENDAR holding VEVENTs, VALARMs in
   them and VTIMEZONEs; every line's name in upper case), or gives up (None: the caller reads
   the text the full way);
2. reads the times of every VEVENT exactly as icalendar does (``light_values``), and for each
   UID group computes the occurrences in the window exactly as recurring-ical-events does
   (``light_series``, with dateutil), so only the groups with an occurrence there are read
   further;
3. builds focuscal's Event for each occurrence with ``component.details`` and
   ``component.occurrence``, the builder the full path uses too (``event_of``), from the few
   properties it reads.

Whatever it does not fully understand in a UID group (an unusual value, a parameter, a rule
part, a zone only a VTIMEZONE defines, SEQUENCE deciding between duplicates, too many
occurrences for ``limit``, ...) sends that group to the full path: the calendar's own lines,
its VTIMEZONEs and those groups are parsed by ``read.read`` and their events join the others.
Anything it does not understand outside the VEVENTs (X-WR-TIMEZONE, another component, an
unknown zone in a VTIMEZONE, blank lines, mixed line endings, ...) makes it give up. Speed never
changes a number: tests/test_light_equality.py compares both ways on every corpus file and on
generated and mutated calendars.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from focuscal.errors import InputError
from focuscal.ical import MAX_INSTANCES
from focuscal.ical.component import details, occurrence
from focuscal.ical.light_series import Series, Timing, end_of
from focuscal.ical.light_values import (
    Unsupported,
    address,
    duration,
    integer,
    known_zone,
    moments,
    params,
    parts,
    rule,
    split,
    token,
    unescape,
    when,
)
from focuscal.ical.read import EMAIL, Parsed, read
from focuscal.model import Event, Interval, touches

_BOUNDARY = re.compile(r"\n(BEGIN|END):([^\r\n]*)")
# A line whose name icalendar would read differently (lower case, blanks, no value), or a
# BEGIN/END with parameters.
_ODD_LINE = re.compile(r"\n(?![A-Z0-9-]+[;:]|\Z)|\n(?:BEGIN|END);")
_TIMING = re.compile(
    r"\n(DTSTART|DTEND|DURATION|UID|RRULE|RDATE|EXDATE|EXRULE|RECURRENCE-ID|SEQUENCE)"
    r"([;:][^\r\n]*)"
)
_CONTENT = re.compile(
    r"\n(SUMMARY|STATUS|TRANSP|ATTENDEE|ORGANIZER|X-MICROSOFT-CDO-BUSYSTATUS|X-FOCUSCAL-BLOCK)"
    r"([;:][^\r\n]*)"
)
_NESTING = {"VEVENT": "VCALENDAR", "VTIMEZONE": "VCALENDAR", "VALARM": "VEVENT",
            "STANDARD": "VTIMEZONE", "DAYLIGHT": "VTIMEZONE"}
_CALENDAR_PROPS = {"VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "DESCRIPTION", "COLOR"}
_ZONE_TEXT = {"TZID", "TZNAME", "COMMENT", "TZURL"}
_ALARM_TEXT = {"ACTION", "DESCRIPTION", "SUMMARY", "UID"}
_SINGLE_TIMING = {"DTSTART", "DTEND", "DURATION", "UID", "RRULE", "RECURRENCE-ID", "SEQUENCE"}


class GiveUp(Exception):
    """The text is not one the light reader understands as a whole."""


@dataclass
class _Vevent:
    """One VEVENT: where it is in the text, its own lines (without its VALARMs) as spans, and
    whether a VALARM in it is one the light reader cannot vouch for."""

    begin: int
    end: int = 0
    own: list[tuple[int, int]] = field(default_factory=list)
    unsure: bool = False


@dataclass
class _Calendar:
    text: str
    newline: str
    header: list[tuple[int, int]] = field(default_factory=list)
    zones: list[tuple[int, int]] = field(default_factory=list)
    vevents: list[_Vevent] = field(default_factory=list)


@contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector off while large graphs of new objects are built: it would
    walk them again and again and free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse(data: bytes, where: str, window: Interval, tz: tzinfo, *,
          limit: int | None = None) -> Parsed | None:
    """The instances that touch ``window`` (aware), floating and all-day values read in
    ``tz``, as ``read.read`` gives them; None when the text is not one the light reader
    understands (then read it the full way). A UID group with more than ``limit`` occurrences
    in the window goes to the full path, which decides what to do with it; the light reader
    never generates more than ``limit + 1`` of them."""
    try:
        with no_gc():
            calendar = _structure(_unfold(data))
            return _read(calendar, where, window, tz, limit)
    except GiveUp:
        return None


def _unfold(data: bytes) -> tuple[str, str]:
    """The text (after a newline, so that every line follows one) with folded lines joined,
    and its line ending, as icalendar unfolds it; only texts with one kind of line ending and
    no blank line, where a plain replace is exactly icalendar's pattern."""
    try:
        raw = (b"\n" + data).decode("utf-8")
    except UnicodeDecodeError:
        raise GiveUp from None
    if _CONTROL.search(raw):
        raise GiveUp  # icalendar reads a line with a control character its own way
    if "\r" in raw:
        crlf = raw.count("\r\n")
        if raw.count("\r") != crlf or raw.count("\n") != crlf + 1 or "\r\n\r\n" in raw:
            raise GiveUp  # a bare CR or LF: not one line ending
        raw = raw.replace("\r\n ", "")
        return (raw.replace("\r\n\t", "") if "\r\n\t" in raw else raw), "\r\n"
    if "\n\n" in raw:
        raise GiveUp
    raw = raw.replace("\n ", "")
    return (raw.replace("\n\t", "") if "\n\t" in raw else raw), "\n"


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _structure(unfolded: tuple[str, str]) -> _Calendar:
    """Where the calendar's lines, its VTIMEZONEs and its VEVENTs are."""
    text, newline = unfolded
    if _ODD_LINE.search(text) or not text.startswith("\nBEGIN:VCALENDAR"):
        raise GiveUp
    calendar = _Calendar(text, newline)
    stack: list[str] = []
    vevent: _Vevent | None = None
    zone_start = prev = 0
    calendars = 0
    for m in _BOUNDARY.finditer(text):
        top = stack[-1] if stack else None
        segment = (prev, m.start())
        if top == "VCALENDAR":
            calendar.header.append(segment)
        elif top == "VEVENT":
            assert vevent is not None
            vevent.own.append(segment)
        elif top == "VALARM":
            assert vevent is not None
            vevent.unsure = vevent.unsure or not _plain_alarm(text, segment)
        elif top is not None:
            _check_zone_lines(text, segment)
        elif m.start() != prev:
            raise GiveUp  # text outside the calendar
        name = m[2]
        if m[1] == "BEGIN":
            if _NESTING.get(name, "") != (top or "") and not (name == "VCALENDAR" and not stack):
                raise GiveUp
            if name == "VCALENDAR":
                calendars += 1
            elif name == "VEVENT":
                vevent = _Vevent(m.start())
            elif name == "VTIMEZONE":
                zone_start = m.start()
            stack.append(name)
        else:
            if top != name:
                raise GiveUp
            stack.pop()
            if name == "VEVENT":
                assert vevent is not None
                vevent.end = m.end()
                calendar.vevents.append(vevent)
            elif name == "VTIMEZONE":
                calendar.zones.append((zone_start, m.end()))
        prev = m.end()
    if stack or calendars != 1 or text[prev:] not in ("", newline):
        raise GiveUp
    _check_header(calendar)
    return calendar


def _lines(text: str, segment: tuple[int, int]) -> list[str]:
    return text[segment[0]:segment[1]].split("\n")[1:]


def _clean(line: str) -> str:
    return line.removesuffix("\r")


def _check_header(calendar: _Calendar) -> None:
    """The calendar's own properties: ones icalendar surely reads, no X-WR-TIMEZONE (applied
    by the full path), a Gregorian calendar."""
    seen = set()
    for segment in calendar.header:
        for line in _lines(calendar.text, segment):
            try:
                name, _, value = split(_clean(line))
            except Unsupported:
                raise GiveUp from None
            if name == "X-WR-TIMEZONE" or (name in seen and name in (*_CALENDAR_PROPS,
                                                                     "X-WR-CALNAME")):
                raise GiveUp
            seen.add(name)
            if name == "CALSCALE" and value != "GREGORIAN":
                raise GiveUp
            if name not in _CALENDAR_PROPS and not name.startswith("X-"):
                raise GiveUp


def _check_zone_lines(text: str, segment: tuple[int, int]) -> None:
    """Lines of a VTIMEZONE (or of its STANDARD and DAYLIGHT): values icalendar surely reads,
    and a TZID zoneinfo knows (icalendar then uses zoneinfo's zone, not the definition)."""
    for line in _lines(text, segment):
        try:
            name, param_text, value = split(_clean(line))
            if name == "TZID":
                if not known_zone(value):
                    raise GiveUp
            elif name in ("DTSTART", "LAST-MODIFIED", "RDATE"):
                moments(param_text, value)
            elif name in ("TZOFFSETFROM", "TZOFFSETTO"):
                if not re.fullmatch(r"[+-](?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?", value):
                    raise GiveUp
            elif name == "RRULE":
                rule(value)
            elif name not in _ZONE_TEXT and not name.startswith("X-"):
                raise GiveUp
        except Unsupported:
            raise GiveUp from None


def _plain_alarm(text: str, segment: tuple[int, int]) -> bool:
    """Whether icalendar, strict inside a VALARM, surely reads every line of this one."""
    for line in _lines(text, segment):
        try:
            name, param_text, value = split(_clean(line))
            if name in ("TRIGGER", "DURATION"):
                p = params(param_text)
                if set(p) - {"RELATED", "VALUE"} or token(p.get("VALUE")) not in (
                        None, "DURATION", "DATE-TIME"):
                    return False
                if token(p.get("VALUE")) == "DATE-TIME":
                    moments("", value)
                else:
                    duration("", value)
            elif name == "REPEAT":
                integer(value)
            elif name not in _ALARM_TEXT and not name.startswith("X-"):
                return False
        except Unsupported:
            return False
    return True


# ---------------------------------------------------------------- events


@dataclass
class _Member:
    """One VEVENT of a UID group: its times and, once read, its other properties."""

    vevent: _Vevent
    timing: Timing
    uid: str
    content: dict[str, Any] | None = None


def _read(calendar: _Calendar, where: str, window: Interval, tz: tzinfo,
          limit: int | None) -> Parsed:
    # UID -> its VEVENTs with their times (None: not understood); a VEVENT without a UID is a
    # group of its own, as in recurring-ical-events.
    groups: dict[str | int, list[tuple[_Vevent, _Member | None]]] = {}
    for index, vevent in enumerate(calendar.vevents):
        uid, member = _timing(calendar.text, vevent)
        groups.setdefault(index if uid is None else uid, []).append((vevent, member))
    # As read.py asks recurring-ical-events: a day more on each side in local dates.
    first = window.start.astimezone(tz).date() - timedelta(days=1)
    last = window.end.astimezone(tz).date() + timedelta(days=2)
    events: list[Event] = []
    deferred: list[_Vevent] = []
    for entries in groups.values():
        members = [m for _, m in entries if m is not None]
        try:
            if len(members) != len(entries):
                raise Unsupported("times not understood")
            found = _group_events(calendar.text, members, first, last, tz, where, limit)
        except Unsupported:
            deferred.extend(v for v, _ in entries)
            continue
        events.extend(e for e in found if touches(e, window))
    if deferred:
        events.extend(_full(calendar, deferred, where, window, tz, limit).events)
    return Parsed(tuple(events), _owner(calendar))


def _timing(text: str, vevent: _Vevent) -> tuple[str | None, _Member | None]:
    """The UID of a VEVENT (None without one) and its member (None when its times are not
    understood)."""
    found: dict[str, str] = {}
    exdates: list[str] = []
    rdates: list[str] = []
    twice = set()
    for a, b in vevent.own:
        for m in _TIMING.finditer(text, a, b):
            name, rest = m[1], m[2]
            if name == "EXDATE":
                exdates.append(rest)
            elif name == "RDATE":
                rdates.append(rest)
            else:
                if name in found or name == "EXRULE":
                    twice.add(name)
                found[name] = rest
    if "UID" in twice:
        raise GiveUp  # icalendar would group by a list
    uid = None
    if "UID" in found:
        try:
            uid = unescape(parts(found["UID"])[1])
        except Unsupported:
            raise GiveUp from None
    if twice or vevent.unsure or uid is None:
        return uid, None
    try:
        start = when(*parts(found["DTSTART"]))
        end = when(*parts(found["DTEND"])) if "DTEND" in found else None
        length = duration(*parts(found["DURATION"])) if "DURATION" in found else None
        rid = None
        if "RECURRENCE-ID" in found:
            param_text, value = parts(found["RECURRENCE-ID"])
            if "RANGE" in params(param_text):
                return uid, None
            rid = when(param_text, value)
        recurrence = None
        if "RRULE" in found:
            param_text, value = parts(found["RRULE"])
            if param_text:
                return uid, None
            recurrence = rule(value)
        if "SEQUENCE" in found:
            integer(parts(found["SEQUENCE"])[1])
        timing = Timing(start, end_of(start, end, length), rid, recurrence,
                        [x for r in exdates for x in moments(*parts(r))],
                        [x for r in rdates for x in moments(*parts(r))])
    except (Unsupported, KeyError):
        return uid, None
    return uid, _Member(vevent, timing, uid)


def _group_events(text: str, members: list[_Member], first: Any, last: Any, tz: tzinfo,
                  where: str, limit: int | None) -> list[Event]:
    """The events of one UID group's occurrences between the local dates ``first`` and
    ``last``, as read.py builds them from recurring-ical-events' occurrences."""
    if len(members) == 1 and _far(members[0].timing, first, last):
        return []
    masters = [m for m in members if m.timing.rid is None]
    if len(masters) > 1:
        raise Unsupported("two masters")  # SEQUENCE decides between them
    for member in members:
        member.timing.source = member
    series = Series(masters[0].timing if masters else None,
                    [m.timing for m in members if m.timing.rid is not None], limit)
    out = []
    for timing, start, end in series.between(first, last):
        member = timing.source
        if member.content is None:
            member.content = details(_content(text, member), where)
        rid = timing.rid if timing.rid is not None else start
        out.append(occurrence(member.content, start, end, rid, tz))
    return out


def _far(timing: Timing, first: date, last: date) -> bool:
    """Whether a lone VEVENT without recurrence properties surely has no occurrence between
    the local dates ``first`` and ``last``: recurring-ical-events compares its start with the
    span in the start's wall time, and its end as an instant (zones are at most 26 hours
    apart)."""
    if timing.rule is not None or timing.rdates or timing.exdates:
        return False
    start, end = timing.span
    return _day(start) > last or _day(end) < first - timedelta(days=2)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _content(text: str, member: _Member) -> dict[str, Any]:
    """The properties ``event_of`` reads, as icalendar would give them."""
    content: dict[str, Any] = {"UID": member.uid}
    attendees = []
    for a, b in member.vevent.own:
        for m in _CONTENT.finditer(text, a, b):
            name, (param_text, value) = m[1], parts(m[2])
            if name == "ATTENDEE":
                attendees.append(address(param_text, value))
                continue
            if name in content:
                raise Unsupported(name)  # icalendar would give a list
            if name in ("SUMMARY", "STATUS", "TRANSP"):
                content[name] = unescape(value)
            elif name == "ORGANIZER":
                content[name] = address(param_text, value)
            else:  # X- properties: icalendar keeps their value verbatim
                content[name] = value
    if attendees:
        content["ATTENDEE"] = attendees if len(attendees) > 1 else attendees[0]
    return content


def _owner(calendar: _Calendar) -> tuple[str, ...]:
    """The user's address from X-WR-CALNAME, as read.py learns it (icalendar keeps an X-
    property's value verbatim)."""
    for segment in calendar.header:
        for line in _lines(calendar.text, segment):
            if line.startswith("X-WR-CALNAME"):
                _, _, value = split(_clean(line))
                owner = value.strip().lower().removeprefix("mailto:")
                return (owner,) if EMAIL.match(owner) else ()
    return ()


def _full(calendar: _Calendar, vevents: list[_Vevent], where: str, window: Interval,
          tz: tzinfo, limit: int | None) -> Parsed:
    """The deferred VEVENTs read the full way, with the calendar's own lines and VTIMEZONEs;
    an error or a warning there (an event skipped, one over ``limit``) gives up, so that the
    whole text decides the message and its line."""
    text, nl = calendar.text, calendar.newline
    pieces = ["BEGIN:VCALENDAR"]
    for a, b in calendar.header:
        pieces.extend(_clean(line) for line in _lines(text, (a, b)))
    pieces.extend(text[a + 1:b] for a, b in calendar.zones)
    pieces.extend(text[v.begin + 1:v.end] for v in vevents)
    pieces.append("END:VCALENDAR")
    mini = nl.join(p.replace("\n", nl) if nl == "\r\n" and "\r" not in p else p
                   for p in pieces) + nl
    try:
        result = read(mini.encode("utf-8"), where, window, tz, fast=True,
                      limit=MAX_INSTANCES if limit is None else limit)
    except InputError:
        raise GiveUp from None
    if result.warnings:
        raise GiveUp
    return result
