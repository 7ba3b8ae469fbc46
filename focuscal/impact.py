"""Costliest meetings: the focus time each meeting takes, measured by re-running the metrics.

Nothing here is estimated. The cost of a meeting (one instance, or every instance of a
recurring series, grouped by UID) is ``focus_minutes`` of the period without it minus
``focus_minutes`` with it, both computed by :func:`focuscal.metrics.period_metrics`. A suggestion
to move or shorten a meeting is likewise measured with the meeting moved to a concrete free slot
of the same day (next to another meeting, booked focus or the edge of the working window) or cut
to half its length.

Pure: no I/O, no clock. Inputs are classified events (aware datetimes in any zone) and a WorkPolicy;
days are local dates of ``WorkPolicy.tz``; every datetime in the results is in ``WorkPolicy.tz``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from focuscal.metrics import DayMetrics, period_metrics
from focuscal.model import Classified, Event, EventKind, Interval, WorkPolicy, floor_minute
from focuscal.timeline import local_day, local_instant, subtract

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class MeetingCost:
    """What one meeting (or recurring series) costs the period in focus minutes."""

    key: str  # the UID, or summary and start for an event without one
    summary: str
    starts: tuple[datetime, ...]  # local starts of the instances in the period, sorted
    minutes: int  # the instances' lengths, summed
    external: bool
    focus_with: int  # focus minutes of the period as it is
    focus_without: int  # ... with every instance of this meeting removed

    @property
    def gain(self) -> int:
        return self.focus_without - self.focus_with

    @property
    def count(self) -> int:
        return len(self.starts)


@dataclass(frozen=True)
class Suggestion:
    """One concrete change and the focus minutes it gives back, measured.

    ``action`` is ``move`` (to the local start ``to``, same day, same length), ``shorten`` (to
    ``minutes`` long, keeping the start when ``keep_start``, else the end) or ``decline``.
    Suggestions apply in order: each gain is measured after the ones before it.
    """

    action: str
    meeting: MeetingCost
    gain: int
    to: datetime | None = None
    minutes: int | None = None
    keep_start: bool = True


@dataclass(frozen=True)
class Impact:
    focus_minutes: int
    costliest: tuple[MeetingCost, ...]  # gain > 0, costliest first
    suggestions: tuple[Suggestion, ...]

    @property
    def total_gain(self) -> int:
        """Focus minutes gained by following every suggestion."""
        return sum(s.gain for s in self.suggestions)


def span(event: Event) -> Interval:
    """The instance as the metrics see it: whole minutes, UTC."""
    start = floor_minute(event.start.astimezone(UTC))
    end = floor_minute(event.end.astimezone(UTC))
    return Interval(start, max(start, end))


# ---------------------------------------------------------------- the measuring


class _Period:
    """Focus minutes of a changed calendar, recomputing only the days a change can reach."""

    def __init__(self, first: date, last: date, policy: WorkPolicy,
                 events: list[Classified | None]) -> None:
        self.first, self.last, self.policy = first, last, policy
        self.events = events
        self.base = period_metrics(first, last, self.live(), policy)
        self.by_day: dict[date, DayMetrics] = {d.date: d for d in self.base.days}

    def live(self, events: Sequence[Classified | None] | None = None) -> list[Classified]:
        return [c for c in (self.events if events is None else events) if c is not None]

    @property
    def focus(self) -> int:
        return self.base.total("focus_minutes")

    def gain(self, changes: dict[int, Classified | None]) -> int:
        """Focus minutes gained when the events at these indexes are replaced (None: removed).

        A day's metrics depend only on the events touching it or a neighbour (see
        ``period_metrics``), so only the days around the changed spans are measured again.
        """
        tz = self.policy.tz
        days: list[date] = []
        for index, new in changes.items():
            for c in (self.events[index], new):
                if c is not None:
                    s = span(c.event)
                    days += [s.start.astimezone(tz).date(), s.end.astimezone(tz).date()]
        first = max(self.first, min(days) - ONE_DAY)
        last = min(self.last, max(days) + ONE_DAY)
        if first > last:
            return 0
        changed = list(self.events)
        for index, new in changes.items():
            changed[index] = new
        after = period_metrics(first, last, self.live(changed), self.policy)
        before = sum(self.by_day[d.date].focus_minutes for d in after.days)
        return after.total("focus_minutes") - before


def _moved(c: Classified, start: datetime) -> Classified:
    length = span(c.event).end - span(c.event).start
    event = dataclasses.replace(c.event, start=start, end=start + length)
    return dataclasses.replace(c, event=event)


def _cut(c: Classified, minutes: int, keep_start: bool) -> Classified:
    s = span(c.event)
    length = timedelta(minutes=minutes)
    if keep_start:
        event = dataclasses.replace(c.event, start=s.start, end=s.start + length)
    else:
        event = dataclasses.replace(c.event, start=s.end - length, end=s.end)
    return dataclasses.replace(c, event=event)


def _free(period: _Period, day: date, moving: set[int]) -> list[Interval]:
    """Where a meeting of ``day`` could go: the working window minus every other meeting and
    booked focus (UTC)."""
    metrics = period.by_day.get(day)
    if metrics is None or metrics.status != "workday":
        return []
    others = [
        span(c.event)
        for i, c in enumerate(period.events)
        if c is not None and i not in moving and c.kind is EventKind.MEETING
    ]
    return subtract(metrics.window, [*others, *metrics.focus_booked])


def _slots(free: list[Interval], length: timedelta) -> list[datetime]:
    """Starts of a meeting of ``length`` at either end of each free stretch long enough."""
    out: list[datetime] = []
    for f in free:
        if f.end - f.start >= length:
            out += [f.start, f.end - length]
    return sorted(set(out))


def _fits(free: list[Interval], start: datetime, length: timedelta) -> bool:
    return any(f.start <= start and start + length <= f.end for f in free)


def _best_move(period: _Period, indexes: list[int]) -> tuple[int, datetime | None]:
    """The best same-day move of every instance to one local wall time: (gain, new first start).

    Ties go to the smallest shift, then the earlier time.
    """
    tz = period.policy.tz
    moving = set(indexes)
    plans: list[tuple[int, Classified, date, list[Interval]]] = []
    times: set[time] = set()
    for i in indexes:
        c = period.events[i]
        assert c is not None
        s = span(c.event)
        day = s.start.astimezone(tz).date()
        free = _free(period, day, moving)
        if not free:
            continue  # not on a workday of the period: it stays where it is
        plans.append((i, c, day, free))
        times.update(t.astimezone(tz).time() for t in _slots(free, s.end - s.start))
    if not plans:
        return 0, None
    best: tuple[int, float, time] | None = None
    best_start: datetime | None = None
    for at in sorted(times):
        changes: dict[int, Classified | None] = {}
        shift = 0.0
        for i, c, day, free in plans:
            s = span(c.event)
            start = local_instant(day, at, tz).astimezone(UTC)
            if not _fits(free, start, s.end - s.start):
                break
            if start != s.start:
                changes[i] = _moved(c, start)
                shift += abs((start - s.start).total_seconds())
        else:
            if not changes:
                continue
            gain = period.gain(changes)
            if best is None or (gain, -shift) > (best[0], -best[1]):
                best = (gain, shift, at)
                first = changes.get(plans[0][0], plans[0][1])
                assert first is not None
                best_start = span(first.event).start.astimezone(tz)
    if best is None:
        return 0, None
    return best[0], best_start


def _best_cut(period: _Period, indexes: list[int]) -> tuple[int, int | None, bool]:
    """Every instance cut to half its length (whole quarter hours, at least 15 minutes), keeping
    the start or the end, whichever gives more: (gain, new length of the first, keep_start)."""
    best: tuple[int, int | None, bool] = (0, None, True)
    for keep_start in (True, False):
        changes: dict[int, Classified | None] = {}
        first_length: int | None = None
        for i in indexes:
            c = period.events[i]
            assert c is not None
            length = span(c.event).minutes
            new = max(15, length // 2 // 15 * 15)
            if new >= length:
                continue
            changes[i] = _cut(c, new, keep_start)
            first_length = first_length or new
        if not changes:
            continue
        gain = period.gain(changes)
        if gain > best[0]:
            best = (gain, first_length, keep_start)
    return best


# ---------------------------------------------------------------- grouping and ranking


def _groups(period: _Period) -> dict[str, list[int]]:
    """Meeting instances inside the period's local days, grouped by UID."""
    tz = period.policy.tz
    lo = local_day(period.first, tz).start
    hi = local_day(period.last, tz).end
    groups: dict[str, list[int]] = {}
    for i, c in enumerate(period.events):
        if c is None or c.kind is not EventKind.MEETING:
            continue
        s = span(c.event)
        if s.end <= lo or s.start >= hi:
            continue
        key = c.event.uid or f"{c.event.summary}@{s.start.isoformat()}"
        groups.setdefault(key, []).append(i)
    for indexes in groups.values():
        # Ties on the start (two instances of a series at once) are broken by end and title,
        # so that the order of the calendar's events never changes the result.
        indexes.sort(key=lambda i: _order(period.events[i]))
    return groups


