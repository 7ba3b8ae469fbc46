"""The rows behind the numbers: events and free blocks reconcile with the metrics to the minute."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focuscal.classify import classify
from focuscal.explain import explain_events, explain_free, parse_kinds, select
from focuscal.metrics import period_metrics
from focuscal.model import ClassifyRules, Event, EventKind, WorkPolicy, floor_minute
from focuscal.timeline import local_day
from tests.helpers import attendee, classified, meeting

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 3, 9)
RULES = ClassifyRules(me=frozenset({"me@acme.com"}))


def at(hour: int, minute: int = 0, day: date = MONDAY, tz=NY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def explain(events, policy, first=MONDAY, last=MONDAY):
    period = period_metrics(first, last, events, policy)
    return period, explain_events(period, events, policy)


def minutes_by_summary(day):
    return {r.summary: r.meeting_minutes for r in day.events}


def test_overlaps_go_to_the_meeting_that_starts_first():
    events = classified(
        meeting(at(10), at(11), "Long"),
        meeting(at(10, 30), at(11, 30), "Later"),  # only 11:00-11:30 is its own
        meeting(at(10, 15), at(10, 45), "Inside"),  # wholly inside Long: adds nothing
        meeting(at(12), at(12, 30), "Short same start"),
        meeting(at(12), at(13), "Long same start"),  # same start, ends later: it takes all
    )
    _, (day,) = explain(events, WorkPolicy(tz=NY))
    assert minutes_by_summary(day) == {"Long": 60, "Later": 30, "Inside": 0,
                                       "Long same start": 60, "Short same start": 0}
    assert day.metrics.meeting_minutes == 150
    assert [r.summary for r in day.events] == ["Long", "Inside", "Later", "Short same start",
                                               "Long same start"]


def test_meeting_time_outside_the_window_is_not_given_and_after_hours_rows_stay():
    events = classified(meeting(at(8), at(9, 30), "Early"), meeting(at(18), at(19), "Late"))
    _, (day,) = explain(events, WorkPolicy(tz=NY))
    rows = {r.summary: r for r in day.events}
    assert (rows["Early"].meeting_minutes, rows["Early"].in_window) == (30, True)
    assert (rows["Late"].meeting_minutes, rows["Late"].in_window) == (0, False)


def test_ignored_and_out_of_office_rows_name_their_rule():
    events = classified(
        Event(start=at(13), end=at(17), summary="Out of office"),
        meeting(at(14), at(15), "During OOO"),
        meeting(at(10), at(11), "Declined", attendees=(attendee("me@example.com", "DECLINED"),)),
        Event(start=at(0), end=at(0, day=MONDAY + timedelta(1)), summary="Label", all_day=True),
    )
    _, (day,) = explain(events, WorkPolicy(tz=NY))
    rows = {r.summary: r for r in day.events}
    assert (rows["Out of office"].kind, rows["Out of office"].rule) == (
        EventKind.OUT_OF_OFFICE, "out_of_office.title")
    assert (rows["Declined"].rule, rows["Declined"].detail) == (
        "declined", "declined by me@example.com")
    assert rows["Label"].rule == "all_day"
    assert rows["During OOO"].meeting_minutes == 0  # after hours: the window is cut
    assert sum(r.meeting_minutes for r in day.events) == day.metrics.meeting_minutes == 0


def test_a_meeting_across_midnight_is_listed_on_both_days():
    tuesday = MONDAY + timedelta(1)
    events = classified(meeting(at(23), at(1, day=tuesday), "Late call"))
    _, days = explain(events, WorkPolicy(tz=NY), MONDAY, tuesday)
    assert [[r.summary for r in d.events] for d in days] == [["Late call"], ["Late call"]]
    assert days[0].events[0].start == at(23)


def test_a_night_shift_counts_the_next_mornings_meeting_on_its_own_day():
    tuesday = MONDAY + timedelta(1)
    policy = WorkPolicy(tz=NY, work_start=time(22), work_end=time(6))
    events = classified(meeting(at(1, day=tuesday), at(2, day=tuesday), "Handover"))
    _, days = explain(events, policy, MONDAY, tuesday)
    monday, tue = days
    assert monday.metrics.meeting_minutes == 60
    assert [(r.summary, r.meeting_minutes, r.in_window) for r in monday.events] == [
        ("Handover", 60, True)]
    assert [(r.summary, r.meeting_minutes, r.in_window) for r in tue.events] == [
        ("Handover", 0, False)]


def test_seconds_are_dropped_as_the_metrics_drop_them():
    events = classified(
        meeting(at(9) + timedelta(seconds=50), at(9, 10) + timedelta(seconds=10), "A"),
        meeting(at(9, 10) + timedelta(seconds=30), at(9, 20) + timedelta(seconds=59), "B"),
    )
    _, (day,) = explain(events, WorkPolicy(tz=NY))
    assert minutes_by_summary(day) == {"A": 10, "B": 10}
    assert day.metrics.meeting_minutes == 20


def test_free_blocks_are_the_metrics_blocks():
    events = classified(
        meeting(at(9, 30), at(9, 45)),
        meeting(at(12), at(13)),
        Event(start=at(14), end=at(16), summary="Focus time", focuscal_block=True),
    )
    policy = WorkPolicy(tz=NY, focus_min=120)
    period = period_metrics(MONDAY, MONDAY, events, policy)
    (day,) = explain_free(period, policy)
    assert [(b.start, b.end, b.minutes, b.kind, b.booked_focus_minutes) for b in day.blocks] == [
        (at(9), at(9, 30), 30, "fragmented", 0),
        (at(9, 45), at(12), 135, "focus", 0),
        (at(13), at(17), 240, "focus", 120),
    ]
    (shown,) = explain_free(period, policy, min_minutes=60)
    assert [b.minutes for b in shown.blocks] == [135, 240]
    assert shown.metrics.fragmented_minutes == 30  # the day's numbers stay whole


def test_select_kinds_and_dates():
    tuesday = MONDAY + timedelta(1)
    events = classified(meeting(at(10), at(11), "M"), Event(start=at(12), end=at(13),
                        summary="Focus"), meeting(at(10, day=tuesday), at(11, day=tuesday), "T"))
    _, days = explain(events, WorkPolicy(tz=NY), MONDAY, tuesday)
    picked = select(days, kinds={EventKind.FOCUS}, dates={MONDAY})
    assert [(d.date, [r.summary for r in d.events]) for d in picked] == [(MONDAY, ["Focus"])]
    assert picked[0].metrics.meeting_minutes == 60


@pytest.mark.parametrize(
    ("text", "kinds"),
    [("meeting", {EventKind.MEETING}), ("ooo, focus", {EventKind.OUT_OF_OFFICE, EventKind.FOCUS}),
     ("IGNORED,out-of-office", {EventKind.IGNORED, EventKind.OUT_OF_OFFICE})],
)
def test_parse_kinds(text, kinds):
    assert parse_kinds(text) == kinds


@pytest.mark.parametrize(("text", "message"), [("meetign", "unknown kind 'meetign'"),
                                               (",", "expected kinds")])
def test_parse_kinds_names_the_bad_part(text, message):
    with pytest.raises(ValueError, match=message):
        parse_kinds(text)


# ------------------------------------------------------------------ properties

# Windows that hold a DST change in at least one of the zones of the ``tz`` fixture.
FIRST_DAYS = [date(2026, 3, 6), date(2026, 3, 27), date(2026, 4, 3), date(2026, 10, 2),
              date(2026, 10, 23), date(2026, 10, 30)]
DAYS = 4
ME = "me@acme.com"
KINDS = {
    "meeting": {},
    "external": {"attendees": (attendee(ME), attendee("x@customer.io"))},
    "tentative": {"status": "TENTATIVE"},
    "declined": {"attendees": (attendee(ME, "DECLINED"),)},
    "cancelled": {"status": "CANCELLED"},
    "transparent": {"transparent": True},
    "ooo": {"summary": "OOO"},
    "oof": {"busy_status": "OOF"},
    "ooo_google": {"event_type": "outOfOffice"},
    "focus": {"summary": "Focus"},
    "block": {"focuscal_block": True},
    "focus_google": {"event_type": "focusTime"},
}


# Half of the events are meetings, so that meetings overlap each other.
KIND_NAMES = st.one_of(st.sampled_from(["meeting", "external", "tentative"]),
                       st.sampled_from(sorted(KINDS)))
# Quarter hours of a day, most of them in working hours so that meetings overlap.
SLOTS = st.one_of(st.sampled_from(range(32, 72)), st.sampled_from(range(96)))


@st.composite
def calendars(draw, tz):
    first = draw(st.sampled_from(FIRST_DAYS))
    base = datetime.combine(first - timedelta(days=1), time(0), tzinfo=UTC)
    events = []
    for n in range(draw(st.integers(0, 14))):
        if draw(st.integers(0, 5)) == 0:  # all day: local midnights of the analysis zone
            day = first + timedelta(days=draw(st.integers(-1, DAYS)))
            start = datetime.combine(day, time(0), tzinfo=tz)
            end = datetime.combine(day + timedelta(days=draw(st.integers(1, 2))), time(0),
                                   tzinfo=tz)
            summary = draw(st.sampled_from(["Vacation", "Conference", "Birthday"]))
            events.append(Event(start=start, end=end, summary=summary, uid=f"d{n}",
                                all_day=True, source="cal"))
            continue
        day = draw(st.sampled_from([1, 1, 2, 3, 4, 0, 5]))  # mostly the first days
        start = base + timedelta(days=day, minutes=15 * draw(SLOTS),
                                 seconds=draw(st.sampled_from([0, 0, 0, 30, 59])))
        length = timedelta(minutes=draw(st.sampled_from([0, 5, 15, 30, 45, 60, 90, 150, 600])),
                           seconds=draw(st.sampled_from([0, 0, 45])))
        fields = {"summary": "Meeting", **KINDS[draw(KIND_NAMES)]}
        zone = draw(st.sampled_from([tz, UTC]))  # the zone a source gives does not matter
        events.append(Event(start=start.astimezone(zone), end=(start + length).astimezone(zone),
                            uid=f"e{n}", source=draw(st.sampled_from(["a.ics", "google:x"])),
                            **fields))
    if events and draw(st.booleans()):
        events.append(events[0])  # the same instance twice (two sources)
    return first, events


policies = st.builds(
    lambda hours, lunch, workdays, focus_min: (hours, lunch, workdays, focus_min),
    st.sampled_from([(time(9), time(17)), (time(8, 30), time(16, 45)), (time(22), time(6)),
                     (time(0), time(0))]),
    st.sampled_from([None, (time(12), time(13))]),
    st.sampled_from([frozenset(range(5)), frozenset(range(7))]),
    st.sampled_from([30, 90, 120]),
)


def _policy(tz, drawn):
    (start, end), lunch, workdays, focus_min = drawn
    return WorkPolicy(tz=tz, work_start=start, work_end=end, lunch=lunch, workdays=workdays,
                  focus_min=focus_min)


PROPERTY = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(data=st.data())
def test_events_minutes_sum_to_each_days_meeting_minutes(tz, data):
    first, events = data.draw(calendars(tz))
    policy = _policy(tz, data.draw(policies))
    rules = ClassifyRules(me=frozenset({ME}), tentative_free=data.draw(st.booleans()))
    items = [classify(e, rules) for e in events]
    period = period_metrics(first, first + timedelta(days=DAYS - 1), items, policy)
    days = explain_events(period, items, policy)
    assert [d.metrics for d in days] == list(period.days)
    for day in days:
        rows = day.events
        assert sum(r.meeting_minutes for r in rows) == day.metrics.meeting_minutes
        assert sum(r.in_window for r in rows if r.kind is EventKind.MEETING) == (
            day.metrics.meeting_count)
        assert all(r.meeting_minutes == 0 for r in rows if r.kind is not EventKind.MEETING)
        assert all(r.meeting_minutes >= 0 for r in rows)
        # every instance touching the local day (in whole minutes) is listed, whatever its kind
        local = local_day(day.date, tz)
        touching = [c for c in items if floor_minute(c.event.start) < local.end
                    and floor_minute(c.event.end) > local.start]
        listed = [(r.uid, r.start) for r in rows]
        for c in touching:
            assert (c.event.uid, c.event.start.astimezone(tz)) in listed


@PROPERTY
@given(data=st.data())
def test_free_blocks_sum_to_focus_and_fragmented(tz, data):
    first, events = data.draw(calendars(tz))
    policy = _policy(tz, data.draw(policies))
    items = [classify(e, RULES) for e in events]
    period = period_metrics(first, first + timedelta(days=DAYS - 1), items, policy)
    for day in explain_free(period, policy):
        m = day.metrics
        assert sum(b.minutes for b in day.blocks if b.focus) == m.focus_minutes
        assert sum(b.minutes for b in day.blocks if not b.focus) == m.fragmented_minutes
        assert [(b.start, b.end) for b in day.blocks] == [(b.start, b.end) for b in m.blocks]
        assert all(b.start.tzinfo is tz for b in day.blocks)
        assert sum(b.booked_focus_minutes for b in day.blocks) == m.focus_booked_minutes
        if m.status != "workday":
            assert day.blocks == ()


@PROPERTY
@given(data=st.data())
def test_rows_do_not_depend_on_the_order_of_events(tz, data):
    first, events = data.draw(calendars(tz))
    policy = _policy(tz, data.draw(policies))
    items = [classify(e, RULES) for e in events]
    shuffled = data.draw(st.permutations(items))
    last = first + timedelta(days=DAYS - 1)
    one = explain_events(period_metrics(first, last, items, policy), items, policy)
    two = explain_events(period_metrics(first, last, shuffled, policy), shuffled, policy)
    assert one == two
