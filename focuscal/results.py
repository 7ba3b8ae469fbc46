"""What the use cases return: values that the app builds and the renderers read.

They sit below app and report (report imports nothing from app) and above the core. Local
dates are in the analysis zone ``tz``; instants are aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from focuscal.metrics import PeriodMetrics
from focuscal.model import Block, Classified, EventKind
from focuscal.window import Window, utc_window

if TYPE_CHECKING:
    from focuscal.config import Settings
    from focuscal.impact import Impact
    from focuscal.model import WorkPolicy
    from focuscal.planner import Changes, Plan
    from focuscal.teamstats import TeamStats


@dataclass(frozen=True)
class Analysis:
    """The classified event instances of every calendar for ``window``, in zone ``tz``, with
    the settings they were classified by, the user's addresses (given or learnt from the
    calendars) and the warnings met on the way."""

    tz: tzinfo
    window: Window
    settings: Settings
    classified: tuple[Classified, ...]
    me: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    @property
    def policy(self) -> WorkPolicy:
        return self.settings.policy(self.tz)


class AnalysisResult:
    """Base of the results built on an Analysis: its zone, window, settings, policy and
    warnings."""

    analysis: Analysis

    @property
    def tz(self) -> tzinfo:
        return self.analysis.tz

    @property
    def window(self) -> Window:
        return self.analysis.window

    @property
    def settings(self) -> Settings:
        return self.analysis.settings

    @property
    def policy(self) -> WorkPolicy:
        return self.analysis.policy

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.analysis.warnings


@dataclass(frozen=True)
class AuditResult(AnalysisResult):
    """The metrics of every day of the window, and of each week of a trend."""

    analysis: Analysis
    period: PeriodMetrics
    weeks: tuple[PeriodMetrics, ...] = ()


@dataclass(frozen=True)
class EventsResult(AnalysisResult):
    """``focuscal events``: the metrics of every day of the window and the classified events
    they were measured from; a renderer lists the rows of ``kinds`` on ``dates`` (None: all),
    each day with its whole-day numbers."""

    analysis: Analysis
    period: PeriodMetrics
    kinds: frozenset[EventKind] | None = None
    dates: frozenset[date] | None = None


@dataclass(frozen=True)
class FreeResult(AnalysisResult):
    """``focuscal free``: the metrics of every day of the window, whose blocks a renderer
    lists (on ``dates``, None: all; blocks shorter than ``min_minutes`` left out)."""

    analysis: Analysis
    period: PeriodMetrics
    min_minutes: int = 0
    dates: frozenset[date] | None = None


def weeks_of(window: Window, period: PeriodMetrics) -> tuple[PeriodMetrics, ...]:
    """Each week of a trend window (none for another window), from the period's days."""
    weeks = []
    if window.weeks > 1:
        by_day = {d.date: d for d in period.days}
        for monday in window.week_starts():
            days = tuple(
                by_day[d] for d in (monday + timedelta(n) for n in range(7)) if d in by_day
            )
            weeks.append(PeriodMetrics(days[0].date, days[-1].date, days))
    return tuple(weeks)


@dataclass
class Applied:
    """What a sink did. ``failed`` pairs a block with the reason it could not be written; a
    later run finishes the job. ``already`` are blocks to add that the target held already
    (booked by an earlier or a concurrent run). Sinks fill it in as they go."""

    added: list[Block] = field(default_factory=list)
    removed: list[Block] = field(default_factory=list)
    failed: list[tuple[Block, str]] = field(default_factory=list)
    already: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanResult(AnalysisResult):
    """A plan (``plan``), or a plan reconciled with a target's booked blocks (``book``).

    ``now`` is in the analysis zone; ``changes`` and ``target`` are set by ``book``, ``applied``
    when it wrote.
    """

    analysis: Analysis
    plan: Plan
    now: datetime
    target: str | None = None
    changes: Changes | None = None
    applied: Applied | None = None

    @property
    def over(self) -> bool:
        """The window has ended: nothing can be planned in it any more."""
        return self.now >= utc_window(self.window.first, self.window.last, self.tz).end


@dataclass(frozen=True)
class UnbookResult:
    """focuscal's own blocks of ``window`` in ``target``, to remove (and what was removed)."""

    target: str
    window: Window
    tz: tzinfo
    changes: Changes
    applied: Applied | None = None


@dataclass(frozen=True)
class ReportResult(AnalysisResult):
    """The weekly report: the period, the one before it, a trend and the costliest meetings."""

    analysis: Analysis
    period: PeriodMetrics  # the reported period (a week, or the --from/--to range)
    previous: PeriodMetrics  # the period of the same length just before it
    trend: tuple[PeriodMetrics, ...]  # oldest first, ending with ``period``
    impact: Impact

    @property
    def window(self) -> Window:
        return Window(self.period.first, self.period.last)

    @property
    def meetings(self) -> list[Classified]:
        return [c for c in self.analysis.classified if c.kind is EventKind.MEETING]


@dataclass(frozen=True)
class TeamResult:
    """``focuscal team``: the aggregates of team ``name`` over ``window`` (local dates of
    ``tz``), measured at privacy level ``stats.privacy``. ``read`` and ``failed`` count the
    members read and left out. ``individual`` marks output that may show each member's own
    figures (``--individual``): "named" by their identity, "hashed" by their id (files and
    email); "" (the default) shows none, and nothing else ever shows them."""

    name: str
    tz: tzinfo
    window: Window
    settings: Settings
    stats: TeamStats
    read: int
    failed: int
    individual: str = ""