def _order(c: Classified | None) -> tuple[datetime, datetime, str]:
    s = span(c.event)  # type: ignore[union-attr]
    return s.start, s.end, c.event.summary  # type: ignore[union-attr]


def _cost(period: _Period, key: str, indexes: list[int]) -> MeetingCost:
    tz = period.policy.tz
    events = [period.events[i] for i in indexes]
    live = [c for c in events if c is not None]
    summaries = [c.event.summary for c in live]
    # The series' usual title: its most common summary (a moved instance may say "moved").
    summary = max(summaries, key=lambda s: (summaries.count(s), -summaries.index(s)))
    gain = period.gain(dict.fromkeys(indexes))
    return MeetingCost(
        key=key,
        summary=summary,
        starts=tuple(span(c.event).start.astimezone(tz) for c in live),
        minutes=sum(span(c.event).minutes for c in live),
        external=any(c.external for c in live),
        focus_with=period.focus,
        focus_without=period.focus + gain,
    )


def _ranked(period: _Period, groups: dict[str, list[int]]) -> list[MeetingCost]:
    costs = [_cost(period, key, indexes) for key, indexes in groups.items()]
    costs = [c for c in costs if c.gain > 0]
    costs.sort(key=lambda c: (-c.gain, -c.minutes, c.starts[0], c.summary))
    return costs


