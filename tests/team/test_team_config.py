"""[[teams]] in the config: every problem named by its key, the group size never below 3;
--team picks one of several teams."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.config import settings_from_mapping
from focuscal.errors import ConfigError
from focuscal.model import TeamPolicy
from tests.team.conftest import WEEK, team_config


def teams(*entries):
    return settings_from_mapping({"teams": list(entries)}, "c.toml").teams


def test_a_team_and_its_defaults():
    team, = teams({"name": "sales", "source": "google-freebusy", "members": ["a@x.com", " "]})
    assert team.members == ("a@x.com",)
    assert team.policy == TeamPolicy(privacy="freebusy", min_group_size=5, focus_goal=600)
    team, = teams({"name": "s", "source": "/exports", "members_file": "s.txt",
                   "privacy": "Full", "min_group_size": 8, "focus_goal": "12h"})
    assert team.policy == TeamPolicy(privacy="full", min_group_size=8, focus_goal=720)


@pytest.mark.parametrize(("entry", "problem"), [
    ({"name": "s", "source": "x", "members": ["a"], "min_group_size": 2},
     "teams[1].min_group_size: a team is never shown below 3 members, got 2"),
    ({"name": "s", "source": "x", "members": ["a"], "privacy": "open"},
     "teams[1].privacy: expected one of freebusy, metadata, full, got 'open'"),
    ({"name": "s", "members": ["a"]}, "teams[1]: needs source"),
    ({"name": "s", "source": "x"}, "teams[1]: needs members or members_file"),
    ({"name": "s", "source": "x", "members": "a@x.com"},
     'teams[1].members: expected a list of members, such as ["ana@example.com"]'),
    ({"name": "s", "source": "x", "members": ["a"], "colour": "red"},
     "unknown key teams[1].colour"),
])
def test_problems_name_their_key(entry, problem):
    with pytest.raises(ConfigError) as caught:
        teams(entry)
    assert problem in str(caught.value)


def test_names_are_unique():
    with pytest.raises(ConfigError, match="teams\\[2\\]: a second team named 's'"):
        teams({"name": "s", "source": "x", "members": ["a"]},
              {"name": "s", "source": "y", "members": ["b"]})


def test_choosing_a_team(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         extra=f'[[teams]]\nname = "ops"\nsource = "{folder}"\n'
                               f'members = ["x@acme.com"]\n')
    runner = CliRunner()
    several = runner.invoke(cli, ["--config", str(config), "team", "--week", WEEK])
    assert several.exit_code == 2
    assert "the config has several teams (choose one with --team: sales, ops)" in several.stderr
    unknown = runner.invoke(cli, ["--config", str(config), "team", "--team", "hr"])
    assert unknown.exit_code == 2
    assert "no team named 'hr' (the config has sales, ops)" in unknown.stderr
    chosen = runner.invoke(cli, ["--config", str(config), "team", "--team", "sales",
                                 "--week", WEEK])
    assert chosen.exit_code == 0, chosen.output
    (tmp_path / "empty.toml").write_text('timezone = "UTC"\n')
    none = runner.invoke(cli, ["--config", str(tmp_path / "empty.toml"), "team"])
    assert none.exit_code == 2
    assert "no team in the config (add a [[teams]] table (README: Teams))" in none.stderr


def test_options_go_after_the_subcommand(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members])
    result = CliRunner().invoke(cli, ["--config", str(config), "team", "--week", WEEK,
                                      "report"])
    assert result.exit_code == 2
    assert "options of focuscal team go after report" in result.stderr


def test_rows_need_a_known_format(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members])
    result = CliRunner().invoke(cli, ["--config", str(config), "team", "--week", WEEK,
                                      "--rows", str(tmp_path / "rows.parquet")])
    assert result.exit_code == 2
    assert "--rows: expected a file ending in .csv or .jsonl" in result.stderr
