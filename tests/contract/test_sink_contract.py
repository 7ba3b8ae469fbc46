"""The contract every booking sink obeys, written once and run against each backend.

A backend's tests subclass ``SinkContract`` and override two fixtures:

- ``sink``: a fresh, empty target (an object with ``target``, ``booked(window)`` and
  ``apply(changes, summary)``, see ``focuscal.sinks.Sink``);
- ``calendar``: a helper on the same target with
  ``add_foreign(uid, start, end, summary)`` (an event focuscal did not create),
  ``foreign()`` (a comparable snapshot of every event focuscal did not create) and
  ``move(uid, start, end)`` (the user drags a booked block elsewhere, as a calendar app would:
  same uid, same mark, new times).

Times are aware datetimes; the contract compares them as instants.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from focuscal.model import Block, Interval, block_id
from focuscal.planner import reconcile
from focuscal.sinks import Changes

WEEK = Interval(datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))


def span(day: int, hour: int, hours: int = 3) -> tuple[datetime, datetime]:
    start = WEEK.start + timedelta(days=day, hours=hour)
    return start, start + timedelta(hours=hours)


class SinkContract:
    """Subclass and override ``sink`` and ``calendar``."""

    SUMMARY = "Focus time"

    @pytest.fixture
    def sink(self) -> Any:
        raise NotImplementedError("override the sink fixture")

    @pytest.fixture
    def calendar(self, sink: Any) -> Any:
        raise NotImplementedError("override the calendar fixture")

    # ------------------------------------------------------------ helpers

    def block(self, sink: Any, day: int, hour: int, hours: int = 3) -> Block:
        start, end = span(day, hour, hours)
        return Block(start, end, uid=block_id(sink.target, start, end))

    def book(self, sink: Any, *blocks: Block) -> Any:
        return sink.apply(Changes(add=tuple(blocks)), self.SUMMARY)

    @staticmethod
    def spans(blocks: list[Block]) -> list[tuple[str, datetime, datetime]]:
        return sorted((b.uid, b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in blocks)

    # ------------------------------------------------------------ the contract

    def test_booked_finds_only_marked_blocks(self, sink, calendar):
        calendar.add_foreign("meeting-1@example.com", *span(0, 14, 1), "Customer call")
        calendar.add_foreign("focus-by-hand@example.com", *span(1, 13, 2), "Focus: slides")
        assert sink.booked(WEEK) == []
        mine = self.block(sink, 2, 14)
        self.book(sink, mine)
        assert self.spans(sink.booked(WEEK)) == self.spans([mine])

    def test_apply_adds_blocks_under_their_deterministic_ids(self, sink, calendar):
        blocks = [self.block(sink, 0, 14), self.block(sink, 3, 15, 2)]
        applied = self.book(sink, *blocks)
        assert self.spans(applied.added) == self.spans(blocks)
        assert applied.failed == []
        booked = sink.booked(WEEK)
        assert self.spans(booked) == self.spans(blocks)
        assert all(b.uid == block_id(sink.target, b.start, b.end) for b in booked)

    def test_reapplying_adds_nothing(self, sink, calendar):
        blocks = [self.block(sink, 0, 14), self.block(sink, 1, 14)]
        self.book(sink, *blocks)
        again = self.book(sink, *blocks)
        assert again.added == []
        assert self.spans(sink.booked(WEEK)) == self.spans(blocks)

    def test_remove_removes_only_the_named_marked_blocks(self, sink, calendar):
        calendar.add_foreign("standup@example.com", *span(0, 13, 1), "Standup")
        before = calendar.foreign()
        keep, drop = self.block(sink, 0, 15), self.block(sink, 1, 14)
        self.book(sink, keep, drop)
        applied = sink.apply(Changes(remove=(drop,)), self.SUMMARY)
        assert [b.uid for b in applied.removed] == [drop.uid]
        assert self.spans(sink.booked(WEEK)) == self.spans([keep])
        assert calendar.foreign() == before

    def test_unmarked_events_are_never_touched(self, sink, calendar):
        start, end = span(2, 14)
        same_id = block_id(sink.target, start, end)
        calendar.add_foreign(same_id, start, end, "Focus time")  # looks like ours, is not
        before = calendar.foreign()
        impostor = Block(start, end, uid=same_id)
        sink.apply(Changes(remove=(impostor,)), self.SUMMARY)
        assert calendar.foreign() == before
        assert sink.booked(WEEK) == []

    def test_a_block_moved_by_hand_is_reported_and_left_alone(self, sink, calendar):
        block = self.block(sink, 1, 14)
        self.book(sink, block)
        new_start, new_end = span(1, 16, 2)
        calendar.move(block.uid, new_start, new_end)
        booked = sink.booked(WEEK)
        assert self.spans(booked) == [(block.uid, new_start, new_end)]
        changes = reconcile([self.block(sink, 3, 14)], booked, sink.target)
        assert [b.uid for b in changes.moved] == [block.uid]
        assert changes.remove == ()
        sink.apply(changes, self.SUMMARY)
        uids = {b.uid for b in sink.booked(WEEK)}
        assert block.uid in uids
        assert len(uids) == 2

    def test_booked_only_returns_blocks_touching_the_window(self, sink, calendar):
        inside, outside = self.block(sink, 1, 14), self.block(sink, 9, 14)
        self.book(sink, inside, outside)
        assert self.spans(sink.booked(WEEK)) == self.spans([inside])
        later = Interval(WEEK.end, WEEK.end + timedelta(days=7))
        assert self.spans(sink.booked(later)) == self.spans([outside])

    def test_a_block_booked_already_is_reported_as_such(self, sink, calendar):
        """A block another run booked is neither added again nor failed: it is already."""
        first, second = self.block(sink, 0, 14), self.block(sink, 2, 9, 2)
        self.book(sink, first)
        applied = self.book(sink, first, second)
        assert self.spans(applied.already) == self.spans([first])
        assert self.spans(applied.added) == self.spans([second])
        assert applied.failed == []
        assert self.spans(sink.booked(WEEK)) == self.spans([first, second])

    def test_blocks_touching_the_window_edges_only_from_inside(self, sink, calendar):
        """The window is half-open: a block ending at its start or starting at its end is
        outside; the blocks come sorted by start."""
        before = Block(WEEK.start - timedelta(hours=2), WEEK.start,
                       uid=block_id(sink.target, WEEK.start - timedelta(hours=2), WEEK.start))
        after = Block(WEEK.end, WEEK.end + timedelta(hours=2),
                      uid=block_id(sink.target, WEEK.end, WEEK.end + timedelta(hours=2)))
        inside = [self.block(sink, 4, 14), self.block(sink, 0, 9), self.block(sink, 6, 21, 3)]
        self.book(sink, before, after, *inside)
        booked = sink.booked(WEEK)
        assert [b.uid for b in booked] == [b.uid for b in sorted(inside, key=lambda b: b.start)]

    def test_nothing_to_change_touches_nothing(self, sink, calendar):
        calendar.add_foreign("standup@example.com", *span(0, 13, 1), "Standup")
        before = calendar.foreign()
        applied = sink.apply(Changes(), self.SUMMARY)
        assert (applied.added, applied.removed, applied.failed, applied.already) == (
            [], [], [], [])
        assert calendar.foreign() == before


# ---------------------------------------------------------------- the ICS backends


class IcsCalendar:
    """The user's side of an ICS target: events written by another program, edited by hand."""

    def __init__(self, path) -> None:
        self.path = path

    def _files(self):
        if self.path.is_dir():
            return sorted(self.path.glob("*.ics"))
        return [self.path] if self.path.exists() else []

    def add_foreign(self, uid: str, start: datetime, end: datetime, summary: str) -> None:
        import re

        event = (
            f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260301T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:{summary}\r\nEND:VEVENT\r\n"
        )
        if self.path.is_dir() or str(self.path).endswith("/"):
            self.path.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]", "_", uid)
            (self.path / f"{name}.ics").write_text(
                f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//other//EN\r\n{event}END:VCALENDAR\r\n",
                newline="",
            )
            return
        if not self.path.exists():
            self.path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//other//EN\r\n"
                                 "END:VCALENDAR\r\n", newline="")
        text = self.path.read_text()
        self.path.write_text(text.replace("END:VCALENDAR", event + "END:VCALENDAR"), newline="")

    def foreign(self) -> list[str]:
        """The raw text of every VEVENT without focuscal's mark."""
        out = []
        for file in self._files():
            text = file.read_bytes().decode()
            for chunk in text.split("BEGIN:VEVENT")[1:]:
                body = chunk.split("END:VEVENT")[0]
                if "X-FOCUSCAL-BLOCK" not in body:
                    out.append(body)
        return sorted(out)

    def move(self, uid: str, start: datetime, end: datetime) -> None:
        import re

        for file in self._files():
            text = file.read_bytes().decode()
            if f"UID:{uid}" not in text:
                continue
            parts = text.split("BEGIN:VEVENT")
            for n, chunk in enumerate(parts):
                if f"UID:{uid}" in chunk:
                    chunk = re.sub(r"DTSTART:\w+", f"DTSTART:{start:%Y%m%dT%H%M%SZ}", chunk)
                    chunk = re.sub(r"DTEND:\w+", f"DTEND:{end:%Y%m%dT%H%M%SZ}", chunk)
                    parts[n] = chunk
            file.write_bytes("BEGIN:VEVENT".join(parts).encode())


class TestIcsFile(SinkContract):
    @pytest.fixture
    def sink(self, tmp_path):
        from focuscal.config import Settings
        from focuscal.sinks import open_sink

        return open_sink(f"ics:{tmp_path / 'calendar.ics'}", Settings())

    @pytest.fixture
    def calendar(self, sink):
        return IcsCalendar(sink.path)


class TestIcsFolder(SinkContract):
    @pytest.fixture
    def sink(self, tmp_path):
        from focuscal.config import Settings
        from focuscal.sinks import open_sink

        (tmp_path / "vdir").mkdir()
        return open_sink(f"ics:{tmp_path / 'vdir'}", Settings())

    @pytest.fixture
    def calendar(self, sink):
        return IcsCalendar(sink.path)
