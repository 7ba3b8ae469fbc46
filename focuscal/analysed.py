"""A cache of audits: the metrics of a period, keyed by everything they depend on.

Repeating an audit of unchanged files (cron, a status bar, a team audit) should cost no more
than reading them. An entry holds an audit's numbers (every day's metrics with its blocks,
windows and meetings), its warnings and the user's addresses the calendars revealed; it is
keyed by a SHA-256 of the name and bytes of every file read, the window (with its trend weeks),
the zone, the settings that decide classification and metrics, this format, focuscal's version
and the installed files of focuscal and of the libraries that read calendars and zones, so an
edit to a file, a setting or the code never serves an old answer.

Only audits of local files and folders are cached (never URLs, accounts or standard input),
not with ``cache = false``, and not when the files are smaller than ``MIN_BYTES`` together
(those are read again as quickly as an entry is checked and written). The cached result
carries the numbers, not the events (``analysis.classified`` is empty): audit's renderers read
only the metrics.

Entries live in ``~/.cache/focuscal/analysed/`` (folder 0700, files 0600), are JSON with a
header line (format, key, SHA-256 of the payload), written atomically; an unreadable, foreign,
altered or malformed entry is ignored and rewritten, never trusted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import date, tzinfo
from pathlib import Path
from typing import Any

from focuscal import __version__
from focuscal.config import CalendarEntry, Settings
from focuscal.ical.cache import Unencodable, _decode_time, _encode_time, code_stamp
from focuscal.metrics import DAY_NUMBERS, DayMetrics, PeriodMetrics
from focuscal.model import Interval
from focuscal.results import Analysis, AuditResult, weeks_of
from focuscal.window import Window

FORMAT = "focuscal.analysed/1"
MAX_ENTRIES = 200
MIN_BYTES = 64 * 1024
_LIBRARIES = ("icalendar", "recurring_ical_events", "x_wr_timezone", "dateutil", "tzdata")
_SPANS = ("blocks", "window", "meetings", "focus_booked")


def key(settings: Settings, entries: Sequence[CalendarEntry], window: Window,
        tz: tzinfo) -> str | None:
    """The entry's key, or None when the audit is not one to cache (a source that is not a
    local file or folder, a zone without a name, ``cache = false``)."""
    from focuscal.sources import ics

    zone = getattr(tz, "key", None)
    if not settings.cache or not isinstance(zone, str) or not zone:
        return None
    sources = []
    for entry in entries:
        files = ics.local_files(entry.uri)
        if files is None:
            return None
        sources.append((entry, files))
    try:
        if sum(f.stat().st_size for _, files in sources for f in files) < MIN_BYTES:
            return None
    except OSError:
        return None  # the source reports it
    import hashlib

    h = hashlib.sha256()
    for part in (FORMAT, __version__, _code_stamp(), zone, repr(window),
                 repr(settings.policy(tz)), repr(settings.rules()), repr(settings.me),
                 str(settings.max_instances), str(settings.strict)):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for entry, files in sources:
        h.update(repr(entry).encode("utf-8", "surrogateescape") + b"\0")
        for file in files:
            try:
                data = file.read_bytes()
            except OSError:
                return None
            h.update(str(file).encode("utf-8", "surrogateescape") + b"\0")
            h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _code_stamp() -> str:
    """Where focuscal and the libraries it reads calendars with are, and when they changed."""
    here = Path(__file__).parent
    parts = [f"{p}:{p.stat().st_mtime_ns}" for p in sorted(here.rglob("*.py"))]
    return "|".join(parts) + "|" + code_stamp(_LIBRARIES)


def _folder() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("focuscal") / "analysed"


def load(entry_key: str, settings: Settings, window: Window, tz: tzinfo) -> AuditResult | None:
    """The cached audit for ``entry_key`` (None when missing or not trustworthy)."""
    from focuscal.cachedir import read_entry

    return read_entry(_folder(), entry_key, FORMAT,
                      lambda doc: _decode(doc, settings, window, tz))


def store(entry_key: str, result: AuditResult) -> None:
    """Write ``result`` under ``entry_key``; a cache that cannot be written is no error."""
    from focuscal.cachedir import folder, write_entry

    with contextlib.suppress(Unencodable, OSError):
        write_entry(folder("analysed"), entry_key, FORMAT, _encode(result), MAX_ENTRIES)


# ---------------------------------------------------------------- encoding


def _encode(result: AuditResult) -> dict[str, Any]:
    return {
        "me": list(result.analysis.me),
        "warnings": list(result.warnings),
        "days": [_encode_day(d) for d in result.period.days],
    }


def _encode_day(day: DayMetrics) -> list[Any]:
    return [day.date.isoformat(), day.status, *(getattr(day, k) for k in DAY_NUMBERS),
            *([[_encode_time(i.start), _encode_time(i.end)] for i in getattr(day, k)]
              for k in _SPANS)]


def _decode(doc: Any, settings: Settings, window: Window, tz: tzinfo) -> AuditResult:
    days = tuple(_decode_day(item) for item in doc["days"])
    if not days or days[0].date != window.first or days[-1].date != window.last:
        raise ValueError("another window")
    period = PeriodMetrics(window.first, window.last, days)
    analysis = Analysis(tz, window, settings, (), tuple(_text(m) for m in doc["me"]),
                        tuple(_text(w) for w in doc["warnings"]))
    return AuditResult(analysis, period, weeks_of(window, period))


def _decode_day(item: list[Any]) -> DayMetrics:
    day, status, *rest = item
    numbers: list[Any] = rest[:len(DAY_NUMBERS)]
    spans: list[Any] = rest[len(DAY_NUMBERS):]
    if len(spans) != len(_SPANS) or not all(type(n) in (int, float) for n in numbers):
        raise ValueError("malformed day")
    fields: dict[str, Any] = dict(zip(DAY_NUMBERS, numbers, strict=True))
    for name, span in zip(_SPANS, spans, strict=True):
        fields[name] = tuple(Interval(_decode_time(s), _decode_time(e)) for s, e in span)
    return DayMetrics(date=date.fromisoformat(_text(day)), status=_text(status), **fields)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value
