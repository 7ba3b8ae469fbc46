"""audit --fail-under / --fail-over and [thresholds]: the audit as usual, exit 3 and one line
naming each crossed threshold; limits are set around the totals the audit itself reports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.errors import ExitStatus
from tests.conftest import EXAMPLES, ROOT

BASE = ["audit", str(EXAMPLES / "sales-week.ics"), "--week", "2026-W11", "--tz",
        "America/New_York"]
PREFIX = "focuscal: threshold crossed: "


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def totals():
    return json.loads(run(*BASE, "--format", "json").stdout)["totals"]


def hm(minutes):
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if hours and rest else f"{hours}h" if hours else f"{rest}m"


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_crossed_thresholds_exit_3_after_the_usual_output(totals, fmt):
    focus, meetings = totals["focus_minutes"], totals["meeting_minutes"]
    share = round(totals["fragmentation"] * 100, 2)
    plain = run(*BASE, "--format", fmt)
    result = run(*BASE, "--format", fmt, "--fail-under", f"focus={focus + 1}m",
                 "--fail-over", f"meetings={meetings - 1}m,fragmentation={share - 1}%",
                 "--fail-over", f"after_hours={totals['after_hours_meeting_minutes']}m")
    assert result.exit_code == ExitStatus.THRESHOLD == 3
    assert result.stdout == plain.stdout
    assert result.stderr == (
        f"{PREFIX}focus {hm(focus)} is under {hm(focus + 1)}; "
        f"meetings {hm(meetings)} is over {hm(meetings - 1)}; "
        f"fragmentation {share:g}% is over {share - 1:g}%\n"
    )


def test_a_total_equal_to_its_limit_is_not_crossed(totals):
    result = run(*BASE, "--fail-under", f"focus={totals['focus_minutes']}m",
                 "--fail-over", f"meetings={totals['meeting_minutes']}m,"
                 f"back_to_back={totals['back_to_back']},"
                 f"fragmentation={round(totals['fragmentation'] * 100, 2)}%")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_the_issues_example_crosses_only_what_the_totals_cross(totals):
    result = run(*BASE, "--fail-under", "focus=10h",
                 "--fail-over", "meetings=20h,fragmentation=50%,after_hours=2h")
    crossed = [name for name, hit in [
        ("focus", totals["focus_minutes"] < 600),
        ("meetings", totals["meeting_minutes"] > 1200),
        ("fragmentation", totals["fragmentation"] * 100 > 50),
        ("after_hours", totals["after_hours_meeting_minutes"] > 120),
    ] if hit]
    assert result.exit_code == (3 if crossed else 0)
    named = [part.split(" ")[0] for part in result.stderr.removeprefix(PREFIX).split("; ")
             if part.strip()]
    assert named == crossed


def test_the_configs_thresholds_and_the_command_line_replacing_them(tmp_path, totals):
    focus = totals["focus_minutes"]
    config = tmp_path / "config.toml"
    config.write_text(f'[thresholds]\nfail_under = {{ focus = "{focus + 30}m" }}\n'
                      f'fail_over = "block_count={totals["block_count"]}"\n')
    result = run(*BASE, "--config", config)
    assert result.exit_code == 3
    assert result.stderr == f"{PREFIX}focus {hm(focus)} is under {hm(focus + 30)}\n"
    # The command line replaces the config's focus threshold; the config's other one stays.
    assert run(*BASE, "--config", config, "--fail-under", f"focus={focus}m").exit_code == 0
    over = run(*BASE, "--config", config, "--fail-under", f"focus={focus}m",
               "--fail-over", f"block_count={totals['block_count'] - 1}")
    assert over.exit_code == 3
    assert over.stderr.startswith(f"{PREFIX}block_count {totals['block_count']} is over")


def test_a_bad_config_threshold_names_its_key(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[thresholds]\nfail_over = { meetings = "lots" }\n')
    result = run(*BASE, "--config", config)
    assert result.exit_code == 2
    assert "thresholds.fail_over: meetings: expected a duration" in result.stderr


@pytest.mark.parametrize(("option", "value", "fragment"), [
    ("--fail-under", "focus=10", "--fail-under: focus: expected a duration"),
    ("--fail-over", "meetings=20h,fragmentation=0.5", "--fail-over: fragmentation: expected a "
                                                      "percentage"),
    ("--fail-over", "lunch=1h", "--fail-over: unknown metric 'lunch'"),
    ("--fail-under", "focus", "--fail-under: 'focus': expected METRIC=VALUE"),
])
def test_a_bad_threshold_is_one_line_exit_2_before_any_output(option, value, fragment):
    result = run(*BASE, option, value)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("focuscal: error: ")
    assert fragment in lines[0]


def test_exit_3_with_an_output_file(tmp_path, totals):
    target = tmp_path / "audit.json"
    result = run(*BASE, "--format", "json", "-o", target, "--fail-under",
                 f"longest={totals['longest_block_minutes'] + 1}m")
    assert result.exit_code == 3
    assert json.loads(target.read_text())["totals"] == totals


def test_exit_3_in_a_real_subprocess(totals):
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", *BASE, "--format", "json",
         "--fail-over", f"meeting_count={totals['meeting_count'] - 1}"],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
    )
    assert proc.returncode == 3
    assert json.loads(proc.stdout)["totals"] == totals
    assert proc.stderr == (f"{PREFIX}meeting_count {totals['meeting_count']} is over "
                           f"{totals['meeting_count'] - 1}\n")
