"""CalDAV source: the calendar objects of one collection that touch the window.

The server is asked for the window only (a calendar-query REPORT with a time-range), but it is
never asked to expand recurrences: each object comes back whole and is expanded by the same code
as an ICS file (``sources.ics.parse``), so identical events give identical numbers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from focuscal import dav
from focuscal.errors import InputError
from focuscal.ical.read import EMAIL
from focuscal.model import Event
from focuscal.sources import Fetched, Request, ics

if TYPE_CHECKING:
    from focuscal.config import CalendarEntry, Settings

# The server matches floating times and all-day dates in its own zone (often UTC); asking for a
# day more on each side and filtering here, in the analysis zone, loses nothing.
MARGIN = timedelta(days=1)
FREE_BUSY_SOURCE = "caldav-freebusy"


def fetch(entry: CalendarEntry, request: Request) -> Fetched:
    """Event instances of the calendar ``entry.uri`` that touch ``request.window`` (UTC)."""
    acct = dav.account(entry, request.settings)
    timeout = request.settings.timeout
    out = Fetched()
    with dav.session(acct, timeout) as client:
        props = dav.check_calendar(client, acct, timeout)
        name = str(props.get(dav.DISPLAYNAME) or "").strip()
        objects = dav.calendar_query(
            client, acct.url, request.window.start - MARGIN, request.window.end + MARGIN,
            where=acct.uri, timeout=timeout,
        )
        for obj in objects:
            if not obj.data:
                out.warnings.append(f"{obj.url}: the server sent no calendar data; skipped")
                continue
            try:
                out.extend(ics.parse(obj.data.encode("utf-8"), obj.url, request.window,
                                     request.tz, limit=request.settings.max_instances))
            except InputError as exc:
                # One broken object on a shared server must not hide the whole calendar.
                out.warnings.append(f"{exc}; skipped")
        me = _address(name) or _principal_address(client, props, acct, timeout)
    if me:
        out.me = tuple(dict.fromkeys((me, *out.me)))
    return out


def free_busy(entry: CalendarEntry, request: Request) -> Fetched | None:
    """The busy times of the calendar ``entry.uri`` that touch ``request.window`` (UTC), by
    a free-busy-query REPORT: one event per busy period, tentative (BUSY-TENTATIVE) or out of
    office (BUSY-UNAVAILABLE, as Exchange marks it) where the server says so. None when the
    server offers no free-busy-query (the caller may read the calendar instead)."""
    from focuscal.ical.freebusy import TENTATIVE, UNAVAILABLE

    acct = dav.account(entry, request.settings)
    timeout = request.settings.timeout
    with dav.session(acct, timeout) as client:
        try:
            periods = dav.free_busy_query(client, acct.url, request.window.start,
                                          request.window.end, where=acct.uri, timeout=timeout)
        except dav.NoFreeBusy:
            return None
    return Fetched(events=[
        Event(start=p.start, end=p.end, source=FREE_BUSY_SOURCE,
              status="TENTATIVE" if p.kind == TENTATIVE else None,
              busy_status="OOF" if p.kind == UNAVAILABLE else None) for p in periods])


def _address(text: str) -> str | None:
    text = text.strip().lower().removeprefix("mailto:")
    return text if EMAIL.match(text) else None


def _principal_address(client: Any, props: dict[str, Any], acct: dav.Account,
                       timeout: float) -> str | None:
    """The user's first mailto: address from the principal's calendar-user-address-set (the
    CalDAV counterpart of the Google account); None when the server does not say."""
    principal = props.get(dav.CURRENT_USER_PRINCIPAL)
    if not isinstance(principal, str) or not principal:
        return None
    url = urljoin(acct.url, principal)
    try:
        answers = dav.properties(client, url, [dav.ADDRESS_SET], timeout=timeout)
    except Exception:  # best effort: the address only helps to recognise declined invitations
        return None
    for found in answers.values():
        values = found.get(dav.ADDRESS_SET) or []
        for value in [values] if isinstance(values, str) else values:
            if str(value).lower().startswith("mailto:") and (addr := _address(str(value))):
                return addr
    return None


# ---------------------------------------------------------------- focuscal calendars


COMPONENTS = "{urn:ietf:params:xml:ns:caldav}supported-calendar-component-set"


def list_calendars(uri: str, settings: Settings) -> list[dict[str, str]]:
    """The calendars of the account that ``uri`` (a server, home or calendar URL) logs into:
    rows of ``uri`` (to use as a source or target), ``name`` and ``components`` (VEVENT, ...)."""
    from focuscal.config import CalendarEntry

    acct = dav.account(CalendarEntry(uri=uri), settings)
    timeout = settings.timeout
    with dav.session(acct, timeout) as client:
        principal = dav.call(client.principal, where=acct.uri, timeout=timeout)
        home = dav.call(lambda: principal.calendar_home_set, where=acct.uri, timeout=timeout)
        home_url = str(home.url)
        answers = dav.properties(
            client, home_url, [dav.RESOURCETYPE, dav.DISPLAYNAME, COMPONENTS], depth=1,
            timeout=timeout,
        )
    out = []
    for href, props in answers.items():
        kinds = props.get(dav.RESOURCETYPE) or []
        if dav.CALENDAR not in ([kinds] if isinstance(kinds, str) else kinds):
            continue
        components = props.get(COMPONENTS) or ()
        if isinstance(components, str):
            components = (components,)
        url = urljoin(home_url, href)
        out.append({"uri": "caldav+" + url, "name": str(props.get(dav.DISPLAYNAME) or ""),
                    "components": ", ".join(str(c) for c in components)})
    return sorted(out, key=lambda c: (c["name"].lower(), c["uri"]))
