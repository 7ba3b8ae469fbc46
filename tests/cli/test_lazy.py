"""The commands are imported when run: the short help kept for ``focuscal --help`` is the
commands' own, and a real process imports only the module of the command it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import click
import pytest

from focuscal.cli import COMMANDS, cli
from focuscal.cli.lazy import Commands, LazyGroup
from tests.conftest import ROOT

COMMAND_MODULES = {where.split(":")[0] for where, _ in COMMANDS.values()}
ONE_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    "UID:one@example.com\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Planning\r\n"
    "DTSTART;TZID=Europe/Berlin:20260303T100000\r\nDTEND;TZID=Europe/Berlin:20260303T110000\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def imported_by(argv: list[str], tmp_path) -> set[str]:
    """The modules a fresh interpreter has imported after running ``focuscal argv``."""
    script = textwrap.dedent(f"""
        import json, sys
        from focuscal.cli import cli
        try:
            cli.main({argv!r})
        except SystemExit:
            pass
        print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)
    """)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=env, check=True)
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def every_row(group: click.Group, width: int) -> str:
    formatter = click.HelpFormatter(width=width)
    group.format_commands(click.Context(group), formatter)
    return formatter.getvalue()


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
def test_the_help_lists_every_command_as_click_would(width):
    plain = click.Group("focuscal")
    for name in COMMANDS:
        plain.add_command(cli.commands[name], name)
    unloaded = LazyGroup("focuscal", known=COMMANDS)
    assert every_row(unloaded, width) == every_row(plain, width)
    assert all(f"\n  {name} " in every_row(unloaded, width) for name in COMMANDS)


def test_every_command_is_where_the_table_says_with_its_name():
    for name, (where, short) in COMMANDS.items():
        command = cli.commands[name]
        assert command.name == name
        assert where.split(":")[0] == command.callback.__module__
        first = " ".join(command.help.split("\n\n")[0].split())
        assert first.startswith(short.removesuffix(".")), name


def test_a_command_is_imported_once_and_only_when_read():
    commands = Commands({"audit": COMMANDS["audit"]})
    assert list(commands) == ["audit"]
    assert len(commands) == 1
    assert commands.short_help("audit") == COMMANDS["audit"][1]
    assert commands.get("nope") is None
    first = commands["audit"]
    assert commands["audit"] is first
    assert commands.short_help("audit") is None
    extra = click.Command("extra")
    commands["extra"] = extra
    assert list(commands) == ["audit", "extra"]
    assert commands["extra"] is extra
    del commands["audit"]
    assert list(commands) == ["extra"]


def test_help_imports_no_command(tmp_path):
    assert not imported_by(["--help"], tmp_path) & COMMAND_MODULES


def test_a_json_audit_of_a_plain_calendar_imports_only_what_it_uses(tmp_path):
    (tmp_path / "one.ics").write_text(ONE_EVENT, newline="")
    modules = imported_by(["audit", "one.ics", "--from", "2026-03-02", "--to", "2026-03-08",
                           "--tz", "Europe/Berlin", "--format", "json"], tmp_path)
    assert modules & COMMAND_MODULES == {"focuscal.cli.audit"}
    roots = {m.split(".")[0] for m in modules}
    for heavy in ("icalendar", "recurring_ical_events", "rich", "jinja2", "email", "smtplib",
                  "googleapiclient", "caldav", "msal", "http", "urllib3", "requests",
                  "_hashlib"):  # OpenSSL: 3.6 MB, for a cache key a small file never needs
        assert heavy not in roots, heavy
