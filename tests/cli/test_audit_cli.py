"""The audit command through click's runner and through a real subprocess."""

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import EXAMPLES

SALES = str(EXAMPLES / "sales-week.ics")
BASE = ["audit", SALES, "--week", "2026-W11", "--tz", "America/New_York"]


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_json_follows_the_schema_and_the_rules():
    result = run(*BASE, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {"schema", "timezone", "window", "policy", "days", "totals", "warnings"}
    assert doc["schema"] == "focuscal.audit/1"
    assert doc["timezone"] == "America/New_York"
    assert doc["window"] == {"start": "2026-03-09", "end": "2026-03-15"}
    assert doc["policy"] == {"workdays": ["MO", "TU", "WE", "TH", "FR"], "work_start": "09:00",
                             "work_end": "17:00", "focus_min_minutes": 120, "b2b_gap_minutes": 5}
    days = {d["date"]: d for d in doc["days"]}
    # Monday, by hand: standup 15, Müller (Outlook zone) 45, pipeline 30, Sunrise (LA) 60
    assert days["2026-03-09"]["meeting_minutes"] == 150
    assert days["2026-03-09"]["external_meeting_minutes"] == 105
    # Tuesday: demo 60 + debrief 30 (back to back), Müller 45, forecast 30, standup 15;
    # the 1:1 moved to Wednesday; the Tokyo call is after hours
    assert days["2026-03-10"]["meeting_minutes"] == 180
    assert days["2026-03-10"]["back_to_back"] == 1
    assert days["2026-03-10"]["after_hours_meeting_minutes"] == 45
    # Wednesday: declined and transparent are ignored; longest block 11:00-15:30
    assert days["2026-03-11"]["meeting_minutes"] == 75
    assert days["2026-03-11"]["longest_block_minutes"] == 270
    # Thursday: out of office from 13:00
    assert days["2026-03-12"]["working_minutes"] == 240
    # Friday: the standup is excluded, the cancelled meeting ignored, the tentative one counts
    assert days["2026-03-13"]["meeting_minutes"] == 120
    assert days["2026-03-14"]["status"] == "weekend"
    totals = doc["totals"]
    assert totals["meeting_minutes"] == sum(d["meeting_minutes"] for d in doc["days"])
    assert totals["longest_block_minutes"] == 270
    assert totals["meeting_free_days"] == 0
    assert totals["fragmentation"] == round(
        totals["fragmented_minutes"] / (totals["fragmented_minutes"] + totals["focus_minutes"]), 4)
    assert doc["warnings"] == []


def test_table_has_a_verdict():
    result = run(*BASE)
    assert result.exit_code == 0, result.output
    assert "longest uninterrupted block: 4:30 on Wed" in result.stdout


def test_csv_and_markdown():
    rows = list(csv.DictReader(io.StringIO(run(*BASE, "--format", "csv").stdout)))
    assert len(rows) == 8
    assert rows[-1]["date"] == "TOTAL"
    assert rows[0]["meeting_minutes"] == "150"
    markdown = run(*BASE, "--format", "markdown").stdout
    assert markdown.startswith("# Focus audit 2026-W11")
    assert "**Verdict:**" in markdown
    monday = next(line for line in markdown.splitlines() if line.startswith("| Mon 2026-03-09"))
    cells = [c.strip() for c in monday.strip("|").split("|")]
    assert cells[3] == "2h 30m"  # meetings
    assert cells[10] == "1h 45m"  # with customers


def test_trend_over_weeks():
    doc = json.loads(run(*BASE, "--weeks", "3", "--format", "json").stdout)
    assert doc["window"] == {"start": "2026-02-23", "end": "2026-03-15"}
    assert [w["week"] for w in doc["weeks"]] == ["2026-W09", "2026-W10", "2026-W11"]
    assert sum(w["meeting_minutes"] for w in doc["weeks"]) == doc["totals"]["meeting_minutes"]


def test_stdin_and_folder_sources(tmp_path):
    data = (EXAMPLES / "sales-week.ics").read_bytes()
    from_stdin = run("audit", "-", "--week", "2026-W11", "--tz", "America/New_York",
                     "--format", "json", input=data)
    assert from_stdin.exit_code == 0, from_stdin.output
    folder = tmp_path / "vdir"
    folder.mkdir()
    (folder / "a.ics").write_bytes(data)
    from_folder = run("audit", str(folder), "--week", "2026-W11", "--tz", "America/New_York",
                      "--format", "json")
    assert json.loads(from_stdin.stdout)["totals"] == json.loads(from_folder.stdout)["totals"]


def test_config_file_and_options(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('timezone = "America/New_York"\nwork_hours = "08:00-16:00"\n'
                      f'[[calendars]]\nuri = "{SALES}"\n')
    doc = json.loads(run("--config", str(config), "audit", "--week", "2026-W11",
                         "--format", "json").stdout)
    assert doc["policy"]["work_start"] == "08:00"
    # the option wins over the file
    doc = json.loads(run("--config", str(config), "audit", "--week", "2026-W11",
                         "--work-hours", "10:00-18:00", "--format", "json").stdout)
    assert doc["policy"]["work_start"] == "10:00"


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["audit", "missing.ics", "--week", "2026-W11"], 2, "missing.ics: no such file"),
        (["audit", SALES, "--week", "2026-W99"], 2, "--week"),
        (["audit", SALES, "--tz", "Mars/Olympus"], 2, "unknown time zone"),
        (["audit", SALES, "--work-hours", "nine-five"], 2, "--work-hours"),
        (["audit", SALES, "--from", "2026-03-10"], 2, "--from and --to go together"),
        (["audit", SALES, "--bogus"], 2, "No such option"),
        (["audit", SALES, "--format", "pdf"], 2, "pdf"),
        (["audit", "http://127.0.0.1:9/cal.ics"], 1, "cannot connect"),
    ],
)
def test_errors_are_one_line_with_exit_codes(args, code, fragment):
    result = run(*args)
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("focuscal: error: ")
    assert fragment in lines[0]


def test_bad_config_names_every_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('work_hours = "late"\ncolour = "blue"\n[focus]\nmin_block = "soon"\n')
    result = run("--config", str(config), "audit", SALES)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert str(config) in line
    assert "work_hours" in line
    assert "unknown key colour" in line
    assert "focus.min_block" in line


def test_malformed_event_is_skipped_with_a_warning_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nDTSTART:20260309T100000Z\n"
                   "RRULE:FREQ=WEEKLY;BYDAY=TH;UNTL=2019\nEND:VEVENT\nEND:VCALENDAR\n")
    result = run("audit", str(bad), "--week", "2026-W11", "--format", "json")
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning.startswith(f"{bad}:2: event (UID 1) cannot be read and is skipped: ")


def test_a_file_that_is_no_calendar_is_still_an_error(tmp_path):
    bad = tmp_path / "bad.ics"
    bad.write_text("BEGIN:VEVENT\nUID:1\nDTSTART:20260309T100000Z\nEND:VEVENT\n")
    result = run("audit", str(bad), "--week", "2026-W11")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"focuscal: error: {bad}: ")


def test_debug_shows_the_traceback():
    result = run("--debug", "audit", "missing.ics")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


def test_real_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", *BASE, "--format", "json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["totals"]["meeting_minutes"] == 630
    bad = subprocess.run(
        [sys.executable, "-m", "focuscal", "audit", "nope.ics"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "focuscal: error: nope.ics: no such file or folder"


def test_every_command_has_help_and_is_in_the_readme():
    readme = (EXAMPLES.parent / "README.md").read_text()
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"focuscal {name}" in readme, name
