"""Use cases: settings and sources in, results out. No printing, no clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, BinaryIO

from focuscal import planner, sources
from focuscal.classify import classify
from focuscal.config import CalendarEntry, Settings
from focuscal.errors import InputError
from focuscal.impact import Impact, costliest
from focuscal.metrics import PeriodMetrics, Policy, period_metrics
from focuscal.model import Classified, EventKind
from focuscal.planner import Changes, Plan
from focuscal.sources.ics import utc_window

if TYPE_CHECKING:
    from email.message import EmailMessage

    from focuscal.sinks import Applied


@dataclass(frozen=True)
class Window:
    """Inclusive local dates; ``weeks`` > 1 marks a trend of whole weeks."""

    first: date
    last: date
    weeks: int = 1

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InputError(f"the window ends ({self.last}) before it starts ({self.first})")
        if (self.last - self.first).days > 366 * 50:
            raise InputError("the window is longer than fifty years")

    @property
    def label(self) -> str:
        year, week, _ = self.first.isocalendar()
        if self.weeks == 1 and self.first.weekday() == 0 and self.last == self.first + timedelta(6):
            return f"{year}-W{week:02d}"
        return f"{self.first} to {self.last}"

    def week_starts(self) -> list[date]:
        monday = self.first - timedelta(days=self.first.weekday())
        out = []
        while monday <= self.last:
            out.append(monday)
            monday += timedelta(days=7)
        return out


def parse_iso_week(text: str) -> date:
    """'2026-W11' (or '2026W11') -> the Monday of that ISO week."""
    import re

    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), re.IGNORECASE)
    if not m:
        raise InputError(f"--week: expected a week such as 2026-W11, got {text!r}")
    try:
        return date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise InputError(f"--week: {text!r} is not a week of {m[1]}") from None


def make_window(
    today: date,
    *,
    week: str | None = None,
    last_week: bool = False,
    start: date | None = None,
    end: date | None = None,
    weeks: int = 1,
) -> Window:
    """The window the options ask for; ``today`` is the local date (the CLI reads the clock)."""
    if weeks < 1:
        raise InputError("--weeks must be at least 1")
    chosen = sum(bool(x) for x in (week, last_week, start or end))
    if chosen > 1:
        raise InputError("choose one of --week, --this-week, --last-week and --from/--to")
    if start or end:
        if not (start and end):
            raise InputError("--from and --to go together")
        first, last = start, end
        if weeks > 1:
            first = last - timedelta(days=7 * weeks - 1)
        return Window(first, last, weeks)
    if week:
        monday = parse_iso_week(week)
    else:
        monday = today - timedelta(days=today.weekday())
        if last_week:
            monday -= timedelta(days=7)
    return Window(monday - timedelta(days=7 * (weeks - 1)), monday + timedelta(days=6), weeks)


@dataclass
class Loaded:
    """Classified events of all sources for a window, and what was learnt on the way."""

    tz: tzinfo
    window: Window
    settings: Settings
    classified: list[Classified]
    me: tuple[str, ...]
    warnings: list[str] = field(default_factory=list)

    @property
    def policy(self) -> Policy:
        return self.settings.policy(self.tz)


class FromLoaded:
    """Results built on a Loaded: its zone, window, settings, policy and warnings."""

    loaded: Loaded

    @property
    def tz(self) -> tzinfo:
        return self.loaded.tz

    @property
    def window(self) -> Window:
        return self.loaded.window

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def policy(self) -> Policy:
        return self.loaded.policy

    @property
    def warnings(self) -> list[str]:
        return self.loaded.warnings


@dataclass
class AuditResult(FromLoaded):
    loaded: Loaded
    period: PeriodMetrics
    weeks: list[PeriodMetrics]


def entries(settings: Settings, uris: Sequence[str]) -> list[CalendarEntry]:
    """The calendars to read: those named on the command line, else the config's."""
    if uris:
        configured = {c.uri: c for c in settings.calendars}
        return [configured.get(u, CalendarEntry(uri=u)) for u in uris]
    if not settings.calendars:
        raise InputError(
            "no calendar given",
            hint="name an .ics file, folder or URL, or add [[calendars]] to the config",
        )
    return list(settings.calendars)


