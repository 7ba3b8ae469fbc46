"""ICS source: a file, a folder of .ics files (vdir), stdin, or an http(s)/webcal URL.

Recurrences are expanded by recurring-ical-events for the requested window only. Floating
times and all-day dates are read in the analysis zone (``Request.tz``).
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from focuscal.errors import InputError
from focuscal.model import Attendee, Event, Interval
from focuscal.sources import Fetched, Request
from focuscal.timeline import local_instant

URL_PREFIXES = ("http://", "https://", "webcal://", "webcals://")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def fetch(uri: str, request: Request) -> Fetched:
    """Events from one ICS source for ``request.window``."""
    cache = request.settings.cache
    if uri == "-":
        if request.stdin is None:
            raise InputError("no standard input to read", where="-")
        return parse(request.stdin.read(), "<stdin>", request.window, request.tz, cache=cache)
    if uri.lower().startswith(URL_PREFIXES):
        from focuscal.sources import http

        data = http.get(uri, timeout=request.settings.timeout, use_cache=cache)
        return parse(data, uri, request.window, request.tz, cache=cache)
    path = Path(uri.removeprefix("file://")).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".ics" and p.is_file())
        if not files:
            raise InputError("folder holds no .ics files", where=str(path))
        out = Fetched()
        for file in files:
            out.extend(parse(read(file), str(file), request.window, request.tz, cache=cache))
        return out
    return parse(read(path), str(path), request.window, request.tz, cache=cache)


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file or folder", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None


def fast_path() -> bool:
    """Whether the shortcuts (the pre-scan and the cache) are on; FOCUSCAL_NO_FASTPATH=1 turns
    them off, to compare or to rule them out."""
    return os.environ.get("FOCUSCAL_NO_FASTPATH", "") in ("", "0")


def parse(
    data: bytes,
    where: str,
    window: Interval,
    tz: tzinfo,
    *,
    fast: bool | None = None,
    cache: bool = False,
) -> Fetched:
    """Parse ICS bytes and expand the events that touch ``window`` (aware, any zone).

    With ``fast`` (the default unless FOCUSCAL_NO_FASTPATH is set), a scan of the raw text
    first drops the events that cannot touch the window, and with ``cache`` too the result is
    kept in the user cache directory for the next run on the same bytes, window and zone. The
    result is always the same as without them.
    """
    if fast is None:
        fast = fast_path()
    if not fast:
        return _parse(data, where, window, tz, fast=False)
    from focuscal.sources import ics_cache, ics_scan

    entry = ics_cache.key(data, where, window, tz) if cache else None
    if entry is not None and (cached := ics_cache.load(entry)) is not None:
        return cached
    result = None
    reduced = ics_scan.select(data, window.start, window.end)
    if reduced is not None:
        # On an error, the whole text decides the error, its message and its line.
        with contextlib.suppress(InputError):
            result = _parse(reduced, where, window, tz, fast=True)
    if result is None:
        result = _parse(data, where, window, tz, fast=True)
    if entry is not None:
        ics_cache.store(entry, result)
    return result


def _parse(data: bytes, where: str, window: Interval, tz: tzinfo, *, fast: bool) -> Fetched:
    import icalendar

    if not data.strip():
        raise InputError("empty file, not a calendar", where=where)
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # icalendar raises ValueError and a few others on bad input
        raise InputError(f"not a valid calendar: {_message(exc)}", where=where,
                         line=find_line(data, exc)) from None
    calendars = [c for c in calendars if c.name == "VCALENDAR"]
    if not calendars:
        raise InputError("no VCALENDAR found, not an iCalendar file", where=where)
    out = Fetched()
    for calendar in calendars:
        out.extend(_expand(calendar, data, where, window, tz, fast))
    return out


def _expand(
    calendar: Any, data: bytes, where: str, window: Interval, tz: tzinfo, fast: bool
) -> Fetched:
    import recurring_ical_events
    import x_wr_timezone

    out = Fetched()
    owner = str(calendar.get("X-WR-CALNAME", "")).strip().lower().removeprefix("mailto:")
    if EMAIL.match(owner):
        out.me = (owner,)
    # Expand a day more on each side in local dates: floating and all-day values are compared
    # as local times by recurring-ical-events, then filtered exactly below.
    first = window.start.astimezone(tz).date() - timedelta(days=1)
    last = window.end.astimezone(tz).date() + timedelta(days=2)
    try:
        if calendar.get("X-WR-TIMEZONE"):
            calendar = _x_wr_timezone(calendar, x_wr_timezone)
        query = recurring_ical_events.of(calendar)
        instances = _occurrences(query, first, last, tz, where) if fast else (
            to_event(c, tz, where) for c in query.between(first, last)
        )
        events = [e for e in instances if e is not None and _touches(e, window)]
    except InputError:
        raise
    except Exception as exc:  # recurring-ical-events and icalendar raise many kinds on bad data
        raise InputError(_message(exc), where=where, line=find_line(data, exc)) from None
    out.events = events
    return out


def _occurrences(
    query: Any, first: date, last: date, tz: tzinfo, where: str
) -> list[Event | None]:
    """The events of ``query.between(first, last)`` without its copy of each occurrence.

    recurring-ical-events copies the whole component of every occurrence (``as_component``),
    which costs more than all else for a long window. An occurrence's copy differs from its
    source component only in DTSTART, DTEND, RECURRENCE-ID (set to the start when absent) and
    the recurrence properties, so the event is read from the source with the occurrence's own
    times. Without that API (another version), the copies are read.
    """
    between = getattr(query, "_occurrences_between", None)
    if between is None or not hasattr(query, "to_datetime"):
        return [to_event(c, tz, where) for c in query.between(first, last)]
    out: list[Event | None] = []
    for occurrence in between(query.to_datetime(first), query.to_datetime(last)):
        component = occurrence._adapter._component
        rid = component.get("RECURRENCE-ID")
        if rid is None:
            rid_value = occurrence.start
        else:  # as in the copy: the component's own, even when unreadable
            rid_value = rid.dt if hasattr(rid, "dt") else None
        out.append(_event(component, occurrence.start, occurrence.end, rid_value, tz, where))
    return out


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


def _touches(event: Event, window: Interval) -> bool:
    if event.start == event.end:
        return window.start <= event.start < window.end
    return event.start < window.end and event.end > window.start


def _aware(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return local_instant(value, time(0), tz)


def to_event(component: Any, tz: tzinfo, where: str) -> Event | None:
    """One expanded VEVENT -> Event; None for a component without a start."""
    if component.get("DTSTART") is None:
        return None
    raw_start = component.get("DTSTART").dt
    raw_end = component.get("DTEND").dt if component.get("DTEND") is not None else raw_start
    rid = component.get("RECURRENCE-ID")
    return _event(component, raw_start, raw_end,
                  rid.dt if rid is not None and hasattr(rid, "dt") else None, tz, where)


def _event(
    component: Any, raw_start: Any, raw_end: Any, rid: Any, tz: tzinfo, where: str
) -> Event:
    """The Event of ``component`` with the given start, end and recurrence id values."""
    all_day = not isinstance(raw_start, datetime)
    start, end = _aware(raw_start, tz), _aware(raw_end, tz)
    if all_day and end <= start:
        end = _aware(raw_start + timedelta(days=1), tz)
    if end < start:
        start, end = end, start
    attendees = tuple(
        a for a in (_attendee(v) for v in _values(component.get("ATTENDEE"))) if a
    )
    organizer = _address(component.get("ORGANIZER"))
    return Event(
        start=start,
        end=end,
        summary=str(component.get("SUMMARY", "")),
        uid=str(component.get("UID", "")),
        all_day=all_day,
        status=_upper(component.get("STATUS")),
        transparent=_upper(component.get("TRANSP")) == "TRANSPARENT",
        attendees=attendees,
        organizer=organizer,
        busy_status=_upper(component.get("X-MICROSOFT-CDO-BUSYSTATUS")),
        focuscal_block=_upper(component.get("X-FOCUSCAL-BLOCK")) not in (None, "", "0", "FALSE"),
        source=where,
        recurrence_id=rid.isoformat() if rid is not None else None,
    )


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


def _message(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def find_line(data: bytes, exc: BaseException) -> int | None:
    """The 1-based line of ``data`` the error is most likely about, when it can be told."""
    message = str(exc)
    tokens = sorted(set(re.findall(r"[\w+\-:;=/.]{4,}", message)), key=len, reverse=True)
    if not tokens:
        return None
    lines = data.decode("utf-8", "replace").splitlines()
    for token in tokens[:8]:
        for number, line in enumerate(lines, 1):
            if token in line:
                return number
    return None


def utc_window(first: date, last: date, tz: tzinfo) -> Interval:
    """The instants of local dates ``first`` to ``last`` inclusive, in UTC."""
    start = local_instant(first, time(0), tz).astimezone(UTC)
    end = local_instant(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return Interval(start, end)
