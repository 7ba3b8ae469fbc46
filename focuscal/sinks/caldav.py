"""CalDAV sink: each focus block is one calendar object of its own.

The object's UID and resource name are ``model.block_id(target, start, end)``, and it is
created with ``If-None-Match: *``: a repeated or retried booking finds it there (HTTP 412)
and creates nothing twice. An object is deleted only after it has been read again and still
carries ``X-FOCUSCAL-BLOCK``, the UID and the span it was booked with, and only if it is
unchanged since (``If-Match``). Times are written in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from focuscal import dav
from focuscal.errors import AuthError, InputError, RunError
from focuscal.model import Block, Interval, block_id
from focuscal.sinks import Applied, Changes

if TYPE_CHECKING:
    from focuscal.config import Settings

CATEGORY = "Focus"
MARK = "X-FOCUSCAL-BLOCK"


def open_sink(target: str, settings: Settings) -> CalDAVSink:
    """The sink for ``caldav+https://HOST/CALENDAR/``, logging in with the [[calendars]]
    entry of that calendar or server."""
    from focuscal.config import CalendarEntry

    acct = dav.account(CalendarEntry(uri=target), settings)
    return CalDAVSink(target=dav.canonical(target), account=acct, timeout=settings.timeout)


@dataclass
class CalDAVSink:
    target: str  # caldav+ and the calendar's URL: block ids are derived from it
    account: dav.Account
    timeout: float

    # ------------------------------------------------------------ reading

    def booked(self, window: Interval) -> list[Block]:
        """focuscal's blocks that touch ``window`` (aware, any zone); times in UTC."""
        with dav.session(self.account, self.timeout) as client:
            dav.check_calendar(client, self.account, self.timeout)
            resources = dav.calendar_query(client, self.account.url, window.start, window.end,
                                           where=self.account.uri, timeout=self.timeout)
        out = []
        for resource in resources:
            for block in _blocks(resource.data or "", resource.url, resource.etag):
                if block.interval.overlaps(window):
                    out.append(block)
        return sorted(out, key=lambda b: (b.start, b.end, b.uid))

    # ------------------------------------------------------------ writing

    def apply(self, changes: Changes, summary: str) -> Applied:
        """Remove ``changes.remove``, then add ``changes.add``. A block the server refuses is
        reported in ``failed`` and the others go on; a refused login stops everything."""
        applied = Applied()
        with dav.session(self.account, self.timeout) as client:
            dav.check_calendar(client, self.account, self.timeout)
            for block in changes.remove:
                self._each(applied, block, lambda b: self._remove(client, b, applied))
            for block in changes.add:
                self._each(applied, block, lambda b: self._add(client, b, summary, applied))
        return applied

    def _each(self, applied: Applied, block: Block, step: Callable[[Block], None]) -> None:
        """One block's change; a failure of the server is that block's, and the next goes on.
        A refused login or a bad calendar URL would fail every block alike: it stops."""
        try:
            step(block)
        except (AuthError, InputError):
            raise
        except RunError as exc:
            applied.failed.append((block, exc.message))

    def _request(self, send: Callable[[], Any], href: str, ok: tuple[int, ...]) -> Any:
        """One request, retried (every request here is safe to repeat) and translated: a
        status outside ``ok`` is raised as the server's refusal, 502/503/504 tried again."""
        return dav.call(lambda: dav.check_status(send(), href, ok=ok, error=RunError),
                        where=href, timeout=self.timeout, error=RunError)

    def href(self, uid: str) -> str:
        return urljoin(self.account.url, quote(uid, safe="") + ".ics")

    def _add(self, client: Any, block: Block, summary: str, applied: Applied) -> None:
        uid = block.uid or block_id(self.target, block.start, block.end)
        href = self.href(uid)
        body = event_text(uid, block, summary)
        headers = {"If-None-Match": "*", "Content-Type": "text/calendar; charset=utf-8"}
        tries = 0

        def put() -> Any:
            nonlocal tries
            tries += 1
            return client.put(href, body, headers)

        # If-None-Match makes the PUT safe to repeat: after a lost answer the retry finds the
        # object there (412) instead of writing it twice.
        response = self._request(put, href, ok=(200, 201, 204, 412))
        booked = Block(block.start, block.end, block.reason, uid, {"href": href})
        if response.status != 412:
            applied.added.append(booked)
        elif tries > 1 and self._holds(client, href, booked):
            # an earlier try of this very PUT was stored, but its answer was lost on the way
            applied.added.append(booked)
        # else: booked by an earlier (perhaps interrupted) run, nothing to add

    def _holds(self, client: Any, href: str, block: Block) -> bool:
        """Whether the object at ``href`` is ``block``, as focuscal booked it."""
        response = self._request(lambda: client.request(href, "GET"), href, ok=(200, 404))
        if response.status == 404:
            return False
        found = _blocks(_text(response), href, response.headers.get("ETag"))
        return any(b.uid == block.uid and b.interval == block.interval for b in found)

    def _remove(self, client: Any, block: Block, applied: Applied) -> None:
        href = block.extra.get("href") or (self.href(block.uid) if block.uid else "")
        if not href:
            applied.failed.append((block, "no id: not a block focuscal booked; left alone"))
            return
        response = self._request(lambda: client.request(href, "GET"), href, ok=(200, 404))
        if response.status == 404:
            applied.removed.append(block)  # already gone: nothing left to do
            return
        found = _blocks(_text(response), href, response.headers.get("ETag"))
        mine = [b for b in found if b.uid == block.uid and b.interval == block.interval]
        if not mine:
            reason = ("moved or changed since it was booked; left alone" if found
                      else f"not marked {MARK}: not a block focuscal booked; left alone")
            applied.failed.append((block, reason))
            return
        etag = response.headers.get("ETag")
        headers = {"If-Match": etag} if etag else {}
        # If-Match makes the DELETE safe to repeat: it removes only the object just read, and
        # a retry after a lost answer finds it gone (404).
        response = self._request(lambda: client.delete(href, headers), href,
                                 ok=(200, 204, 404, 412))
        if response.status in (200, 204, 404):
            applied.removed.append(block)
        else:
            applied.failed.append((block, "changed on the server since it was read; "
                                          "left alone (run again)"))