def load(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    *,
    stdin: BinaryIO | None = None,
    progress: bool = False,
) -> Loaded:
    """Fetch every calendar for ``window`` and classify each event instance."""
    request = sources.Request(
        window=utc_window(window.first, window.last, tz),
        tz=tz,
        settings=settings,
        stdin=stdin,
        progress=progress,
    )
    fetched = sources.Fetched()
    for entry in entries(settings, uris):
        sources.check_uri(entry.uri)
        fetched.extend(sources.fetch(entry, request))
    me = settings.me or fetched.me
    rules = settings.rules(me)
    classified = [classify(e, rules) for e in dedupe(fetched.events)]
    warnings = list(fetched.warnings)
    if not rules.domains and any(
        c.kind is EventKind.MEETING and (c.event.attendees or c.event.organizer)
        for c in classified
    ):
        warnings.append(
            "your address is unknown: declined invitations cannot be recognised and no meeting "
            "counts as external (set --me or `me` in the config)"
        )
    return Loaded(tz, window, settings, classified, tuple(me), warnings)


def dedupe(events: list) -> list:
    """One instance per (UID, start, end) when several sources hold the same event."""
    seen = set()
    out = []
    for event in events:
        key = (event.uid, event.start, event.end) if event.uid else id(event)
        if key in seen:
            continue
        seen.add(key)
        out.append(event)
    return out


def audit(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    *,
    stdin: BinaryIO | None = None,
    progress: bool = False,
) -> AuditResult:
    """Metrics of every day of ``window`` (and of each week for a trend)."""
    loaded = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    return measure(loaded)


def measure(loaded: Loaded) -> AuditResult:
    window = loaded.window
    period = period_metrics(window.first, window.last, loaded.classified, loaded.policy)
    weeks = []
    if window.weeks > 1:
        by_day = {d.date: d for d in period.days}
        for monday in window.week_starts():
            days = tuple(
                by_day[d] for d in (monday + timedelta(n) for n in range(7)) if d in by_day
            )
            weeks.append(PeriodMetrics(days[0].date, days[-1].date, days))
    return AuditResult(loaded, period, weeks)


# ---------------------------------------------------------------- plan, book, unbook (issue 3)


@dataclass
class PlanResult(FromLoaded):
    """A plan (``plan``), or a plan reconciled with a target's booked blocks (``book``).

    ``now`` is in the analysis zone; ``changes`` and ``target`` are set by ``book``, ``applied``
    when it wrote.
    """

    loaded: Loaded
    plan: Plan
    now: datetime
    target: str | None = None
    changes: Changes | None = None
    applied: Applied | None = None


def plan(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    now: datetime,
    *,
    stdin: BinaryIO | None = None,
    progress: bool = False,
) -> PlanResult:
    """Focus blocks proposed for ``window`` from ``now`` on (focus already booked counts)."""
    loaded = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    proposal = planner.propose(loaded.classified, loaded.policy, settings.focus, window.first,
                               window.last, now)
    return PlanResult(loaded, proposal, now)


def book(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    now: datetime,
    target: str,
    *,
    apply: bool = False,
    stdin: BinaryIO | None = None,
    progress: bool = False,
) -> PlanResult:
    """Reconcile the plan with the blocks already booked in ``target``; write when ``apply``."""
    from focuscal import sinks

    sink = sinks.open_sink(target, settings)
    loaded = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    booked = sink.booked(utc_window(window.first, window.last, tz))
    proposal = planner.propose(loaded.classified, loaded.policy, settings.focus, window.first,
                               window.last, now, booked=booked, target=sink.target)
    changes = planner.changes(proposal, booked, sink.target)
    applied = None
    if apply and not changes.empty:
        applied = sink.apply(changes, settings.focus.summary)
    return PlanResult(loaded, proposal, now, sink.target, changes, applied)


@dataclass
class UnbookResult:
    target: str
    window: Window
    tz: tzinfo
    changes: Changes
    applied: Applied | None = None


