"""Microsoft 365 / Outlook sink: books focus blocks into ``outlook:me`` (or ``/CALENDAR_ID``).

Each block is an event shown as busy, category Focus, without a reminder, marked by focuscal's
single-value extended property whose value is ``model.block_id(target, start, end)``. That id
is also the event's ``transactionId``: Graph answers a repeated POST with the event it already
has, so a retried or interrupted run never books a block twice. Only marked events whose times
still match their id (unchanged since booking) are ever deleted. Creates and deletes go in
``$batch`` requests of 20, each part's status read on its own; what fails is reported block by
block and a later run finishes the job.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from focuscal import graph
from focuscal.graph import calendar_view, instant, mark
from focuscal.model import Block, Interval, block_id
from focuscal.results import Applied
from focuscal.sinks.base import Sink, fail

CATEGORY = "Focus"
BOOKED_SELECT = "subject,start,end,isAllDay"
NOTE = "Booked by focuscal. `focuscal unbook` removes it; nothing else in this calendar is touched."


def open_sink(target: str, settings: Any) -> OutlookSink:
    box = graph.mailbox_for(settings, target.strip())
    return OutlookSink(box, settings)


class OutlookSink(Sink[graph.Client]):
    def __init__(self, box: graph.Mailbox, settings: Any) -> None:
        self.box = box
        self.target = box.uri
        self.settings = settings
        self._reader: graph.Client | None = None
        self._writer: graph.Client | None = None

    @property
    def reader(self) -> graph.Client:
        if self._reader is None:
            # The dry run needs no write access.
            self._reader = graph.connect(self.settings)
        return self._reader

    @property
    def writer(self) -> graph.Client:
        if self._writer is None:
            self._writer = graph.connect(self.settings, write=True)
        return self._writer

    # ------------------------------------------------------------ reading

    def marked(self, window: Interval) -> list[Block]:
        """focuscal's own blocks around ``window`` (found by the extended property)."""
        return [block for block, _ in self._marked(self.reader, window)]

    def _marked(self, client: graph.Client, window: Interval) -> list[tuple[Block, str]]:
        """(block, Graph event id) of every marked timed event around ``window``."""
        out = []
        for item in calendar_view(client, self.box, window, select=BOOKED_SELECT):
            uid = mark(item)
            if uid is None or item.get("isAllDay") or not item.get("id"):
                continue
            start = instant(item["start"], self.target)
            end = instant(item["end"], self.target)
            out.append((Block(start, end, reason=str(item.get("subject") or ""), uid=uid),
                        str(item["id"])))
        return out

    # ------------------------------------------------------------ writing

    @contextmanager
    def writing(self, applied: Applied) -> Iterator[graph.Client]:
        """A client with write access."""
        yield self.writer

    def remove(self, session: graph.Client, blocks: Sequence[Block],
               applied: Applied) -> None:
        """Delete ``blocks`` in batches, only marked events unchanged since booking."""
        span = Interval(min(b.start for b in blocks), max(b.end for b in blocks))
        # Read again just before deleting: only an event that still carries the mark, the id
        # and the times focuscal gave it is deleted.
        found = {block.uid: (block, event_id) for block, event_id in self._marked(session, span)}
        parts, by_key = [], {}
        for n, block in enumerate(blocks):
            there = found.get(block.uid)
            if there is None or not _unchanged(there[0], self.target):
                applied.failed.append((block, "not a focuscal block in this calendar, or "
                                              "changed since it was booked: left alone"))
                continue
            key = str(n)
            by_key[key] = block
            parts.append(graph.Part(key, "DELETE",
                                    f"{self.box.path}/events/{graph.quote(there[1])}"))
        for key, answer in session.batch(parts, self.target).items():
            # 404: deleted already (by a retry whose answer was lost, or by the user)
            if answer.error is None or answer.status == 404:
                applied.removed.append(by_key[key])
            else:
                fail(applied, by_key[key], answer.error)

    def add(self, session: graph.Client, blocks: Sequence[Block], summary: str,
            applied: Applied) -> None:
        """Create ``blocks`` in batches; one in the calendar already is not created again."""
        span = Interval(min(b.start for b in blocks), max(b.end for b in blocks))
        # A block already in the calendar (booked by an earlier run, perhaps one that was
        # interrupted after Graph created it) is not booked again.
        there = {block.uid for block, _ in self._marked(session, span)}
        parts, by_key = [], {}
        for n, block in enumerate(blocks):
            uid = block_id(self.target, block.start, block.end)
            if uid in there:
                applied.already.append(block)
                continue
            key = str(n)
            by_key[key] = block
            parts.append(graph.Part(key, "POST", f"{self.box.calendar_path}/events",
                                    _body(uid, block, summary)))
        for key, answer in session.batch(parts, self.target).items():
            block = by_key[key]
            if answer.error is not None:
                fail(applied, block, answer.error)
                continue
            event = answer.body or {}
            if not _same_span(event, block, self.target):
                # The transactionId named an event that was booked, then moved by hand.
                applied.failed.append((block, "booked before and moved by hand since: left "
                                              "alone"))
                continue
            applied.added.append(block)


def _body(uid: str, block: Block, summary: str) -> dict[str, Any]:
    return {
        "subject": summary,
        "start": _when(block.start),
        "end": _when(block.end),
        "showAs": "busy",
        "categories": [CATEGORY],
        "isReminderOn": False,
        "responseRequested": False,
        "body": {"contentType": "text", "content": NOTE},
        "transactionId": uid,
        "singleValueExtendedProperties": [{"id": graph.MARK, "value": uid}],
    }


def _when(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": "UTC"}


def _unchanged(block: Block, target: str) -> bool:
    return block.uid == block_id(target, block.start, block.end)


def _same_span(event: dict[str, Any], block: Block, target: str) -> bool:
    try:
        start = instant(event["start"], target)
        end = instant(event["end"], target)
    except (KeyError, TypeError):
        return True  # nothing to compare with: Graph created what was asked
    return start == block.start and end == block.end
