"""Reading a team: every member's calendar for a window, with bounded concurrency.

Two ways in. Bulk free/busy reads many members a request: ``google-freebusy``
(``freeBusy.query``, 50 calendars a request, the ``calendar.freebusy`` scope) and
``outlook-schedule`` (Graph ``getSchedule``, 20 mailboxes a call). Any other source is a
template read once per member through the ordinary sources: a URI with ``{member}`` in it
(``caldav+https://dav.example.com/{member}/work/``, ``google:{member}``, a file), or a folder
of ICS exports holding ``MEMBER.ics`` or a vdir ``MEMBER/`` for each member. At the freebusy
level a CalDAV calendar is asked for its free/busy only (a free-busy-query REPORT).

Quotas: Google allows 600 requests a minute per user, so free/busy requests are paced to at
most GOOGLE_PER_MINUTE; Graph allows 4 concurrent requests per mailbox, and every getSchedule
call goes through the organizer's mailbox, so at most GRAPH_WORKERS run at once. A member
whose calendar cannot be read is recorded with the reason and the others go on; an
authentication failure stops everything (it would fail every member alike).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focuscal import sources
from focuscal.errors import AuthError, FocuscalError, InputError
from focuscal.model import Event

if TYPE_CHECKING:
    from focuscal.config import Settings, TeamSettings

TEMPLATE_WORKERS = 8  # members read at once through their own source
GOOGLE_WORKERS = 4  # freeBusy requests in flight at once
GOOGLE_PER_MINUTE = 600  # Google Calendar's quota of requests per minute per user
GRAPH_WORKERS = 4  # Graph's limit of concurrent requests per mailbox
CHUNK = timedelta(days=28)  # the longest span one free/busy request asks for

Progress = Callable[[int, int], None] | None  # (done, total) requests or members


@dataclass
class Read:
    """What reading a team gave: the events of each member read, the addresses a calendar
    revealed, the reason for each member that could not be read, and the most that the
    source can tell (a privacy level)."""

    level: str
    events: dict[str, list[Event]] = field(default_factory=dict)
    me: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read(team: TeamSettings, members: list[str], request: sources.Request,
         progress: Progress = None) -> Read:
    """Every member's events touching ``request.window`` (UTC)."""
    if team.source == "google-freebusy":
        return _google(members, request, progress)
    if team.source == "outlook-schedule":
        return _outlook(team, members, request, progress)
    return _templates(team.source, members, request, progress,
                      busy_only=team.policy.privacy == "freebusy")


# ---------------------------------------------------------------- one source per member


def member_uri(template: str, member: str) -> str:
    """The source of ``member``: the template with ``{member}`` filled in, else the member's
    file (``MEMBER.ics``) or folder in the export folder ``template``."""
    if "{member}" in template:
        return template.replace("{member}", member)
    if "/" in member or "\\" in member or member in ("", ".", ".."):
        raise InputError("a member of a folder of exports must be a plain file name",
                         where=member)
    folder = Path(template).expanduser()
    file = folder / f"{member}.ics"
    return str(file if file.is_file() else folder / member)


def _templates(template: str, members: list[str], request: sources.Request,
               progress: Progress, *, busy_only: bool) -> Read:
    """Each member through the source of ``member_uri``; with ``busy_only`` (the freebusy
    level), a CalDAV calendar is asked for its free/busy alone (free-busy-query), and read
    whole, then cut down, only where its server offers no free-busy-query."""
    from focuscal.config import CalendarEntry

    out = Read("full")
    configured = {c.uri: c for c in request.settings.calendars}
    # A member's own source shows no status line of its own: the bar counts members. And it
    # saves nothing: the events cache, the HTTP cache and Google's sync cache would keep
    # every member's events (titles, attendees) and address on disk.
    quiet = sources.Request(request.window, request.tz, uncached(request.settings))
    read_whole: list[str] = []  # members whose CalDAV server offers no free-busy-query

    def one(member: str) -> sources.Fetched:
        uri = member_uri(template, member)
        entry = configured.get(uri, CalendarEntry(uri=uri))
        if busy_only and sources.scheme(uri) == "caldav":
            from focuscal.sources import caldav

            busy = caldav.free_busy(entry, quiet)
            if busy is not None:
                return busy
            read_whole.append(member)
        return sources.fetch(entry, quiet)

    done = 0
    with ThreadPoolExecutor(max_workers=max(1, min(TEMPLATE_WORKERS, len(members)))) as pool:
        futures = {pool.submit(one, m): m for m in members}
        for future in as_completed(futures):
            member = futures[future]
            try:
                fetched = future.result()
            except FocuscalError as exc:
                out.failed[member] = str(exc)
            else:
                out.events[member] = fetched.events
                out.me[member] = fetched.me
                out.warnings.extend(f"{member}: {w}" for w in fetched.warnings)
            done += 1
            if progress is not None:
                progress(done, len(members))
    if read_whole:
        out.warnings.append(
            f"the CalDAV server of {len(read_whole)} of {len(members)} members offers no "
            "free-busy-query: their calendars were read and cut down to free/busy")
    return out