def unbook(
    settings: Settings, window: Window, tz: tzinfo, target: str, *, apply: bool = False
) -> UnbookResult:
    """Remove focuscal's own blocks in ``window`` from ``target`` (blocks moved by hand stay)."""
    from focuscal import sinks

    sink = sinks.open_sink(target, settings)
    booked = sink.booked(utc_window(window.first, window.last, tz))
    changes = planner.reconcile((), booked, sink.target, {b.uid: "unbook" for b in booked})
    applied = sink.apply(changes, settings.focus.summary) if apply and not changes.empty else None
    return UnbookResult(sink.target, window, tz, changes, applied)


# ---------------------------------------------------------------- report, email (issue 5)


@dataclass
class ReportResult(FromLoaded):
    """The weekly report: the period, the one before it, a trend and the costliest meetings."""

    loaded: Loaded
    period: PeriodMetrics  # the reported period (a week, or the --from/--to range)
    previous: PeriodMetrics  # the period of the same length just before it
    trend: list[PeriodMetrics]  # oldest first, ending with ``period``
    impact: Impact

    @property
    def window(self) -> Window:
        return Window(self.period.first, self.period.last)

    @property
    def meetings(self) -> list[Classified]:
        return [c for c in self.loaded.classified if c.kind is EventKind.MEETING]


def report(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    *,
    trend: int | None = None,
    stdin: BinaryIO | None = None,
    progress: bool = False,
) -> ReportResult:
    """The report of the last week of ``window`` (of the whole window when it is not a trend),
    with the previous period and a trend of ``trend`` periods (default: ``window.weeks``, else
    the config's ``[report] weeks``). Dates are local dates of ``tz``.
    """
    length = 7 if window.weeks > 1 else (window.last - window.first).days + 1
    count = trend or (window.weeks if window.weeks > 1 else settings.report.weeks)
    step = timedelta(days=length)
    # Load enough for the trend and for the period before the reported one.
    first = window.last - step * max(count, 2) + timedelta(days=1)
    loaded = load(settings, uris, Window(first, window.last), tz, stdin=stdin, progress=progress)
    policy = loaded.policy
    periods = []
    for n in reversed(range(max(count, 2))):
        last = window.last - step * n
        periods.append(period_metrics(last - step + timedelta(days=1), last, loaded.classified,
                                      policy))
    period = periods[-1]
    impact = costliest(loaded.classified, policy, period.first, period.last)
    return ReportResult(loaded, period, periods[-2], periods[-count:], impact)


def email_message(
    settings: Settings,
    result: ReportResult,
    recipients: Sequence[str],
    now: datetime,
) -> EmailMessage:
    """The report as an email to ``recipients`` (else the config's ``[report] to``); ``now``
    (aware) is its Date."""
    from focuscal import mail
    from focuscal.config import BadValue, parse_addresses
    from focuscal.report import weekly

    try:
        to = list(parse_addresses(list(recipients)) or settings.report.to)
    except BadValue as exc:
        raise InputError(f"--to: {exc}") from None
    if not to:
        raise InputError("no recipient", hint="give --to ADDRESS or set to in [report]")
    return mail.build_message(weekly.build(result), sender=mail.sender(settings),
                              recipients=to, now=now)


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Deliver ``message`` through the config's ``[smtp]`` server."""
    from focuscal import mail

    mail.deliver(message, settings.smtp, mail.password(settings.smtp))


# ---------------------------------------------------------------- google (issue 4)


def google_sign_in(settings: Settings, client_secrets: str | None, *, write: bool,
                   open_browser: bool, announce: Callable[[str], None]) -> Any:
    """``focuscal auth google``: the OAuth flow; returns where the token was saved."""
    from focuscal import googleapi

    return googleapi.sign_in(settings, client_secrets, write=write, open_browser=open_browser,
                             announce=announce)


# ---------------------------------------------------------------- outlook (issue 14)


def outlook_sign_in(settings: Settings, *, write: bool, browser: bool,
                    announce: Callable[[str], None]) -> Any:
    """``focuscal auth outlook``: the device-code (or browser) flow; returns where msal's token
    cache was saved and as whom."""
    from focuscal import graph

    return graph.sign_in(settings, write=write, browser=browser, announce=announce)


def outlook_calendars(settings: Settings, user: str = "me") -> list[dict[str, Any]]:
    """``focuscal calendars outlook``: id, name, default, can edit and owner of each calendar."""
    from focuscal import graph

    return graph.list_calendars(settings, user)
