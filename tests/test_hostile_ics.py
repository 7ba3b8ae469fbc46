"""Hostile calendars (issue 11, "Bounded work"): each one gives the right answer or one clear
line, with bounded memory, on the fast path and on the plain one.

Each audit runs in a real subprocess under an address-space limit of 1 GiB (before the limits
of ``focuscal.ical.expand`` these ran past 60 s at 600+ MiB); the timeout only guards against a
hang, it measures nothing (the figures are in benchmarks/hostile.py).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from datetime import date

import pytest

from tests.conftest import ROOT
from tests.helpers import ics

ADDRESS_SPACE = 1 << 30
NORMAL = """UID:normal
SUMMARY:Normal meeting
DTSTART:20260303T100000Z
DTEND:20260303T110000Z"""


def bomb(start: str, rule: str, uid: str = "bomb") -> bytes:
    return ics(f"UID:{uid}\nSUMMARY:Every tick\nDTSTART:{start}\nDURATION:PT1S\nRRULE:{rule}",
               NORMAL)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def audit(path, *args: str, fast: bool = True, env: dict[str, str] | None = None):
    """``focuscal audit PATH ARGS --format json`` in a subprocess: (exit code, JSON or None,
    stderr)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT),
                   "FOCUSCAL_NO_FASTPATH": "0" if fast else "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "audit", str(path), "--tz", "UTC", "--format",
         "json", *args],
        capture_output=True, text=True, env=environment, timeout=120, preexec_fn=_limit_memory,
        check=False,
    )
    doc = json.loads(proc.stdout) if proc.returncode == 0 else None
    return proc.returncode, doc, proc.stderr


BOMBS = {
    "secondly-week": ("20260302T090000Z", "FREQ=SECONDLY;UNTIL=20260309T090000Z"),
    "secondly-year": ("20260101T000000Z", "FREQ=SECONDLY;UNTIL=20270101T000000Z"),
    "minutely-year": ("20260101T000000Z", "FREQ=MINUTELY;UNTIL=20270101T000000Z"),
    "minutely-count": ("20260101T000000Z", "FREQ=MINUTELY;COUNT=99999999"),
    "secondly-1970": ("19700101T000000Z", "FREQ=SECONDLY"),
}
WINDOWS = {"week": ["--week", "2026-W10"], "year": ["--from", "2026-01-01", "--to", "2026-12-31"]}


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("window", WINDOWS, ids=list(WINDOWS))
@pytest.mark.parametrize("name", BOMBS, ids=list(BOMBS))
def test_a_recurrence_bomb_is_cut_with_one_warning_naming_it(name, window, fast, tmp_path):
    path = tmp_path / f"{name}.ics"
    path.write_bytes(bomb(*BOMBS[name]))
    code, doc, stderr = audit(path, *WINDOWS[window], fast=fast)
    assert code == 0, stderr
    [warning] = doc["warnings"]
    assert warning.startswith(f"{path}: event 'Every tick' (UID bomb) repeats more than 10,000 ")
    assert "max_instances" in warning
    # the normal meeting is counted; the bomb adds at most its 10,000 seconds
    meetings = doc["totals"]["meeting_minutes"]
    assert 60 <= meetings <= 60 + 10_000 // 60 + 1


