"""The weekly report as plain values every renderer draws from: headline, change against the
previous period, day-by-day timeline segments, trend, costliest meetings and suggestions.

Times shown are wall-clock times of the analysis zone; segment offsets are elapsed minutes from
the start of the day's axis, so a DST day draws correctly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from focuscal.impact import MeetingCost, Suggestion, span
from focuscal.metrics import DayMetrics, PeriodMetrics
from focuscal.model import Classified, Interval, WorkPolicy
from focuscal.report import hm, pct
from focuscal.report.audit import zone_name
from focuscal.timeline import clip, intersect, subtract, working_window

if TYPE_CHECKING:
    from focuscal.results import ReportResult

# Segment kinds, in the legend's order, with their colours (distinct also in grey scale).
KINDS = {
    "meeting": ("Meeting", "#4f5bd5"),
    "booked": ("Booked focus", "#1b7f4b"),
    "focus": ("Usable block", "#8fd9a8"),
    "fragment": ("Fragment", "#f5b945"),
    "away": ("Not working", "#e4e6eb"),
}


@dataclass(frozen=True)
class Metric:
    """One headline number: its value this period and the period before."""

    key: str  # the key of the audit JSON's totals
    label: str
    value: float
    previous: float
    better: str  # "up", "down" or "" (neither)

    @property
    def is_ratio(self) -> bool:
        return self.key == "fragmentation"

    @property
    def text(self) -> str:
        return pct(self.value) if self.is_ratio else hm(int(self.value))

    @property
    def delta(self) -> float:
        return self.value - self.previous

    @property
    def delta_text(self) -> str:
        if self.is_ratio:
            points = round(self.value * 100) - round(self.previous * 100)
            return "no change" if points == 0 else f"{points:+d} pts"
        minutes = int(self.value) - int(self.previous)
        return "no change" if minutes == 0 else ("+" if minutes > 0 else "") + hm(minutes)

    @property
    def trend(self) -> str:
        """'good', 'bad' or 'same' for colouring the change."""
        if self.delta == 0 or not self.better:
            return "same"
        return "good" if (self.delta > 0) == (self.better == "up") else "bad"


@dataclass(frozen=True)
class Segment:
    kind: str
    offset: int  # minutes from the axis start
    minutes: int
    title: str

    @property
    def colour(self) -> str:
        return KINDS[self.kind][1]


@dataclass(frozen=True)
class DayRow:
    metrics: DayMetrics
    segments: tuple[Segment, ...]

    @property
    def label(self) -> str:
        return f"{self.metrics.date:%a %d}"


@dataclass(frozen=True)
class TrendRow:
    label: str
    period: PeriodMetrics

    def total(self, key: str) -> int:
        return int(self.period.total(key))


@dataclass(frozen=True)
class Weekly:
    title: str
    subtitle: str
    previous_label: str  # 'week 10', or the dates of the period before
    zone: str
    headline: tuple[Metric, ...]
    verdict: str
    axis_minutes: int
    axis_ticks: tuple[tuple[int, str], ...]  # (offset minutes, "09:00")
    days: tuple[DayRow, ...]
    trend: tuple[TrendRow, ...]
    costliest: tuple[MeetingCost, ...]
    suggestions: tuple[str, ...]
    suggestions_gain: int
    focus_min: int
    warnings: tuple[str, ...]
    period: PeriodMetrics
    previous: PeriodMetrics

    def metric(self, key: str) -> Metric:
        return next(m for m in self.headline if m.key == key)

    @property
    def subject(self) -> str:
        """The email subject: the headline in one line."""
        return (f"{self.title}: {self.metric('focus_minutes').text} focus, "
                f"{self.metric('fragmentation').text} fragmented")


HEADLINE = (
    ("focus_minutes", "Focus time", "up"),
    ("meeting_minutes", "Meetings", "down"),
    ("longest_block_minutes", "Longest block", "up"),
    ("fragmentation", "Fragmented", "down"),
    ("external_meeting_minutes", "With customers", ""),
    ("after_hours_meeting_minutes", "After hours", "down"),
)


def period_label(period: PeriodMetrics) -> str:
    """'week 11' for an ISO week, else the dates."""
    _, week, weekday = period.first.isocalendar()
    if weekday == 1 and (period.last - period.first).days == 6:
        return f"week {week}"
    return f"{period.first:%b %d} to {period.last:%b %d}".replace(" 0", " ")


def trend_label(period: PeriodMetrics) -> str:
    year, week, weekday = period.first.isocalendar()
    if weekday == 1 and (period.last - period.first).days == 6:
        return f"{year}-W{week:02d}"
    return f"{period.first:%m-%d}"


def build(result: ReportResult) -> Weekly:
    """Everything the report shows, from the report use case's result."""
    period, previous = result.period, result.previous
    now, before = period.totals(), previous.totals()
    headline = tuple(
        Metric(key, label, float(now[key]), float(before[key]), better)
        for key, label, better in HEADLINE
    )
    policy = result.policy
    start, end = _axis(policy)
    rows = tuple(
        DayRow(d, _segments(d, policy, start, end, result.meetings))
        for d in period.days
        if d.status != "weekend"
    )
    axis_minutes = _axis_minutes(period.first, start, end, policy)
    impact = result.impact
    return Weekly(
        title=f"Focus report, {period_label(period)}",
        subtitle=f"{_dates(period.first, period.last)} · {zone_name(result.tz)}",
        previous_label=period_label(previous),
        zone=zone_name(result.tz),
        headline=headline,
        verdict=_verdict(period, policy),
        axis_minutes=axis_minutes,
        axis_ticks=_ticks(start, axis_minutes),
        days=rows,
        trend=tuple(TrendRow(trend_label(p), p) for p in result.trend),
        costliest=impact.costliest,
        suggestions=tuple(suggestion_text(s, result.tz) for s in impact.suggestions),
        suggestions_gain=impact.total_gain,
        focus_min=policy.focus_min,
        warnings=tuple(result.warnings),
        period=period,
        previous=previous,
    )


