"""ICS bytes -> the event instances that touch a window.

Recurrences are expanded by recurring-ical-events for the requested window only. Floating
times and all-day dates are read in the analysis zone ``tz`` (``times.aware``). With the fast
path on, a scan of the raw text (``scan``) first drops the events that cannot touch the window,
and the cache (``cache``) answers a repeat on the same bytes, window and zone; neither ever
changes the result.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from focuscal.errors import InputError
from focuscal.ical import MAX_INSTANCES, fast_path, light_reader, skipped
from focuscal.ical.component import event_of, to_event
from focuscal.ical.prune import prune
from focuscal.model import Event, Interval, touches

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Parsed:
    """What one ICS text gave for a window: event instances that touch it, the user's
    addresses the calendar revealed (X-WR-CALNAME), warnings, and the time zones its
    calendars say they are in (X-WR-TIMEZONE)."""

    events: tuple[Event, ...] = ()
    me: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()


def parse(
    data: bytes,
    where: str,
    window: Interval,
    tz: tzinfo,
    *,
    fast: bool | None = None,
    cache: bool = False,
    limit: int = MAX_INSTANCES,
) -> Parsed:
    """Parse ICS bytes and expand the events that touch ``window`` (aware, any zone).

    With ``fast`` (the default unless FOCUSCAL_NO_FASTPATH is set), a scan of the raw text
    first drops the events that cannot touch the window, and with ``cache`` too the result is
    kept in the user cache directory for the next run on the same bytes, window and zone. The
    result is always the same as without them. ``limit`` bounds the instances of one event
    (``expand``).
    """
    try:
        return _parse(data, where, window, tz, fast=fast, cache=cache, limit=limit)
    except OverflowError:  # a window or a calendar at the ends of the years Python knows
        raise InputError("a date out of range (before the year 1 or after 9999) in these dates",
                         where=where) from None


def _parse(data: bytes, where: str, window: Interval, tz: tzinfo, *, fast: bool | None,
           cache: bool, limit: int) -> Parsed:
    if fast is None:
        fast = fast_path()
    if not fast:
        return read(data, where, window, tz, fast=False, limit=limit)
    if light_reader():
        from focuscal.ical import light

        light_result = light.parse(data, where, window, tz, limit=limit)
        if light_result is not None:
            return light_result  # as quick to read again as to load: not kept in the cache
    from focuscal.ical import cache as events_cache
    from focuscal.ical import scan

    entry = events_cache.key(data, where, window, tz, limit) if cache else None
    if entry is not None and (cached := events_cache.load(entry)) is not None:
        return cached
    result = None
    reduced = scan.select(data, window.start, window.end)
    if reduced is not None:
        # On an error or a warning, the whole text decides it, its message and its line.
        with contextlib.suppress(InputError):
            result = read(reduced, where, window, tz, fast=True, limit=limit)
        if result is not None and result.warnings:
            result = None
    if result is None:
        result = read(data, where, window, tz, fast=True, limit=limit)
    if entry is not None:
        events_cache.store(entry, result)
    return result


def read(
    data: bytes, where: str, window: Interval, tz: tzinfo, *, fast: bool,
    limit: int = MAX_INSTANCES,
) -> Parsed:
    """The full parse of ``data`` (no scan, no cache). ``fast`` reads each occurrence from its
    source component instead of recurring-ical-events' copy (same result); ``limit`` bounds
    the instances of one event (``expand``)."""
    with warnings.catch_warnings():
        # icalendar's notes on what it guessed (a Thunderbird TZID means its IANA zone) are
        # not the user's business, and a second line on stderr breaks the one-line contract.
        warnings.simplefilter("ignore")
        return _read(data, where, window, tz, fast, limit)


def _read(data: bytes, where: str, window: Interval, tz: tzinfo, fast: bool,
          limit: int) -> Parsed:
    import icalendar

    if not data.strip():
        raise InputError("empty file, not a calendar", where=where)
    broken: list[skipped.Broken] = []
    try:
        calendars = icalendar.Calendar.from_ical(prune(data), multiple=True)
    except Exception as exc:  # icalendar raises ValueError and a few others on bad input
        cleaned, broken = skipped.cut_unreadable(data)
        try:
            if not broken:
                raise
            calendars = icalendar.Calendar.from_ical(prune(cleaned), multiple=True)
        except Exception:
            raise InputError(f"not a valid calendar: {_message(exc)}", where=where,
                             line=find_line(data, exc)) from None
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise InputError("no VCALENDAR found, not an iCalendar file", where=where)
    events: list[Event] = []
    me: tuple[str, ...] = ()
    said: list[str] = []
    zones = tuple(dict.fromkeys(z for c in calendars if (z := _declared_zone(c))))
    seen = 0  # VEVENTs of the VCALENDARs before, for the line of an event that is skipped
    for calendar in calendars:
        found, owner, count = _expand(calendar, data, where, window, tz, fast, limit, seen,
                                      said, broken)
        events.extend(found)
        me = tuple(dict.fromkeys(me + owner))
        seen += count
    said.extend(skipped.warnings(broken, data, where, window.start, window.end))
    return Parsed(tuple(events), me, tuple(said), zones)


def _declared_zone(calendar: Any) -> str:
    """The zone a VCALENDAR says it is in (Google's and Apple's X-WR-TIMEZONE), or ""."""
    return str(calendar.get("X-WR-TIMEZONE", "")).strip()


def _expand(
    calendar: Any, data: bytes, where: str, window: Interval, tz: tzinfo, fast: bool,
    limit: int, seen: int, said: list[str], broken: list[skipped.Broken],
) -> tuple[list[Event], tuple[str, ...], int]:
    """The instances of one VCALENDAR that touch ``window``, its owner's address and how many
    VEVENTs it holds. An event cut at ``limit`` instances (``expand``) adds a warning to
    ``said``; one that cannot be read is skipped and added to ``broken`` (``seen``: the VEVENTs
    of the VCALENDARs before this one)."""
    import x_wr_timezone

    from focuscal.ical import expand

    owner = str(calendar.get("X-WR-CALNAME", "")).strip().lower().removeprefix("mailto:")
    me = (owner,) if EMAIL.match(owner) else ()
    # Expand a day more on each side in local dates: floating and all-day values are compared
    # as local times by recurring-ical-events, then filtered exactly below.
    first = window.start.astimezone(tz).date() - timedelta(days=1)
    last = window.end.astimezone(tz).date() + timedelta(days=2)
    events: list[Event] = []
    try:
        if calendar.get("X-WR-TIMEZONE"):
            calendar = _x_wr_timezone(calendar, x_wr_timezone)
        if str(calendar.get("CALSCALE", "GREGORIAN")).upper() != "GREGORIAN":
            raise InputError("only Gregorian calendars are supported", where=where)
        groups = expand.groups(calendar)
    except InputError:
        raise
    except Exception as exc:  # x-wr-timezone and icalendar raise many kinds on bad data
        raise InputError(_message(exc), where=where, line=find_line(data, exc)) from None
    index = {id(c): seen + i for i, c in enumerate(calendar.walk("VEVENT"))}
    for components in groups:
        try:
            series = expand.series(components, limit)
            found = [_event(o, tz, where, fast) for o in series.between(first, last)]
        except Exception as exc:  # recurring-ical-events and icalendar raise many kinds
            broken.append(skipped.Broken.of(components, index.get(id(components[0]), -1), exc))
            continue
        events.extend(e for e in found if e is not None and touches(e, window))
        if series.capped or series.costly:
            said.append(_bounded(where, components, series, limit))
    return events, me, len(index)


def _event(occurrence: Any, tz: tzinfo, where: str, fast: bool) -> Event | None:
    """The Event of one occurrence.

    recurring-ical-events copies the whole component of every occurrence (``as_component``),
    which costs more than all else for a long window. An occurrence's copy differs from its
    source component only in DTSTART, DTEND, RECURRENCE-ID (set to the start when absent) and
    the recurrence properties, so with ``fast`` the event is read from the source with the
    occurrence's own times. Without that (private) API, in another version, the copy is read.
    """
    component = getattr(getattr(occurrence, "_adapter", None), "_component", None) if fast else None
    if component is None:
        return to_event(occurrence.as_component(False), tz, where)
    rid = component.get("RECURRENCE-ID")
    if rid is None:
        rid_value = occurrence.start
    else:  # as in the copy: the component's own, even when unreadable
        rid_value = rid.dt if hasattr(rid, "dt") else None
    return event_of(component, occurrence.start, occurrence.end, rid_value, tz, where)


def _bounded(where: str, components: list[Any], series: Any, limit: int) -> str:
    """The warning for an event whose instances were cut (``expand``'s limits)."""
    from focuscal.ical.expand import steps_allowed

    if series.costly:
        what = (f"repeats too often before these dates to expand (over "
                f"{steps_allowed(limit):,} instances); its repetitions are skipped")
    else:
        what = f"repeats more than {limit:,} times in these dates; the rest are skipped"
    return (f"{where}: {skipped.describe(*skipped.identity(components))} {what} (the limit is "
            "max_instances in the config)")


def _x_wr_timezone(calendar: Any, module: Any) -> Any:
    """Apply X-WR-TIMEZONE (Google exports) to floating and UTC values.

    x-wr-timezone's own test for floating values is ``tzname() is None``, which is also true of
    VTIMEZONE definitions without TZNAME (Outlook's Windows zones): those times would be moved
    into the X-WR-TIMEZONE zone. Only naive values are floating.
    """
    from zoneinfo import ZoneInfo

    class Walker(module.UTCChangingWalker):
        def is_Floating(self, dt: datetime) -> bool:
            return dt.tzinfo is None

    name = str(calendar.pop("X-WR-TIMEZONE")).strip()
    # recurring-ical-events applies X-WR-TIMEZONE itself, with the same flaw: the property is
    # removed above so that it is applied once, here.
    try:
        zone = ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return calendar  # an unknown X-WR-TIMEZONE is ignored, as calendar apps do
    return Walker(zone).walk(calendar)


def _message(exc: BaseException) -> str:
    """The first line of an exception's text (its class name when it has none), for a user."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def find_line(data: bytes, exc: BaseException) -> int | None:
    """The 1-based line of ``data`` the error is most likely about, when it can be told."""
    text = str(exc)
    tokens = sorted(set(re.findall(r"[\w+\-:;=/.]{4,}", text)), key=len, reverse=True)
    if not tokens:
        return None
    lines = data.decode("utf-8", "replace").splitlines()
    for token in tokens[:8]:
        for number, line in enumerate(lines, 1):
            if token in line:
                return number
    return None
