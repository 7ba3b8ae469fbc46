"""Use cases: settings and sources in, results out. No printing, no clock.

The planner and the impact ranking are imported by the use cases that need them, so that an
audit starts without them.

``progress`` parameters take a status line for a long fetch (None shows nothing); the CLI
decides how to show it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from focuscal import sources
from focuscal.classify import classify
from focuscal.config import CalendarEntry, Settings, TeamSettings
from focuscal.errors import InputError, RunError, one_line, printable
from focuscal.metrics import period_metrics
from focuscal.model import Event, EventKind
from focuscal.results import (
    Analysis,
    AuditResult,
    EventsResult,
    FreeResult,
    PlanResult,
    ReportResult,
    UnbookResult,
    weeks_of,
)
from focuscal.window import Window, utc_window

if TYPE_CHECKING:
    from email.message import EmailMessage

    from focuscal.results import TeamResult

Progress = Callable[[str], None] | None


def entries(settings: Settings, uris: Sequence[str]) -> list[CalendarEntry]:
    """The calendars to read: those named on the command line, else the config's."""
    if uris:
        if list(uris).count("-") > 1:
            raise InputError("standard input can be read only once", where="-")
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
    classified = [classify(printable_event(e), rules) for e in dedupe(fetched.events)]
    warnings = [one_line(w) for w in fetched.warnings]
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


def printable_event(event: Event) -> Event:
    """``event`` with no control character in its text (title, uid, addresses): a calendar
    anyone can send an invitation to must not move the terminal, the table or a report."""
    texts = (event.summary, event.uid, event.organizer or "", *(a.email for a in event.attendees))
    if all(printable(t) is t for t in texts):
        return event
    return replace(
        event,
        summary=printable(event.summary),
        uid=printable(event.uid),
        organizer=event.organizer and printable(event.organizer),
        attendees=tuple(replace(a, email=printable(a.email)) for a in event.attendees),
    )


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
    reuse: bool = False,
) -> AuditResult:
    """Metrics of every day of ``window`` (and of each week for a trend).

    With ``reuse``, an audit of local files is kept in the cache of audits (``analysed``) and
    a repeat on the same bytes, window, zone and settings is answered from it: the same
    numbers, weeks, warnings and addresses, but no events (``analysis.classified`` is empty),
    for callers that render only the numbers. Off with the fast path (FOCUSCAL_NO_FASTPATH)."""
    from focuscal import analysed
    from focuscal.ical import fast_path

    key = None
    if reuse and fast_path():
        key = analysed.key(settings, entries(settings, uris), window, tz)
    if key is not None and (cached := analysed.load(key, settings, window, tz)) is not None:
        return cached
    result = measure(load(settings, uris, window, tz, stdin=stdin, progress=progress))
    if key is not None:
        analysed.store(key, result)
    return result


def measure(analysis: Analysis) -> AuditResult:
    """The metrics of ``analysis``: every day of its window, and each week of a trend."""
    window = analysis.window
    period = period_metrics(window.first, window.last, analysis.classified, analysis.policy)
    return AuditResult(analysis, period, weeks_of(window, period))


# ---------------------------------------------------------------- events, free (issue 12)


def events(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    *,
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
    stdin: BinaryIO | None = None,
    progress: Progress = None,
) -> EventsResult:
    """Every event instance of ``window`` (local dates of ``tz``) with the rule that decided
    it, to be listed on ``dates`` (None: every day) for ``kinds`` (None: all)."""
    analysis = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    return EventsResult(analysis, measure(analysis).period,
                        None if kinds is None else frozenset(kinds),
                        None if dates is None else frozenset(dates))


