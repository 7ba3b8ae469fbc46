"""Google Calendar sink: books focus blocks as Focus Time events into ``google:CALENDAR_ID``.

Each block is an event with ``eventType: focusTime`` (auto-decline and chat status from
``[google]``), opaque, marked ``extendedProperties.private.focuscal = "1"``, under the id
``model.block_id(target, start, end)``: a retried insert answered 409 is a block already booked.
Calendars that refuse Focus Time (anything but a Workspace user's primary calendar) get
ordinary opaque events with the same mark, and the run says so. Only marked events are ever
deleted. Inserts and deletes go in batch requests; what fails is reported block by block and a
later run finishes the job.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from focuscal import googleapi
from focuscal.errors import FocuscalError
from focuscal.model import Block, Interval, Stored, block_id
from focuscal.results import Applied
from focuscal.sinks.base import Sink, fail

MARK = "focuscal=1"
AUTO_DECLINE = {"none": "declineNone", "new": "declineOnlyNewConflictingInvitations",
                "all": "declineAllConflictingInvitations"}
BOOKED_FIELDS = "nextPageToken,items(id,summary,start,end,status,extendedProperties/private)"


def open_sink(target: str, settings: Any) -> GoogleSink:
    return GoogleSink(target.strip(), googleapi.calendar_id(target), settings)


class GoogleSink(Sink[googleapi.Client]):
    def __init__(self, target: str, calendar: str, settings: Any) -> None:
        self.target = target
        self.calendar = calendar
        self.settings = settings
        self.focus_time = True  # until the calendar refuses Focus Time events
        self._client: googleapi.Client | None = None

    @property
    def client(self) -> googleapi.Client:
        if self._client is None:
            # Reading booked blocks (the dry run) needs no write access from a user's token;
            # a service account asks for the scopes it will need up front.
            self._client = googleapi.connect(
                self.settings, write=self.settings.google.credentials == "service_account")
        return self._client

    # ------------------------------------------------------------ reading

    def marked(self, window: Interval) -> list[Block]:
        """focuscal's own blocks around ``window`` (found by the private property)."""
        client = self.client
        listing = client.list_all(client.service.events().list, {
            "calendarId": self.calendar, "privateExtendedProperty": MARK, "singleEvents": True,
            "timeMin": window.start.astimezone(UTC).isoformat(),
            "timeMax": window.end.astimezone(UTC).isoformat(),
            "maxResults": googleapi.PAGE_SIZE, "fields": BOOKED_FIELDS}, self.target)
        client.save()
        return [b for b in map(_block, listing.items) if b is not None]

    # ------------------------------------------------------------ writing

    @contextmanager
    def writing(self, applied: Applied) -> Iterator[googleapi.Client]:
        """Credentials that may write; the refreshed token is saved at the end."""
        googleapi.require_write(self.client.creds, self.target)
        yield self.client
        self.client.save()

    def remove(self, session: googleapi.Client, blocks: Sequence[Block],
               applied: Applied) -> None:
        """Delete ``blocks`` in batches, only those still marked as focuscal's."""
        span = Interval(min(b.start for b in blocks), max(b.end for b in blocks))
        marked = {b.uid for b in self.marked(span)}
        requests = []
        for block in blocks:
            if block.uid not in marked:
                applied.failed.append((block, "not a focuscal block in this calendar: left "
                                              "alone"))
                continue
            requests.append((block.uid, session.service.events().delete(
                calendarId=self.calendar, eventId=block.uid)))
        by_uid = {b.uid: b for b in blocks}
        for key, (_, error) in session.batch(requests, self.target).items():
            self._stop_on_auth(error)
            # 404 and 410: someone deleted it already, which is what was asked for
            if error is None or googleapi.status_of(error) in (404, 410):
                applied.removed.append(by_uid[key])
            else:
                applied.failed.append((by_uid[key], _reason(error, self.target, self.settings)))

    def add(self, session: googleapi.Client, blocks: Sequence[Block], summary: str,
            applied: Applied) -> None:
        """Insert ``blocks`` in batches; a 409 is a block booked already (or, when this run
        sent it before and lost the answer, booked by this run)."""
        by_id = {block_id(self.target, b.start, b.end): b for b in blocks}
        pending = dict(by_id)
        resent: set[str] = set()
        while pending:
            answers = session.batch(
                [(eid, self._insert(eid, b, summary)) for eid, b in pending.items()],
                self.target, resent=resent)
            refused = {}
            for eid, (_, error) in answers.items():
                block = pending[eid]
                self._stop_on_auth(error)
                if error is None:
                    applied.added.append(block)
                elif googleapi.status_of(error) == 409:
                    self._already_there(eid, block, summary, applied, eid in resent)
                elif self.focus_time and googleapi.status_of(error) == 400:
                    refused[eid] = block
                else:
                    applied.failed.append((block, _reason(error, self.target, self.settings)))
            if not refused:
                break
            # The calendar does not take Focus Time events: once per run, book ordinary busy
            # events with the same mark instead, and say so.
            self.focus_time = False
            applied.notes.append(
                f"{self.target} does not accept Focus Time events (only the primary calendar "
                "of a Google Workspace user does): booked ordinary busy events marked as "
                "focuscal's instead")
            pending = refused

    def _stop_on_auth(self, error: Any) -> None:
        """Credentials that cannot write fail every part alike: one clear error instead."""
        status = googleapi.status_of(error)
        if status == 401 or (status == 403 and "scope" in googleapi.message(error).lower()):
            raise googleapi.describe(error, self.target, self.settings)

    def _insert(self, eid: str, block: Block, summary: str) -> Any:
        return self.client.service.events().insert(calendarId=self.calendar,
                                                   body=self._body(eid, block, summary))

    def _body(self, eid: str, block: Block, summary: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": eid,
            "summary": summary,
            "start": _when(block.start),
            "end": _when(block.end),
            "transparency": "opaque",
            "extendedProperties": {"private": {"focuscal": "1"}},
            "description": "Booked by focuscal. `focuscal unbook` removes it; nothing else "
                           "in this calendar is touched.",
        }
        if self.focus_time:
            google = self.settings.google
            properties = {"autoDeclineMode": AUTO_DECLINE[google.auto_decline],
                          "chatStatus": google.chat_status}
            if google.auto_decline != "none":
                properties["declineMessage"] = google.decline_message
            body["eventType"] = "focusTime"
            body["focusTimeProperties"] = properties
        return body

    def _already_there(self, eid: str, block: Block, summary: str, applied: Applied,
                       resent: bool) -> None:
        """409: the id exists. A live marked event is the block booked by an earlier (perhaps
        interrupted) run: ``already``, unless this run sent the insert before and lost the
        answer (``resent``): then this run booked it. A live event without the mark is not
        focuscal's and is left alone. A deleted one (an earlier unbook) is restored, since
        Google never frees a used id."""
        client = self.client
        try:
            event = client.call(client.service.events().get(
                calendarId=self.calendar, eventId=eid,
                fields="id,status,extendedProperties/private"), self.target)
            if event.get("status") != "cancelled":
                if not _is_marked(event):
                    applied.failed.append((block, "an event focuscal did not book has its id: "
                                                  "left alone"))
                elif resent:
                    applied.added.append(block)
                else:
                    applied.already.append(block)
                return
            client.call(client.service.events().update(
                calendarId=self.calendar, eventId=eid,
                body={**self._body(eid, block, summary), "status": "confirmed"}), self.target)
        except FocuscalError as exc:
            fail(applied, block, exc)
            return
        applied.added.append(block)


def _when(moment: datetime) -> dict[str, str]:
    out = {"dateTime": moment.isoformat()}
    zone = getattr(moment.tzinfo, "key", None)
    if zone:
        out["timeZone"] = zone
    return out


def _is_marked(item: dict[str, Any]) -> bool:
    private = (item.get("extendedProperties") or {}).get("private") or {}
    return bool(private.get("focuscal") == "1")


def _block(item: dict[str, Any]) -> Block | None:
    start, end = item.get("start") or {}, item.get("end") or {}
    if not _is_marked(item) or "dateTime" not in start or "dateTime" not in end:
        return None
    return Block(start=datetime.fromisoformat(start["dateTime"]),
                 end=datetime.fromisoformat(end["dateTime"]), uid=item["id"],
                 stored=Stored(location=item["id"], summary=item.get("summary", "")))


def _reason(error: Any, target: str, settings: Any) -> str:
    """Why one part of a batch failed, in the words of the one-line errors."""
    status = googleapi.status_of(error)
    if status:
        return f"Google answered {status}: {googleapi.message(error)}"
    return googleapi.describe(error, target, settings).message
