"""Use cases: settings and sources in, results out. No printing, no clock.

``progress`` parameters take a status line for a long fetch (None shows nothing); the CLI
decides how to show it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, BinaryIO

from focuscal import planner, sources
from focuscal.classify import classify
from focuscal.config import CalendarEntry, Settings
from focuscal.errors import InputError
from focuscal.impact import costliest
from focuscal.metrics import PeriodMetrics, period_metrics
from focuscal.model import Event, EventKind
from focuscal.results import Analysis, AuditResult, PlanResult, ReportResult, UnbookResult
from focuscal.window import Window, utc_window

if TYPE_CHECKING:
    from email.message import EmailMessage

Progress = Callable[[str], None] | None


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
    progress: Progress = None,
) -> Analysis:
    """Fetch every calendar for ``window`` (local dates of ``tz``) and classify each event
    instance."""
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
    warnings.extend(zone_warning(settings, tz, fetched.zones))
    if not rules.domains and any(
        c.kind is EventKind.MEETING and (c.event.attendees or c.event.organizer)
        for c in classified
    ):
        warnings.append(
            "your address is unknown: declined invitations cannot be recognised and no meeting "
            "counts as external (set --me or `me` in the config)"
        )
    return Analysis(tz, window, settings, tuple(classified), tuple(me), tuple(warnings))


def zone_warning(settings: Settings, tz: tzinfo, zones: Sequence[str]) -> list[str]:
    """One warning when the analysis zone is UTC only because nothing chose another (no
    --tz, no ``timezone``, a system zone of UTC) while a calendar says it is elsewhere."""
    declared = [z for z in zones if z.upper() not in _UTC_NAMES]
    if settings.timezone is not None or not declared or getattr(tz, "key", "") not in (
            "UTC", "Etc/UTC"):
        return []
    return [f"times are read in UTC (no --tz, no `timezone` in the config, and the system zone "
            f"is UTC), but the calendar says {', '.join(declared)}: set --tz {declared[0]} or "
            f'timezone = "{declared[0]}" in the config']


_UTC_NAMES = ("UTC", "ETC/UTC", "GMT", "ETC/GMT", "Z", "ZULU", "UNIVERSAL")


def dedupe(events: list[Event]) -> list[Event]:
    """One instance per (UID, start, end) when several sources hold the same event."""
    seen: set[object] = set()
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
    progress: Progress = None,
) -> AuditResult:
    """Metrics of every day of ``window`` (and of each week for a trend)."""
    return measure(load(settings, uris, window, tz, stdin=stdin, progress=progress))


def measure(analysis: Analysis) -> AuditResult:
    """The metrics of ``analysis``: every day of its window, and each week of a trend."""
    window = analysis.window
    period = period_metrics(window.first, window.last, analysis.classified, analysis.policy)
    weeks = []
    if window.weeks > 1:
        by_day = {d.date: d for d in period.days}
        for monday in window.week_starts():
            days = tuple(
                by_day[d] for d in (monday + timedelta(n) for n in range(7)) if d in by_day
            )
            weeks.append(PeriodMetrics(days[0].date, days[-1].date, days))
    return AuditResult(analysis, period, tuple(weeks))


# ---------------------------------------------------------------- plan, book, unbook (issue 3)


def plan(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    now: datetime,
    *,
    stdin: BinaryIO | None = None,
    progress: Progress = None,
) -> PlanResult:
    """Focus blocks proposed for ``window`` from ``now`` on (focus already booked counts)."""
    analysis = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    proposal = planner.propose(analysis.classified, analysis.policy, settings.focus, window.first,
                               window.last, now)
    return PlanResult(analysis, proposal, now)


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
    progress: Progress = None,
) -> PlanResult:
    """Reconcile the plan with the blocks already booked in ``target``; write when ``apply``."""
    from focuscal import sinks

    sink = sinks.open_sink(target, settings)
    analysis = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    booked = sink.booked(utc_window(window.first, window.last, tz))
    proposal = planner.propose(analysis.classified, analysis.policy, settings.focus, window.first,
                               window.last, now, booked=booked, target=sink.target)
    changes = planner.changes(proposal, booked, sink.target)
    applied = None
    if apply and not changes.empty:
        applied = sink.apply(changes, settings.focus.summary)
    return PlanResult(analysis, proposal, now, sink.target, changes, applied)


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


def report(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    *,
    trend: int | None = None,
    stdin: BinaryIO | None = None,
    progress: Progress = None,
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
    analysis = load(settings, uris, Window(first, window.last), tz, stdin=stdin,
                    progress=progress)
    policy = analysis.policy
    periods = []
    for n in reversed(range(max(count, 2))):
        last = window.last - step * n
        periods.append(period_metrics(last - step + timedelta(days=1), last, analysis.classified,
                                      policy))
    period = periods[-1]
    impact = costliest(analysis.classified, policy, period.first, period.last)
    return ReportResult(analysis, period, periods[-2], tuple(periods[-count:]), impact)


# What a preview shows for an address that is not set (.invalid never resolves: RFC 2606).
PREVIEW_TO = "recipient@example.invalid"
PREVIEW_FROM = "sender@example.invalid"


def email_message(
    settings: Settings,
    result: ReportResult,
    recipients: Sequence[str],
    now: datetime,
    *,
    preview: bool = False,
) -> EmailMessage:
    """The report as an email to ``recipients`` (else the config's ``[report] to``); ``now``
    (aware) is its Date. From is ``[smtp] from``, else the user's address (given, or learnt
    from the calendars), else the SMTP username. A ``preview`` needs neither recipients nor a
    sender: PREVIEW_TO and PREVIEW_FROM stand in for them."""
    from focuscal import mail
    from focuscal.config import BadValue, parse_addresses
    from focuscal.report import weekly

    try:
        to = list(parse_addresses(list(recipients)) or settings.report.to)
    except BadValue as exc:
        raise InputError(f"--to: {exc}") from None
    if not to and not preview:
        raise InputError("no recipient", hint="give --to ADDRESS or set to in [report]")
    try:
        sender = mail.sender(replace(settings, me=result.analysis.me))
    except InputError:
        if not preview:
            raise
        sender = PREVIEW_FROM
    return mail.build_message(weekly.build(result), sender=sender,
                              recipients=to or [PREVIEW_TO], now=now)


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
