"""Day and period metrics from classified events (DESIGN.md section 2).

Inputs are aware datetimes in any zone; days are local dates of ``WorkPolicy.tz``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from focuscal.model import Classified, EventKind, Interval, WorkPolicy, floor_minute, touches
from focuscal.timeline import (
    clip,
    days_between,
    intersect,
    local_day,
    merge,
    subtract,
    total_minutes,
    working_window,
)


def working_windows(policy: WorkPolicy, day: date) -> list[Interval]:
    """The working window of local ``day`` before out-of-office time, as intervals (lunch
    removed when configured); [] on a non-workday. A night shift's lunch after midnight is
    the next date's, so the lunches of both dates the window touches are removed."""
    if day.weekday() not in policy.workdays:
        return []
    window = working_window(day, policy.work_start, policy.work_end, policy.tz)
    if policy.lunch is None:
        return [window]
    lunches = [working_window(d, policy.lunch[0], policy.lunch[1], policy.tz)
               for d in (day, day + timedelta(days=1))]
    return subtract([window], lunches)


@dataclass(frozen=True)
class DayMetrics:
    date: date
    status: str  # workday | weekend | off
    working_minutes: int
    meeting_minutes: int
    meeting_count: int
    external_meeting_minutes: int
    focus_booked_minutes: int
    focus_minutes: int
    fragmented_minutes: int
    longest_block_minutes: int
    block_count: int
    fragmentation: float
    back_to_back: int
    after_hours_meeting_minutes: int
    blocks: tuple[Interval, ...] = field(default=())
    window: tuple[Interval, ...] = field(default=())  # the working window after out-of-office
    meetings: tuple[Interval, ...] = field(default=())  # merged meeting time inside the window
    focus_booked: tuple[Interval, ...] = field(default=())


# A day's numbers, in the order every format shows them.
DAY_NUMBERS = (
    "working_minutes",
    "meeting_minutes",
    "meeting_count",
    "external_meeting_minutes",
    "focus_booked_minutes",
    "focus_minutes",
    "fragmented_minutes",
    "longest_block_minutes",
    "block_count",
    "fragmentation",
    "back_to_back",
    "after_hours_meeting_minutes",
)
# Those a period adds up over its days: the longest block and the fragmentation are not sums.
SUMMED = tuple(k for k in DAY_NUMBERS if k not in ("longest_block_minutes", "fragmentation"))


@dataclass(frozen=True)
class PeriodMetrics:
    first: date
    last: date
    days: tuple[DayMetrics, ...]

    def total(self, key: str) -> int:
        return sum(getattr(d, key) for d in self.days)

    @property
    def longest_block_minutes(self) -> int:
        return max((d.longest_block_minutes for d in self.days), default=0)

    @property
    def best_day(self) -> DayMetrics | None:
        """The day with the longest uninterrupted block (the earliest of equals); None when no
        day has one."""
        return max((d for d in self.days if d.longest_block_minutes),
                   key=lambda d: (d.longest_block_minutes, -d.date.toordinal()), default=None)

    @property
    def meeting_free_days(self) -> int:
        return sum(1 for d in self.days if d.status == "workday" and d.meeting_count == 0)

    @property
    def fragmentation(self) -> float:
        return ratio(self.total("fragmented_minutes"), self.total("focus_minutes"))

    def totals(self) -> dict[str, int | float]:
        out: dict[str, int | float] = {key: self.total(key) for key in SUMMED}
        out["longest_block_minutes"] = self.longest_block_minutes
        out["meeting_free_days"] = self.meeting_free_days
        out["fragmentation"] = self.fragmentation
        return out


def ratio(fragmented: int, focus: int) -> float:
    free = fragmented + focus
    return round(fragmented / free, 4) if free else 0.0


def minute_span(c: Classified) -> Interval:
    """An event's span as the metrics count it: whole minutes in UTC, never negative."""
    e = c.event
    start, end = floor_minute(e.start.astimezone(UTC)), floor_minute(e.end.astimezone(UTC))
    return Interval(start, max(start, end))


def touches_any(span: Interval, windows: Iterable[Interval]) -> bool:
    """Whether a span touches any of ``windows`` (``model.touches``)."""
    return any(touches(span, w) for w in windows)


def day_metrics(day: date, events: Sequence[Classified], policy: WorkPolicy) -> DayMetrics:
    """Metrics of one local ``day`` from classified events (any order, any zone)."""
    return _day_metrics(day, [_Item(c) for c in events if c.kind is not EventKind.IGNORED],
                        policy)


class _Item:
    """A classified event reduced to what the day metrics read: its span (UTC, whole minutes),
    its kind and whether it is external. Computed once per event, not once per day."""

    __slots__ = ("external", "kind", "span")

    def __init__(self, c: Classified) -> None:
        self.span = minute_span(c)
        self.kind = c.kind
        self.external = c.external


