"""CalDAV sink: each focus block is one calendar object of its own.

The object's UID and resource name are ``model.block_id(target, start, end)``, and it is
created with ``If-None-Match: *``: a repeated or retried booking finds it there (HTTP 412)
and creates nothing twice. An object is deleted only after it has been read again and still
carries ``X-FOCUSCAL-BLOCK``, the UID and the span it was booked with, and only if it is
unchanged since (``If-Match``). The iCalendar is ``focuscal.ical``'s, as in the ICS sink:
times written in UTC, floating times of blocks edited by hand read in the configured zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin

from focuscal import dav
from focuscal.errors import InputError, RunError
from focuscal.ical import MARK
from focuscal.ical.booked import marked_blocks
from focuscal.ical.write import calendar
from focuscal.model import Block, Interval, Stored, block_id
from focuscal.results import Applied
from focuscal.sinks.base import Sink, each

if TYPE_CHECKING:
    from focuscal.config import Settings


def open_sink(target: str, settings: Settings) -> CalDAVSink:
    """The sink for ``caldav+https://HOST/CALENDAR/``, logging in with the [[calendars]]
    entry of that calendar or server."""
    from focuscal.config import CalendarEntry

    acct = dav.account(CalendarEntry(uri=target), settings)
    return CalDAVSink(target=dav.canonical(target), account=acct, timeout=settings.timeout,
                      tz=settings.timezone or UTC)


@dataclass
class CalDAVSink(Sink[Any]):
    target: str  # caldav+ and the calendar's URL: block ids are derived from it
    account: dav.Account
    timeout: float
    tz: tzinfo = UTC  # reads floating times of blocks edited by hand

    # ------------------------------------------------------------ reading

    def marked(self, window: Interval) -> Iterable[Block]:
        """focuscal's blocks in the objects the server finds for ``window``; UTC."""
        with dav.session(self.account, self.timeout) as client:
            dav.check_calendar(client, self.account, self.timeout)
            resources = dav.calendar_query(client, self.account.url, window.start, window.end,
                                           where=self.account.uri, timeout=self.timeout)
        for resource in resources:
            yield from _blocks(resource.data or "", resource.url, resource.etag, self.tz)

    # ------------------------------------------------------------ writing

    @contextmanager
    def writing(self, applied: Applied) -> Iterator[Any]:
        """One connection for the run's requests, to a calendar checked first."""
        with dav.session(self.account, self.timeout) as client:
            dav.check_calendar(client, self.account, self.timeout)
            yield client

    def remove(self, session: Any, blocks: Sequence[Block], applied: Applied) -> None:
        """Each block on its own: one the server refuses is failed, and the next goes on."""
        for block in blocks:
            each(applied, block, partial(self._remove, session, block, applied))

    def add(self, session: Any, blocks: Sequence[Block], summary: str,
            applied: Applied) -> None:
        for block in blocks:
            each(applied, block, partial(self._add, session, block, summary, applied))

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
        booked = Block(block.start, block.end, block.reason, uid, Stored(location=href))
        if response.status != 412:
            applied.added.append(booked)
        elif tries > 1 and self._holds(client, href, booked):
            # an earlier try of this very PUT was stored, but its answer was lost on the way
            applied.added.append(booked)
        else:
            # booked by an earlier (perhaps interrupted) run: nothing to add
            applied.already.append(booked)

    def _holds(self, client: Any, href: str, block: Block) -> bool:
        """Whether the object at ``href`` is ``block``, as focuscal booked it."""
        response = self._request(lambda: client.request(href, "GET"), href, ok=(200, 404))
        if response.status == 404:
            return False
        found = _blocks(_text(response), href, response.headers.get("ETag"), self.tz)
        return any(b.uid == block.uid and b.interval == block.interval for b in found)

    def _remove(self, client: Any, block: Block, applied: Applied) -> None:
        stored = block.stored.location if block.stored else ""
        href = stored or (self.href(block.uid) if block.uid else "")
        if not href:
            applied.failed.append((block, "no id: not a block focuscal booked; left alone"))
            return
        response = self._request(lambda: client.request(href, "GET"), href, ok=(200, 404))
        if response.status == 404:
            applied.removed.append(block)  # already gone: nothing left to do
            return
        found = _blocks(_text(response), href, response.headers.get("ETag"), self.tz)
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
    """The iCalendar object of a block: ``ical.write.calendar``'s, as the ICS sink writes it
    (UTC times; the same block always gives the same text)."""
    return calendar([replace(block, uid=uid)], summary)


def _text(response: Any) -> str:
    raw = response._raw if hasattr(response, "_raw") else response.raw
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw or "")


def _blocks(data: str, href: str, etag: str | None, tz: tzinfo) -> list[Block]:
    """focuscal's blocks in one calendar object (``ical.booked.marked_blocks``: UTC, floating
    times in ``tz``); [] when it holds none or is not valid."""
    try:
        return marked_blocks(data, href, tz, version=etag)
    except InputError:  # not ours if we cannot even read it
        return []
