"""A team's numbers: each member measured exactly as ``audit`` measures one calendar, then
only aggregates (issue 15).

Core: no I/O, no clock. Members' events are first cut down to the team's privacy level (what
free/busy, metadata or the full event would have told), classified by the rules of DESIGN.md
section 2 and measured by ``metrics``; nothing here re-implements a day's arithmetic. Days are
local dates of ``WorkPolicy.tz``; weeks are ISO weeks, Monday to Sunday.

What leaves this module for display is aggregate: quartiles across members, shares of
members, counts per bucket, the windows when everyone is free. ``aggregate`` refuses a group
smaller than the minimum group size, so no renderer ever holds the numbers of a small group.
The per-member weeks it keeps are for ``--rows`` (hashed ids) and ``--individual`` only.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from focuscal.classify import classify
from focuscal.errors import InputError
from focuscal.metrics import DayMetrics, PeriodMetrics, period_metrics, working_windows
from focuscal.model import (
    MIN_GROUP_FLOOR,
    PRIVACY_LEVELS,
    ClassifyRules,
    Event,
    EventKind,
    Interval,
    TeamPolicy,
    WorkPolicy,
)
from focuscal.timeline import intersect, merge

# The figures of a member's week that are aggregated (keys of PeriodMetrics.totals()).
FIGURES = (
    "focus_minutes",
    "meeting_minutes",
    "fragmented_minutes",
    "fragmentation",
    "longest_block_minutes",
    "after_hours_meeting_minutes",
    "focus_booked_minutes",
    "external_meeting_minutes",
    "meeting_count",
    "back_to_back",
    "working_minutes",
)

# What a privacy level cannot tell, and why: reported as not available, never guessed.
NOT_AVAILABLE: dict[str, dict[str, str]] = {
    "freebusy": {
        "external_meeting_minutes": "free/busy has no attendees: time with customers is unknown",
        "meeting_count": "free/busy merges meetings into busy stretches: they cannot be counted",
        "back_to_back": "free/busy merges adjacent meetings: back-to-back ones cannot be told",
        "focus_booked_minutes": "free/busy shows booked focus time as busy, like a meeting",
    },
    "metadata": {},
    "full": {},
}
# What a level changes in the rules, said once in every output.
NOTES: dict[str, tuple[str, ...]] = {
    "freebusy": (
        "free/busy: busy times only; declined invitations are whatever the server leaves "
        "out, booked focus time counts as busy",
    ),
    "metadata": (
        "metadata: no titles are read, so focus and out-of-office time are recognised by "
        "their event type and mark only",
    ),
    "full": (),
}
HISTOGRAM = (0.25, 0.5, 0.75)  # fragmentation buckets: [0, 25%), [25%, 50%), [50%, 75%), [75%, 1]
SLOT_STEP = 30  # minutes between the start times tried for a shared no-meeting block
TOP_SLOTS = 3


class GroupTooSmall(InputError):
    """Fewer members could be read than the minimum group size: nothing may be shown."""


# ---------------------------------------------------------------- privacy levels


def level(configured: str, source: str) -> str:
    """The privacy level a team is measured at: the lower of the configured one and what its
    source can give."""
    return PRIVACY_LEVELS[min(PRIVACY_LEVELS.index(configured), PRIVACY_LEVELS.index(source))]


def available(privacy: str) -> tuple[str, ...]:
    """The FIGURES a privacy level can tell."""
    return tuple(f for f in FIGURES if f not in NOT_AVAILABLE[privacy])


def reduce(event: Event, privacy: str, rules: ClassifyRules) -> Event | None:
    """``event`` as a source of ``privacy`` would have given it (None: it would not show).

    metadata drops the title; free/busy keeps only a busy span (out of office when it was
    so), and leaves out what a free/busy answer leaves out: cancelled, declined, transparent
    events and all-day labels.
    """
    if privacy == "full":
        return event
    if privacy == "metadata":
        return replace(event, summary="")
    kind = classify(event, rules).kind
    if kind is EventKind.IGNORED:
        return None
    return Event(start=event.start, end=event.end, all_day=event.all_day, uid=event.uid,
                 busy_status="OOF" if kind is EventKind.OUT_OF_OFFICE else None,
                 source=event.source)


def member_id(salt: bytes, identity: str) -> str:
    """A member's identity as saved data shows it: a keyed hash (HMAC-SHA256 with the team's
    salt), stable for the team, meaningless without the salt."""
    digest = hmac.new(salt, identity.strip().lower().encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- one member


@dataclass(frozen=True)
class MemberWeeks:
    """One member's weeks, measured like ``audit``. ``label`` is the configured identity,
    shown only with ``--individual``; ``id`` the hashed one of saved data."""

    id: str
    label: str
    weeks: tuple[PeriodMetrics, ...]  # oldest first, one per ISO week of the window


def measure_member(identity: str, member_id: str, events: Iterable[Event], privacy: str,
                   rules: ClassifyRules, policy: WorkPolicy, first: date,
                   last: date) -> MemberWeeks:
    """The weeks ``first`` (a Monday) to ``last`` (a Sunday) of one member's events, cut down
    to ``privacy`` and classified by ``rules``."""
    reduced = (reduce(e, privacy, rules) for e in events)
    classified = [classify(e, rules) for e in reduced if e is not None]
    period = period_metrics(first, last, classified, policy)
    return MemberWeeks(member_id, identity, split_weeks(period))


def split_weeks(period: PeriodMetrics) -> tuple[PeriodMetrics, ...]:
    """``period`` cut into its ISO weeks (each a PeriodMetrics of its own days)."""
    weeks: dict[date, list[DayMetrics]] = {}
    for day in period.days:
        weeks.setdefault(day.date - timedelta(days=day.date.weekday()), []).append(day)
    return tuple(PeriodMetrics(days[0].date, days[-1].date, tuple(days))
                 for _, days in sorted(weeks.items()))


# ---------------------------------------------------------------- aggregates


@dataclass(frozen=True)
class Spread:
    """The quartiles of one figure across members (linear interpolation between ranks, the
    "inclusive" method of ``statistics.quantiles``)."""

    q1: float
    median: float
    q3: float


def quartiles(values: Sequence[float]) -> Spread:
    ordered = sorted(values)
    if not ordered:
        return Spread(0.0, 0.0, 0.0)

    def at(share: float) -> float:
        position = share * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return Spread(at(0.25), at(0.5), at(0.75))


@dataclass(frozen=True)
class WeekStats:
    """One ISO week of the team: quartiles of each available figure of the members' weeks,
    the share of members under the focus goal and with after-hours meetings, and how many
    members fall in each quarter of fragmentation."""

    first: date
    last: date
    members: int
    spreads: dict[str, Spread]
    under_goal: float
    after_hours_share: float
    fragmentation_histogram: tuple[int, ...]

    @property
    def label(self) -> str:
        return week_label(self.first)


def week_label(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def week_stats(weeks: Sequence[PeriodMetrics], privacy: str, goal: int) -> WeekStats:
    """The aggregates of the members' ``weeks`` (one each, the same ISO week)."""
    totals = [w.totals() for w in weeks]
    count = len(totals)
    spreads = {key: quartiles([float(t[key]) for t in totals]) for key in available(privacy)}
    buckets = [0] * (len(HISTOGRAM) + 1)
    for t in totals:
        buckets[sum(1 for edge in HISTOGRAM if t["fragmentation"] >= edge)] += 1
    return WeekStats(
        first=weeks[0].first,
        last=weeks[0].last,
        members=count,
        spreads=spreads,
        under_goal=share(sum(1 for t in totals if t["focus_minutes"] < goal), count),
        after_hours_share=share(sum(1 for t in totals if t["after_hours_meeting_minutes"] > 0),
                                count),
        fragmentation_histogram=tuple(buckets),
    )


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@dataclass(frozen=True)
class CommonDay:
    """When every member working that day is free (no meeting, inside working time).
    ``focus`` are the common stretches at least ``focus_min`` long. ``withheld``: fewer
    members worked that day than the minimum group size, so its stretches (which would be
    the calendar of those few) are not given: ``free`` and ``focus`` are empty."""

    date: date
    working: int  # members for whom it is a workday (not off, not their weekend)
    free: tuple[Interval, ...]
    focus: tuple[Interval, ...]
    withheld: bool = False

    @property
    def focus_minutes(self) -> int:
        return sum(i.minutes for i in self.focus)