def _day_metrics(day: date, items: Sequence[_Item], policy: WorkPolicy) -> DayMetrics:
    if not items:
        return _quiet_day(day, policy)
    local = local_day(day, policy.tz)
    meeting, focus_kind, ooo_kind = EventKind.MEETING, EventKind.FOCUS, EventKind.OUT_OF_OFFICE
    # Each set is merged once here; the interval algebra below then only re-checks sorted,
    # disjoint lists. A union is the same whatever the grouping, so no number changes.
    meetings = [i.span for i in items if i.kind is meeting]
    merged_meetings = merge(meetings)
    external = merge(i.span for i in items if i.kind is meeting and i.external)
    focus = merge(i.span for i in items if i.kind is focus_kind)
    ooo = merge(i.span for i in items if i.kind is ooo_kind)

    planned = working_windows(policy, day)
    windows = subtract(planned, ooo)
    if not planned:
        status = "weekend"
    elif not windows:
        status = "off"
    else:
        status = "workday"

    busy = intersect(merged_meetings, windows)
    blocks = subtract(windows, merged_meetings)
    block_minutes = [b.minutes for b in blocks]
    focus_minutes = sum(m for m in block_minutes if m >= policy.focus_min)
    fragmented = sum(m for m in block_minutes if m < policy.focus_min)

    touching = sorted(
        (s for s in meetings if touches_any(s, windows)), key=lambda s: (s.start, s.end)
    )
    gap = policy.b2b_gap * 60
    b2b = sum(
        1
        for prev, nxt in itertools.pairwise(touching)
        if 0 <= (nxt.start - prev.end).total_seconds() <= gap
    )
    tz = policy.tz
    return DayMetrics(
        date=day,
        status=status,
        working_minutes=total_minutes(windows),
        meeting_minutes=total_minutes(busy),
        meeting_count=len(touching),
        external_meeting_minutes=total_minutes(intersect(external, windows)),
        focus_booked_minutes=total_minutes(subtract(intersect(focus, windows), merged_meetings)),
        focus_minutes=focus_minutes,
        fragmented_minutes=fragmented,
        longest_block_minutes=max(block_minutes, default=0),
        block_count=len(blocks),
        fragmentation=ratio(fragmented, focus_minutes),
        back_to_back=b2b,
        after_hours_meeting_minutes=total_minutes(
            subtract(clip(merged_meetings, local), windows)
        ),
        blocks=tuple(Interval(b.start.astimezone(tz), b.end.astimezone(tz)) for b in blocks),
        window=tuple(windows),
        meetings=tuple(merge(busy)),
        focus_booked=tuple(intersect(focus, windows)),
    )


def _quiet_day(day: date, policy: WorkPolicy) -> DayMetrics:
    """``_day_metrics`` of a day no event touches: the whole window is one free stretch (or
    a few, around lunch). Most days of a long window are such days."""
    planned = working_windows(policy, day)
    windows = subtract(planned, ())
    status = "weekend" if not planned else "workday" if windows else "off"
    block_minutes = [b.minutes for b in windows]
    focus_minutes = sum(m for m in block_minutes if m >= policy.focus_min)
    fragmented = sum(m for m in block_minutes if m < policy.focus_min)
    tz = policy.tz
    return DayMetrics(
        date=day,
        status=status,
        working_minutes=total_minutes(windows),
        meeting_minutes=0,
        meeting_count=0,
        external_meeting_minutes=0,
        focus_booked_minutes=0,
        focus_minutes=focus_minutes,
        fragmented_minutes=fragmented,
        longest_block_minutes=max(block_minutes, default=0),
        block_count=len(windows),
        fragmentation=ratio(fragmented, focus_minutes),
        back_to_back=0,
        after_hours_meeting_minutes=0,
        blocks=tuple(Interval(b.start.astimezone(tz), b.end.astimezone(tz)) for b in windows),
        window=tuple(windows),
        meetings=(),
        focus_booked=(),
    )


def period_metrics(
    first: date, last: date, events: Iterable[Classified], policy: WorkPolicy
) -> PeriodMetrics:
    """Metrics of every local date from ``first`` to ``last`` inclusive."""
    buckets: dict[date, list[_Item]] = {}
    one = timedelta(days=1)
    for c in events:
        if c.kind is EventKind.IGNORED:
            continue
        item = _Item(c)
        span = item.span
        # A day sees the events that touch it or a neighbour, so night shifts keep theirs.
        day = max(span.start.astimezone(policy.tz).date() - one, first)
        end = min(span.end.astimezone(policy.tz).date() + one, last)
        while day <= end:
            buckets.setdefault(day, []).append(item)
            day += one
    days = tuple(
        _day_metrics(day, buckets.get(day, []), policy) for day in days_between(first, last)
    )
    return PeriodMetrics(first, last, days)
