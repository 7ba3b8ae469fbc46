"""CalDAV as a booking target, against a real Radicale server, with hand-made changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from focuscal import sinks
from focuscal.config import CalendarEntry, Settings
from focuscal.errors import AuthError
from focuscal.model import Block, FocusPolicy, Interval, block_id
from focuscal.sinks import Changes
from tests.conftest import EXAMPLES
from tests.radicale import PASSWORD, USER, split_by_uid, upload

NY = ZoneInfo("America/New_York")
PASSWORD_ENV = "FOCUSCAL_TEST_CALDAV_PASSWORD"
WEEK = Interval(datetime(2026, 3, 9, tzinfo=NY), datetime(2026, 3, 16, tzinfo=NY))
SUMMARY = "Focus time"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=NY)


@pytest.fixture
def calendar(radicale, monkeypatch):
    """A fresh, empty calendar, and the settings that log into it."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    url = radicale.make_calendar()
    settings = Settings(
        calendars=(CalendarEntry(uri="caldav+" + url, username=USER,
                                 password_env=PASSWORD_ENV),),
        focus=FocusPolicy(summary=SUMMARY),
    )
    return url, settings


def ids(blocks) -> list[tuple[str, datetime, datetime]]:
    """What identifies a block (its reason is the planner's word, not the calendar's)."""
    return [(b.uid, b.start, b.end) for b in blocks]


def proposed(sink, start: datetime, end: datetime) -> Block:
    return Block(start, end, "planned", block_id(sink.target, start, end))


def test_target_is_the_canonical_calendar_url(calendar):
    url, settings = calendar
    sink = sinks.open_sink("caldav+" + url.rstrip("/").replace("127.0.0.1", "127.0.0.1"),
                           settings)
    assert sink.target == "caldav+" + url
    assert sinks.open_sink("caldav+" + url, settings).target == sink.target


def test_book_rebook_clash_and_unbook(radicale, calendar):
    url, settings = calendar
    upload(radicale, url, EXAMPLES / "sales-week.ics")
    before = radicale.resources(url)
    assert len(before) == len(split_by_uid((EXAMPLES / "sales-week.ics").read_bytes()))
    sink = sinks.open_sink("caldav+" + url, settings)
    assert sink.booked(WEEK) == []

    wednesday = proposed(sink, at(11, 13), at(11, 15, 30))
    friday = proposed(sink, at(13, 14, 30), at(13, 15, 30))
    applied = sink.apply(Changes(add=(wednesday, friday)), SUMMARY)
    assert ids(applied.added) == ids([wednesday, friday])
    assert applied.failed == []
    after = radicale.resources(url)
    new = {href: text for href, text in after.items() if href not in before}
    assert sorted(new) == sorted(f"{url.split(str(radicale.port))[1]}{b.uid}.ics"
                                 for b in (wednesday, friday))
    for text in new.values():
        for line in ("X-FOCUSCAL-BLOCK:1", "TRANSP:OPAQUE", "CATEGORIES:Focus",
                     f"SUMMARY:{SUMMARY}"):
            assert line in text.splitlines()
    assert {h: t for h, t in after.items() if h in before} == before  # nothing else touched

    assert ids(sink.booked(WEEK)) == ids([wednesday, friday])

    # a repeated (or interrupted and retried) booking creates nothing twice
    again = sink.apply(Changes(add=(wednesday, friday)), SUMMARY)
    assert again.added == []
    assert again.failed == []
    assert radicale.resources(url) == after
    assert ids(sink.booked(WEEK)) == ids([wednesday, friday])

    # a meeting lands on Wednesday's block: the block moves
    clash = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:clash@acme-sales.com\r\nDTSTAMP:20260301T000000Z\r\nSUMMARY:Escalation call\r\n"
        "DTSTART;TZID=America/New_York:20260311T140000\r\n"
        "DTEND;TZID=America/New_York:20260311T143000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert radicale.put(url + "clash.ics", clash.encode()) == 201
    with_clash = radicale.resources(url)
    moved = proposed(sink, at(12, 9), at(12, 11))
    old = next(b for b in sink.booked(WEEK) if b.uid == wednesday.uid)
    applied = sink.apply(Changes(keep=(friday,), remove=(old,), add=(moved,)), SUMMARY)
    assert ids(applied.removed) == ids([wednesday])
    assert ids(applied.added) == ids([moved])
    assert applied.failed == []
    assert ids(sink.booked(WEEK)) == ids([moved, friday])

    # unbook: every block goes, every other event is as it was, byte for byte
    applied = sink.apply(Changes(remove=tuple(sink.booked(WEEK))), SUMMARY)
    assert sorted(b.uid for b in applied.removed) == sorted([moved.uid, friday.uid])
    assert sink.booked(WEEK) == []
    remaining = radicale.resources(url)
    assert remaining == {h: t for h, t in with_clash.items()
                         if h in before or h.endswith("/clash.ics")}