def common_days(members: Sequence[MemberWeeks], policy: WorkPolicy,
                minimum: int) -> tuple[CommonDay, ...]:
    """The last week's workdays, each with the stretches free for all its working members;
    a day with fewer than ``minimum`` of them working is withheld."""
    out = []
    for n, day in enumerate(members[0].weeks[-1].days):
        if day.date.weekday() not in policy.workdays:
            continue
        present = [m.weeks[-1].days[n] for m in members
                   if m.weeks[-1].days[n].status == "workday"]
        if len(present) < minimum:
            out.append(CommonDay(day.date, len(present), (), (), withheld=True))
            continue
        free: list[Interval] = merge(present[0].blocks)
        for other in present[1:]:
            free = intersect(free, other.blocks)
        zoned = tuple(Interval(i.start.astimezone(policy.tz), i.end.astimezone(policy.tz))
                      for i in free)
        out.append(CommonDay(day.date, len(present), zoned,
                             tuple(i for i in zoned if i.minutes >= policy.focus_min)))
    return tuple(out)


@dataclass(frozen=True)
class Slot:
    """A weekly time for a no-meeting block of ``minutes``: weekday (0 = Monday) and local
    start, with the share of working member-days of the window free for all of it."""

    weekday: int
    start: time
    minutes: int
    free_share: float


