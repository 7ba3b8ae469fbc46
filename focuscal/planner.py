"""The focus planner: propose focus blocks in free time, reconcile a plan with booked blocks.

Pure: no I/O, no clock (``now`` is passed in), no backend. Events may be in any zone; days are
local dates of ``WorkPolicy.tz`` and proposed blocks are returned in that zone. Lengths are elapsed
minutes (UTC arithmetic), so DST days need no special case.

How blocks are chosen (deterministic for equal input, whatever the order of the events):
each week of the window gets ``target`` minutes of protected focus; focus already in the
calendar (focus events, focuscal's booked blocks, blocks the user moved) counts towards it.
While the target is not met, every workday that has fewer than ``max_per_day`` focus blocks
offers its best block: the longest that fits a free stretch (kept ``buffer`` away from meetings
and other focus, after ``now``, inside the working window with lunch and out-of-office removed),
capped at ``max_block`` and at what the target still needs (but never under ``min_block``), then
the one nearest the preferred time. Among the days, the one with the least focus time wins,
then the longer block, then the preferred time, then the earlier start.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from focuscal.metrics import DayMetrics, minute_span, period_metrics
from focuscal.model import (
    Block,
    Classified,
    Event,
    EventKind,
    FocusPolicy,
    Interval,
    WorkPolicy,
    block_id,
)
from focuscal.timeline import local_instant, merge, subtract, to_utc

GRID_MINUTES = 5  # blocks start and end on a 5-minute grid of the wall clock


@dataclass(frozen=True)
class Changes:
    """What ``book`` does: blocks to keep, remove and add (the dry run prints these lists)."""

    keep: tuple[Block, ...] = ()
    remove: tuple[Block, ...] = ()
    add: tuple[Block, ...] = ()
    moved: tuple[Block, ...] = ()  # focuscal blocks the user moved or resized: left alone

    @property
    def empty(self) -> bool:
        return not (self.remove or self.add)


@dataclass(frozen=True)
class Plan:
    """The planner's answer. Blocks are in the analysis zone, sorted by start.

    ``existing_focus_minutes`` is the protected focus already in the window (booked blocks that
    still fit and moved blocks included); ``blocks`` are the new proposals; ``kept`` and
    ``dropped`` split focuscal's own booked blocks (``dropped`` carry the reason in ``reason``);
    ``moved`` are focuscal blocks the user moved or resized by hand.
    """

    target_minutes: int
    existing_focus_minutes: int
    blocks: tuple[Block, ...] = ()
    kept: tuple[Block, ...] = ()
    dropped: tuple[Block, ...] = ()
    moved: tuple[Block, ...] = ()
    short_minutes: int = 0  # summed over the weeks: one week over its target fills no other

    @property
    def planned_minutes(self) -> int:
        return sum(b.minutes for b in self.blocks)

    @property
    def after_minutes(self) -> int:
        return self.existing_focus_minutes + self.planned_minutes

    @property
    def wanted(self) -> tuple[Block, ...]:
        """Every block focuscal wants in the target: the kept ones and the new ones."""
        return tuple(sorted(self.kept + self.blocks, key=_order))


# ---------------------------------------------------------------- planning


def propose(
    events: Sequence[Classified],
    policy: WorkPolicy,
    rules: FocusPolicy,
    first: date,
    last: date,
    now: datetime,
    *,
    booked: Sequence[Block] = (),
    target: str = "",
) -> Plan:
    """Plan focus blocks for the local dates ``first`` to ``last`` (inclusive).

    ``booked`` are focuscal's own blocks in the booking ``target`` (``Sink.booked``): those whose
    uid still matches ``block_id(target, start, end)`` are checked against the calendar (kept or
    dropped), the others were moved by hand and only count as focus. Source events that are
    these same blocks are not counted twice.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    tz = policy.tz
    uids = {b.uid for b in booked if b.uid}
    base = [c for c in events if not (c.event.focuscal_block and c.event.uid in uids)]
    moved = sorted((b for b in booked if b.uid != block_id(target, b.start, b.end)), key=_order)
    own = sorted((b for b in booked if b.uid == block_id(target, b.start, b.end)), key=_order)

    meetings = merge(minute_span(c) for c in base if c.kind is EventKind.MEETING)
    plain = period_metrics(first, last, base, policy)
    days = {d.date: d for d in plain.days}
    kept, dropped = _check_booked(own, days, meetings, rules, now, tz)

    extra = [_as_focus(b) for b in (*moved, *kept)]
    period = period_metrics(first, last, [*base, *extra], policy)
    focus_spans = sorted(
        {minute_span(c) for c in (*base, *extra) if c.kind is EventKind.FOCUS},
        key=lambda i: (i.start, i.end),
    )
    existing = period.total("focus_booked_minutes")

    weeks: dict[date, list[DayMetrics]] = {}
    for day in period.days:
        weeks.setdefault(day.date - timedelta(days=day.date.weekday()), []).append(day)
    chosen: list[Block] = []
    short = 0
    for monday in sorted(weeks):
        planned = _plan_week(weeks[monday], meetings, focus_spans, rules, now, tz)
        chosen.extend(planned)
        have = sum(d.focus_booked_minutes for d in weeks[monday]) + sum(b.minutes for b in planned)
        short += max(0, rules.target - have)
    return Plan(
        target_minutes=rules.target * len(weeks),
        existing_focus_minutes=existing,
        short_minutes=short,
        blocks=tuple(sorted(chosen, key=_order)),
        kept=tuple(kept),
        dropped=tuple(dropped),
        moved=tuple(_local(b, tz) for b in moved),
    )