def test_booked_blocks_count_as_focus_in_the_audit(radicale, calendar, monkeypatch):
    from datetime import date

    from focuscal import app
    from focuscal.window import make_window

    url, settings = calendar
    sink = sinks.open_sink("caldav+" + url, settings)
    block = proposed(sink, at(11, 13), at(11, 15))
    sink.apply(Changes(add=(block,)), SUMMARY)
    result = app.audit(settings, ["caldav+" + url], make_window(date(2026, 3, 11)), NY)
    wednesday = next(d for d in result.period.days if d.date == date(2026, 3, 11))
    assert wednesday.focus_booked_minutes == 120


def test_never_deletes_what_focuscal_did_not_book(radicale, calendar):
    url, settings = calendar
    sink = sinks.open_sink("caldav+" + url, settings)
    # the user's own event, even under a name and UID that look like a block
    start, end = at(10, 9), at(10, 10)
    uid = block_id(sink.target, start, end)
    own = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260301T000000Z\r\nSUMMARY:Focus: my own\r\n"
        "DTSTART:20260310T130000Z\r\nDTEND:20260310T140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert radicale.put(url + f"{uid}.ics", own.encode()) == 201
    before = radicale.resources(url)
    applied = sink.apply(Changes(remove=(Block(start, end, "", uid),)), SUMMARY)
    assert applied.removed == []
    assert [reason for _, reason in applied.failed] == [
        "not marked X-FOCUSCAL-BLOCK: not a block focuscal booked; left alone"
    ]
    # and adding a block there finds the name taken: nothing is overwritten
    sink.apply(Changes(add=(Block(start, end, "", uid),)), SUMMARY)
    assert radicale.resources(url) == before


def test_a_block_moved_by_hand_is_left_alone(radicale, calendar):
    url, settings = calendar
    sink = sinks.open_sink("caldav+" + url, settings)
    block = proposed(sink, at(12, 9), at(12, 11))
    sink.apply(Changes(add=(block,)), SUMMARY)
    href = next(h for h in radicale.resources(url) if block.uid in h)
    text = radicale.resources(url)[href]
    # the user drags it an hour later in their calendar app
    moved_text = text.replace("DTSTART:20260312T130000Z", "DTSTART:20260312T140000Z").replace(
        "DTEND:20260312T150000Z", "DTEND:20260312T160000Z")
    assert moved_text != text
    assert radicale.put(radicale.base + href, moved_text.encode()) == 204
    applied = sink.apply(Changes(remove=(block,)), SUMMARY)
    assert applied.removed == []
    assert applied.failed == [(block, "moved or changed since it was booked; left alone")]
    [found] = sink.booked(WEEK)
    assert (found.uid, found.start, found.end) == (
        block.uid, datetime(2026, 3, 12, 14, tzinfo=UTC), datetime(2026, 3, 12, 16, tzinfo=UTC))


def test_wrong_password_stops_the_booking(radicale, calendar, monkeypatch):
    url, settings = calendar
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    sink = sinks.open_sink("caldav+" + url, settings)
    with pytest.raises(AuthError, match="401"):
        sink.booked(WEEK)
    with pytest.raises(AuthError, match="401"):
        sink.apply(Changes(add=(proposed(sink, at(12, 9), at(12, 11)),)), SUMMARY)