def best_slots(members: Sequence[MemberWeeks], policy: WorkPolicy, minimum: int,
               count: int = TOP_SLOTS) -> tuple[Slot, ...]:
    """The ``count`` weekly slots of ``focus_min`` that most members were free for, over
    every week of the window (highest share first, then the earliest in the week); a slot
    fewer than ``minimum`` members ever worked at is not one (its share would be theirs)."""
    length = timedelta(minutes=policy.focus_min)
    free: dict[tuple[int, time], int] = {}
    seen: dict[tuple[int, time], int] = {}
    who: dict[tuple[int, time], set[int]] = {}
    calendars = [[d for week in m.weeks for d in week.days] for m in members]
    for position, day in enumerate(calendars[0]):
        starts = slot_starts(day.date, policy, length)
        for member, mine in enumerate(days[position] for days in calendars):
            if mine.status != "workday":
                continue
            for key, span in starts:
                seen[key] = seen.get(key, 0) + 1
                who.setdefault(key, set()).add(member)
                if any(b.start <= span.start and span.end <= b.end for b in mine.blocks):
                    free[key] = free.get(key, 0) + 1
    ranked = sorted((k for k in seen if len(who[k]) >= minimum),
                    key=lambda k: (-free.get(k, 0) / seen[k], k))
    return tuple(Slot(k[0], k[1], policy.focus_min, share(free.get(k, 0), seen[k]))
                 for k in ranked[:count])


def slot_starts(day: date, policy: WorkPolicy,
                length: timedelta) -> list[tuple[tuple[int, time], Interval]]:
    """Every block of ``length`` starting on the SLOT_STEP grid of the day's working
    windows, keyed by (weekday, local start time)."""
    out = []
    step = timedelta(minutes=SLOT_STEP)
    for window in working_windows(policy, day):
        start = window.start
        while start + length <= window.end:
            key = (day.weekday(), start.astimezone(policy.tz).time())
            out.append((key, Interval(start, start + length)))
            start += step
    return out


@dataclass(frozen=True)
class TeamStats:
    """Everything ``focuscal team`` shows of a team, and the member weeks behind it."""

    privacy: str
    policy: TeamPolicy
    work: WorkPolicy
    weeks: tuple[WeekStats, ...]  # oldest first; the last one is the reported week
    common: tuple[CommonDay, ...]  # the reported week's workdays
    slots: tuple[Slot, ...]
    members: tuple[MemberWeeks, ...]  # for --rows (hashed ids) and --individual only

    @property
    def week(self) -> WeekStats:
        return self.weeks[-1]

    @property
    def not_available(self) -> dict[str, str]:
        return NOT_AVAILABLE[self.privacy]

    @property
    def notes(self) -> tuple[str, ...]:
        return NOTES[self.privacy]


def required(policy: TeamPolicy) -> int:
    """The fewest members a team must have read to be shown at all."""
    return max(policy.min_group_size, MIN_GROUP_FLOOR)


def aggregate(members: Sequence[MemberWeeks], privacy: str, policy: TeamPolicy,
              work: WorkPolicy) -> TeamStats:
    """The team's aggregates; GroupTooSmall when fewer than ``required(policy)`` members."""
    if len(members) < required(policy):
        raise GroupTooSmall(
            f"{len(members)} member{'s' if len(members) != 1 else ''} could be read, fewer "
            f"than the minimum group size of {required(policy)}: nothing is shown",
            hint="a team is only ever shown as a group (min_group_size, never below "
                 f"{MIN_GROUP_FLOOR})")
    ordered = sorted(members, key=lambda m: m.id)  # the order of reading never shows
    weeks = tuple(week_stats([m.weeks[n] for m in ordered], privacy, policy.focus_goal)
                  for n in range(len(ordered[0].weeks)))
    minimum = required(policy)
    return TeamStats(privacy, policy, work, weeks, common_days(ordered, work, minimum),
                     best_slots(ordered, work, minimum), tuple(ordered))


def rows(team: str, stats: TeamStats) -> list[dict[str, object]]:
    """One row per member-week for a warehouse: the hashed member id, never the identity,
    and the figures the privacy level can tell."""
    keys = available(stats.privacy)
    out: list[dict[str, object]] = []
    for member in stats.members:
        for week in member.weeks:
            totals = week.totals()
            out.append({"team": team, "week": week_label(week.first), "member": member.id,
                        "privacy": stats.privacy, **{k: totals[k] for k in keys}})
    return out
