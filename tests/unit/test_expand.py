"""Bounded expansion (focuscal.ical.expand): the same instances as recurring-ical-events' own
expansion whenever no limit is reached, at most ``limit`` instances of one event otherwise, and
rules no day satisfies skipped without a search to the year 9999."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focuscal.ical import expand

ZONES = [None, "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def calendar(dtstart: str, rule: str, extra: str = "") -> icalendar.Calendar:
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s\r\n"
            f"DTSTART{dtstart}\r\nDURATION:PT20M\r\nRRULE:{rule}\r\n{extra}END:VEVENT\r\n"
            "END:VCALENDAR\r\n")
    return icalendar.Calendar.from_ical(text)


def bounded(cal: icalendar.Calendar, first, last, limit: int = 10**9) -> tuple[list, object]:
    [components] = expand.groups(cal)
    series = expand.series(components, limit)
    return sorted((o.start, o.end) for o in series.between(first, last)), series


def plain(cal: icalendar.Calendar, first, last) -> list:
    return sorted((c["DTSTART"].dt, c["DTEND"].dt)
                  for c in recurring_ical_events.of(cal).between(first, last))


def dtstart_text(start: datetime, zone: str | None) -> str:
    if zone is None:
        return f":{start:%Y%m%dT%H%M%S}"
    if zone == "UTC":
        return f":{start:%Y%m%dT%H%M%S}Z"
    return f";TZID={zone}:{start:%Y%m%dT%H%M%S}"


@st.composite
def rules(draw):
    freq = draw(st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY",
                                 "YEARLY"]))
    # the plain expansion computes every instance from DTSTART on: keep it affordable
    interval = draw(st.integers(60, 400) if freq == "SECONDLY" else
                    st.integers(5, 90) if freq == "MINUTELY" else st.integers(1, 4))
    gap_days = {"SECONDLY": 3, "MINUTELY": 3, "HOURLY": 300}.get(freq, 900)
    parts = [f"FREQ={freq}", f"INTERVAL={interval}"]
    end = draw(st.sampled_from(["", "COUNT", "UNTIL"]))
    if end == "COUNT":
        parts.append(f"COUNT={draw(st.integers(1, 400))}")
    if draw(st.booleans()):
        parts.append("BYDAY=" + ",".join(draw(st.lists(st.sampled_from(DAYS), min_size=1,
                                                       max_size=4, unique=True))))
    if freq in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY") and draw(st.booleans()):
        parts.append("BYMONTH=" + ",".join(map(str, draw(st.lists(st.integers(1, 12),
                                                                  min_size=1, max_size=4,
                                                                  unique=True)))))
    if freq in ("MONTHLY", "YEARLY", "DAILY") and draw(st.booleans()):
        parts.append("BYMONTHDAY=" + ",".join(map(str, draw(st.lists(
            st.integers(-31, 31).filter(bool), min_size=1, max_size=3, unique=True)))))
    if freq in ("DAILY", "WEEKLY", "MONTHLY") and draw(st.booleans()):
        parts.append("BYHOUR=" + ",".join(map(str, draw(st.lists(st.integers(0, 23),
                                                                 min_size=1, max_size=3,
                                                                 unique=True)))))
    if "BYDAY" in parts[-1] and freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
        parts.append(f"BYSETPOS={draw(st.sampled_from([1, 2, -1]))}")
    start = draw(st.datetimes(datetime(2023, 1, 1), datetime(2026, 1, 1))).replace(microsecond=0)
    if end == "UNTIL":
        until = start + timedelta(days=draw(st.integers(1, gap_days * 2)))
        parts.append(f"UNTIL={until:%Y%m%dT%H%M%S}Z")
    offset = timedelta(days=draw(st.integers(0, gap_days)), hours=draw(st.integers(0, 23)))
    return ";".join(parts), start, offset, draw(st.integers(1, 9))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules(), zone=st.sampled_from(ZONES))
def test_same_instances_as_recurring_ical_events(rule, zone):
    """The restart near the window and the lazy reading never change an instance."""
    text, start, offset, days = rule
    cal = calendar(dtstart_text(start, zone), text)
    tz = ZoneInfo(zone) if zone else None
    first = (start + offset).replace(tzinfo=tz)
    last = first + timedelta(days=days)
    got, series = bounded(cal, first, last)
    assert got == plain(cal, first, last), text
    assert not series.capped
    assert not series.costly


@pytest.mark.parametrize(("start", "rule"), [
    ("20260302T090000Z", "FREQ=SECONDLY;UNTIL=20260309T090000Z"),
    ("20260101T000000Z", "FREQ=MINUTELY;UNTIL=20270101T000000Z"),
    ("20260101T000000Z", "FREQ=MINUTELY;COUNT=99999999"),
    ("19700101T000000Z", "FREQ=SECONDLY"),
    ("19700101T000000Z", "FREQ=SECONDLY;COUNT=2000000000"),
    (";TZID=Europe/Berlin:19700101T000000", "FREQ=MINUTELY;INTERVAL=7"),
])
def test_a_recurrence_bomb_gives_the_limit_and_is_marked(start, rule):
    cal = calendar(start if start.startswith(";") else f":{start}", rule)
    got, series = bounded(cal, date(2026, 3, 1), date(2026, 3, 8), limit=500)
    assert len(got) == 500
    assert series.capped
    assert not series.costly
    # the instances kept are the first ones of the dates asked about, one rule step apart
    assert got[0][0] >= datetime(2026, 3, 1, tzinfo=got[0][0].tzinfo) - timedelta(days=1)
    step = got[1][0] - got[0][0]
    assert all(b[0] - a[0] == step for a, b in itertools.pairwise(got))


def test_a_rule_that_cannot_restart_and_computes_too_much_before_the_window_is_skipped():
    # COUNT with BYxxx parts: the instances per period vary, the count cannot follow a restart
    cal = calendar(":20200101T000000Z", "FREQ=HOURLY;BYMINUTE=0,30;COUNT=100000000")
    got, series = bounded(cal, date(2026, 3, 1), date(2026, 3, 8), limit=100)
    assert series.costly
    assert got == []


def test_within_the_limit_nothing_is_marked():
    cal = calendar(":20260302T090000Z", "FREQ=MINUTELY;COUNT=500")
    got, series = bounded(cal, date(2026, 3, 1), date(2026, 3, 8), limit=500)
    assert len(got) == 500
    assert not series.capped
    assert not series.costly


@pytest.mark.parametrize("rule", [
    "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31;BYHOUR=3",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;BYWEEKNO=1;BYMONTH=6",
    "FREQ=WEEKLY;BYMONTH=4,6,9,11;BYMONTHDAY=31",
    "FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1",
    "FREQ=MONTHLY;BYMONTHDAY=-30;BYMONTH=2",
    "FREQ=SECONDLY;INTERVAL=604800;BYDAY=MO",  # every instant of the grid is a Tuesday
    "FREQ=HOURLY;INTERVAL=168;BYDAY=SU",
])
def test_a_rule_no_day_satisfies_gives_only_its_dtstart(rule):
    """dateutil would search until the year 9999 for the next instance (minutes for some)."""
    cal = calendar(":20200107T100000Z", rule)  # a Tuesday
    assert bounded(cal, date(2026, 1, 1), date(2026, 12, 31))[0] == []
    assert bounded(cal, date(2020, 1, 6), date(2020, 1, 8))[0] == [
        (datetime(2020, 1, 7, 10, tzinfo=ZoneInfo("UTC")),
         datetime(2020, 1, 7, 10, 20, tzinfo=ZoneInfo("UTC")))]


@settings(max_examples=300, deadline=None)
@given(day=st.dates(date(1990, 1, 1), date(2090, 12, 31)),
       keys=st.lists(st.sampled_from(expand._DATE_FILTERS), min_size=2, max_size=5, unique=True),
       extra=st.lists(st.integers(1, 28), max_size=2))
def test_any_day_never_refuses_a_day_that_passes(day, keys, extra):
    """Filters built so that ``day`` passes them (computed from the date itself, ISO weeks by
    Python's own isocalendar) always leave a day."""
    year_length = 366 if expand._leap(day.year) else 365
    month_length = ((day.replace(day=28) + timedelta(days=4)).replace(day=1)
                    - timedelta(days=1)).day
    yday = day.timetuple().tm_yday
    values = {
        "BYMONTH": [day.month],
        "BYMONTHDAY": [day.day if extra[:1] != [1] else day.day - month_length - 1],
        "BYYEARDAY": [yday if extra[:1] != [2] else yday - year_length - 1],
        "BYWEEKNO": [day.isocalendar()[1]],
        "BYDAY": [DAYS[day.weekday()]],
    }
    filters = tuple(sorted((k, ",".join(map(str, values[k] + extra if k not in ("BYDAY",)
                                            else values[k]))) for k in keys))
    filters = tuple((k, v) if k != "BYMONTH" else (k, ",".join(
        str(x) for x in {int(x) for x in v.split(",")} if x <= 12)) for k, v in filters)
    assert expand.any_day(filters)