@dataclass(frozen=True)
class _Candidate:
    day: date
    block: Interval
    stretch: Interval  # the free stretch (before buffers) the block sits in
    largest: bool  # whether that stretch is the day's largest usable one

    def key(self, focus_minutes: int, rules: FocusPolicy, tz: tzinfo) -> tuple:
        return (focus_minutes, -self.block.seconds, _preference(self.block, rules, tz),
                self.block.start)


def _plan_week(
    days: list[DayMetrics],
    meetings: list[Interval],
    focus_spans: list[Interval],
    rules: FocusPolicy,
    now: datetime,
    tz: tzinfo,
) -> list[Block]:
    remaining = rules.target - sum(d.focus_booked_minutes for d in days)
    workdays = [d for d in days if d.status == "workday"]
    focus_minutes = {d.date: d.focus_booked_minutes for d in workdays}
    counts = {d.date: sum(1 for s in focus_spans if _touches(s, d.window)) for d in workdays}
    chosen: list[Interval] = []
    out: list[Block] = []
    start_at = _ceil_grid(now)
    while remaining > 0:
        best: tuple[tuple, _Candidate] | None = None
        for day in workdays:
            if counts[day.date] >= rules.max_per_day:
                continue
            candidate = _best_of_day(day, meetings, [*focus_spans, *chosen], rules, remaining,
                                     start_at, tz)
            if candidate is None:
                continue
            key = candidate.key(focus_minutes[day.date], rules, tz)
            if best is None or key < best[0]:
                best = (key, candidate)
        if best is None:
            break
        pick = best[1]
        minutes = pick.block.minutes
        chosen.append(pick.block)
        counts[pick.day] += 1
        focus_minutes[pick.day] += minutes
        remaining -= minutes
        out.append(_local(Block(pick.block.start, pick.block.end, _reason(pick, rules, tz)), tz))
    return out


def _best_of_day(
    day: DayMetrics,
    meetings: list[Interval],
    focus: list[Interval],
    rules: FocusPolicy,
    remaining: int,
    start_at: datetime,
    tz: tzinfo,
) -> _Candidate | None:
    pad = timedelta(minutes=rules.buffer)
    busy = merge([*meetings, *focus])
    padded = merge(Interval(b.start - pad, b.end + pad) for b in busy)
    past = [Interval(min(w.start for w in day.window), start_at)] if day.window else []
    free = subtract(subtract(day.window, padded), past)
    raw = subtract(subtract(day.window, busy), past)
    length = timedelta(minutes=min(rules.max_block, max(rules.min_block, remaining)))
    options: list[tuple[Interval, Interval]] = []
    for span in free:
        start, end = _ceil_grid(span.start), _floor_grid(span.end)
        if end - start < timedelta(minutes=rules.min_block):
            continue
        size = min(length, end - start)
        block = _place(Interval(start, end), size, rules, tz)
        stretch = next(r for r in raw if r.start <= block.start and block.end <= r.end)
        options.append((block, stretch))
    if not options:
        return None
    longest = max(s.seconds for _, s in options)
    block, stretch = min(
        options, key=lambda o: (-o[0].seconds, _preference(o[0], rules, tz), o[0].start)
    )
    return _Candidate(day.date, block, stretch, stretch.seconds == longest)