# ---------------------------------------------------------------- iCalendar


def event_text(uid: str, block: Block, summary: str) -> str:
    """The iCalendar object of a block, with focuscal's mark. Times in UTC; the same block
    always gives the same text."""
    import icalendar

    from focuscal import __version__

    calendar = icalendar.Calendar()
    calendar.add("PRODID", f"-//focuscal//focuscal {__version__}//EN")
    calendar.add("VERSION", "2.0")
    event = icalendar.Event()
    event.add("UID", uid)
    # Derived from the block, as the ICS sink does: no clock is read outside the CLI, and the
    # same block always gives the same bytes.
    event.add("DTSTAMP", block.start.astimezone(UTC))
    event.add("DTSTART", block.start.astimezone(UTC))
    event.add("DTEND", block.end.astimezone(UTC))
    event.add("SUMMARY", summary)
    event.add("TRANSP", "OPAQUE")
    event.add("CATEGORIES", [CATEGORY])
    event.add("DESCRIPTION", "Focus time booked by focuscal. `focuscal unbook` removes it.")
    event.add(MARK, "1")
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _text(response: Any) -> str:
    raw = response._raw if hasattr(response, "_raw") else response.raw
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")


def _marked(component: Any) -> bool:
    value = component.get(MARK)
    return value is not None and str(value).strip().upper() not in ("", "0", "FALSE")


def _blocks(data: str, href: str, etag: str | None) -> list[Block]:
    """focuscal's blocks in one calendar object (UTC); [] when it holds none or is not valid."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception:  # not ours if we cannot even read it
        return []
    out = []
    for component in calendar.walk("VEVENT"):
        if not _marked(component) or component.get("DTSTART") is None:
            continue
        start = component.get("DTSTART").dt
        end = component.get("DTEND").dt if component.get("DTEND") is not None else start
        if not (isinstance(start, datetime) and isinstance(end, datetime)):
            continue  # an all-day event is never a block focuscal booked
        start, end = _utc(start), _utc(end)
        extra = {"href": href, **({"etag": etag} if etag else {})}
        out.append(Block(start, end, "booked", str(component.get("UID", "")), extra))
    return out


def _utc(value: datetime) -> datetime:
    # a floating time in a block is not focuscal's writing; read it as UTC, as written
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