def uncached(settings: Settings) -> Settings:
    """``settings`` with every cache of a source turned off."""
    return replace(settings, cache=False, google=replace(settings.google, sync=False))


# ---------------------------------------------------------------- bulk free/busy


def chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut into consecutive spans of at most CHUNK."""
    out = []
    while start < end:
        out.append((start, min(end, start + CHUNK)))
        start += CHUNK
    return out


def groups(members: list[str], size: int) -> Iterator[list[str]]:
    for first in range(0, len(members), size):
        yield members[first:first + size]


class Pacer:
    """Spaces calls at least ``60 / per_minute`` seconds apart, across threads (a quota per
    minute kept on average and at every moment). Waits through ``transport.sleep``."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute
        self.clock = clock
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait(self) -> None:
        from focuscal import transport

        with self.lock:
            now = self.clock()
            wait = max(0.0, self.next_at - now)
            self.next_at = max(now, self.next_at) + self.interval
        if wait:
            transport.sleep(wait)


def _bulk(members: list[str], size: int, workers: int, request: sources.Request,
          ask: Callable[[list[str], datetime, datetime], dict[str, Any]],
          to_events: Callable[[Any, str], list[Event]], progress: Progress) -> Read:
    """Ask ``ask(group, start, end)`` for every group of ``size`` members and every chunk of
    the window, ``workers`` at a time; a failed request fails its members, a member's own
    error fails that member."""
    out = Read("freebusy")
    spans = chunks(request.window.start, request.window.end)
    jobs = [(group, span) for group in groups(members, size) for span in spans]
    events: dict[str, list[Event]] = {m: [] for m in members}
    done = 0
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs)))) as pool:
        futures = {pool.submit(ask, group, *span): group for group, span in jobs}
        for future in as_completed(futures):
            group = futures[future]
            try:
                answers = future.result()
            except AuthError:
                for other in futures:
                    other.cancel()
                raise
            except FocuscalError as exc:
                answers = {m: exc for m in group}
            for member, answer in answers.items():
                if isinstance(answer, FocuscalError):
                    out.failed.setdefault(member, answer.message)
                else:
                    events[member].extend(to_events(answer, member))
            done += 1
            if progress is not None:
                progress(done, len(jobs))
    out.events = {m: e for m, e in events.items() if m not in out.failed}
    return out


def _addresses(members: list[str], source: str) -> None:
    bad = [m for m in members if "@" not in m]
    if bad:
        raise InputError(f"{source} reads members by their address; not addresses: "
                         f"{', '.join(bad[:5])}", where="teams.members")


def _google(members: list[str], request: sources.Request, progress: Progress) -> Read:
    from focuscal import googleapi

    _addresses(members, "google-freebusy")
    # httplib2 connections are not thread-safe: one client per worker thread, the first
    # made here so that a refused credential fails before any thread starts.
    clients = [googleapi.connect(request.settings, scopes=googleapi.FREEBUSY_SCOPES)]
    local = threading.local()
    local.client = clients[0]
    lock = threading.Lock()
    pacer = Pacer(GOOGLE_PER_MINUTE)

    def client() -> googleapi.Client:
        if not hasattr(local, "client"):
            local.client = googleapi.connect(request.settings, scopes=googleapi.FREEBUSY_SCOPES)
            with lock:
                clients.append(local.client)
        return local.client

    def ask(group: list[str], start: datetime, end: datetime) -> dict[str, Any]:
        mine = client()
        pacer.wait()
        return googleapi.freebusy(mine, group, start, end, "google-freebusy")

    def to_events(spans: list[tuple[datetime, datetime]], member: str) -> list[Event]:
        return [Event(start=s, end=e, source="google-freebusy") for s, e in spans]

    try:
        return _bulk(members, googleapi.FREEBUSY_SIZE, GOOGLE_WORKERS, request, ask,
                     to_events, progress)
    finally:
        for each in clients:
            each.save()


def _outlook(team: TeamSettings, members: list[str], request: sources.Request,
             progress: Progress) -> Read:
    from focuscal import graph

    _addresses(members, "outlook-schedule")
    client = graph.connect(request.settings)
    organizer = team.organizer
    if organizer is None and request.settings.outlook.credentials == "app":
        raise InputError('outlook-schedule with outlook.credentials = "app" needs the '
                         "mailbox that asks: organizer in [[teams]]",
                         where=f"teams {team.name}")

    def ask(group: list[str], start: datetime, end: datetime) -> dict[str, Any]:
        return graph.schedules(client, organizer, group, start, end)

    def to_events(items: list[graph.Busy], member: str) -> list[Event]:
        return [Event(start=i.start, end=i.end, source="outlook-schedule",
                      status="TENTATIVE" if i.status == "TENTATIVE" else None,
                      busy_status="OOF" if i.status == "OOF" else None) for i in items]

    return _bulk(members, graph.SCHEDULE_SIZE, GRAPH_WORKERS, request, ask, to_events,
                 progress)
