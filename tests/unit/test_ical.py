"""focuscal.ical: the one writer, the booked-block reader, the mark and the time conversion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focuscal import ical
from focuscal.config import Settings
from focuscal.errors import InputError
from focuscal.ical import read
from focuscal.ical.booked import marked_blocks
from focuscal.ical.times import aware
from focuscal.ical.write import calendar, vevent
from focuscal.model import Block, Interval, Stored, block_id
from focuscal.sinks import caldav
from focuscal.sinks import ics as ics_sink
from tests.helpers import ics

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
SANTIAGO = ZoneInfo("America/Santiago")
TARGET = "ics:/calendars/work.ics"
WEEK = Interval(datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))


def block(day: int, hour: int, hours: int = 2, tz=UTC) -> Block:
    start = datetime(2026, 3, day, hour, tzinfo=tz)
    end = start + timedelta(hours=hours)
    return Block(start, end, uid=block_id(TARGET, start, end))


# ---------------------------------------------------------------- the writer


def test_the_same_block_gives_the_same_bytes():
    one = block(10, 14)
    # the same instants in another zone, a reason and a stored place change nothing
    same = Block(one.start.astimezone(NY), one.end.astimezone(NY), "planned", one.uid,
                 Stored("elsewhere.ics", "etag", "Old title"))
    assert calendar([one], "Focus time", TARGET) == calendar([one], "Focus time", TARGET)
    assert calendar([same], "Focus time", TARGET) == calendar([one], "Focus time", TARGET)
    text = vevent(one, "Focus time", TARGET)
    assert "DTSTAMP:20260310T140000Z\r\n" in text  # derived from the block, not a clock
    assert vevent(one, "Focus time", TARGET, "\n") == text.replace("\r\n", "\n")


def test_a_block_without_uid_gets_its_deterministic_id():
    start, end = datetime(2026, 3, 10, 14, tzinfo=UTC), datetime(2026, 3, 10, 16, tzinfo=UTC)
    text = vevent(Block(start, end), "Focus time", TARGET)
    assert f"UID:{block_id(TARGET, start, end)}\r\n" in text


def test_both_sinks_write_the_same_object():
    one = block(10, 14)
    assert caldav.event_text(one.uid, one, "Focus time") == calendar([one], "Focus time")


SPANS = st.lists(st.tuples(st.integers(9, 15), st.integers(0, 22), st.integers(1, 4)),
                 max_size=5, unique_by=lambda s: s[:2])


@settings(max_examples=40, deadline=None)
@given(spans=SPANS, summary=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                                    max_size=80))
def test_written_blocks_read_back_as_they_were(spans, summary):
    blocks = [block(d, h, n) for d, h, n in spans]
    data = calendar(blocks, summary, TARGET).encode()
    found = marked_blocks(data, "plan.ics", BERLIN)
    assert [(b.uid, b.start, b.end) for b in found] == [(b.uid, b.start, b.end) for b in blocks]
    assert all(b.stored == Stored("plan.ics", None, summary) for b in found)
    assert all(b.start.tzinfo is UTC and b.end.tzinfo is UTC for b in found)
    # and the source reads them as focuscal's focus blocks, at the same instants
    events = read.parse(data, "plan.ics", Interval(datetime(2026, 3, 1, tzinfo=UTC),
                                                   datetime(2026, 4, 1, tzinfo=UTC)), BERLIN)
    assert sorted((e.uid, e.start, e.end, e.summary, e.focuscal_block) for e in events.events) \
        == sorted((b.uid, b.start, b.end, summary, True) for b in blocks)


def test_the_reader_skips_what_focuscal_never_books():
    data = ics(
        "UID:unmarked\nDTSTART:20260310T140000Z\nDTEND:20260310T150000Z",
        "UID:zero\nDTSTART:20260310T140000Z\nDTEND:20260310T140000Z\nX-FOCUSCAL-BLOCK:1",
        "UID:no-end\nDTSTART:20260310T140000Z\nX-FOCUSCAL-BLOCK:1",
        "UID:all-day\nDTSTART;VALUE=DATE:20260310\nDTEND;VALUE=DATE:20260311\nX-FOCUSCAL-BLOCK:1",
        "UID:series\nDTSTART:20260310T140000Z\nDTEND:20260310T150000Z\nRRULE:FREQ=DAILY\n"
        "X-FOCUSCAL-BLOCK:1",
        "UID:off\nDTSTART:20260310T140000Z\nDTEND:20260310T150000Z\nX-FOCUSCAL-BLOCK:FALSE",
        "UID:by-duration\nDTSTART:20260310T140000Z\nDURATION:PT90M\nX-FOCUSCAL-BLOCK:1",
    )
    [found] = marked_blocks(data, "x.ics", UTC)
    assert (found.uid, found.start, found.end) == (
        "by-duration", datetime(2026, 3, 10, 14, tzinfo=UTC),
        datetime(2026, 3, 10, 15, 30, tzinfo=UTC))


def test_the_reader_refuses_what_is_not_a_calendar():
    with pytest.raises(InputError, match="not a valid calendar"):
        marked_blocks(b"not a calendar", "broken.ics", UTC)
    assert caldav._blocks("not a calendar", "/c/x.ics", None, UTC) == []


# ---------------------------------------------------------------- the mark


@pytest.mark.parametrize(("value", "marked"), [
    (None, False), ("", False), ("  ", False), ("0", False), ("FALSE", False),
    ("false", False), (" False ", False), ("1", True), ("TRUE", True), ("yes", True),
    ("2", True),
])
def test_is_marked(value, marked):
    assert ical.is_marked(value) is marked


@pytest.mark.parametrize(("value", "marked"), [("1", True), ("0", False), ("false", False)])
def test_every_reader_applies_the_same_mark(tmp_path, value, marked):
    data = ics(f"UID:m\nDTSTART:20260310T140000Z\nDTEND:20260310T150000Z\n{ical.MARK}:{value}")
    [event] = read.parse(data, "x.ics", WEEK, UTC).events
    assert event.focuscal_block is marked
    assert bool(marked_blocks(data, "x.ics", UTC)) is marked
    path = tmp_path / "x.ics"
    path.write_bytes(data)
    sink = ics_sink.open_sink(f"ics:{path}", Settings())
    assert bool(sink.booked(WEEK)) is marked
    assert bool(caldav._blocks(data.decode(), "/c/x.ics", None, UTC)) is marked


# ---------------------------------------------------------------- floating times


FLOATING = ics("UID:fcfloating\nSUMMARY:Focus time\nDTSTART:20260310T140000\n"
               "DTEND:20260310T160000\nX-FOCUSCAL-BLOCK:1")


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_a_floating_block_reads_the_same_in_both_sinks_and_the_source(tmp_path, zone):
    tz = ZoneInfo(zone)
    path = tmp_path / "work.ics"
    path.write_bytes(FLOATING)
    configured = Settings(timezone=tz)
    from_ics = ics_sink.open_sink(f"ics:{path}", configured).booked(WEEK)
    dav_sink = caldav.open_sink("caldav+http://127.0.0.1:1/user/work/", configured)
    from_caldav = caldav._blocks(FLOATING.decode(), "/user/work/x.ics", '"1"', dav_sink.tz)
    expected = (datetime(2026, 3, 10, 14, tzinfo=tz), datetime(2026, 3, 10, 16, tzinfo=tz))
    assert [(b.uid, b.start, b.end) for b in from_ics] == [("fcfloating", *expected)]
    assert [(b.uid, b.start, b.end) for b in from_caldav] == [("fcfloating", *expected)]
    assert from_caldav[0].stored == Stored("/user/work/x.ics", '"1"', "Focus time")
    [event] = read.parse(FLOATING, str(path), WEEK, tz).events
    assert (event.start, event.end) == expected


def test_floating_blocks_are_utc_when_no_zone_is_configured(tmp_path):
    path = tmp_path / "work.ics"
    path.write_bytes(FLOATING)
    [found] = ics_sink.open_sink(f"ics:{path}", Settings()).booked(WEEK)
    dav_sink = caldav.open_sink("caldav+http://127.0.0.1:1/user/work/", Settings())
    [other] = caldav._blocks(FLOATING.decode(), "/x.ics", None, dav_sink.tz)
    assert found.start == other.start == datetime(2026, 3, 10, 14, tzinfo=UTC)


def test_every_sink_counts_a_block_that_overlaps_the_window(tmp_path):
    data = ics("UID:late\nDTSTART:20260315T230000Z\nDTEND:20260316T010000Z\nX-FOCUSCAL-BLOCK:1")
    path = tmp_path / "x.ics"
    path.write_bytes(data)
    sink = ics_sink.open_sink(f"ics:{path}", Settings())
    assert [b.uid for b in sink.booked(WEEK)] == ["late"]
    later = Interval(WEEK.end + timedelta(hours=1), WEEK.end + timedelta(days=1))
    assert sink.booked(later) == []  # it ends as this window starts: no overlap


# ---------------------------------------------------------------- DST days


@pytest.mark.parametrize(("value", "tz", "expected"), [
    # an all-day date is local midnight, 23-hour and 25-hour days alike
    (date(2026, 3, 8), NY, datetime(2026, 3, 8, 5, tzinfo=UTC)),
    (date(2026, 3, 9), NY, datetime(2026, 3, 9, 4, tzinfo=UTC)),
    (date(2026, 11, 1), NY, datetime(2026, 11, 1, 4, tzinfo=UTC)),
    # a day whose midnight is skipped starts at the instant after the jump (01:00)
    (date(2026, 9, 6), SANTIAGO, datetime(2026, 9, 6, 4, tzinfo=UTC)),
    # a floating wall time skipped by the jump: the instant after it, as local_instant says
    (datetime(2026, 3, 8, 2, 30), NY, datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
    (datetime(2026, 3, 29, 2, 30), BERLIN, datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    (datetime(2026, 10, 4, 2, 15), LORD_HOWE, datetime(2026, 10, 3, 15, 45, tzinfo=UTC)),
    # a repeated wall time: its first occurrence
    (datetime(2026, 11, 1, 1, 30), NY, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    (datetime(2026, 10, 25, 2, 30), BERLIN, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    # an ordinary floating time, and an aware one, which keeps its own zone
    (datetime(2026, 3, 10, 9, 0), NY, datetime(2026, 3, 10, 13, tzinfo=UTC)),
    (datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN), NY, datetime(2026, 3, 10, 8, tzinfo=UTC)),
])
def test_aware_on_dst_days(value, tz, expected):
    result = aware(value, tz)
    assert result.astimezone(UTC) == expected
    if isinstance(value, datetime) and value.tzinfo is not None:
        assert result is value
        return
    assert result.tzinfo is tz
    # its wall time is one the zone's clocks really show (a skipped one is moved past the jump)
    assert result.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == result.replace(
        tzinfo=None)


def test_the_source_and_the_sinks_read_a_dst_day_alike(tmp_path):
    # a block someone wrote by hand in floating time, across New York's spring change
    data = ics("UID:fcdst\nDTSTART:20260308T013000\nDTEND:20260308T033000\nX-FOCUSCAL-BLOCK:1",
               "UID:holiday\nDTSTART;VALUE=DATE:20260308\nDTEND;VALUE=DATE:20260309\n"
               "SUMMARY:Holiday")
    window = Interval(datetime(2026, 3, 7, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))
    events = {e.uid: e for e in read.parse(data, "x.ics", window, NY).events}
    assert events["holiday"].interval.seconds == 23 * 3600
    assert events["holiday"].start == aware(date(2026, 3, 8), NY)
    [found] = marked_blocks(data, "x.ics", NY)
    assert (found.start, found.end) == (events["fcdst"].start, events["fcdst"].end)
    assert found.interval.seconds == 3600  # 01:30 EST to 03:30 EDT is one hour
    [other] = caldav._blocks(data.decode(), "/x.ics", None, NY)
    assert (other.start, other.end) == (found.start, found.end)