def test_the_limit_is_the_config_key_max_instances(tmp_path):
    path = tmp_path / "minutely.ics"
    path.write_bytes(bomb("20260302T090000Z", "FREQ=MINUTELY;COUNT=300"))
    config = tmp_path / "config.toml"
    config.write_text("max_instances = 120\n")
    code, doc, stderr = audit(path, "--week", "2026-W10", "--config", str(config))
    assert code == 0, stderr
    assert "repeats more than 120 times" in doc["warnings"][0]
    # 120 one-second instances a minute apart: 120 one-minute stretches from 09:00 on Monday
    monday = doc["days"][0]
    assert monday["meeting_count"] == 120
    config.write_text("max_instances = 300\n")
    code, doc, stderr = audit(path, "--week", "2026-W10", "--config", str(config))
    assert code == 0, stderr
    assert doc["warnings"] == []
    assert doc["days"][0]["meeting_count"] == 300


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_a_rule_no_day_satisfies_is_no_search_to_the_year_9999(fast, tmp_path):
    """dateutil alone searches minutes for the next instance of these."""
    path = tmp_path / "never.ics"
    path.write_bytes(ics(
        "UID:never\nDTSTART:20200107T030000Z\nDURATION:PT1M\n"
        "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31;BYHOUR=3",
        "UID:never2\nDTSTART:20200107T030000Z\nDURATION:PT1M\n"
        "RRULE:FREQ=DAILY;BYWEEKNO=1;BYMONTH=6", NORMAL))
    code, doc, stderr = audit(path, "--from", "2026-01-01", "--to", "2026-12-31", fast=fast)
    assert code == 0, stderr
    assert doc["totals"]["meeting_minutes"] == 60
    assert doc["warnings"] == []


# ---------------------------------------------------------------- one truth for the fast path


def both_paths(path, *args: str):
    """The audit on the fast path and on the plain one, which must agree."""
    fast, plain = audit(path, *args, fast=True), audit(path, *args, fast=False)
    assert fast[:2] == plain[:2]
    return fast


def test_escaped_uid_groups_as_icalendar_groups_it(tmp_path):
    """A later SEQUENCE moved the meeting out of the window: the stale copy (its UID written
    unescaped) must not count on the fast path either."""
    path = tmp_path / "moved.ics"
    path.write_bytes(ics(
        "UID:meeting\\,42\nSEQUENCE:2\nSUMMARY:Moved away\n"
        "DTSTART:20250303T100000Z\nDTEND:20250303T120000Z",
        "UID:meeting,42\nSEQUENCE:1\nSUMMARY:Stale\n"
        "DTSTART:20260303T100000Z\nDTEND:20260303T120000Z"))
    code, doc, stderr = both_paths(path, "--week", "2026-W10")
    assert code == 0, stderr
    assert doc["totals"]["meeting_minutes"] == 0


BROKEN = {
    "bysetpos": "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0;UNTIL=20190601T000000Z",
    "bare-cr": "SUMMARY:a\rb",
    "nul-parameter": "X-NOTE;X-A=\x00:x",
    "long-tzid": "X-NOTE:y\nDTEND;TZID=" + "A" * 5000 + ":20190303T110000",
    "no-dtstart": None,
}


@pytest.mark.parametrize("kind", BROKEN, ids=list(BROKEN))
def test_a_broken_event_outside_the_window_gives_the_same_verdict_on_both_paths(kind,
                                                                                tmp_path):
    extra = BROKEN[kind]
    lines = "UID:bad\nSUMMARY:Broken\n" + (
        "DTEND:20190303T110000Z" if extra is None else
        f"DTSTART:20190303T100000Z\n{extra}" if "DTEND" in extra else
        f"DTSTART:20190303T100000Z\nDTEND:20190303T110000Z\n{extra}")
    path = tmp_path / f"{kind}.ics"
    path.write_bytes(ics(lines, NORMAL))
    code, doc, stderr = both_paths(path, "--week", "2026-W10")
    assert code == 0, stderr
    assert doc["totals"]["meeting_minutes"] == 60
    # nothing on stderr but focuscal's own warning lines (none of icalendar's)
    assert stderr == "".join(f"warning: {w}\n" for w in doc["warnings"])


