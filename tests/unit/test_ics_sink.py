"""The ICS sink's splicing: whatever focuscal adds and removes, the user's bytes stay."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from focuscal.config import Settings
from focuscal.model import Block, Interval, block_id
from focuscal.sinks import Changes, open_sink
from tests.conftest import EXAMPLES

ORIGINAL = (EXAMPLES / "sales-week.ics").read_bytes()
WEEK = Interval(datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))


def blocks(sink, slots):
    out = []
    for day, hour in sorted(slots):
        start = WEEK.start + timedelta(days=day, hours=hour)
        end = start + timedelta(hours=2)
        out.append(Block(start, end, uid=block_id(sink.target, start, end)))
    return out


SLOTS = st.sets(st.tuples(st.integers(0, 6), st.integers(0, 21)), max_size=6)


@settings(max_examples=40, deadline=None)
@given(first=SLOTS, second=SLOTS, crlf=st.booleans())
def test_adding_and_removing_keeps_every_other_byte(tmp_path_factory, first, second, crlf):
    folder = tmp_path_factory.mktemp("sink")
    path = folder / "work.ics"
    original = ORIGINAL.replace(b"\n", b"\r\n") if crlf else ORIGINAL
    path.write_bytes(original)
    sink = open_sink(f"ics:{path}", Settings())
    one = blocks(sink, first)
    sink.apply(Changes(add=tuple(one)), "Focus time")
    two = blocks(sink, second)
    booked = sink.booked(WEEK)
    assert {b.uid for b in booked} == {b.uid for b in one}
    drop = [b for b in booked if b.uid not in {t.uid for t in two}]
    add = [b for b in two if b.uid not in {o.uid for o in one}]
    sink.apply(Changes(remove=tuple(drop), add=tuple(add)), "Focus time")
    assert {b.uid for b in sink.booked(WEEK)} == {b.uid for b in two}
    data = path.read_bytes()
    if crlf:
        assert b"\n" not in data.replace(b"\r\n", b"")
    # cutting focuscal's blocks out gives back the original file exactly
    after = sink.apply(Changes(remove=tuple(sink.booked(WEEK))), "Focus time")
    assert len(after.removed) == len(two)
    assert path.read_bytes() == original


def test_folded_lines_and_a_second_calendar_are_handled(tmp_path):
    path = tmp_path / "two.ics"
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:a\r\nEND:VCALENDAR\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:b\r\n"
        "BEGIN:VEVENT\r\nUID:fcfolded\r\n  -uid\r\nDTSTAMP:20260301T000000Z\r\n"
        "DTSTART:20260310T140000Z\r\nDTEND:20260310T160000Z\r\nX-FOCUSCAL-\r\n BLOCK:1\r\n"
        "SUMMARY:Focus\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    path.write_text(text, newline="")
    sink = open_sink(f"ics:{path}", Settings())
    [block] = sink.booked(WEEK)
    assert block.uid == "fcfolded -uid"
    sink.apply(Changes(remove=(block,)), "Focus time")
    assert path.read_bytes().decode() == (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:a\r\nEND:VCALENDAR\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:b\r\nEND:VCALENDAR\r\n"
    )
    assert path.with_name("two.ics.bak").read_bytes().decode() == text
