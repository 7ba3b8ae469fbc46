"""Where one member could show through the aggregates, and what saved data keeps: a day on
which fewer members worked than the minimum group size shows no common free time and gives no
best slot (it would be those few members' calendars); a team run leaves nothing in any cache
(the events, HTTP and Google sync caches would keep members' events and addresses); files of
per-member figures are readable by the user alone; a team's salt is never replaced."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.team.conftest import MONDAY, WEEK, Meeting, audits, generate, team_config, write_folder
from tests.team.test_team_privacy import OUTPUTS

TUESDAY = MONDAY + timedelta(days=1)


def run(config, command=("team", "--format", "json"), *extra):
    return CliRunner().invoke(cli, ["--config", str(config), *command, "--week", WEEK, *extra])


@pytest.fixture
def two_at_work(tmp_path):
    """Six members; on Tuesday four are out of office all day and the two at work have no
    meeting at all: their free Tuesday would top the best slots and be the common free time."""
    members = generate(6, seed=13)
    for n, member in enumerate(members):
        tuesday = [m for m in member.meetings if m.start.date() != TUESDAY]
        if n >= 2:
            start = member.meetings[0].start.replace(
                year=TUESDAY.year, month=TUESDAY.month, day=TUESDAY.day, hour=9, minute=0)
            tuesday.append(Meeting(start, start + timedelta(hours=8), ooo=True))
        member.meetings = tuesday
    folder = write_folder(members, tmp_path / "exports")
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"', top='[smtp]\nfrom = "lead@acme.com"')
    return members, folder, config


def test_a_day_too_few_worked_is_withheld(two_at_work):
    members, folder, config = two_at_work
    statuses = [a.period.days[1].status for a in audits(members, folder)]
    assert statuses.count("workday") == 2  # the scenario is what it says
    result = run(config)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    tuesday, = (d for d in doc["common_free"] if d["date"] == TUESDAY.isoformat())
    assert tuesday == {"date": TUESDAY.isoformat(), "working_members": 2, "free": None,
                       "focus_minutes": None}
    others = [d for d in doc["common_free"] if d["date"] != TUESDAY.isoformat()]
    assert all(d["free"] is not None for d in others)
    assert doc["best_slots"]
    assert all(s["weekday"] != "TU" for s in doc["best_slots"])


# (the CSV has the weekly figures only)
@pytest.mark.parametrize("command", [c for c in OUTPUTS if not {"json", "csv"} & set(c)],
                         ids=" ".join)
def test_every_format_says_the_day_is_withheld(two_at_work, command):
    _, _, config = two_at_work
    result = run(config, command)
    assert result.exit_code == 0, result.output
    assert "not shown: too few working" in result.stdout
    assert "Tuesday" not in result.stdout  # no best slot on that day


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_team_run_caches_nothing(tmp_path, team_folder):
    members, folder = team_folder
    cache = Path(os.environ["XDG_CACHE_HOME"])
    # The first member's export grows past what the caches skip as too small to keep.
    first = folder / f"{members[0].address}.ics"
    old = "".join(f"BEGIN:VEVENT\r\nUID:old-{n}@example.com\r\nDTSTAMP:20100101T000000Z\r\n"
                  f"DTSTART:20100104T{n % 10 + 8:02d}0000Z\r\nDURATION:PT30M\r\n"
                  f"SUMMARY:Old meeting {n}\r\nEND:VEVENT\r\n" for n in range(1000))
    first.write_text(first.read_text().replace("END:VCALENDAR", old + "END:VCALENDAR"))
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"')
    assert run(config).exit_code == 0
    assert files_under(cache) == []
    # the same file audited alone is cached (so the check above can fail)
    audited = CliRunner().invoke(cli, ["audit", str(first), "--week", WEEK])
    assert audited.exit_code == 0, audited.output
    assert files_under(cache)


def test_a_google_template_team_keeps_no_sync_cache(fake_google, tmp_path, no_backoff):
    members = generate(5, seed=4, simple=True)
    for member in members:
        fake_google.add_calendar(member.address)
        for event in member.google():
            fake_google.put_event(member.address, **event)
    top = (f'[google]\napi_endpoint = "{fake_google.url}"\ncredentials = "anonymous"\n'
           "sync = true\n")
    config = team_config(tmp_path / "c.toml", "google:{member}", [m.address for m in members],
                         team='privacy = "full"', top=top)
    result = run(config)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["members"]["read"] == 5
    assert files_under(Path(os.environ["XDG_CACHE_HOME"])) == []


def test_files_of_member_figures_are_private(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"')
    rows, individual, shared = tmp_path / "rows.csv", tmp_path / "mine.json", tmp_path / "t.json"
    for path in (rows, individual, shared):  # an existing file keeps its mode, unless private
        path.write_text("")
        path.chmod(0o644)
    assert run(config, ("team", "--format", "json"), "--rows", str(rows)).exit_code == 0
    assert run(config, ("team", "--format", "json"), "--individual", "-o",
               str(individual)).exit_code == 0
    assert run(config, ("team", "report", "--format", "html"), "--individual", "-o",
               str(tmp_path / "mine.html")).exit_code == 0
    assert run(config, ("team", "--format", "json"), "-o", str(shared)).exit_code == 0
    for path in (rows, individual, tmp_path / "mine.html"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644  # aggregates only: left as it was


def test_a_short_salt_is_refused_not_replaced(tmp_path, team_folder):
    members, folder = team_folder
    salt = tmp_path / "team.salt"
    salt.write_text("short\n")
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team=f'salt_file = "{salt}"')
    result = run(config, ("team", "--format", "json"), "--rows", str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert "the team's salt is shorter than 16 characters" in result.stderr
    assert salt.read_text() == "short\n"
    assert not (tmp_path / "r.csv").exists()
