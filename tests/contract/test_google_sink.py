"""The Google sink against the fake server, with hand-made Changes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from focuscal.config import GoogleSettings, Settings
from focuscal.model import Block, Interval, block_id
from focuscal.sinks import Changes, open_sink
from tests.fakes.google_week import NY

TARGET = "google:primary"
WEEK = Interval(datetime(2026, 3, 9, tzinfo=NY), datetime(2026, 3, 16, tzinfo=NY))


def settings_for(fake, **google) -> Settings:
    return Settings(timeout=5, google=GoogleSettings(
        api_endpoint=fake.url, credentials="anonymous", **google))


def blocks(n: int = 3, hour: int = 9) -> tuple[Block, ...]:
    """``n`` two-hour blocks, one a day from Monday 2026-03-09 (then every week)."""
    out = []
    for i in range(n):
        start = datetime(2026, 3, 9, hour, tzinfo=NY) + timedelta(days=i % 5, weeks=i // 5)
        out.append(Block(start, start + timedelta(hours=2), reason="free morning"))
    return tuple(out)


def marked(fake, cal="primary"):
    return [e for e in fake.events(cal) if e.get("extendedProperties")]


def test_books_focus_time_events_with_the_mark_and_deterministic_ids(fake_google):
    settings = settings_for(fake_google, auto_decline="all", chat_status="doNotDisturb")
    sink = open_sink(TARGET, settings)
    wanted = blocks(3)
    applied = sink.apply(Changes(add=wanted), "Focus time")
    assert applied.added == list(wanted)
    assert applied.failed == []
    assert applied.notes == []
    events = {e["id"]: e for e in fake_google.events()}
    for block in wanted:
        event = events[block_id(TARGET, block.start, block.end)]
        assert event["eventType"] == "focusTime"
        assert event["transparency"] == "opaque"
        assert event["extendedProperties"] == {"private": {"focuscal": "1"}}
        assert event["focusTimeProperties"] == {
            "autoDeclineMode": "declineAllConflictingInvitations",
            "chatStatus": "doNotDisturb",
            "declineMessage": "Declined because I am in focus time."}
        assert datetime.fromisoformat(event["start"]["dateTime"]) == block.start
        assert event["start"]["timeZone"] == "America/New_York"
    # inserts went in one batch request
    assert len(fake_google.requests_to("POST", "/batch")) == 1
    found = sink.booked(WEEK)
    assert [(b.start, b.end) for b in found] == [(b.start, b.end) for b in wanted]
    assert [b.uid for b in found] == [block_id(TARGET, b.start, b.end) for b in wanted]


@pytest.mark.parametrize(("setting", "mode"), [
    ("none", "declineNone"), ("new", "declineOnlyNewConflictingInvitations")])
def test_auto_decline_modes(fake_google, setting, mode):
    sink = open_sink(TARGET, settings_for(fake_google, auto_decline=setting))
    sink.apply(Changes(add=blocks(1)), "Focus")
    (event,) = fake_google.events()
    assert event["focusTimeProperties"]["autoDeclineMode"] == mode
    assert ("declineMessage" in event["focusTimeProperties"]) is (setting != "none")


def test_a_repeated_booking_creates_nothing_twice(fake_google):
    sink = open_sink(TARGET, settings_for(fake_google))
    sink.apply(Changes(add=blocks(3)), "Focus time")
    again = open_sink(TARGET, settings_for(fake_google)).apply(Changes(add=blocks(3)), "Focus")
    assert again.added == []  # answered 409: already booked, nothing new
    assert again.failed == []
    assert len(fake_google.events()) == 3


def test_only_marked_events_are_removed(fake_google):
    foreign = fake_google.put_event(summary="Team meeting",
                                    start={"dateTime": "2026-03-09T10:00:00-04:00"},
                                    end={"dateTime": "2026-03-09T11:00:00-04:00"})
    sink = open_sink(TARGET, settings_for(fake_google))
    sink.apply(Changes(add=blocks(2)), "Focus time")
    first, second = sink.booked(WEEK)
    intruder = Block(datetime(2026, 3, 9, 10, tzinfo=NY), datetime(2026, 3, 9, 11, tzinfo=NY),
                     uid=foreign["id"])
    applied = sink.apply(Changes(remove=(first, intruder)), "Focus time")
    assert applied.removed == [first]
    assert [b for b, _ in applied.failed] == [intruder]
    assert "not a focuscal block" in applied.failed[0][1]
    left = {e["id"] for e in fake_google.events()}
    assert left == {foreign["id"], second.uid}


def test_unbook_then_book_again_restores_the_deleted_event(fake_google):
    sink = open_sink(TARGET, settings_for(fake_google))
    sink.apply(Changes(add=blocks(1)), "Focus time")
    sink.apply(Changes(remove=tuple(sink.booked(WEEK))), "Focus time")
    assert fake_google.events() == []
    applied = sink.apply(Changes(add=blocks(1)), "Focus time")
    assert applied.added == list(blocks(1))
    (event,) = fake_google.events()
    assert event["status"] == "confirmed"
    assert len(sink.booked(WEEK)) == 1


def test_calendar_without_focus_time_gets_ordinary_busy_events(fake_google):
    fake_google.add_calendar("team@group.calendar.google.com", focus_time=False)
    sink = open_sink("google:team@group.calendar.google.com", settings_for(fake_google))
    applied = sink.apply(Changes(add=blocks(7)), "Focus time")
    assert len(applied.added) == 7
    assert applied.failed == []
    assert len(applied.notes) == 1
    assert "does not accept Focus Time" in applied.notes[0]
    events = fake_google.events("team@group.calendar.google.com")
    assert len(events) == 7
    assert {e["eventType"] for e in events} == {"default"}
    assert all(e["transparency"] == "opaque" for e in events)
    assert all(e["extendedProperties"]["private"]["focuscal"] == "1" for e in events)
    # the fallback happened once: one refused batch, then plain batches
    focus_posts = [r for r in fake_google.requests_to("POST", "/events")
                   if r.body.get("eventType") == "focusTime"]
    assert len(focus_posts) == 7
    assert sink.apply(Changes(add=blocks(7)), "Focus time").notes == []  # already booked


def test_many_changes_go_in_batches_of_fifty(fake_google):
    sink = open_sink(TARGET, settings_for(fake_google))
    applied = sink.apply(Changes(add=blocks(60, hour=6)), "Focus time")
    assert len(applied.added) == 60
    assert len(fake_google.requests_to("POST", "/batch")) == 2
    inserts = fake_google.requests_to("POST", "/events")
    assert all(r.batch for r in inserts)
    assert len(inserts) == 60


def test_rate_limited_parts_of_a_batch_are_sent_again(fake_google, no_backoff):
    fake_google.fail(429, method="POST", path="/events", after=1, times=2)
    applied = open_sink(TARGET, settings_for(fake_google)).apply(Changes(add=blocks(4)), "F")
    assert len(applied.added) == 4
    assert applied.failed == []
    assert len(no_backoff) == 1
    assert len(fake_google.events()) == 4


def test_interrupted_booking_then_a_rerun_books_everything_once(fake_google, no_backoff):
    wanted = blocks(6)
    # the server breaks down after two inserts and stays down for this run
    fault = fake_google.fail(500, method="POST", path="/events", after=2, times=None)
    first = open_sink(TARGET, settings_for(fake_google, retries=2)).apply(
        Changes(add=wanted), "Focus time")
    assert len(first.added) == 2
    assert sorted(b.start for b, _ in first.failed) == sorted(
        b.start for b in wanted if b not in first.added)
    assert all("Google answered 500" in reason for _, reason in first.failed)
    assert len(fake_google.events()) == 2
    fault.times = 0  # the server is back
    second = open_sink(TARGET, settings_for(fake_google)).apply(Changes(add=wanted), "Focus")
    assert second.failed == []
    assert sorted(b.start for b in second.added) == sorted(b.start for b, _ in first.failed)
    events = fake_google.events()
    assert len(events) == 6
    assert sorted(e["id"] for e in events) == sorted(
        block_id(TARGET, b.start, b.end) for b in wanted)


def test_a_failing_batch_request_is_retried_then_reported(fake_google, no_backoff):
    from focuscal.errors import FetchError

    fake_google.fail(503, path="/batch", times=None, message="Service Unavailable")
    sink = open_sink(TARGET, settings_for(fake_google, retries=2))
    with pytest.raises(FetchError, match="503: Service Unavailable"):
        sink.apply(Changes(add=blocks(2)), "Focus time")
    assert len(no_backoff) == 2
    assert fake_google.events() == []
