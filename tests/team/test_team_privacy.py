"""The privacy rules, on every output of focuscal team: below the minimum group size
nothing is shown or written (exit 2); no output names a member or shows one member's own
figure unless --individual, and then it says so; the group size can never be set below 3."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.report import hm
from tests.team.conftest import WEEK, audits, generate, team_config, write_folder

OUTPUTS = [
    ("team", "--format", "table"),
    ("team", "--format", "json"),
    ("team", "--format", "csv"),
    ("team", "--format", "markdown"),
    ("team", "report", "--format", "html"),
    ("team", "report", "--format", "text"),
    ("team", "report", "--format", "markdown"),
    ("team", "email", "--dry-run"),
]


def run(config, command, *extra):
    return CliRunner().invoke(cli, ["--config", str(config), *command, "--week", WEEK, *extra])


@pytest.fixture
def team(tmp_path):
    members = generate(6, seed=11)
    folder = write_folder(members, tmp_path / "exports")
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"', top='[smtp]\nfrom = "lead@acme.com"')
    return members, folder, config


@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
def test_below_the_group_size_nothing_is_shown(tmp_path, team, command):
    members, folder, _ = team
    # six configured, two cannot be read: four is below the default minimum of five
    (folder / f"{members[0].address}.ics").unlink()
    (folder / f"{members[1].address}.ics").unlink()
    config = team_config(tmp_path / "small.toml", str(folder), [m.address for m in members])
    rows = tmp_path / "rows.csv"
    extra = ("--rows", str(rows)) if command[1] == "--format" else ()
    result = run(config, command, *extra)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert not rows.exists()
    lines = result.stderr.splitlines()
    assert lines[-1] == ("focuscal: error: 4 members could be read, fewer than the minimum "
                         "group size of 5: nothing is shown (a team is only ever shown as a "
                         "group (min_group_size, never below 3))")
    assert sum(line.startswith("warning:") for line in lines) == 1


def test_the_group_size_follows_the_config_but_never_below_three(tmp_path, team):
    members, folder, _ = team
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members][:3],
                         team="min_group_size = 3")
    assert run(config, ("team",)).exit_code == 0
    seven = team_config(tmp_path / "d.toml", str(folder), [m.address for m in members],
                        team="min_group_size = 7")
    assert run(seven, ("team",)).exit_code == 2
    two = team_config(tmp_path / "e.toml", str(folder), [m.address for m in members][:2],
                      team="min_group_size = 2")
    result = run(two, ("team",))
    assert result.exit_code == 2
    assert "teams[1].min_group_size: a team is never shown below 3 members, got 2" in \
        result.stderr


def personal(members, folder, config, tmp_path) -> tuple[list[str], list[int]]:
    """What would give one member away: the addresses, the hashed ids, and the lowest and
    highest weekly focus and meeting time (never a quartile when one member alone has it)."""
    result = run(config, ("team",), "--rows", str(tmp_path / "ids.jsonl"))
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["member"] for line in (tmp_path / "ids.jsonl").read_text()
           .splitlines()]
    totals = [a.period.totals() for a in audits(members, folder)]
    numbers = []
    for key in ("focus_minutes", "meeting_minutes"):
        values = sorted(int(t[key]) for t in totals)
        assert values[0] < values[1], key  # the lowest is one member's alone
        assert values[-2] < values[-1], key  # and so is the highest
        numbers += [values[0], values[-1]]
    texts = [m.address for m in members] + [m.address.split("@")[0] for m in members] + ids
    return texts, numbers


def shows(output: str, number: int) -> bool:
    """Whether ``number`` minutes appear as a figure: 1500, 25h, 25h 00m, 25:00."""
    forms = [str(number), hm(number)]
    return any(re.search(rf"(?<![\d.:]){re.escape(f)}(?![\d:]| \d\dm)", output)
               for f in forms)


@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
def test_no_output_shows_a_member(tmp_path, team, command):
    members, folder, config = team
    texts, numbers = personal(members, folder, config, tmp_path)
    result = run(config, command)
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "INDIVIDUAL" not in output
    for text in texts:
        assert text not in output
    for number in numbers:
        assert not shows(output, number), number


@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
def test_individual_output_shows_members_and_says_so(tmp_path, team, command):
    members, folder, config = team
    texts, numbers = personal(members, folder, config, tmp_path)
    result = run(config, command, "--individual")
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "INDIVIDUAL FIGURES" in output or '"individual": true' in output
    for number in numbers:
        assert shows(output, number), number
    named = [m.address for m in members]
    hashed = texts[-len(members):]
    if command[1] == "email":
        # a message leaves the machine: members by hashed id only
        assert not any(a in output for a in named)
        assert all(i in output for i in hashed)
    else:
        assert all(a in output for a in named)


def test_individual_output_to_a_file_has_hashed_ids(tmp_path, team):
    members, folder, config = team
    texts, _ = personal(members, folder, config, tmp_path)
    out = tmp_path / "team.json"
    result = run(config, ("team", "--format", "json"), "--individual", "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["individual"] is True
    assert {m["member"] for m in doc["individual_members"]} == set(texts[-len(members):])
    assert not any(m.address in out.read_text() for m in members)