def _place(span: Interval, size: timedelta, rules: FocusPolicy, tz: tzinfo) -> Interval:
    """A block of ``size`` inside ``span`` (UTC, on the grid), where the preference wants it."""
    prefer = rules.prefer
    if prefer == "afternoon":
        return Interval(span.end - size, span.end)
    if prefer in ("morning", "none"):
        return Interval(span.start, span.start + size)
    wanted = _preferred_range(span.start, prefer, tz)
    start = min(max(_floor_grid(wanted.start), span.start), span.end - size)
    return Interval(start, start + size)


def _preference(block: Interval, rules: FocusPolicy, tz: tzinfo) -> tuple:
    """Smaller is better: how well ``block`` sits in the preferred time of day."""
    prefer = rules.prefer
    local_start = block.start.astimezone(tz)
    if prefer in ("morning", "none"):
        return (_clock_minutes(local_start),)
    if prefer == "afternoon":
        return (-_clock_minutes(block.end.astimezone(tz)),)
    wanted = _preferred_range(block.start, prefer, tz)
    overlap = max(timedelta(0), min(block.end, wanted.end) - max(block.start, wanted.start))
    distance = abs((block.start - wanted.start).total_seconds())
    return (-overlap.total_seconds(), distance)


def _preferred_range(instant: datetime, prefer: str, tz: tzinfo) -> Interval:
    """The preferred range ``HH:MM-HH:MM`` on the local date of ``instant``, in UTC."""
    start_text, _, end_text = prefer.partition("-")
    start, end = _clock(start_text), _clock(end_text)
    day = instant.astimezone(tz).date()
    begin = local_instant(day, start, tz)
    finish = local_instant(day if end > start else day + timedelta(days=1), end, tz)
    return to_utc(Interval(begin, finish))


def _clock(text: str) -> time:
    hours, _, minutes = text.strip().partition(":")
    hour = int(hours)
    return time(0) if hour == 24 else time(hour, int(minutes or 0))


def _clock_minutes(value: datetime) -> int:
    return value.hour * 60 + value.minute


def _reason(pick: _Candidate, rules: FocusPolicy, tz: tzinfo) -> str:
    s, e = pick.stretch.start.astimezone(tz), pick.stretch.end.astimezone(tz)
    day = f"{pick.day:%a}"
    span = f"{s:%H:%M}-{e:%H:%M}"
    if pick.largest:
        return f"{day}: largest free stretch {span}"
    return f"{day}: free stretch {span}, nearest the preferred time ({rules.prefer})"


# ---------------------------------------------------------------- booked blocks


def _check_booked(
    own: list[Block],
    days: Mapping[date, DayMetrics],
    meetings: list[Interval],
    rules: FocusPolicy,
    now: datetime,
    tz: tzinfo,
) -> tuple[list[Block], list[Block]]:
    """Split focuscal's own booked blocks into those that still fit and those that do not.

    Blocks that have started are history: they are kept whatever happened since.
    """
    kept: list[Block] = []
    dropped: list[Block] = []
    per_day: dict[date, int] = {}
    for block in own:
        local = _local(block, tz)
        day = local.start.date()
        if block.start < now:
            why = None
        else:
            why = _misfit(block, days.get(day), meetings, rules, tz)
            if why is None and per_day.get(day, 0) >= rules.max_per_day:
                why = f"{day:%a}: more than {rules.max_per_day} focus block(s) on the day"
        if why is None:
            per_day[day] = per_day.get(day, 0) + 1
            kept.append(local)
        else:
            dropped.append(replace(local, reason=why))
    return kept, dropped


