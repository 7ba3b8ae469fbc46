"""--now on every command that reads the clock: the default week, plan's future and email's
Date follow it; a bad value is one line naming --now."""

from __future__ import annotations

import email
import email.policy
import json

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import EXAMPLES

SALES = str(EXAMPLES / "sales-week.ics")
TZ = ["--tz", "America/New_York"]
# A Wednesday of 2026-W11, and the same instant written in UTC.
WEDNESDAY = "2026-03-11T09:00-04:00"
WEEK = {"start": "2026-03-09", "end": "2026-03-15"}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def window(*args):
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", ["audit", "events", "free"])
def test_now_chooses_this_week_and_last_week(command):
    assert window(command, SALES, *TZ, "--now", WEDNESDAY)["window"] == WEEK
    assert window(command, SALES, *TZ, "--now", "2026-03-16T10:00:00Z",
                  "--last-week")["window"] == WEEK


def test_an_instant_without_an_offset_is_read_in_the_analysis_zone():
    # 23:30 on Sunday in New York is Monday in UTC: the week is New York's.
    assert window("audit", SALES, *TZ, "--now", "2026-03-15T23:30")["window"] == WEEK


def test_report_reports_the_week_of_now():
    result = run("report", SALES, *TZ, "--now", WEDNESDAY, "--format", "text")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Focus report, week 11\n")


def test_email_is_dated_now_and_reports_its_week():
    result = run("email", SALES, *TZ, "--now", "2026-03-11T13:00:00Z", "--dry-run")
    assert result.exit_code == 0, result.output
    message = email.message_from_string(result.stdout, policy=email.policy.default)
    assert message["Date"].datetime.isoformat() == "2026-03-11T09:00:00-04:00"
    assert message["Subject"].startswith("Focus report, week 11")


def test_plan_and_book_plan_only_after_now(tmp_path):
    noon = "2026-03-11T12:00:00-04:00"
    ahead = window("plan", SALES, *TZ, "--week", "2026-W11", "--now", "2026-03-08T12:00-04:00")
    plan = window("plan", SALES, *TZ, "--now", noon)
    # Planned from the Sunday before, a block starts before Wednesday noon; from noon, none.
    assert any(b["start"] < noon for b in ahead["blocks"])
    assert plan["blocks"]
    assert all(b["start"] >= noon for b in plan["blocks"])
    book = window("book", SALES, "--to", f"ics:{tmp_path / 'focus.ics'}", *TZ, "--now", noon)
    assert book["window"] == WEEK
    assert [(b["start"], b["end"]) for b in book["add"]] == [
        (b["start"], b["end"]) for b in plan["blocks"]]


def test_unbook_takes_the_week_of_now(tmp_path):
    assert window("unbook", "--to", f"ics:{tmp_path / 'focus.ics'}", *TZ, "--now",
                  WEDNESDAY)["window"] == WEEK


def test_every_command_that_reads_the_clock_takes_now():
    without = {"auth", "calendars"}  # they read no window
    for name, command in cli.commands.items():
        names = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert ("--now" in names) == (name not in without), name


@pytest.mark.parametrize("command", ["audit", "events", "free", "report", "plan"])
def test_a_bad_now_is_one_line_naming_now(command):
    result = run(command, SALES, "--now", "next tuesday")
    assert result.exit_code == 2
    assert result.stderr == ("focuscal: error: --now: expected an ISO timestamp, got "
                             "'next tuesday'\n")
