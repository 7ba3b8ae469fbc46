"""The planner against hand-picked days, reconcile, and hypothesis properties."""

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focuscal.metrics import period_metrics
from focuscal.model import Block, ClassifyRules, Event, Interval, WorkPolicy, block_id
from focuscal.model import FocusPolicy as Focus
from focuscal.planner import changes, propose, reconcile
from tests.helpers import classified, meeting

NY = ZoneInfo("America/New_York")
MON = date(2026, 3, 9)
SUN = MON + timedelta(days=6)
BEFORE = datetime(2026, 3, 8, 12, tzinfo=NY)  # Sunday noon, before the week
TARGET = "ics:/tmp/focus.ics"


def at(day: int, hour: int, minute: int = 0, tz=NY) -> datetime:
    """Wall time on weekday ``day`` (0 = Monday) of the week of MON."""
    return datetime.combine(MON + timedelta(days=day), time(hour, minute), tzinfo=tz)


def spans(plan) -> list[tuple[str, str]]:
    return [(f"{b.start:%a %H:%M}", f"{b.end:%H:%M}") for b in plan.blocks]


DEFAULT_FOCUS = Focus()


def plan_week(events, focus=DEFAULT_FOCUS, now=BEFORE, policy=None, **kw):
    policy = policy or WorkPolicy(tz=NY)
    return propose(classified(*events), policy, focus, MON, SUN, now, **kw)


def busy_week(*extra: Event) -> list[Event]:
    """Mon-Fri with meetings at 09:30-10:00 and 12:00-13:00 and 15:00-16:00: the free stretches
    are 09:00-09:30, 10:00-12:00, 13:00-15:00 and 16:00-17:00 (with a 10m buffer: 10:10-11:50,
    13:10-14:50), none long enough for a 2h block with buffers."""
    out = []
    for d in range(5):
        out += [meeting(at(d, 9, 30), at(d, 10)), meeting(at(d, 12), at(d, 13)),
                meeting(at(d, 15), at(d, 16))]
    return [*out, *extra]


def test_an_empty_week_gets_mornings_until_the_target():
    plan = plan_week([])
    # 10h: three 3h mornings, then 1h left, which still gets a full 2h block
    assert spans(plan) == [("Mon 09:00", "12:00"), ("Tue 09:00", "12:00"),
                           ("Wed 09:00", "12:00"), ("Thu 09:00", "11:00")]
    assert plan.planned_minutes == 660
    assert plan.existing_focus_minutes == 0
    assert plan.target_minutes == 600
    assert plan.blocks[0].reason == "Mon: largest free stretch 09:00-17:00"
    assert all(b.start.tzinfo == NY for b in plan.blocks)


def test_buffers_and_the_largest_stretch():
    # Tuesday opens 10:00-14:00 (only day with room); blocks keep 10 minutes from meetings
    events = [e for e in busy_week() if e.start != at(1, 12)]
    plan = plan_week(events)
    assert spans(plan) == [("Tue 10:10", "13:10")]
    assert plan.blocks[0].reason == "Tue: largest free stretch 10:00-15:00"
    afternoon = plan_week(events, Focus(prefer="afternoon"))
    assert spans(afternoon) == [("Tue 11:50", "14:50")]
    ranged = plan_week(events, Focus(prefer="11:00-13:00"))
    assert spans(ranged) == [("Tue 11:00", "14:00")]


def test_grid_and_now():
    # meetings ending at odd minutes: blocks start on the 5-minute grid after the buffer
    events = [meeting(at(d, 9), at(d, 9, 7)) for d in range(5)]
    plan = plan_week(events, Focus(target=180))
    assert spans(plan) == [("Mon 09:20", "12:20")]
    # now on Monday at 14:03: Monday is full from 14:05 only (2h55 left), Tuesday wins
    now = at(0, 14, 3)
    late = plan_week(events, Focus(target=180), now=now)
    assert spans(late) == [("Tue 09:20", "12:20")]
    # with equal blocks the morning wins, so Tuesday again; on Monday alone, 14:05
    shorter = plan_week(events, Focus(target=120, max_block=120), now=now)
    assert spans(shorter) == [("Tue 09:20", "11:20")]
    monday = WorkPolicy(tz=NY, workdays=frozenset({0}))
    only = plan_week(events, Focus(target=120, max_block=120), now=now, policy=monday)
    assert spans(only) == [("Mon 14:05", "16:05")]


def test_days_with_least_focus_come_first_and_existing_focus_counts():
    focus = Event(start=at(0, 9), end=at(0, 12), summary="Deep work")
    plan = plan_week([focus], Focus(target=360))
    assert plan.existing_focus_minutes == 180
    assert spans(plan) == [("Tue 09:00", "12:00")]  # Monday has focus already
    met = plan_week([focus], Focus(target=180))
    assert met.blocks == ()


