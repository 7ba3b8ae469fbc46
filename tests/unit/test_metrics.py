"""Metrics against hand-computed days, and the invariants as hypothesis properties."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from focuscal.metrics import day_metrics, period_metrics
from focuscal.model import ClassifyRules, Event, WorkPolicy
from tests.helpers import attendee, classified, meeting

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 3, 9)


def at(hour: int, minute: int = 0, day: date = MONDAY, tz=NY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def test_hand_computed_day():
    events = classified(
        meeting(at(9, 30), at(9, 45)),
        meeting(at(10), at(11)),
        meeting(at(10, 30), at(11, 30)),  # overlap counts once
        meeting(at(11, 33), at(12)),  # back-to-back with the previous (3 min)
        meeting(at(18), at(19)),  # after hours
    )
    m = day_metrics(MONDAY, events, WorkPolicy(tz=NY))
    assert m.working_minutes == 480
    assert m.meeting_minutes == 15 + 90 + 27
    assert m.meeting_count == 4
    # blocks: 9:00-9:30 (30), 9:45-10:00 (15), 11:30-11:33 (3), 12:00-17:00 (300)
    assert [b.minutes for b in m.blocks] == [30, 15, 3, 300]
    assert m.focus_minutes == 300
    assert m.fragmented_minutes == 48
    assert m.longest_block_minutes == 300
    assert m.fragmentation == round(48 / 348, 4)
    assert m.back_to_back == 1
    assert m.after_hours_meeting_minutes == 60
    assert m.status == "workday"


def test_focus_events_do_not_break_blocks_and_count_as_booked():
    events = classified(
        Event(start=at(9), end=at(11), summary="Focus time", focuscal_block=True),
        meeting(at(13), at(14)),
    )
    m = day_metrics(MONDAY, events, WorkPolicy(tz=NY))
    assert m.focus_booked_minutes == 120
    assert m.longest_block_minutes == 240
    assert m.meeting_minutes == 60


def test_out_of_office_cuts_the_window_and_whole_day_is_off():
    half = classified(Event(start=at(13), end=at(17), summary="Out of office"))
    m = day_metrics(MONDAY, half, WorkPolicy(tz=NY))
    assert (m.working_minutes, m.status) == (240, "workday")
    full = classified(
        Event(start=at(0), end=at(0, day=MONDAY + timedelta(1)), summary="Vacation", all_day=True),
        meeting(at(10), at(11)),
    )
    m = day_metrics(MONDAY, full, WorkPolicy(tz=NY))
    assert (m.working_minutes, m.status, m.meeting_minutes) == (0, "off", 0)
    assert m.after_hours_meeting_minutes == 60


def test_weekend_meetings_are_after_hours():
    saturday = MONDAY - timedelta(days=2)
    m = day_metrics(saturday, classified(meeting(at(10, day=saturday), at(11, day=saturday))),
                    WorkPolicy(tz=NY))
    assert (m.status, m.working_minutes, m.after_hours_meeting_minutes) == ("weekend", 0, 60)


def test_external_minutes_need_an_outside_attendee():
    rules = ClassifyRules(me=frozenset({"me@acme.com"}))
    events = classified(
        meeting(at(10), at(11), attendees=(attendee("me@acme.com"), attendee("x@customer.io"))),
        meeting(at(12), at(13), attendees=(attendee("me@acme.com"), attendee("y@acme.com"))),
        rules=rules,
    )
    m = day_metrics(MONDAY, events, WorkPolicy(tz=NY))
    assert m.external_meeting_minutes == 60


def test_lunch_is_removed_only_when_configured():
    policy = WorkPolicy(tz=NY, lunch=(time(12), time(13)))
    m = day_metrics(MONDAY, [], policy)
    assert m.working_minutes == 420
    assert [b.minutes for b in m.blocks] == [180, 240]


def test_a_night_shift_loses_its_lunch_after_midnight_too():
    # 22:00-06:00 is eight hours; a lunch at 02:00 is the next date's 02:00, inside the shift.
    night = WorkPolicy(tz=NY, work_start=time(22), work_end=time(6), lunch=(time(2), time(2, 30)))
    m = day_metrics(MONDAY, [], night)
    assert m.working_minutes == 8 * 60 - 30
    tuesday = MONDAY + timedelta(days=1)
    assert [(b.start, b.end) for b in m.blocks] == [(at(22), at(2, day=tuesday)),
                                                    (at(2, 30, day=tuesday), at(6, day=tuesday))]
    # A lunch across midnight is cut once, on both sides of it.
    across = WorkPolicy(tz=NY, work_start=time(22), work_end=time(6),
                        lunch=(time(23, 30), time(0, 30)))
    assert day_metrics(MONDAY, [], across).working_minutes == 8 * 60 - 60


def test_dst_day_meeting_across_the_jump_is_elapsed_time():
    sunday = date(2026, 3, 8)
    policy = WorkPolicy(tz=NY, workdays=frozenset(range(7)), work_start=time(0), work_end=time(6))
    m = day_metrics(sunday, classified(meeting(at(1, day=sunday), at(4, day=sunday))), policy)
    assert m.working_minutes == 300  # 00:00-06:00 on a 23-hour day
    assert m.meeting_minutes == 120  # 01:00 EST to 04:00 EDT


# ------------------------------------------------------------------ properties

WEEK_START = datetime(2026, 3, 2, tzinfo=UTC)
ZONES = st.sampled_from(
    [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")]
)


@st.composite
def events_strategy(draw):
    count = draw(st.integers(0, 12))
    out = []
    for n in range(count):
        start = WEEK_START + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60 // 5)) * 5)
        length = timedelta(minutes=draw(st.integers(0, 8 * 12)) * 5)
        summary = draw(st.sampled_from(["Meeting", "Meeting", "Focus", "OOO", "1:1"]))
        out.append(Event(start=start, end=start + length, summary=summary, uid=f"e{n}"))
    return out


def audit(events, tz):
    policy = WorkPolicy(tz=tz, focus_min=90)
    rules = ClassifyRules(me=frozenset({"me@example.com"}))
    return period_metrics(date(2026, 3, 2), date(2026, 3, 8), classified(*events, rules=rules),
                          policy)


@settings(max_examples=150, deadline=None)
@given(events_strategy(), ZONES)
def test_invariants(events, tz):
    period = audit(events, tz)
    for day in period.days:
        assert day.focus_minutes + day.fragmented_minutes + day.meeting_minutes == (
            day.working_minutes
        )
        assert day.longest_block_minutes <= day.working_minutes
        assert 0 <= day.fragmentation <= 1
        assert day.focus_booked_minutes <= day.working_minutes - day.meeting_minutes


@settings(max_examples=100, deadline=None)
@given(events_strategy(), ZONES, st.randoms(use_true_random=False))
def test_order_does_not_matter(events, tz, rnd):
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert audit(events, tz) == audit(shuffled, tz)
    assert audit(events, tz) == audit(list(reversed(events)), tz)


@settings(max_examples=100, deadline=None)
@given(events_strategy(), ZONES, st.data())
def test_splitting_an_event_into_adjacent_pieces_changes_nothing(events, tz, data):
    long_enough = [e for e in events if (e.end - e.start) >= timedelta(minutes=10)]
    if not long_enough:
        return
    target = data.draw(st.sampled_from(long_enough))
    minutes = int((target.end - target.start).total_seconds() // 60)
    cut = target.start + timedelta(minutes=data.draw(st.integers(1, minutes - 1)))
    pieces = [e for e in events if e is not target] + [
        Event(start=target.start, end=cut, summary=target.summary, uid=target.uid + "a"),
        Event(start=cut, end=target.end, summary=target.summary, uid=target.uid + "b"),
    ]
    before, after = audit(events, tz), audit(pieces, tz)
    for a, b in zip(before.days, after.days, strict=True):
        for key in ("working_minutes", "meeting_minutes", "focus_minutes", "fragmented_minutes",
                    "longest_block_minutes", "block_count", "focus_booked_minutes",
                    "after_hours_meeting_minutes", "external_meeting_minutes"):
            assert getattr(a, key) == getattr(b, key), key


def test_any_zone_all_day_vacation_is_off_and_workdays_are_eight_hours(tz):
    from focuscal.sources.ics import parse
    from focuscal.window import utc_window
    from tests.helpers import ics

    data = ics("UID:v\nSUMMARY:Vacation\nDTSTART;VALUE=DATE:20261028\nDTEND;VALUE=DATE:20261030",
               "UID:m\nSUMMARY:Sync\nDTSTART:20261026T100000\nDTEND:20261026T110000")
    first, last = date(2026, 10, 26), date(2026, 11, 1)
    events = parse(data, "t.ics", utc_window(first, last, tz), tz).events
    period = period_metrics(first, last, classified(*events), WorkPolicy(tz=tz))
    status = {d.date.isoformat(): (d.status, d.working_minutes) for d in period.days}
    assert status == {
        "2026-10-26": ("workday", 480), "2026-10-27": ("workday", 480),
        "2026-10-28": ("off", 0), "2026-10-29": ("off", 0), "2026-10-30": ("workday", 480),
        "2026-10-31": ("weekend", 0), "2026-11-01": ("weekend", 0),
    }
    assert period.days[0].meeting_minutes == 60  # floating 10:00-11:00 in every zone
