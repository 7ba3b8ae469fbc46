"""Google Calendar source: ``google:CALENDAR_ID`` (``google:primary`` or an address).

``events.list`` over the window with ``singleEvents=true`` (recurrences expanded by Google),
every page, only the fields focuscal needs; or, with ``[google] sync = true``, the whole calendar
kept in a local cache and brought up to date with sync tokens (see ``google_cache``).
All-day dates become local midnights of ``Request.tz``; timed values keep Google's offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from focuscal import googleapi
from focuscal.errors import InputError
from focuscal.model import Attendee, Event, Interval, touches
from focuscal.sources import Fetched, Request
from focuscal.timeline import local_instant

PARTSTAT = {"needsAction": "NEEDS-ACTION", "declined": "DECLINED", "tentative": "TENTATIVE",
            "accepted": "ACCEPTED"}
# Calendars whose ids look like addresses but belong to no person.
NOT_A_PERSON = ("calendar.google.com",)


def fetch(entry: Any, request: Request) -> Fetched:
    """Events of one Google calendar that touch ``request.window`` (UTC)."""
    cal = googleapi.calendar_id(entry.uri)
    where = f"google:{cal}"
    client = googleapi.connect(request.settings)
    info = client.call(
        client.service.calendars().get(calendarId=cal, fields="id,summary,timeZone"), where)
    on_page = _on_page(where, request)
    if request.settings.google.sync:
        from focuscal.sources import google_cache

        items = google_cache.items(client, info["id"], request, on_page=on_page)
    else:
        items = list_events(client, cal, where, window=request.window, on_page=on_page).items
    client.save()
    out = Fetched()
    me = [info["id"].lower()] if is_person(info["id"]) else []
    for item in items:
        event = to_event(item, request.tz, where)
        if event is None or not touches(event, request.window):
            continue
        out.events.append(event)
        me.extend(a.email for a in event.attendees if a.is_self)
    out.me = tuple(dict.fromkeys(me))
    out.zones = (info["timeZone"],) if info.get("timeZone") else ()
    return out


def is_person(address: str) -> bool:
    return "@" in address and not address.lower().endswith(NOT_A_PERSON)


def list_events(client: googleapi.Client, cal: str, where: str, *, window: Interval,
                on_page: Callable[[int], None] | None = None) -> googleapi.Listing:
    """Every event instance that may touch ``window`` (UTC), every page."""
    # A day of slack on each side: Google reads all-day dates in the calendar's zone, the
    # exact cut in the analysis zone happens after mapping.
    return googleapi.list_events(client, cal, where, time_min=window.start - timedelta(days=1),
                                 time_max=window.end + timedelta(days=1), on_page=on_page)


def _on_page(where: str, request: Request) -> Callable[[int], None] | None:
    """Tells the CLI's progress line (when it shows one) which page is on its way."""
    progress = request.progress
    if progress is None:
        return None
    return lambda pages: progress(f"{where}: page {pages + 1}")


def _instant(value: dict[str, Any], tz: tzinfo, where: str) -> tuple[datetime, bool]:
    if value.get("dateTime"):
        moment = datetime.fromisoformat(value["dateTime"])
        if moment.tzinfo is None:  # Google always sends an offset; be safe anyway
            moment = moment.replace(tzinfo=tz)
        return moment, False
    if value.get("date"):
        return local_instant(date.fromisoformat(value["date"]), time(0), tz), True
    raise InputError("event without a start or end time", where=where)


def to_event(item: dict[str, Any], tz: tzinfo, where: str) -> Event | None:
    """One ``events.list`` item -> Event (all-day dates at local midnights of ``tz``)."""
    if not item.get("start"):
        return None  # deleted instances in a sync carry no times
    try:
        start, all_day = _instant(item["start"], tz, where)
        end = _instant(item["end"], tz, where)[0] if item.get("end") else start
    except ValueError as exc:
        raise InputError(f"event {item.get('id')}: bad time: {exc}", where=where) from None
    if all_day and end <= start:
        end = local_instant(start.date() + timedelta(days=1), time(0), tz)
    if end < start:
        start, end = end, start
    private = (item.get("extendedProperties") or {}).get("private") or {}
    original = item.get("originalStartTime") or {}
    return Event(
        start=start,
        end=end,
        summary=item.get("summary", ""),
        uid=item.get("iCalUID") or item.get("id", ""),
        all_day=all_day,
        status=(item.get("status") or "confirmed").upper(),
        transparent=item.get("transparency") == "transparent",
        attendees=tuple(
            Attendee(email=a["email"].lower(),
                     partstat=PARTSTAT.get(a.get("responseStatus", ""), "NEEDS-ACTION"),
                     is_self=bool(a.get("self")), resource=bool(a.get("resource")))
            for a in item.get("attendees", []) if a.get("email")
        ),
        organizer=((item.get("organizer") or {}).get("email") or "").lower() or None,
        event_type=item.get("eventType"),
        focuscal_block=str(private.get("focuscal", "")).lower() not in ("", "0", "false"),
        source=where,
        recurrence_id=(original.get("dateTime") or original.get("date"))
        if item.get("recurringEventId") else None,
    )


def list_calendars(settings: Any) -> list[dict[str, Any]]:
    """The user's calendars: id, name, primary, access role (``calendarList.list``)."""
    client = googleapi.connect(settings)
    listing = client.list_all(
        client.service.calendarList().list,
        {"fields": "nextPageToken,items(id,summary,summaryOverride,primary,accessRole)"},
        "google calendars")
    client.save()
    return [{"id": item["id"], "name": item.get("summaryOverride") or item.get("summary", ""),
             "primary": bool(item.get("primary")), "access_role": item.get("accessRole", "")}
            for item in listing.items]