def test_max_per_day_and_lunch():
    policy = WorkPolicy(tz=NY, workdays=frozenset({2}), lunch=(time(12), time(13)))
    plan = plan_week([], Focus(max_per_day=2), policy=policy)
    assert spans(plan) == [("Wed 09:00", "12:00"), ("Wed 13:00", "16:00")]
    one = plan_week([], Focus(max_per_day=1), policy=policy)
    assert spans(one) == [("Wed 09:00", "12:00")]


def test_out_of_office_and_weekends_get_nothing():
    events = [Event(start=at(d, 0), end=at(d + 1, 0), summary="Vacation", all_day=True)
              for d in range(5)]
    assert plan_week(events).blocks == ()


def test_dst_day_keeps_wall_clock_hours():
    # Sunday 2026-03-08 is 23 hours long in New York: a 7-day policy still books 09:00 local
    policy = WorkPolicy(tz=NY, workdays=frozenset(range(7)))
    now = datetime(2026, 3, 8, 0, tzinfo=NY)
    plan = propose([], policy, Focus(target=180), date(2026, 3, 8), date(2026, 3, 8), now)
    assert spans(plan) == [("Sun 09:00", "12:00")]
    assert plan.blocks[0].minutes == 180


def test_reconcile_keeps_removes_adds_and_leaves_moved_blocks_alone():
    def own(start, end):
        return Block(start, end, uid=block_id(TARGET, start, end))

    keep = own(at(0, 9), at(0, 12))
    stale = own(at(1, 9), at(1, 12))
    moved = Block(at(2, 10), at(2, 13), uid=block_id(TARGET, at(2, 9), at(2, 12)))
    new = Block(at(3, 9), at(3, 12), reason="Thu: largest free stretch 09:00-17:00")
    result = reconcile([keep, new], [stale, moved, keep], TARGET)
    assert result.keep == (keep,)
    assert [b.uid for b in result.remove] == [stale.uid]
    assert result.moved == (moved,)
    assert [(b.start, b.uid) for b in result.add] == [(new.start, block_id(TARGET, *_se(new)))]
    assert not result.empty
    again = reconcile([keep, new], [keep, moved, result.add[0]], TARGET)
    assert again.empty
    assert len(again.keep) == 2


def _se(block):
    return block.start, block.end


def test_book_drops_clashing_blocks_and_counts_moved_ones():
    def own(start, end):
        return Block(start.astimezone(UTC), end.astimezone(UTC),
                     uid=block_id(TARGET, start, end))

    clash = own(at(0, 9), at(0, 12))
    fine = own(at(1, 9), at(1, 12))
    moved = Block(at(2, 13), at(2, 16), uid=block_id(TARGET, at(2, 9), at(2, 12)))
    events = [meeting(at(0, 10), at(0, 11), "Customer call"),
              meeting(at(2, 14), at(2, 15), "Over the moved block")]
    plan = plan_week(events, Focus(target=540), booked=[clash, fine, moved], target=TARGET)
    assert plan.existing_focus_minutes == 180 + 120  # fine, and moved minus its meeting
    assert [b.start for b in plan.kept] == [fine.start]
    assert [b.reason for b in plan.dropped] == ["Mon: clashes with a meeting 10:00-11:00"]
    assert [b.uid for b in plan.moved] == [moved.uid]
    # 4h left: Tuesday and Wednesday have their block; Thursday's and Friday's mornings beat
    # Monday's 11:10 (after the call), and the last block is 2h (max(min_block, 1h left))
    assert spans(plan) == [("Thu 09:00", "12:00"), ("Fri 09:00", "11:00")]
    result = changes(plan, [clash, fine, moved], TARGET)
    assert [b.uid for b in result.keep] == [fine.uid]
    assert [b.uid for b in result.remove] == [clash.uid]
    assert result.remove[0].reason.startswith("Mon: clashes")
    assert [b.uid for b in result.moved] == [moved.uid]
    assert len(result.add) == 2


def test_blocks_that_started_are_kept_whatever_happened():
    block = Block(at(0, 9), at(0, 12), uid=block_id(TARGET, at(0, 9), at(0, 12)))
    events = [meeting(at(0, 10), at(0, 11))]
    plan = plan_week(events, Focus(target=180), now=at(0, 9, 30), booked=[block],
                     target=TARGET)
    assert [b.uid for b in plan.kept] == [block.uid]
    assert plan.dropped == ()


def test_the_same_source_block_is_not_counted_twice():
    block = Block(at(0, 9), at(0, 12), uid=block_id(TARGET, at(0, 9), at(0, 12)))
    as_event = Event(start=block.start, end=block.end, summary="Focus time", uid=block.uid,
                     focuscal_block=True)
    plan = plan_week([as_event], Focus(target=360), booked=[block], target=TARGET)
    assert plan.existing_focus_minutes == 180
    assert len(plan.blocks) == 1


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        plan_week([], now=datetime(2026, 3, 9, 9))


