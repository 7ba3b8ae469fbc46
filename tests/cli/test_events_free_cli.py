"""focuscal events and free through click's runner and a real subprocess: every number they
show is checked against `focuscal audit` of the same calendar, never against a constant."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import DATA, EXAMPLES, ROOT
from tests.helpers import ics

SALES = str(EXAMPLES / "sales-week.ics")
NY_WEEK = ["--week", "2026-W11", "--tz", "America/New_York"]
# (calendar, window and zone): the examples, both DST weeks (23- and 25-hour days).
CALENDARS = {
    "sales": [SALES, *NY_WEEK],
    "calm": [str(EXAMPLES / "calm-week.ics"), *NY_WEEK],
    "dst-berlin": [str(DATA / "dst_week_berlin.ics"), "--from", "2026-10-22", "--to",
                   "2026-10-28", "--tz", "Europe/Berlin"],
    "dst-new-york": [str(DATA / "dst_week_new_york.ics"), "--from", "2026-03-05", "--to",
                     "2026-03-11", "--tz", "America/New_York"],
}
HMM = re.compile(r"\b\d+:\d\d\b")


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def doc(*args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def audit_days(args):
    return {d["date"]: d for d in doc("audit", *args)["days"]}


def overlapping(tmp_path):
    """Meetings that overlap, nest and start together, one after hours, one declined."""
    day = "20260310"
    path = tmp_path / "overlaps.ics"
    path.write_bytes(ics(
        f"UID:a\nSUMMARY:Long\nDTSTART:{day}T140000Z\nDTEND:{day}T170000Z",
        f"UID:b\nSUMMARY:Inside\nDTSTART:{day}T150000Z\nDTEND:{day}T160000Z",
        f"UID:c\nSUMMARY:Same start\nDTSTART:{day}T140000Z\nDTEND:{day}T143000Z",
        f"UID:d\nSUMMARY:Tail\nDTSTART:{day}T163000Z\nDTEND:{day}T183000Z",
        f"UID:e\nSUMMARY:Evening\nDTSTART:{day}T230000Z\nDTEND:20260311T003000Z",
        f"UID:f\nSUMMARY:Declined\nDTSTART:{day}T190000Z\nDTEND:{day}T200000Z\n"
        "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com",
        f"UID:g\nSUMMARY:Seconds\nDTSTART:{day}T201010Z\nDTEND:{day}T204050Z",
    ))
    return [str(path), *NY_WEEK, "--me", "me@example.com"]


# ---------------------------------------------------------------- events


@pytest.mark.parametrize("name", [*CALENDARS, "overlaps"])
def test_event_minutes_sum_to_the_audits_meeting_minutes(name, tmp_path):
    args = overlapping(tmp_path) if name == "overlaps" else CALENDARS[name]
    audit = audit_days(args)
    events = doc("events", *args)
    assert events["schema"] == "focuscal.events/1"
    assert [d["date"] for d in events["days"]] == list(audit)
    for day in events["days"]:
        expected = audit[day["date"]]
        meetings = [e for e in day["events"] if e["kind"] == "meeting"]
        assert sum(e["meeting_minutes"] for e in day["events"]) == expected["meeting_minutes"]
        assert sum(e["in_window"] for e in meetings) == expected["meeting_count"]
        # The day's numbers are the audit's, key by key.
        assert {k: day[k] for k in expected if k != "blocks"} == {
            k: v for k, v in expected.items() if k != "blocks"}


def test_every_event_of_the_file_is_listed_with_its_rule(tmp_path):
    args = overlapping(tmp_path)
    tuesday = next(d for d in doc("events", *args)["days"] if d["date"] == "2026-03-10")
    rules = {e["summary"]: (e["kind"], e["rule"]) for e in tuesday["events"]}
    assert rules["Declined"] == ("ignored", "declined")
    assert {s for s, (kind, _) in rules.items() if kind == "meeting"} == {
        "Long", "Inside", "Same start", "Tail", "Evening", "Seconds"}
    minutes = {e["summary"]: e["meeting_minutes"] for e in tuesday["events"]}
    # By hand (09:00-17:00 New York = 13:00-21:00 UTC): Long and Same start begin together,
    # Long covers more and takes 14:00-17:00; Inside lies within it; Tail adds 17:00-18:30;
    # Seconds 20:10-20:40 (the seconds dropped); Evening is after hours.
    assert minutes == {"Long": 180, "Inside": 0, "Same start": 0, "Tail": 90, "Evening": 0,
                       "Declined": 0, "Seconds": 30}


def test_kind_chooses_the_rows_not_the_numbers():
    everything = doc("events", *CALENDARS["sales"])
    only = doc("events", *CALENDARS["sales"], "--kind", "ignored,ooo")
    assert only["kinds"] == ["out_of_office", "ignored"]
    for day, full in zip(only["days"], everything["days"], strict=True):
        assert day["events"] == [e for e in full["events"]
                                 if e["kind"] in ("out_of_office", "ignored")]
        assert day["meeting_minutes"] == full["meeting_minutes"]
    assert any(day["events"] for day in only["days"])


def test_day_alone_is_the_window():
    audit = audit_days(CALENDARS["sales"])
    one = doc("events", SALES, "--tz", "America/New_York", "--day", "2026-03-10")
    assert one["window"] == {"start": "2026-03-10", "end": "2026-03-10"}
    assert [d["date"] for d in one["days"]] == ["2026-03-10"]
    assert one["totals"]["meeting_minutes"] == audit["2026-03-10"]["meeting_minutes"]


def test_day_within_a_window_keeps_the_windows_totals():
    week = doc("events", *CALENDARS["sales"])
    two = doc("events", *CALENDARS["sales"], "--day", "2026-03-10", "--day", "2026-03-12")
    assert [d["date"] for d in two["days"]] == ["2026-03-10", "2026-03-12"]
    assert two["totals"] == week["totals"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--kind", "meetings,lunch"], "--kind: unknown kind 'lunch'"),
    (["--day", "2026-03-20"], "--day: 2026-03-20 is outside the window 2026-W11"),
    (["--day", "10.3.2026"], "--day"),
])
def test_bad_events_options_are_one_line_exit_2(args, fragment):
    result = run("events", *CALENDARS["sales"], *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("focuscal: error: ")
    assert fragment in lines[0]


def test_events_csv_and_markdown_carry_the_same_minutes():
    audit = audit_days(CALENDARS["sales"])
    rows = list(csv.DictReader(io.StringIO(run("events", *CALENDARS["sales"], "--format",
                                               "csv").stdout)))
    for date, day in audit.items():
        assert sum(int(r["meeting_minutes"]) for r in rows if r["date"] == date) == (
            day["meeting_minutes"])
    markdown = run("events", *CALENDARS["sales"], "--format", "markdown").stdout
    sections = markdown.split("\n## ")[1:]
    assert len(sections) == len(audit)
    for section, day in zip(sections, audit.values(), strict=True):
        assert day["date"] in section.splitlines()[0]
        assert "**Day:**" in section


def minutes(text):
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_the_table_groups_by_day_and_cuts_no_number(columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    audit = audit_days(CALENDARS["sales"])
    out = run("events", *CALENDARS["sales"]).stdout
    assert "…" not in out
    assert all(len(line) <= columns for line in out.splitlines()), out
    # One heading per day, and under it the day's audit line with the audit's numbers.
    groups = re.split(r"^(?=\w{3} \d{4}-\d\d-\d\d \()", out, flags=re.M)[1:]
    assert len(groups) == len(audit)
    for group, (date, day) in zip(groups, audit.items(), strict=True):
        assert date in group.splitlines()[0]
        line = " ".join(group.split())
        assert f"meetings {day['meeting_minutes'] // 60}:{day['meeting_minutes'] % 60:02d} " \
               f"({day['meeting_count']})" in line
    if columns >= 60:
        # Wide enough for the Meet column: a day's rows add up to its meeting time.
        for group, day in zip(groups, audit.values(), strict=True):
            rows = [line for line in group.splitlines()
                    if re.match(r"^(\d\d:\d\d|all day|\w{3} \d\d:\d\d)", line)]
            meet = [minutes(HMM.findall(row)[-1]) for row in rows]
            assert sum(meet) == day["meeting_minutes"], group


# ---------------------------------------------------------------- free


@pytest.mark.parametrize("name", [*CALENDARS, "overlaps"])
def test_free_blocks_are_the_audits_blocks(name, tmp_path):
    args = overlapping(tmp_path) if name == "overlaps" else CALENDARS[name]
    audit = audit_days(args)
    free = doc("free", *args)
    assert free["schema"] == "focuscal.free/1"
    for day in free["days"]:
        expected = audit[day["date"]]
        blocks = day["blocks"]
        assert [(b["start"], b["end"], b["minutes"]) for b in blocks] == [
            (b["start"], b["end"], b["minutes"]) for b in expected["blocks"]]
        assert sum(b["minutes"] for b in blocks if b["kind"] == "focus") == (
            expected["focus_minutes"])
        assert sum(b["minutes"] for b in blocks if b["kind"] == "fragmented") == (
            expected["fragmented_minutes"])


def test_min_lists_only_longer_blocks():
    audit = audit_days(CALENDARS["sales"])
    free = doc("free", *CALENDARS["sales"], "--min", "1h")
    assert free["min_minutes"] == 60
    for day in free["days"]:
        assert [b["minutes"] for b in day["blocks"]] == [
            b["minutes"] for b in audit[day["date"]]["blocks"] if b["minutes"] >= 60]
        assert day["fragmented_minutes"] == audit[day["date"]]["fragmented_minutes"]


def test_bad_min_is_one_line_exit_2():
    result = run("free", *CALENDARS["sales"], "--min", "half an hour")
    assert result.exit_code == 2
    assert result.stderr.startswith("focuscal: error: --min: expected a duration")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_free_table_cuts_no_number(columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    audit = audit_days(CALENDARS["sales"])
    out = run("free", *CALENDARS["sales"]).stdout
    assert "…" not in out
    for day in audit.values():
        for block in day["blocks"]:
            length = f"{block['minutes'] // 60}:{block['minutes'] % 60:02d}"
            start, end = block["start"][11:16], block["end"][11:16]
            assert re.search(rf"{start}-{end}\s+{length}\b", out), (start, out)


def test_free_csv_rows_are_the_blocks():
    audit = audit_days(CALENDARS["sales"])
    rows = list(csv.DictReader(io.StringIO(run("free", *CALENDARS["sales"], "--format",
                                               "csv").stdout)))
    assert [(r["start"], int(r["minutes"])) for r in rows] == [
        (b["start"], b["minutes"]) for d in audit.values() for b in d["blocks"]]


# ---------------------------------------------------------------- both


@pytest.mark.parametrize("command", ["events", "free"])
def test_now_picks_the_default_week(command):
    args = [command, SALES, "--tz", "America/New_York", "--format", "json"]
    this = run(*args, "--now", "2026-03-11T09:00-04:00")
    last = run(*args, "--now", "2026-03-18T09:00-04:00", "--last-week")
    assert json.loads(this.stdout)["window"] == {"start": "2026-03-09", "end": "2026-03-15"}
    assert json.loads(this.stdout) == json.loads(last.stdout)


@pytest.mark.parametrize("command", ["events", "free"])
def test_output_file_and_config_format(command, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('format = "json"\ntimezone = "America/New_York"\n')
    target = tmp_path / "out.json"
    result = run(command, SALES, "--week", "2026-W11", "--config", config, "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text()) == doc(command, *CALENDARS["sales"])


def test_csv_warnings_go_to_stderr(tmp_path):
    path = tmp_path / "anon.ics"
    path.write_bytes(ics("UID:x\nSUMMARY:Call\nDTSTART:20260310T150000Z\n"
                         "DTEND:20260310T160000Z\nATTENDEE:mailto:a@b.com"))
    result = run("events", path, *NY_WEEK, "--format", "csv")
    assert result.exit_code == 0
    assert "warning: your address is unknown" in result.stderr
    assert "your address" not in result.stdout


def test_real_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "events", *CALENDARS["sales"], "--format", "json"],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    audit = audit_days(CALENDARS["sales"])
    days = json.loads(proc.stdout)["days"]
    assert {d["date"]: sum(e["meeting_minutes"] for e in d["events"]) for d in days} == {
        date: d["meeting_minutes"] for date, d in audit.items()}
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "free", *CALENDARS["sales"], "--min", "soon"],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("focuscal: error: --min: ")
