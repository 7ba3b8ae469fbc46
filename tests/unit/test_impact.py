"""Costliest meetings and suggestions against cases computed by hand from the rules.

Work hours 09:00-17:00, focus_min 2h unless a case says otherwise. "Focus" is the total of the
free stretches of at least 2h.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focuscal.impact import costliest
from focuscal.metrics import period_metrics
from focuscal.model import WorkPolicy
from tests.helpers import classified, meeting

UTC = ZoneInfo("UTC")
MONDAY = date(2026, 3, 9)


def at(hour: int, minute: int = 0, day: date = MONDAY, tz=UTC) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def one_day(*events, policy=None, reverse=False):
    items = classified(*events)
    if reverse:
        items.reverse()
    return costliest(items, policy or WorkPolicy(tz=UTC), MONDAY, MONDAY)


@pytest.mark.parametrize("reverse", [False, True])
def test_ranking_and_sequential_suggestions(reverse):
    # A 12:00-13:00, B 10:00-10:30. Blocks 9-10 (1h), 10:30-12 (1h30), 13-17 (4h): focus 4h.
    a = meeting(at(12), at(13), "A", uid="a")
    b = meeting(at(10), at(10, 30), "B", uid="b")
    impact = one_day(a, b, reverse=reverse)
    assert impact.focus_minutes == 240
    # Without B: 9-12 (3h) + 13-17 (4h) = 7h, +3h. Without A: 10:30-17 (6h30), +2h30.
    assert [(c.summary, c.gain, c.focus_without) for c in impact.costliest] == [
        ("B", 180, 420), ("A", 150, 390)]
    first, second = impact.suggestions
    # B fits at 09:00, 11:30, 13:00 or 16:30 and each gives 9:30-12 or similar: 6h30, +2h30
    # (at least half of +3h); the smallest shift wins: 09:00.
    assert (first.action, first.meeting.summary, first.gain) == ("move", "B", 150)
    assert first.to == at(9)
    # Then A (with B at 09:00): blocks 9:30-12 (2h30) + 13-17 (4h) = 6h30. Without A: 7h30,
    # +1h. Moving A gives nothing (9:30 -> 10:30-17 6h30; 13:00 -> 9:30-13 + 14-17 = 6h30);
    # cutting it to 30m keeps 9:30-12 and 12:30-17 (or 9:30-12:30, 13-17): 7h, +30m.
    assert (second.action, second.meeting.summary, second.gain) == ("shorten", "A", 30)
    assert second.minutes == 30
    assert second.keep_start is True
    assert impact.total_gain == 180


def test_a_recurring_series_is_one_meeting_and_moves_as_one(tz):
    # Mon-Fri standup 09:30-09:45 (one UID): each day 9-9:30 is a fragment, 9:45-17 is 7h15.
    monday = date(2026, 3, 23)
    days = [monday + timedelta(days=n) for n in range(5)]
    standups = [meeting(at(9, 30, d, tz), at(9, 45, d, tz), "Standup", uid="standup")
                for d in days]
    policy = WorkPolicy(tz=tz)
    impact = costliest(classified(*standups), policy, monday, monday + timedelta(days=6))
    assert impact.focus_minutes == 5 * 435
    (cost,) = impact.costliest
    assert (cost.count, cost.minutes, cost.gain) == (5, 75, 5 * 45)
    (move,) = impact.suggestions
    # 09:00 or 16:45 each give 7h45 a day (+30m); 09:00 is the smaller shift.
    assert move.action == "move"
    assert move.gain == 5 * 30
    assert move.to == at(9, 0, monday, tz)


def test_decline_when_neither_moving_nor_cutting_helps():
    # Booked focus 9-11 and 13-17; a 15-minute meeting at 11:00. Blocks 9-11 (2h) and
    # 11:15-17 (5h45): 7h45. Without it: 8h (+15m). The only other free slot is 12:45-13:00
    # (9-12:45 + 13-17 = 7h45: +0), and 15 minutes cannot be cut.
    focus = [meeting(at(9), at(11), "Focus time"), meeting(at(13), at(17), "Focus time")]
    m = meeting(at(11), at(11, 15), "Quick sync", uid="q")
    impact = one_day(*focus, m)
    assert impact.focus_minutes == 465
    (s,) = impact.suggestions
    assert (s.action, s.meeting.summary, s.gain) == ("decline", "Quick sync", 15)


def test_meetings_that_cost_nothing_are_not_listed():
    # After hours or on a weekend: no focus time at stake, so neither is listed.
    late = meeting(at(18), at(19), "Late call", uid="late")
    weekend = meeting(at(10, day=MONDAY + timedelta(days=5)), at(11, day=MONDAY + timedelta(5)),
                      "Saturday", uid="sat")
    impact = costliest(classified(late, weekend), WorkPolicy(tz=UTC), MONDAY,
                       MONDAY + timedelta(days=6))
    assert impact.costliest == ()
    assert impact.suggestions == ()
    assert impact.focus_minutes == 5 * 480


def test_focus_min_decides_what_a_meeting_costs():
    # With focus_min 1h, a meeting at 10:00-10:30 leaves 9-10 (1h) and 10:30-17 (6h30), both
    # focus time: it costs exactly its own 30 minutes.
    m = meeting(at(10), at(10, 30), "M", uid="m")
    impact = one_day(m, policy=WorkPolicy(tz=UTC, focus_min=60))
    (cost,) = impact.costliest
    assert cost.gain == 30
    (s,) = impact.suggestions
    # Moving it to 09:00 or 16:30 keeps 7h30 of focus: +0, so cut it to 15m (+15m, half).
    assert (s.action, s.gain, s.minutes) == ("shorten", 15, 15)


# ---------------------------------------------------------------- properties

QUARTERS = st.integers(min_value=7 * 4, max_value=19 * 4)  # 07:00 to 19:00, quarter hours


@st.composite
def weeks(draw):
    """A few meetings on random days of one week; some share a UID (a series)."""
    items = []
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        day = MONDAY + timedelta(days=draw(st.integers(min_value=0, max_value=6)))
        start = at(0, 0, day) + timedelta(minutes=15 * draw(QUARTERS))
        length = timedelta(minutes=15 * draw(st.integers(min_value=1, max_value=12)))
        uid = draw(st.sampled_from(["s1", "s2", f"one-{n}"]))
        items.append(meeting(start, start + length, f"M{n}", uid=uid))
    return items


@settings(max_examples=60, deadline=None)
@given(weeks())
def test_costs_equal_a_full_rerun_of_the_metrics_in_any_order(events):
    policy = WorkPolicy(tz=UTC)
    last = MONDAY + timedelta(days=6)
    items = classified(*events)
    impact = costliest(items, policy, MONDAY, last, limit=50)
    again = costliest(list(reversed(items)), policy, MONDAY, last, limit=50)
    assert impact == again
    focus = period_metrics(MONDAY, last, items, policy).total("focus_minutes")
    assert impact.focus_minutes == focus
    for cost in impact.costliest:
        without = [c for c in items if c.event.uid != cost.key]
        assert cost.focus_without == period_metrics(MONDAY, last, without, policy).total(
            "focus_minutes")
        assert cost.gain > 0
    assert [c.gain for c in impact.costliest] == sorted(
        (c.gain for c in impact.costliest), reverse=True)
    for s in impact.suggestions:
        assert s.gain > 0
