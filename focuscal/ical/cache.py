"""A cache of the events one ICS text gives for one window and zone.

Repeating an audit of an unchanged file (cron, an editor, a team audit) should not parse it
again. The cache lives in the platformdirs user cache directory (``focuscal/events``); an entry
is keyed by a SHA-256 of everything the answer depends on: the bytes of the calendar, where they
came from, the window (UTC), the analysis zone, the limit of instances per event, this format,
focuscal's version and the installed files of the code that reads calendars (focuscal's ``ical``
reader, scan, expansion and cache, the time conversions they use, icalendar,
recurring-ical-events, x-wr-timezone, dateutil), so an upgrade or an edit never serves an old
answer.

An entry is JSON (never pickle): a header line with the format, the key and a SHA-256 of the
payload line, then the payload. An entry that is unreadable, foreign, for another key, altered or
malformed in any way is ignored and rewritten; it is never trusted. Entries are written
atomically. Datetimes are stored with their zone (IANA key and wall time with fold, or a fixed
offset), so a cached event equals the parsed one.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from focuscal import __version__
from focuscal.ical import MAX_INSTANCES
from focuscal.model import Attendee, Event, Interval

if TYPE_CHECKING:
    from focuscal.ical.read import Parsed

FORMAT = "focuscal.events/1"
MAX_ENTRIES = 200
# Every module whose code decides what a text gives (an edit to any changes the key).
_CODE = ("focuscal.ical", "focuscal.ical.read", "focuscal.ical.component", "focuscal.ical.times",
         "focuscal.ical.scan", "focuscal.ical.cache", "focuscal.ical.light",
         "focuscal.ical.light_values", "focuscal.ical.light_series", "focuscal.ical.expand",
         "focuscal.ical.prune", "focuscal.ical.skipped", "focuscal.timeline",
         "focuscal.model", "icalendar", "recurring_ical_events", "x_wr_timezone", "dateutil")


class Invalid(Exception):
    """A cache entry that cannot be trusted."""


def cache_dir() -> Path:
    """Where the entries are (``store`` makes it, 0700, with ``focuscal.cachedir``)."""
    from platformdirs import user_cache_path

    return user_cache_path("focuscal") / "events"


def private_folder() -> Path:
    """``cache_dir()``, made (or tightened) to 0700 with its parents (``cachedir``)."""
    from focuscal.cachedir import folder

    return folder("events")


def key(data: bytes, where: str, window: Interval, tz: tzinfo,
        limit: int = MAX_INSTANCES) -> str | None:
    """The entry's key, or None when the zone has no name to key it by. ``limit`` is the
    instances one event may give (``expand``)."""
    zone = getattr(tz, "key", None)
    if not isinstance(zone, str) or not zone:
        return None
    import hashlib  # OpenSSL's library: milliseconds and megabytes an audit may not need

    h = hashlib.sha256()
    for part in (FORMAT, __version__, code_stamp(), where, zone,
                 window.start.astimezone(UTC).isoformat(), window.end.astimezone(UTC).isoformat(),
                 str(limit)):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    h.update(data)
    return h.hexdigest()


def code_stamp(names: tuple[str, ...] = _CODE) -> str:
    """Where the modules ``names`` (by default the code that reads calendars) are installed,
    and when they last changed."""
    from importlib.util import find_spec

    parts = []
    for name in names:
        try:
            spec = find_spec(name)
            origin = spec.origin if spec else None
            parts.append(f"{origin}:{os.stat(origin).st_mtime_ns if origin else 0}")
        except (ImportError, OSError, ValueError):
            parts.append(f"{name}:?")
    return "|".join(parts)


def load(entry_key: str) -> Parsed | None:
    """The cached result for ``entry_key``, or None (missing or not trustworthy)."""
    from focuscal.cachedir import read_entry

    return read_entry(cache_dir(), entry_key, FORMAT, _decode)


def store(entry_key: str, parsed: Parsed) -> None:
    """Write the result for ``entry_key``; a cache that cannot be written is no error."""
    from focuscal.cachedir import write_entry

    with contextlib.suppress(Unencodable, OSError):
        write_entry(private_folder(), entry_key, FORMAT, _encode(parsed), MAX_ENTRIES)


# ---------------------------------------------------------------- encoding


class Unencodable(Exception):
    """A value the cache cannot store exactly (then nothing is stored)."""


def _encode(parsed: Parsed) -> dict[str, Any]:
    return {
        "me": list(parsed.me),
        "warnings": list(parsed.warnings),
        "zones": list(parsed.zones),
        "events": [_encode_event(e) for e in parsed.events],
    }


def _encode_event(e: Event) -> list[Any]:
    return [
        _encode_time(e.start), _encode_time(e.end), e.summary, e.uid, e.all_day, e.status,
        e.transparent, [[a.email, a.partstat, a.is_self, a.resource] for a in e.attendees],
        e.organizer, e.event_type, e.busy_status, e.focuscal_block, e.source, e.recurrence_id,
    ]


def _encode_time(value: datetime) -> list[Any]:
    wall = value.replace(tzinfo=None).isoformat()
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo) and tz.key and ZoneInfo(tz.key) is tz:
        return [wall, value.fold, "zone", tz.key]
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        return [wall, value.fold, "offset", offset.total_seconds(), tz.tzname(None)]
    raise Unencodable(repr(tz))


def _decode(doc: Any) -> Parsed:
    from focuscal.ical.read import Parsed

    return Parsed(
        events=tuple(_decode_event(item) for item in doc["events"]),
        me=tuple(_str(m) for m in doc["me"]),
        warnings=tuple(_str(w) for w in doc["warnings"]),
        zones=tuple(_str(z) for z in doc["zones"]),
    )


def _decode_event(item: list[Any]) -> Event:
    (start, end, summary, uid, all_day, status, transparent, attendees, organizer, event_type,
     busy_status, focuscal_block, source, recurrence_id) = item
    return Event(
        start=_decode_time(start),
        end=_decode_time(end),
        summary=_str(summary),
        uid=_str(uid),
        all_day=_bool(all_day),
        status=_opt(status),
        transparent=_bool(transparent),
        attendees=tuple(
            Attendee(email=_str(a[0]), partstat=_opt(a[1]), is_self=_bool(a[2]),
                     resource=_bool(a[3]))
            for a in attendees
            if len(a) == 4
        ),
        organizer=_opt(organizer),
        event_type=_opt(event_type),
        busy_status=_opt(busy_status),
        focuscal_block=_bool(focuscal_block),
        source=_str(source),
        recurrence_id=_opt(recurrence_id),
    )


def _decode_time(item: list[Any]) -> datetime:
    wall, fold, kind, *rest = item
    value = datetime.fromisoformat(_str(wall))
    if value.tzinfo is not None or fold not in (0, 1):
        raise Invalid("bad time")
    if kind == "zone":
        tz: tzinfo = ZoneInfo(_str(rest[0]))
    elif kind == "offset":
        seconds, name = rest
        if not isinstance(seconds, int | float):
            raise Invalid("bad offset")
        offset = timedelta(seconds=seconds)
        tz = UTC if offset == timedelta(0) and name == "UTC" else timezone(offset, _str(name))
    else:
        raise Invalid("bad zone")
    return value.replace(tzinfo=tz, fold=fold)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("expected text")
    return value


def _opt(value: Any) -> str | None:
    return None if value is None else _str(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("expected a boolean")
    return value