# ------------------------------------------------------------------ properties

ZONES = st.sampled_from(
    [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")]
)
WEEK = datetime(2026, 3, 2, tzinfo=UTC)  # the week of the US DST change (Sunday 2026-03-08)
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 8)


@st.composite
def scenario(draw):
    tz = draw(ZONES)
    events = []
    for n in range(draw(st.integers(0, 14))):
        start = WEEK + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
        length = timedelta(minutes=draw(st.integers(0, 6 * 60)))
        summary = draw(st.sampled_from(["Meeting", "Meeting", "Meeting", "Focus", "OOO"]))
        events.append(Event(start=start, end=start + length, summary=summary, uid=f"e{n}"))
    min_block = draw(st.integers(15, 180))
    focus = Focus(
        target=draw(st.integers(0, 1500)),
        min_block=min_block,
        max_block=draw(st.integers(min_block, 300)),
        max_per_day=draw(st.integers(1, 3)),
        prefer=draw(st.sampled_from(["morning", "afternoon", "13:00-16:00", "08:30-10:00"])),
        buffer=draw(st.integers(0, 30)),
    )
    hours = draw(st.sampled_from([(time(9), time(17)), (time(7, 30), time(19)),
                                  (time(0), time(6))]))
    policy = WorkPolicy(
        tz=tz,
        workdays=draw(st.sampled_from([frozenset(range(5)), frozenset(range(7))])),
        work_start=hours[0],
        work_end=hours[1],
        lunch=draw(st.sampled_from([None, (time(12), time(13))])),
    )
    now = WEEK + timedelta(minutes=draw(st.integers(-24 * 60, 8 * 24 * 60)))
    return classified(*events, rules=ClassifyRules()), policy, focus, now


def _floor(c):
    start = c.event.start.replace(second=0, microsecond=0)
    return Interval(start, max(start, c.event.end.replace(second=0, microsecond=0)))


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_proposals_respect_every_rule(case):
    events, policy, focus, now = case
    plan = propose(events, policy, focus, FIRST, LAST, now)
    period = period_metrics(FIRST, LAST, events, policy)
    pad = timedelta(minutes=focus.buffer)
    meetings = [_floor(c) for c in events if c.kind.value == "meeting"]
    existing_focus = {_floor(c) for c in events if c.kind.value == "focus"}
    for block in plan.blocks:
        assert block.start >= now
        assert focus.min_block <= block.minutes <= focus.max_block
        day = next(d for d in period.days if any(
            w.start <= block.start and block.end <= w.end for w in d.window))
        assert day.status == "workday"
        for busy in [*meetings, *existing_focus]:
            if busy.end > busy.start:
                assert not Interval(busy.start - pad, busy.end + pad).overlaps(block.interval)
    ordered = sorted(plan.blocks, key=lambda b: b.start)
    for a, b in itertools.pairwise(ordered):
        assert a.end + pad <= b.start
    for day in period.days:
        mine = [b for b in plan.blocks if any(b.interval.overlaps(w) for w in day.window)]
        if mine:
            theirs = [f for f in existing_focus if any(f.overlaps(w) for w in day.window)]
            assert len(mine) + len(theirs) <= focus.max_per_day
    # blocks are only added while the target is not met
    if plan.blocks:
        assert plan.after_minutes - max(b.minutes for b in plan.blocks) < plan.target_minutes


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_planning_a_booked_plan_adds_nothing(case):
    events, policy, focus, now = case
    plan = propose(events, policy, focus, FIRST, LAST, now)
    booked = [replace(b, uid=block_id(TARGET, b.start, b.end)) for b in plan.blocks]
    as_events = classified(*(
        Event(start=b.start, end=b.end, summary="Focus time", uid=b.uid, focuscal_block=True)
        for b in booked
    ), rules=ClassifyRules())
    again = propose([*events, *as_events], policy, focus, FIRST, LAST, now)
    assert again.blocks == ()
    assert again.existing_focus_minutes == plan.after_minutes
    # and booking again with the blocks in the target: keep them all, change nothing
    rebook = propose([*events, *as_events], policy, focus, FIRST, LAST, now, booked=booked,
                     target=TARGET)
    result = changes(rebook, booked, TARGET)
    assert result.empty
    assert [b.uid for b in result.keep] == [b.uid for b in booked]


@settings(max_examples=100, deadline=None)
@given(scenario(), st.randoms(use_true_random=False))
def test_order_of_events_does_not_matter(case, rnd):
    events, policy, focus, now = case
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert propose(events, policy, focus, FIRST, LAST, now) == propose(
        shuffled, policy, focus, FIRST, LAST, now)
