"""Issue 12's ICS edges: a folder (vdir) with a file that cannot be read, --strict, and a
calendar whose zone differs from a UTC analysis zone nobody chose."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.helpers import ics

NOTES_PROBLEM = ("Content line could not be parsed into parts: 'just some notes': Invalid "
                 "content line")
GOOD = ics("UID:good\nSUMMARY:Planning\nDTSTART:20260303T100000Z\nDTEND:20260303T110000Z")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def folder(tmp_path):
    vdir = tmp_path / "cal"
    vdir.mkdir()
    (vdir / "good.ics").write_bytes(GOOD)
    (vdir / "empty.ics").write_bytes(b"")
    (vdir / "notes.ics").write_bytes(b"just some notes\n")
    return vdir


def test_a_file_of_a_folder_that_cannot_be_read_is_skipped_with_one_warning(folder):
    result = run("audit", str(folder), "--week", "2026-W10", "--tz", "UTC", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["totals"]["meeting_minutes"] == 60
    assert doc["warnings"] == [
        f"{folder / 'empty.ics'}: empty file, not a calendar; skipped (--strict makes this an "
        "error)",
        f"{folder / 'notes.ics'}:1: not a valid calendar: {NOTES_PROBLEM}; skipped (--strict "
        "makes this an error)",
    ]


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_the_skipped_files_are_one_warning_line_each_on_stderr(folder, fmt):
    result = run("audit", str(folder), "--week", "2026-W10", "--tz", "UTC", "--format", fmt)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert [line.split(":", 2)[:2] for line in lines] == [
        ["warning", f" {folder / 'empty.ics'}"], ["warning", f" {folder / 'notes.ics'}"]]
    assert all(line.endswith("skipped (--strict makes this an error)") for line in lines)
    if fmt == "table":
        assert "warning" not in result.stdout  # said once, on stderr


def test_hidden_files_of_a_folder_are_left_out(folder):
    """Editors and sync tools keep temporary copies as hidden files: never read them."""
    copy = GOOD.replace(b"UID:good", b"UID:copy").replace(b"T100000Z", b"T130000Z").replace(
        b"T110000Z", b"T140000Z")
    (folder / ".good.ics.swp.ics").write_bytes(copy)
    result = run("audit", str(folder), "--week", "2026-W10", "--tz", "UTC", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["totals"]["meeting_minutes"] == 60
    assert not any(".good" in w for w in doc["warnings"])


def test_strict_makes_it_an_error(folder, tmp_path):
    result = run("audit", str(folder), "--week", "2026-W10", "--tz", "UTC", "--strict")
    assert result.exit_code == 2
    assert result.stderr == f"focuscal: error: {folder / 'empty.ics'}: empty file, not a " \
                            "calendar\n"
    config = tmp_path / "config.toml"
    config.write_text("strict = true\n")
    result = run("audit", str(folder), "--week", "2026-W10", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"focuscal: error: {folder / 'empty.ics'}: ")


def test_a_file_named_on_the_command_line_stays_an_error(folder):
    result = run("audit", str(folder / "notes.ics"), "--week", "2026-W10", "--tz", "UTC")
    assert result.exit_code == 2
    assert result.stderr == (f"focuscal: error: {folder / 'notes.ics'}:1: not a valid "
                             f"calendar: {NOTES_PROBLEM}\n")


BERLIN = ics("UID:b\nSUMMARY:Floating in Berlin\nDTSTART:20260303T100000\n"
             "DTEND:20260303T110000", header="X-WR-TIMEZONE:Europe/Berlin")


@pytest.mark.parametrize(("args", "system", "warned"), [
    ((), "UTC", True),
    ((), "Etc/UTC", True),
    (("--tz", "UTC"), "UTC", False),  # chosen
    ((), "Europe/Berlin", False),
    (("--tz", "Europe/Berlin"), "UTC", False),
])
def test_utc_nobody_chose_against_the_calendars_zone_is_a_warning(args, system, warned,
                                                                   tmp_path):
    path = tmp_path / "berlin.ics"
    path.write_bytes(BERLIN)
    result = run("audit", str(path), "--week", "2026-W10", "--format", "json", *args,
                 env={"TZ": system})
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    expected = ["times are read in UTC (no --tz, no `timezone` in the config, and the system "
                "zone is UTC), but the calendar says Europe/Berlin: set --tz Europe/Berlin or "
                'timezone = "Europe/Berlin" in the config']
    assert warnings == (expected if warned else [])


def test_the_zone_warning_comes_once_for_a_folder_of_such_calendars(tmp_path):
    vdir = tmp_path / "cal"
    vdir.mkdir()
    for name in ("a", "b", "c"):
        (vdir / f"{name}.ics").write_bytes(BERLIN.replace(b"UID:b", f"UID:{name}".encode()))
    result = run("audit", str(vdir), "--week", "2026-W10", "--format", "json",
                 env={"TZ": "UTC"})
    assert result.exit_code == 0, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert "--tz Europe/Berlin" in warning