def _misfit(
    block: Block, day: DayMetrics | None, meetings: list[Interval], rules: FocusPolicy,
    tz: tzinfo,
) -> str | None:
    """Why a future booked block no longer fits the calendar or the policy (None if it fits)."""
    local = block.start.astimezone(tz)
    label = f"{local:%a}"
    if day is None:
        return None  # outside the planned dates: not ours to judge
    if day.status != "workday":
        return f"{label}: {'out of office' if day.status == 'off' else 'not a workday'}"
    span = to_utc(block.interval)
    for meeting in meetings:
        if meeting.overlaps(span):
            s, e = meeting.start.astimezone(tz), meeting.end.astimezone(tz)
            return f"{label}: clashes with a meeting {s:%H:%M}-{e:%H:%M}"
    if not any(w.start <= span.start and span.end <= w.end for w in day.window):
        return f"{label}: outside the working hours (or out of office)"
    if block.minutes < rules.min_block:
        return f"{label}: shorter than the minimum block ({rules.min_block} min)"
    if block.minutes > rules.max_block:
        return f"{label}: longer than the maximum block ({rules.max_block} min)"
    return None


def reconcile(
    wanted: Iterable[Block], booked: Iterable[Block], target: str,
    reasons: Mapping[str, str] | None = None,
) -> Changes:
    """Changes that turn the ``booked`` blocks of ``target`` into the ``wanted`` ones.

    A booked block whose uid is not ``block_id(target, start, end)`` was moved or resized by
    hand: it is reported as moved and never removed. Booked blocks that are wanted are kept,
    the others removed (with ``reasons[uid]`` as their reason when given); wanted blocks not yet
    booked are added under their deterministic id.
    """
    reasons = reasons or {}
    want: dict[str, Block] = {}
    for block in sorted(wanted, key=_order):
        want.setdefault(block_id(target, block.start, block.end), block)
    keep, remove, moved = [], [], []
    seen: set[str] = set()
    for block in sorted(booked, key=_order):
        if block.uid != block_id(target, block.start, block.end):
            moved.append(block)
        elif block.uid in want and block.uid not in seen:
            keep.append(block)
        else:
            why = reasons.get(block.uid) or block.reason or "no longer planned"
            remove.append(replace(block, reason=why))
        seen.add(block.uid)
    add = [replace(b, uid=uid) for uid, b in want.items() if uid not in seen]
    return Changes(keep=tuple(keep), remove=tuple(remove), add=tuple(sorted(add, key=_order)),
                   moved=tuple(moved))


def changes(plan: Plan, booked: Iterable[Block], target: str) -> Changes:
    """``reconcile`` of a plan made with ``booked`` (removals carry the planner's reasons)."""
    return reconcile(plan.wanted, booked, target, {b.uid: b.reason for b in plan.dropped})


# ---------------------------------------------------------------- helpers


def _order(block: Block) -> tuple:
    return (block.start.astimezone(UTC), block.end.astimezone(UTC), block.uid)


def _local(block: Block, tz: tzinfo) -> Block:
    return replace(block, start=block.start.astimezone(tz), end=block.end.astimezone(tz))


def _as_focus(block: Block) -> Classified:
    event = Event(start=block.start, end=block.end, summary="Focus time", uid=block.uid,
                  focuscal_block=True)
    return Classified(event, EventKind.FOCUS, "booked by focuscal")


def _touches(span: Interval, windows: Iterable[Interval]) -> bool:
    return any(span.overlaps(w) for w in windows)


def _ceil_grid(value: datetime) -> datetime:
    step = GRID_MINUTES * 60
    seconds = value.astimezone(UTC).timestamp()
    whole = int(seconds)
    if whole < seconds:
        whole += 1
    return datetime.fromtimestamp(-(-whole // step) * step, UTC)


def _floor_grid(value: datetime) -> datetime:
    step = GRID_MINUTES * 60
    whole = int(value.astimezone(UTC).timestamp() // 1)
    return datetime.fromtimestamp(whole // step * step, UTC)
