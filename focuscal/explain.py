"""The events and free blocks behind every number of an audit (``focuscal events``, ``free``).

Inputs are aware datetimes in any zone; days are local dates of ``WorkPolicy.tz`` and every time
this module returns is in ``WorkPolicy.tz``. Nothing here changes a number: the rows are read off
the same spans (whole minutes, DESIGN.md section 6) and the same ``DayMetrics`` the audit uses,
so they reconcile with it to the minute.

Attribution of meeting time, so a day's ``EventRow.meeting_minutes`` sum to its
``DayMetrics.meeting_minutes`` however the meetings overlap: every instant of the day's merged
meeting time inside the working window belongs to the meeting that covers it and starts first;
among meetings starting together, the one that ends last (it covers the most), then by summary,
uid, source and the rest of the event, so the result never depends on the input order. A
meeting that lies inside an earlier one adds nothing. Seconds become minutes by truncating the
running total in that same order, exactly as the metrics truncate the day's total.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from focuscal.metrics import DayMetrics, PeriodMetrics, WorkPolicy, minute_span, touches_any
from focuscal.model import Classified, EventKind, Interval
from focuscal.timeline import intersect, local_day, merge, subtract, total_minutes

# The names ``--kind`` accepts; "ooo" is what people type for out of office.
KIND_NAMES: dict[str, EventKind] = {
    "meeting": EventKind.MEETING,
    "meetings": EventKind.MEETING,
    "focus": EventKind.FOCUS,
    "ooo": EventKind.OUT_OF_OFFICE,
    "out_of_office": EventKind.OUT_OF_OFFICE,
    "out-of-office": EventKind.OUT_OF_OFFICE,
    "ignored": EventKind.IGNORED,
}


def parse_kinds(text: str) -> frozenset[EventKind]:
    """'meeting,ooo' -> the kinds; ValueError naming the bad part (the CLI adds the option)."""
    kinds = set()
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in KIND_NAMES:
            raise ValueError(f"unknown kind {part.strip()!r} (one of meeting, focus, ooo, ignored)")
        kinds.add(KIND_NAMES[name])
    if not kinds:
        raise ValueError("expected kinds such as meeting,focus,ooo,ignored")
    return frozenset(kinds)


@dataclass(frozen=True)
class EventRow:
    """One event instance on one local day, and what it does to that day's numbers.

    ``start``/``end`` are the event's own times in ``WorkPolicy.tz`` (not cut to the day).
    ``in_window``: the event touches the day's working window (for a meeting: it counts in the
    day's ``meeting_count``). ``meeting_minutes``: what it adds to the day's meeting time after
    overlaps are counted once (see the module's attribution rule); 0 for every other kind.
    """

    day: date
    start: datetime
    end: datetime
    summary: str
    source: str
    uid: str
    all_day: bool
    kind: EventKind
    rule: str
    detail: str
    external: bool
    external_domains: tuple[str, ...]
    in_window: bool
    meeting_minutes: int


@dataclass(frozen=True)
class DayEvents:
    """A local day's numbers and every event instance touching the day or its window."""

    metrics: DayMetrics
    events: tuple[EventRow, ...]

    @property
    def date(self) -> date:
        return self.metrics.date


@dataclass(frozen=True)
class FreeBlock:
    """One uninterrupted block of a working day, as the metrics measured it (``WorkPolicy.tz``).

    ``focus``: at least ``WorkPolicy.focus_min`` long, so it counts in ``focus_minutes``; else in
    ``fragmented_minutes``. ``booked_focus_minutes``: protected focus time inside the block.
    """

    day: date
    start: datetime
    end: datetime
    minutes: int
    focus: bool
    booked_focus_minutes: int

    @property
    def kind(self) -> str:
        return "focus" if self.focus else "fragmented"


@dataclass(frozen=True)
class DayFree:
    """A local day's numbers and its free blocks (none on weekends and off days)."""

    metrics: DayMetrics
    blocks: tuple[FreeBlock, ...]

    @property
    def date(self) -> date:
        return self.metrics.date


def _identity(c: Classified) -> tuple:
    """Everything a row shows of an event, to order events that otherwise tie."""
    e = c.event
    return (e.start.astimezone(UTC), e.end.astimezone(UTC), e.summary, e.uid, e.source,
            e.recurrence_id or "", e.all_day, str(c.kind), c.rule, c.detail,
            c.external_domains)


def _attribute(meetings: Sequence[tuple[Interval, Classified]],
               windows: Sequence[Interval]) -> list[tuple[Classified, int]]:
    """Each meeting with the whole minutes of the day's meeting time it is given."""
    order = sorted(meetings, key=lambda m: (m[0].start, -m[0].end.timestamp(), _identity(m[1])))
    claimed: list[Interval] = []
    out = []
    seconds = 0
    for span, c in order:
        own = subtract(intersect([span], windows), claimed)
        before = seconds // 60
        seconds += sum(i.seconds for i in own)
        out.append((c, seconds // 60 - before))
        claimed = merge([*claimed, span])
    return out


def _day(day: DayMetrics, items: Sequence[tuple[Interval, Classified]],
         policy: WorkPolicy) -> DayEvents:
    tz = policy.tz
    local = [local_day(day.date, tz)]
    windows = list(day.window)
    chosen = [(s, c) for s, c in items if touches_any(s, local) or touches_any(s, windows)]
    minutes: dict[int, int] = {}
    for c, given in _attribute([(s, c) for s, c in chosen if c.kind is EventKind.MEETING],
                               windows):
        minutes[id(c)] = minutes.get(id(c), 0) + given
    rows = []
    for span, c in sorted(chosen, key=lambda item: _identity(item[1])):
        e = c.event
        # The same object may be listed twice (a duplicate): the first takes its minutes.
        given = minutes.pop(id(c), 0) if c.kind is EventKind.MEETING else 0
        rows.append(EventRow(
            day=day.date, start=e.start.astimezone(tz), end=e.end.astimezone(tz),
            summary=e.summary, source=e.source, uid=e.uid, all_day=e.all_day, kind=c.kind,
            rule=c.rule, detail=c.detail, external=c.external,
            external_domains=c.external_domains, in_window=touches_any(span, windows),
            meeting_minutes=given,
        ))
    return DayEvents(day, tuple(rows))


def explain_events(
    period: PeriodMetrics, events: Iterable[Classified], policy: WorkPolicy
) -> tuple[DayEvents, ...]:
    """Every day of ``period`` with every event instance touching the local day or its working
    window (in whole minutes, as the metrics see it), ignored ones included, in order of start
    (``WorkPolicy.tz``).

    ``period`` must be the metrics of these ``events`` under this ``policy``; then each day's
    ``meeting_minutes`` column sums to ``DayMetrics.meeting_minutes`` and its meetings with
    ``in_window`` number ``DayMetrics.meeting_count``.
    """
    first, last, tz = period.first, period.last, policy.tz
    one = timedelta(days=1)
    buckets: dict[date, list[tuple[Interval, Classified]]] = {}
    for c in events:
        span = minute_span(c)
        # A working window may run past midnight (night shifts), so a day also sees the events
        # of its neighbours, as in metrics; _day keeps those that touch it.
        day = max(span.start.astimezone(tz).date() - one, first)
        end = min(span.end.astimezone(tz).date() + one, last)
        while day <= end:
            buckets.setdefault(day, []).append((span, c))
            day += one
    return tuple(_day(d, buckets.get(d.date, ()), policy) for d in period.days)


def explain_free(
    period: PeriodMetrics, policy: WorkPolicy, *, min_minutes: int = 0
) -> tuple[DayFree, ...]:
    """Every day of ``period`` with the free blocks its metrics measured (``WorkPolicy.tz``).

    Without ``min_minutes`` a day's focus blocks sum to ``focus_minutes`` and the others to
    ``fragmented_minutes``; ``min_minutes`` only leaves shorter blocks out of the listing.
    """
    out = []
    for day in period.days:
        blocks = tuple(
            FreeBlock(
                day=day.date, start=b.start.astimezone(policy.tz), end=b.end.astimezone(policy.tz),
                minutes=b.minutes, focus=b.minutes >= policy.focus_min,
                booked_focus_minutes=total_minutes(intersect(day.focus_booked, [b])),
            )
            for b in day.blocks
            if b.minutes >= min_minutes
        )
        out.append(DayFree(day, blocks))
    return tuple(out)


def select(
    days: Sequence[DayEvents],
    *,
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
) -> tuple[DayEvents, ...]:
    """Only the ``dates`` asked for and, on each, only the rows of ``kinds`` (None: all).

    The day's numbers stay those of the whole day.
    """
    out = []
    for day in days:
        if dates is not None and day.date not in dates:
            continue
        rows = day.events if kinds is None else tuple(r for r in day.events if r.kind in kinds)
        out.append(DayEvents(day.metrics, rows))
    return tuple(out)