def free(
    settings: Settings,
    uris: Sequence[str],
    window: Window,
    tz: tzinfo,
    *,
    min_minutes: int = 0,
    dates: Collection[date] | None = None,
    stdin: BinaryIO | None = None,
    progress: Progress = None,
) -> FreeResult:
    """The free blocks the metrics measured on each working day of ``window`` (local dates of
    ``tz``), to be listed on ``dates`` (None: every day) when at least ``min_minutes`` long."""
    analysis = load(settings, uris, window, tz, stdin=stdin, progress=progress)
    return FreeResult(analysis, measure(analysis).period, min_minutes,
                      None if dates is None else frozenset(dates))


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
    from focuscal import planner

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
    from focuscal import planner, sinks

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
    from focuscal import planner, sinks

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
    from focuscal.impact import costliest


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
    from focuscal.report import weekly

    to, sender = addresses(replace(settings, me=result.analysis.me), recipients, preview)
    return mail.build_message(weekly.build(result), sender=sender, recipients=to, now=now)


def addresses(settings: Settings, recipients: Sequence[str],
              preview: bool) -> tuple[list[str], str]:
    """The recipients (``recipients``, else ``[report] to``) and the sender of a report
    email; a ``preview`` takes PREVIEW_TO and PREVIEW_FROM for what is not set."""
    from focuscal import mail
    from focuscal.config import BadValue, parse_addresses

    try:
        to = list(parse_addresses(list(recipients)) or settings.report.to)
    except BadValue as exc:
        raise InputError(f"--to: {exc}") from None
    if not to and not preview:
        raise InputError("no recipient", hint="give --to ADDRESS or set to in [report]")
    try:
        sender = mail.sender(settings)
    except InputError:
        if not preview:
            raise
        sender = PREVIEW_FROM
    return to or [PREVIEW_TO], sender


def send_email(settings: Settings, message: EmailMessage) -> None:
    """Deliver ``message`` through the config's ``[smtp]`` server."""
    from focuscal import mail

    mail.deliver(message, settings.smtp, mail.password(settings.smtp))


# ---------------------------------------------------------------- google (issue 4)


def google_sign_in(settings: Settings, client_secrets: str | None, *, write: bool,
                   open_browser: bool, announce: Callable[[str], None],
                   freebusy: bool = False) -> Any:
    """``focuscal auth google``: the OAuth flow; returns where the token was saved."""
    from focuscal import googleapi

    return googleapi.sign_in(settings, client_secrets, write=write, open_browser=open_browser,
                             announce=announce, freebusy=freebusy)


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


# ---------------------------------------------------------------- team (issue 15)

FAILED_SHOWN = 20  # members named in the warning about those that could not be read
MIN_SALT = 16  # the shortest salt that hides member identities (characters)


def choose_team(settings: Settings, name: str | None) -> TeamSettings:
    """The [[teams]] entry named ``name`` (None: the only one)."""
    names = ", ".join(t.name for t in settings.teams)
    if not settings.teams:
        raise InputError("no team in the config", hint="add a [[teams]] table (README: Teams)")
    if name is None:
        if len(settings.teams) == 1:
            return settings.teams[0]
        raise InputError("the config has several teams", hint=f"choose one with --team: {names}")
    for team in settings.teams:
        if team.name == name:
            return team
    raise InputError(f"no team named {name!r}", hint=f"the config has {names}")


def team_members(settings: Settings, team: TeamSettings) -> list[str]:
    """``members`` and the lines of ``members_file`` (relative to the config's folder; blank
    lines and ``#`` comments skipped), each once."""
    members = list(team.members)
    if team.members_file:
        path = Path(team.members_file).expanduser()
        if not path.is_absolute() and settings.path:
            path = Path(settings.path).parent / path
        from focuscal.sources.ics import read as read_file

        text = read_file(path).decode("utf-8", "replace")
        members += [line.split("#", 1)[0].strip() for line in text.splitlines()]
    members = list(dict.fromkeys(m for m in members if m))
    if not members:
        raise InputError(f"team {team.name!r} has no members", where=team.members_file)
    return members