def costliest(
    events: Sequence[Classified],
    policy: WorkPolicy,
    first: date,
    last: date,
    *,
    limit: int = 5,
    suggestions: int = 3,
) -> Impact:
    """The meetings of local dates ``first``..``last`` that cost the most focus time, and up to
    ``suggestions`` concrete changes, each measured after the ones before it.

    For the costliest meeting left, a move (to the best free slot of the same day) or a cut to
    half its length is suggested when it gives back at least half of what declining would, the
    larger of the two winning and a move winning a tie; otherwise declining it is suggested.
    """
    # Only events touching the period or a neighbouring day can change its metrics; dropping
    # the rest (the weeks of a trend) keeps every re-run small.
    lo = local_day(first - ONE_DAY, policy.tz).start
    hi = local_day(last + ONE_DAY, policy.tz).end
    near = [c for c in events if span(c.event).start < hi and span(c.event).end > lo]
    period = _Period(first, last, policy, list(near))
    groups = _groups(period)
    ranking = _ranked(period, groups)
    out: list[Suggestion] = []
    done: set[str] = set()
    current = period
    for _ in range(suggestions):
        left = {k: v for k, v in groups.items() if k not in done}
        ranked = _ranked(current, left)
        if not ranked:
            break
        top = ranked[0]
        done.add(top.key)
        indexes = groups[top.key]
        suggestion = _decide(current, top, indexes)
        out.append(suggestion)
        current = _Period(first, last, policy, _apply(current, suggestion, indexes))
    return Impact(
        focus_minutes=period.focus,
        costliest=tuple(ranking[:limit]),
        suggestions=tuple(out),
    )


def _decide(period: _Period, cost: MeetingCost, indexes: list[int]) -> Suggestion:
    move_gain, to = _best_move(period, indexes)
    cut_gain, minutes, keep_start = _best_cut(period, indexes)
    enough = (cost.gain + 1) // 2
    if move_gain > 0 and move_gain >= enough and move_gain >= cut_gain:
        return Suggestion("move", cost, move_gain, to=to)
    if cut_gain > 0 and cut_gain >= enough:
        return Suggestion("shorten", cost, cut_gain, minutes=minutes, keep_start=keep_start)
    return Suggestion("decline", cost, cost.gain)


def _apply(period: _Period, s: Suggestion, indexes: list[int]) -> list[Classified | None]:
    """The events with suggestion ``s`` carried out."""
    events = list(period.events)
    tz = period.policy.tz
    for i in indexes:
        c = events[i]
        if c is None:
            continue
        if s.action == "decline":
            events[i] = None
        elif s.action == "shorten":
            assert s.minutes is not None
            length = span(c.event).minutes
            new = max(15, length // 2 // 15 * 15)
            if new < length:
                events[i] = _cut(c, new, s.keep_start)
        elif s.action == "move":
            assert s.to is not None
            sp = span(c.event)
            day = sp.start.astimezone(tz).date()
            if period.by_day.get(day) is None or period.by_day[day].status != "workday":
                continue
            events[i] = _moved(c, local_instant(day, s.to.time(), tz))
    return events


__all__ = ["Impact", "MeetingCost", "Suggestion", "costliest", "span"]

