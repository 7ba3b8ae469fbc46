from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from focuscal.model import Interval
from focuscal.timeline import local_day, local_instant, merge, subtract, working_window

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def iv(a: int, b: int) -> Interval:
    return Interval(T0 + timedelta(minutes=a), T0 + timedelta(minutes=b))


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([], []),
        ([(0, 30)], [(0, 30)]),
        ([(0, 30), (30, 60)], [(0, 60)]),
        ([(0, 30), (10, 20)], [(0, 30)]),
        ([(40, 60), (0, 30)], [(0, 30), (40, 60)]),
        ([(0, 0), (5, 10)], [(5, 10)]),
    ],
)
def test_merge(spans, expected):
    assert merge(iv(a, b) for a, b in spans) == [iv(a, b) for a, b in expected]


@pytest.mark.parametrize(
    ("base", "cuts", "expected"),
    [
        ([(0, 60)], [(10, 20)], [(0, 10), (20, 60)]),
        ([(0, 60)], [(0, 60)], []),
        ([(0, 60)], [(-10, 10), (50, 70)], [(10, 50)]),
        ([(0, 60)], [], [(0, 60)]),
        ([(0, 30), (40, 60)], [(20, 50)], [(0, 20), (50, 60)]),
    ],
)
def test_subtract(base, cuts, expected):
    assert subtract([iv(*b) for b in base], [iv(*c) for c in cuts]) == [iv(*e) for e in expected]


def test_mixed_zones_merge_by_instant():
    berlin = ZoneInfo("Europe/Berlin")
    a = Interval(datetime(2026, 3, 2, 10, tzinfo=berlin), datetime(2026, 3, 2, 11, tzinfo=berlin))
    b = Interval(datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 2, 11, tzinfo=UTC))
    assert [i.minutes for i in merge([a, b])] == [120]


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("Europe/Berlin", date(2026, 3, 30), 24),
    ],
)
def test_dst_days_have_elapsed_length(zone, day, hours):
    assert local_day(day, ZoneInfo(zone)).seconds == hours * 3600


def test_working_window_on_dst_day_is_still_eight_hours():
    ny = ZoneInfo("America/New_York")
    window = working_window(date(2026, 3, 8), time(9), time(17), ny)
    assert window.minutes == 480
    # a night window across the jump loses an hour of elapsed time
    night = working_window(date(2026, 3, 7), time(22), time(6), ny)
    assert night.minutes == 7 * 60


def test_nonexistent_local_time_moves_past_the_gap():
    ny = ZoneInfo("America/New_York")
    instant = local_instant(date(2026, 3, 8), time(2, 30), ny)
    assert instant.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