def _dates(first: date, last: date) -> str:
    if first == last:
        return f"{first:%a %b %d, %Y}".replace(" 0", " ")
    return f"{first:%b %d} – {last:%b %d, %Y}".replace(" 0", " ")


def _verdict(period: PeriodMetrics, policy: WorkPolicy) -> str:
    best = period.best_day
    if best is None:
        return "No uninterrupted time in working hours."
    workdays = [d for d in period.days if d.status == "workday"]
    usable = sum(1 for d in workdays if d.focus_minutes)
    return (
        f"Longest uninterrupted block: {hm(best.longest_block_minutes)} on {best.date:%A}. "
        f"{usable} of {len(workdays)} workdays had a block of {hm(policy.focus_min)} or more."
    )


# ---------------------------------------------------------------- timeline


def _axis(policy: WorkPolicy) -> tuple[time, time]:
    """Whole hours around the working hours."""
    start = time(policy.work_start.hour)
    end = policy.work_end
    if end.minute:
        end = time((end.hour + 1) % 24)
    return start, end


def _axis_minutes(day: date, start: time, end: time, policy: WorkPolicy) -> int:
    # The nominal length (a DST day's window is as long in elapsed time as any other).
    return working_window(date(day.year, 1, 15), start, end, UTC).minutes


def _ticks(start: time, minutes: int) -> tuple[tuple[int, str], ...]:
    first = start.hour
    return tuple(
        (h * 60, f"{(first + h) % 24:02d}:00") for h in range(0, minutes // 60 + 1)
    )


def _segments(
    day: DayMetrics, policy: WorkPolicy, start: time, end: time, meetings: list[Classified]
) -> tuple[Segment, ...]:
    tz = policy.tz
    axis = working_window(day.date, start, end, tz)
    parts: list[tuple[Interval, str, str]] = []
    window = list(day.window)
    for gap in subtract([axis], window):
        parts.append((gap, "away", "out of office" if day.status == "off" else "not working"))
    for m in clip(day.meetings, axis):
        names = sorted({c.event.summary or "(no title)" for c in meetings
                        if span(c.event).overlaps(m)})
        parts.append((m, "meeting", ", ".join(names)))
    for block in day.blocks:
        usable = block.minutes >= policy.focus_min
        booked = intersect([block], day.focus_booked)
        for piece in booked:
            parts.append((piece, "booked", "booked focus"))
        for piece in subtract([block], booked):
            parts.append((piece, "focus" if usable else "fragment",
                          f"{'usable block' if usable else 'fragment'} of {hm(block.minutes)}"))
    out = []
    origin = axis.start
    for interval, kind, what in sorted(clip_parts(parts, axis), key=lambda p: p[0].start):
        offset = Interval(origin, interval.start).minutes
        out.append(Segment(kind, offset, interval.minutes,
                           f"{_clock(interval.start, tz)}–{_clock(interval.end, tz)} {what}"))
    return tuple(s for s in out if s.minutes > 0)


def clip_parts(
    parts: list[tuple[Interval, str, str]], axis: Interval
) -> list[tuple[Interval, str, str]]:
    out = []
    for interval, kind, what in parts:
        for piece in clip([interval], axis):
            out.append((piece, kind, what))
    return out


def _clock(value: datetime, tz: object) -> str:
    return value.astimezone(tz).strftime("%H:%M")  # type: ignore[arg-type]


# ---------------------------------------------------------------- costliest meetings


def when(cost: MeetingCost) -> str:
    """'Mon 13:00', or '4 times, from Mon 09:30' for a series."""
    first = f"{cost.starts[0]:%a %H:%M}"
    return first if cost.count == 1 else f"{cost.count} times, first {first}"


def suggestion_text(s: Suggestion, tz: object) -> str:
    """One sentence a person can act on, with the focus time it gives back."""
    m = s.meeting
    name = f"'{m.summary or '(no title)'}' ({when(m)})"
    gain = f"+{hm(s.gain)} focus"
    if s.action == "move":
        assert s.to is not None
        each = " each day" if m.count > 1 else ""
        return f"Move {name} to {s.to:%H:%M}{each}: {gain}"
    if s.action == "shorten":
        assert s.minutes is not None
        how = "" if s.keep_start else ", starting later"
        return f"Shorten {name} to {hm(s.minutes)}{how}: {gain}"
    verb = "Drop" if m.count > 1 else "Decline"
    return f"{verb} {name} or make it async: {gain}"
