"""Booking into Outlook against the fake Graph server: the events focuscal creates, booking
twice, interrupted and lost writes, $batch limits and per-request statuses, and what unbook
leaves alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from focuscal.errors import AuthError
from focuscal.model import Block, Interval, block_id
from focuscal.planner import reconcile
from focuscal.sinks import Changes, open_sink
from tests.fakes.graph_server import when
from tests.fakes.graph_week import MARK

WEEK = Interval(datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))


def blocks(sink, count: int, hours: int = 1) -> list[Block]:
    out = []
    for n in range(count):
        start = WEEK.start + timedelta(days=n // 8, hours=8 + n % 8)
        end = start + timedelta(hours=hours)
        out.append(Block(start, end, uid=block_id(sink.target, start, end)))
    return out


def marked(fake) -> list[dict]:
    return [e for e in fake.events()
            if any(p["id"] == MARK for p in e.get("singleValueExtendedProperties", []))]


def test_a_block_is_a_busy_focus_event_without_reminder(fake_graph, settings, signed_in):
    sink = open_sink("outlook:me", settings)
    [block] = blocks(sink, 1)
    applied = sink.apply(Changes(add=(block,)), "Focus time")
    assert applied.added == [block]
    assert applied.failed == []
    [event] = fake_graph.events()
    assert event["subject"] == "Focus time"
    assert event["showAs"] == "busy"
    assert event["categories"] == ["Focus"]
    assert event["isReminderOn"] is False
    assert event["transactionId"] == block.uid
    assert event["singleValueExtendedProperties"] == [{"id": MARK, "value": block.uid}]
    assert fake_graph.requests_to("POST", "/$batch")
    assert not [r for r in fake_graph.log if r.method == "POST" and r.path.endswith("/events")
                and not r.batch]


def test_booking_twice_creates_nothing_twice(fake_graph, settings, signed_in):
    sink = open_sink("outlook:me", settings)
    wanted = blocks(sink, 5)
    sink.apply(Changes(add=tuple(wanted)), "Focus time")
    again = sink.apply(Changes(add=tuple(wanted)), "Focus time")
    assert again.added == []
    assert again.failed == []
    assert len(marked(fake_graph)) == 5
    # even a plan made before the first run finished (the same adds again, concurrently)
    # finds Graph's transactionId: nothing twice
    fresh = open_sink("outlook:me", settings)
    fresh._marked = lambda client, window: []  # as if the calendar had been read before
    late = fresh.apply(Changes(add=tuple(wanted)), "Focus time")
    assert len(late.added) == 5
    assert len(marked(fake_graph)) == 5


def test_an_answer_lost_on_the_way_is_not_booked_twice(fake_graph, tls, signed_in, no_waits):
    import dataclasses

    from tests.outlook.conftest import outlook_settings

    settings = dataclasses.replace(outlook_settings(fake_graph, tls[0]), timeout=1)
    sink = open_sink("outlook:me", settings)
    wanted = blocks(sink, 3)
    # Graph creates the events, then its answer never arrives in time: the batch is sent again
    fake_graph.slow(2.5, method="POST", path="/$batch")
    applied = sink.apply(Changes(add=tuple(wanted)), "Focus time")
    assert sorted(b.uid for b in applied.added) == sorted(b.uid for b in wanted)
    assert len(fake_graph.requests_to("POST", "/$batch")) == 2
    assert len(marked(fake_graph)) == 3


def test_an_interrupted_book_is_finished_by_the_next_run(fake_graph, settings, signed_in,
                                                         no_waits):
    sink = open_sink("outlook:me", settings)
    wanted = blocks(sink, 4)
    fault = fake_graph.fail(503, method="POST", path="/events", after=2, times=None,
                            message="The service is busy.")
    first = sink.apply(Changes(add=tuple(wanted)), "Focus time")
    assert len(first.added) == 2
    assert len(first.failed) == 2
    assert all("Microsoft Graph answered 503: The service is busy." in why
               for _, why in first.failed)
    fault.times = 0
    booked = sink.booked(WEEK)
    changes = reconcile(wanted, booked, sink.target)
    assert len(changes.add) == 2
    assert changes.remove == ()
    second = sink.apply(changes, "Focus time")
    assert len(second.added) == 2
    assert second.failed == []
    assert sorted(e["transactionId"] for e in marked(fake_graph)) == sorted(b.uid
                                                                            for b in wanted)


def test_batches_hold_twenty_and_throttled_parts_are_sent_again(fake_graph, settings,
                                                                 signed_in, no_waits):
    sink = open_sink("outlook:me", settings)
    wanted = blocks(sink, 45)
    fake_graph.fail(429, method="POST", path="/events", retry_after="3", after=5, times=4)
    applied = sink.apply(Changes(add=tuple(wanted)), "Focus time")
    assert len(applied.added) == 45
    assert applied.failed == []
    sizes = [len(r.body["requests"]) for r in fake_graph.requests_to("POST", "/$batch")]
    assert max(sizes) <= 20
    assert sum(sizes) == 45 + 4  # the four throttled parts, once more
    assert 3.0 in no_waits
    assert len(marked(fake_graph)) == 45


def test_unbook_leaves_foreign_and_moved_events_alone(fake_graph, settings, signed_in):
    sink = open_sink("outlook:me", settings)
    keep, drop, moved = blocks(sink, 3)
    sink.apply(Changes(add=(keep, drop, moved)), "Focus time")
    foreign = fake_graph.put_event(subject="Customer call", start=when(drop.start),
                                   end=when(drop.end))
    # someone else's event that carries a mark-like property of its own
    other = "String {00000000-0000-0000-0000-000000000000} Name focuscal"
    fake_graph.put_event(subject="Other tool", start=when(keep.end),
                         end=when(keep.end + timedelta(hours=1)),
                         singleValueExtendedProperties=[{"id": other, "value": drop.uid}])
    [moved_event] = [e for e in marked(fake_graph) if e["transactionId"] == moved.uid]
    fake_graph.move(moved_event["id"], moved.start + timedelta(hours=2),
                    moved.end + timedelta(hours=2))
    booked = sink.booked(WEEK)
    changes = reconcile((), booked, sink.target, {b.uid: "unbook" for b in booked})
    assert sorted(b.uid for b in changes.remove) == sorted([keep.uid, drop.uid])
    assert [b.uid for b in changes.moved] == [moved.uid]
    applied = sink.apply(changes, "Focus time")
    assert sorted(b.uid for b in applied.removed) == sorted([keep.uid, drop.uid])
    left = {e["subject"] for e in fake_graph.events()}
    assert left == {"Customer call", "Other tool", "Focus time"}
    assert foreign["id"] in {e["id"] for e in fake_graph.events()}
    # a block moved by hand between the plan and the delete is left alone too
    [still] = marked(fake_graph)
    stale = Block(moved.start, moved.end, uid=moved.uid)
    again = sink.apply(Changes(remove=(stale,)), "Focus time")
    assert again.removed == []
    assert len(again.failed) == 1
    assert "left alone" in again.failed[0][1]
    assert [e["id"] for e in marked(fake_graph)] == [still["id"]]


def test_read_only_sign_in_cannot_book(fake_graph, settings):
    from focuscal import graph

    graph.sign_in(settings, write=False, browser=False, announce=lambda text: None)
    sink = open_sink("outlook:me", settings)
    assert sink.booked(WEEK) == []  # the dry run reads with the read-only sign-in
    with pytest.raises(AuthError) as info:
        sink.apply(Changes(add=tuple(blocks(sink, 1))), "Focus time")
    assert "run focuscal auth outlook --write" in str(info.value)
    assert fake_graph.events() == []