@pytest.mark.parametrize(("kind", "problem"), [
    ("rrule", "FREQ=SOMETIMES"),
    ("no-dtstart", "it has no DTSTART (every event needs a start)"),
    ("long-tzid", "File name too long"),
])
def test_a_broken_event_in_the_window_is_skipped_with_one_warning(kind, problem, tmp_path):
    bad = {"rrule": "DTSTART:20260304T100000Z\nDTEND:20260304T110000Z\nRRULE:FREQ=SOMETIMES",
           "no-dtstart": "DTEND:20260304T110000Z",
           "long-tzid": "DTSTART;TZID=" + "A" * 5000 + ":20260304T100000\nDURATION:PT1H"}[kind]
    path = tmp_path / f"{kind}.ics"
    path.write_bytes(ics(NORMAL, f"UID:bad\\,1\nSUMMARY:Broken\n{bad}"))
    code, doc, stderr = both_paths(path, "--week", "2026-W10")
    assert code == 0, stderr
    assert doc["totals"]["meeting_minutes"] == 60
    [warning] = doc["warnings"]
    # the BEGIN:VEVENT of the broken event is line 10 (3 header lines, 6 of the normal one)
    assert warning.startswith(f"{path}:10: event 'Broken' (UID bad,1) cannot be read and is "
                              "skipped: ")
    assert problem in warning
    # nothing on stderr but focuscal's own warning lines (none of icalendar's)
    assert stderr == "".join(f"warning: {w}\n" for w in doc["warnings"])


def test_icalendar_warnings_do_not_reach_stderr(tmp_path):
    """A Thunderbird TZID without its VTIMEZONE: icalendar guesses Europe/Berlin and says so
    with a Python warning (GloballyUniqueTZIDGuessed)."""
    path = tmp_path / "thunderbird.ics"
    path.write_bytes(ics("UID:tb\nDTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:"
                         "20260303T100000\nDURATION:PT1H"))
    code, doc, stderr = both_paths(path, "--week", "2026-W10")
    assert code == 0, stderr
    assert stderr == ""
    assert doc["days"][1]["meeting_minutes"] == 60
    assert doc["days"][1]["blocks"][0]["start"] == "2026-03-03T10:00:00+00:00"  # 11:00 Berlin


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_dates_out_of_range_are_one_line_and_exit_2(fast, tmp_path):
    path = tmp_path / "odd.ics"
    path.write_bytes(ics(
        "UID:odd\nDTSTART;TZID=Odd:00010101T000000\nDURATION:PT1H",
        header="BEGIN:VTIMEZONE\nTZID:Odd\nBEGIN:STANDARD\nDTSTART:00010101T000000\n"
               "TZOFFSETFROM:+0100\nTZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE"))
    code, _, stderr = audit(path, "--from", "0001-01-01", "--to", "0001-01-07", fast=fast)
    assert code == 2
    [line] = stderr.splitlines()
    assert line.startswith(f"focuscal: error: {path}: ")
    assert "out of range" in line
    assert "internal error" not in line


# ---------------------------------------------------------------- memory proportional to the input


def long_lines(kind: str) -> bytes:
    """About 10 MB of very long lines (200 events), as text focuscal never reads."""
    text = ("lorem ipsum, dolor; sit \\, amet " * 1600)[:50_000]
    events = []
    for i in range(200):
        line = {"description": f"DESCRIPTION:{text}",
                "categories": "CATEGORIES:" + ",".join(["work"] * 10_000),
                "folded": "\r\n ".join(f"X-ALT-DESC:{text}"[j:j + 74]
                                       for j in range(0, len(text) + 11, 74))}[kind]
        events.append(f"BEGIN:VEVENT\r\nUID:e{i}\r\nSUMMARY:Event {i}\r\nDTSTART:202603"
                      f"{2 + i % 5:02d}T{9 + i % 8:02d}0000Z\r\nDURATION:PT30M\r\n{line}\r\n"
                      "END:VEVENT\r\n")
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + "".join(events)
            + "END:VCALENDAR\r\n").encode()


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("kind", ["description", "categories", "folded"])
def test_a_10_mb_file_of_long_lines_costs_memory_proportional_to_it(kind, fast):
    """icalendar built 900 MB of objects for 10 MB of CATEGORIES; what no number depends on
    never reaches it now (focuscal.ical.prune)."""
    import tracemalloc
    from zoneinfo import ZoneInfo

    from focuscal.ical import read
    from focuscal.window import utc_window

    data = long_lines(kind)
    assert len(data) > 9_000_000
    utc = ZoneInfo("UTC")
    tracemalloc.start()
    try:
        parsed = read.parse(data, "long.ics", utc_window(date(2026, 3, 2), date(2026, 3, 8), utc),
                            utc, fast=fast)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(parsed.events) == 200
    assert peak < 3 * len(data)
