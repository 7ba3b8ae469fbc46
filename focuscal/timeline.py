"""Interval algebra and DST-correct working windows.

All functions take and return aware datetimes; results are normalised to UTC so that lengths
and comparisons are elapsed time. Convert to the analysis zone only for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from focuscal.model import Interval


def to_utc(interval: Interval) -> Interval:
    if interval.start.tzinfo is UTC and interval.end.tzinfo is UTC:
        return interval  # immutable, already in UTC: no copy needed
    return Interval(interval.start.astimezone(UTC), interval.end.astimezone(UTC))


def _start(interval: Interval) -> datetime:
    return interval.start


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of ``intervals`` as sorted, disjoint, non-empty intervals in UTC.

    Touching intervals (one ends where the next starts) merge into one.
    """
    spans = sorted((s for s in map(to_utc, intervals) if s.end > s.start), key=_start)
    if len(spans) < 2:
        return spans
    out: list[Interval] = []
    for span in spans:
        if out and span.start <= out[-1].end:
            if span.end > out[-1].end:
                out[-1] = Interval(out[-1].start, span.end)
        else:
            out.append(span)
    return out


def clip(intervals: Iterable[Interval], window: Interval) -> list[Interval]:
    """The parts of ``intervals`` inside ``window`` (merged, UTC)."""
    w = to_utc(window)
    out = []
    for span in merge(intervals):
        start, end = max(span.start, w.start), min(span.end, w.end)
        if end > start:
            out.append(Interval(start, end))
    return out


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The intersection of two sets of intervals (merged, UTC)."""
    out: list[Interval] = []
    bs = merge(b)
    for span in merge(a):
        out.extend(clip(bs, span))
    return merge(out)


def subtract(base: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """``base`` minus ``removed``: sorted disjoint intervals in UTC."""
    cuts = merge(removed)
    out: list[Interval] = []
    for span in merge(base):
        cursor = span.start
        for cut in cuts:
            if cut.end <= cursor or cut.start >= span.end:
                continue
            if cut.start > cursor:
                out.append(Interval(cursor, cut.start))
            cursor = max(cursor, cut.end)
            if cursor >= span.end:
                break
        if cursor < span.end:
            out.append(Interval(cursor, span.end))
    return out


def total_seconds(intervals: Iterable[Interval]) -> int:
    return sum(i.seconds for i in merge(intervals))


def total_minutes(intervals: Iterable[Interval]) -> int:
    """Whole minutes in the union of ``intervals`` (rounded down after the union)."""
    return total_seconds(intervals) // 60


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The instant of wall-clock ``at`` on local ``day`` in ``tz``.

    A wall time skipped by a DST jump resolves to the instant after the jump; a repeated one
    to its first occurrence.
    """
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    # zoneinfo maps a non-existent time with fold=0 using the offset before the gap; a round
    # trip through UTC detects that and moves it forward past the gap.
    back = aware.astimezone(UTC).astimezone(tz)
    return back if back.replace(tzinfo=None) != naive else aware


def local_day(day: date, tz: tzinfo) -> Interval:
    """Midnight to midnight of local ``day`` (23 or 25 hours long on DST days)."""
    start = local_instant(day, time(0), tz)
    return Interval(start, local_instant(day + timedelta(days=1), time(0), tz))


def working_window(day: date, start: time, end: time, tz: tzinfo) -> Interval:
    """The working window of local ``day``; ``end`` of 00:00 or before ``start`` means the
    next day (a night shift)."""
    begin = local_instant(day, start, tz)
    end_day = day if end > start else day + timedelta(days=1)
    return Interval(begin, local_instant(end_day, end, tz))


def days_between(first: date, last: date) -> list[date]:
    """Every local date from ``first`` to ``last``, inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
