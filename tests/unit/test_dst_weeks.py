"""Whole DST weeks through the real ICS source and metrics, numbers derived by hand."""

import json

from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import DATA


def audit(name, *args):
    result = CliRunner().invoke(
        cli, ["audit", str(DATA / name), "--format", "json", "--workdays", "MO-SU", *args]
    )
    assert result.exit_code == 0, result.output
    return {d["date"]: d for d in json.loads(result.stdout)["days"]}


def block_times(day):
    return [(b["start"][11:16], b["end"][11:16]) for b in day["blocks"]]


def test_new_york_spring_forward_week():
    days = audit("dst_week_new_york.ics", "--from", "2026-03-05", "--to", "2026-03-11",
                 "--tz", "America/New_York")
    # The standup stays at 09:30 local; the UTC sync moves from 10:00 (EST) to 11:00 (EDT).
    assert block_times(days["2026-03-06"]) == [("09:00", "09:30"), ("11:00", "17:00")]
    assert block_times(days["2026-03-09"]) == [("09:00", "09:30"), ("10:00", "11:00"),
                                               ("12:00", "17:00")]
    # Sunday 8 March is 23 hours long, yet 09:00-17:00 is still 8 hours of working time.
    sunday = days["2026-03-08"]
    assert sunday["working_minutes"] == 480
    assert sunday["meeting_minutes"] == 90
    # 01:00 EST to 04:00 EDT is two elapsed hours, all of them before the working window.
    assert sunday["after_hours_meeting_minutes"] == 120
    for day in days.values():
        assert day["focus_minutes"] + day["fragmented_minutes"] + day["meeting_minutes"] == (
            day["working_minutes"])


def test_new_york_week_seen_from_berlin():
    days = audit("dst_week_new_york.ics", "--from", "2026-03-05", "--to", "2026-03-11",
                 "--tz", "Europe/Berlin")
    # New York's 09:30 is 15:30 in Berlin before 8 March and 14:30 after (Berlin moves on 29 March)
    assert ("09:00", "15:30") in block_times(days["2026-03-06"])
    assert ("09:00", "14:30") in block_times(days["2026-03-09"])
    # the UTC sync is 16:00-17:00 in Berlin all week
    assert block_times(days["2026-03-09"])[-1] == ("15:00", "16:00")


def test_berlin_fall_back_week():
    days = audit("dst_week_berlin.ics", "--from", "2026-10-22", "--to", "2026-10-28",
                 "--tz", "Europe/Berlin")
    # Until Sunday 25 October New York is 6 hours behind; Berlin falls back on the 25th and
    # New York on 1 November, so for that week the gap is 5 hours: 16:00 becomes 15:00.
    assert block_times(days["2026-10-23"]) == [("09:00", "09:30"), ("10:00", "16:00")]
    assert block_times(days["2026-10-26"]) == [("09:00", "09:30"), ("10:00", "15:00"),
                                               ("16:00", "17:00")]
    sunday = days["2026-10-25"]
    assert sunday["working_minutes"] == 480
    # 01:30 CEST to 03:30 CET is three elapsed hours (02:00-03:00 happens twice)
    assert sunday["after_hours_meeting_minutes"] == 180
    assert sunday["meeting_minutes"] == 30 + 60
