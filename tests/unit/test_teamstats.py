"""The team core: quartiles as the standard library computes them, events cut down to each
privacy level as free/busy or metadata would have given them, the group-size floor."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from focuscal import teamstats
from focuscal.model import ClassifyRules, Event, TeamPolicy, WorkPolicy
from tests.helpers import attendee

UTC = ZoneInfo("UTC")
START = datetime(2026, 3, 10, 10, tzinfo=UTC)
RULES = ClassifyRules(me=frozenset({"me@acme.com"}))


@given(st.lists(st.integers(0, 3000), min_size=2, max_size=60))
def test_quartiles_are_the_inclusive_quantiles(values):
    spread = teamstats.quartiles(values)
    expected = statistics.quantiles(values, n=4, method="inclusive")
    assert [spread.q1, spread.median, spread.q3] == pytest.approx(expected)


def event(**kw) -> Event:
    kw.setdefault("summary", "Pricing with ACME")
    return Event(start=START, end=START + timedelta(hours=1), **kw)


@pytest.mark.parametrize(("given_event", "kept"), [
    (event(), True),
    (event(status="CANCELLED"), False),
    (event(transparent=True), False),
    (event(attendees=(attendee("me@acme.com", "DECLINED"),)), False),
    (event(all_day=True), False),
])
def test_free_busy_keeps_busy_spans_only(given_event, kept):
    reduced = teamstats.reduce(given_event, "freebusy", RULES)
    assert (reduced is not None) is kept
    if reduced is not None:
        assert (reduced.summary, reduced.attendees, reduced.start, reduced.end) == (
            "", (), given_event.start, given_event.end)


def test_free_busy_keeps_out_of_office_and_shows_focus_as_busy():
    ooo = teamstats.reduce(event(summary="Vacation"), "freebusy", RULES)
    assert ooo is not None
    assert ooo.busy_status == "OOF"
    focus = teamstats.reduce(event(summary="Focus", event_type="focusTime"), "freebusy", RULES)
    assert focus is not None
    assert (focus.event_type, focus.focuscal_block, focus.summary) == (None, False, "")


def test_metadata_drops_the_title_only():
    given_event = event(attendees=(attendee("buyer@customer.example"),))
    reduced = teamstats.reduce(given_event, "metadata", RULES)
    assert reduced is not None
    assert reduced.summary == ""
    assert reduced.attendees == given_event.attendees
    assert teamstats.reduce(given_event, "full", RULES) is given_event


def test_the_level_is_the_lower_of_config_and_source():
    assert teamstats.level("full", "freebusy") == "freebusy"
    assert teamstats.level("metadata", "full") == "metadata"


def test_the_group_floor_holds_whatever_the_policy():
    policy = WorkPolicy(tz=UTC)
    member = teamstats.measure_member("a", "id", [], "full", RULES, policy,
                                      START.date() - timedelta(days=1),
                                      START.date() + timedelta(days=5))
    with pytest.raises(teamstats.GroupTooSmall):
        teamstats.aggregate([member, member], "full", TeamPolicy(min_group_size=1), policy)
    stats = teamstats.aggregate([member] * 3, "full", TeamPolicy(min_group_size=1), policy)
    assert stats.week.members == 3


def test_member_ids_are_keyed():
    assert teamstats.member_id(b"a" * 32, "Ana@X.com") == teamstats.member_id(b"a" * 32,
                                                                              " ana@x.com")
    assert teamstats.member_id(b"a" * 32, "ana@x.com") != teamstats.member_id(b"b" * 32,
                                                                              "ana@x.com")
