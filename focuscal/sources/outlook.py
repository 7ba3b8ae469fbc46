"""Microsoft 365 / Outlook source: ``outlook:me``, ``outlook:USER@DOMAIN``, ``/CALENDAR_ID``.

``calendarView`` over the window (series expanded by Graph), every ``@odata.nextLink`` page,
only the fields the rules need, times asked for in UTC (``Prefer: outlook.timezone="UTC"``);
focuscal's mark read through ``$expand`` of its single-value extended property. All-day dates
become local midnights of ``Request.tz``; timed values are UTC instants.

Graph -> DESIGN.md section 2: ``isCancelled`` is cancelled; the user's ``responseStatus`` is
their attendee status (declined is ignored); ``showAs`` free and ``workingElsewhere`` are
transparent, ``oof`` is busy status OOF (out of office), ``tentative`` is a tentative event;
attendees of type ``resource`` are rooms; Viva Insights' "Focus time" events count as focus
by their title (the focus pattern).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from focuscal import graph
from focuscal.errors import AuthError, FetchError
from focuscal.graph import instant, mark
from focuscal.model import Attendee, Event, touches
from focuscal.sources import Fetched, Request
from focuscal.timeline import local_instant

SELECT = ("subject,start,end,isAllDay,isCancelled,showAs,responseStatus,attendees,organizer,"
          "type,seriesMasterId,iCalUId,originalStart")
RESPONSE = {"accepted": "ACCEPTED", "organizer": "ACCEPTED", "tentativelyAccepted": "TENTATIVE",
            "declined": "DECLINED", "notResponded": "NEEDS-ACTION"}


def fetch(entry: Any, request: Request) -> Fetched:
    """Events of one Outlook calendar that touch ``request.window`` (UTC)."""
    box = graph.mailbox_for(request.settings, entry.uri)
    try:
        client = graph.connect(request.settings)
        owner = graph.me(client, box)
        out = Fetched(me=(owner,) if owner else ())
        for item in graph.calendar_view(client, box, request.window, select=SELECT,
                                        progress=_progress(request)):
            event = to_event(item, request.tz, box.uri, owner)
            if event is not None and touches(event, request.window):
                out.events.append(event)
    except AuthError as exc:
        if exc.where == box.uri:
            raise
        # The sign-in (or the token cache) failed: say which source needed it.
        where = f"{exc.where}: " if exc.where else ""
        raise AuthError(where + exc.message, where=box.uri, hint=exc.hint) from exc
    return out


def _progress(request: Request) -> Any:
    # A status-line callback (the CLI's bar); a plain flag shows nothing from here.
    return request.progress if callable(request.progress) else None


def _day(value: dict[str, Any], tz: tzinfo, where: str) -> datetime:
    try:
        day = date.fromisoformat(str(value.get("dateTime") or "")[:10])
    except ValueError:
        raise FetchError(f"Microsoft Graph sent a date that cannot be read: {value!r}",
                         where=where) from None
    return local_instant(day, time(0), tz)


def to_event(item: dict[str, Any], tz: tzinfo, where: str, owner: str | None) -> Event | None:
    """One calendarView item -> Event (all-day dates at local midnights of ``tz``).

    ``owner`` is the mailbox's address: the user whose response ``responseStatus`` gives.
    """
    if not item.get("start") or not item.get("end"):
        return None
    all_day = bool(item.get("isAllDay"))
    if all_day:
        start, end = _day(item["start"], tz, where), _day(item["end"], tz, where)
        if end <= start:
            end = local_instant(start.date() + timedelta(days=1), time(0), tz)
    else:
        start, end = instant(item["start"], where), instant(item["end"], where)
        if end < start:
            start, end = end, start
    show_as = str(item.get("showAs") or "busy")
    block = mark(item)
    status = "CANCELLED" if item.get("isCancelled") else (
        "TENTATIVE" if show_as == "tentative" else "CONFIRMED")
    organizer = ((item.get("organizer") or {}).get("emailAddress") or {}).get("address")
    return Event(
        start=start,
        end=end,
        summary=str(item.get("subject") or ""),
        uid=block or _uid(item),
        all_day=all_day,
        status=status,
        transparent=show_as in ("free", "workingElsewhere"),
        attendees=_attendees(item, owner),
        organizer=str(organizer).lower() if organizer else None,
        busy_status="OOF" if show_as == "oof" else None,
        focuscal_block=block is not None,
        source=where,
        recurrence_id=str(item.get("originalStart") or "") or None
        if item.get("type") in ("occurrence", "exception") else None,
    )


def _uid(item: dict[str, Any]) -> str:
    # Graph gives every occurrence its own iCalUId: the series id keeps a series one meeting
    # (the costliest-meetings table counts a series once).
    if item.get("type") in ("occurrence", "exception") and item.get("seriesMasterId"):
        return str(item["seriesMasterId"])
    return str(item.get("iCalUId") or item.get("id") or "")


def _attendees(item: dict[str, Any], owner: str | None) -> tuple[Attendee, ...]:
    """Attendees (rooms marked as resources); the owner's status is the event's
    ``responseStatus``, the one Graph keeps for the mailbox's user."""
    mine = RESPONSE.get(str((item.get("responseStatus") or {}).get("response") or ""))
    people = []
    seen_owner = False
    for person in item.get("attendees") or []:
        address = str(((person.get("emailAddress") or {}).get("address")) or "").lower()
        if not address:
            continue
        is_owner = owner is not None and address == owner
        seen_owner = seen_owner or is_owner
        response = RESPONSE.get(str((person.get("status") or {}).get("response") or ""))
        people.append(Attendee(
            email=address,
            partstat=(mine or response) if is_owner else (response or "NEEDS-ACTION"),
            is_self=is_owner,
            resource=person.get("type") == "resource",
        ))
    if owner and mine and not seen_owner and mine != "ACCEPTED":
        # Graph keeps the user's answer on the event even where the attendee list (as the
        # organizer sent it) does not name the user: a decline must still be seen.
        people.append(Attendee(email=owner, partstat=mine, is_self=True))
    return tuple(people)


def list_calendars(settings: Any, user: str = "me") -> list[dict[str, Any]]:
    """``focuscal calendars outlook``: the mailbox's calendars."""
    return graph.list_calendars(settings, user)