def team_salt(team: TeamSettings) -> bytes:
    """The team's secret salt for hashing member identities: ``salt_file``, else a file in
    the user data directory made on first use (random, mode 0600), so ids stay stable."""
    import secrets

    from focuscal.files import write_atomic

    if team.salt_file:
        path = Path(team.salt_file).expanduser()
    else:
        import hashlib

        from platformdirs import user_data_path

        key = hashlib.sha256(team.name.encode("utf-8")).hexdigest()[:16]
        path = user_data_path("focuscal") / "team-salts" / f"{key}.salt"
    try:
        salt = path.read_bytes().strip()
    except FileNotFoundError:
        salt = secrets.token_hex(32).encode("ascii")
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        write_atomic(path, salt, mode=0o600)
    except OSError as exc:
        raise InputError(f"cannot read the team's salt: {exc.strerror or exc}",
                         where=str(path)) from None
    if len(salt) < MIN_SALT:
        # never replaced: new ids would no longer match the rows already saved with it
        raise InputError(f"the team's salt is shorter than {MIN_SALT} characters",
                         where=str(path), hint="put 32 random bytes in it, or remove it to "
                                               "have a new one made (ids then change)")
    return salt


def team(
    settings: Settings,
    name: str | None,
    window: Window,
    tz: tzinfo,
    *,
    progress: Callable[[int, int], None] | None = None,
    warn: Callable[[list[str]], None] | None = None,
) -> TeamResult:
    """The aggregates of a team over ``window`` (whole ISO weeks, local dates of ``tz``).

    Warnings (members left out, a source's own) go to ``warn`` as soon as they are known, so
    they show even when the group then turns out too small to be shown (GroupTooSmall, exit
    2). Nothing read at all is a RunError (exit 1).
    """
    from focuscal import teamstats
    from focuscal.results import TeamResult
    from focuscal.sources import team as team_source

    if window.first.weekday() != 0 or ((window.last - window.first).days + 1) % 7:
        raise InputError("a team is measured in whole weeks",
                         hint="use --week, --this-week or --last-week (and --weeks)")
    chosen = choose_team(settings, name)
    members = team_members(settings, chosen)
    request = sources.Request(window=utc_window(window.first, window.last, tz), tz=tz,
                              settings=settings)
    read = team_source.read(chosen, members, request, progress)
    warnings = list(read.warnings)
    if read.failed:
        shown = [f"{m} ({why})" for m, why in sorted(read.failed.items())[:FAILED_SHOWN]]
        more = len(read.failed) - len(shown)
        warnings.append(
            f"{len(read.failed)} of {len(members)} members could not be read and are left "
            f"out: {'; '.join(shown)}" + (f"; and {more} more" if more > 0 else ""))
    if warn is not None and warnings:
        warn(warnings)
    if not read.events:
        raise RunError(f"no member of team {chosen.name!r} could be read",
                       hint="see the warning above for each member's reason")
    privacy = teamstats.level(chosen.policy.privacy, read.level)
    salt = team_salt(chosen)
    policy = settings.policy(tz)
    measured = []
    for member in members:
        if member not in read.events:
            continue
        me = (member.lower(),) if "@" in member else read.me.get(member, ())
        rules = replace(settings, me=me).rules()
        measured.append(teamstats.measure_member(
            member, teamstats.member_id(salt, member), dedupe(read.events[member]), privacy,
            rules, policy, window.first, window.last))
    stats = teamstats.aggregate(measured, privacy, chosen.policy, policy)
    return TeamResult(chosen.name, tz, window, settings, stats, len(measured), len(read.failed))


def team_email_message(settings: Settings, result: TeamResult, recipients: Sequence[str],
                       now: datetime, *, preview: bool = False) -> EmailMessage:
    """The team report as an email (text and HTML, aggregates only unless the result is
    individual, then with hashed ids); addresses as for ``email_message``."""
    from focuscal import mail
    from focuscal.report import team as rendered

    to, sender = addresses(settings, recipients, preview)
    return mail.compose(rendered.subject(result), rendered.to_text(result),
                        rendered.to_html(result), sender=sender, recipients=to, now=now)
