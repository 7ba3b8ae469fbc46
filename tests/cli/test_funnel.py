"""The error funnel and the exit codes, through click's runner and real subprocesses: bugs are
reported as bugs, usage once, --debug anywhere, --version, completion, Ctrl-C, progress."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from focuscal import __version__
from focuscal.cli import cli
from focuscal.cli.funnel import FocuscalGroup
from focuscal.errors import ConfigError, ExitStatus, FetchError, FocuscalError, InputError
from tests.conftest import EXAMPLES, ROOT

SALES = str(EXAMPLES / "sales-week.ics")
WEEK = ["--week", "2026-W11", "--tz", "America/New_York"]
BUG = "(this is a bug in focuscal; please report it, with the output of --debug)"


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def focuscal(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "focuscal", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False, **kwargs)


def test_exit_statuses_are_the_documented_codes():
    assert {s.name: int(s) for s in ExitStatus} == {
        "OK": 0, "FAILURE": 1, "BAD_INPUT": 2, "THRESHOLD": 3, "INTERRUPTED": 130}
    assert InputError("x").exit_code is ExitStatus.BAD_INPUT
    assert ConfigError("x").exit_code is ExitStatus.BAD_INPUT
    assert FetchError("x").exit_code is ExitStatus.FAILURE
    assert FocuscalError("x").exit_code is ExitStatus.FAILURE
    readme = (ROOT / "README.md").read_text()
    for status in (ExitStatus.OK, ExitStatus.FAILURE, ExitStatus.BAD_INPUT,
                   ExitStatus.INTERRUPTED):
        assert f"\n| {int(status)} | " in readme, status


# ---------------------------------------------------------------- bugs are bugs


def group_with(command: click.Command) -> FocuscalGroup:
    """A root group of the real funnel class with one extra command (no focuscal code mocked:
    the command itself is the test's)."""
    group = FocuscalGroup("focuscal")
    group.add_command(command)
    return group


@click.command("crash")
def crash() -> None:
    """Fails the way a focuscal bug would, with a URL holding a password in its message."""
    raise ValueError("cannot parse https://alex:s3cret@cal.example.com/x.ics: bad state")


def test_a_bug_is_reported_as_a_bug_without_its_class_name():
    result = CliRunner().invoke(group_with(crash), ["crash"])
    assert result.exit_code == ExitStatus.FAILURE
    line = result.stderr.strip()
    assert line == ("focuscal: error: internal error: cannot parse https://cal.example.com/x.ics:"
                    f" bad state {BUG}")
    assert "ValueError" not in result.stderr
    assert "s3cret" not in result.stderr


def test_a_bug_with_debug_shows_the_traceback():
    result = CliRunner(env={"FOCUSCAL_DEBUG": "1"}).invoke(group_with(crash), ["crash"])
    assert result.exit_code == ExitStatus.FAILURE
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("focuscal: error: internal error: ")


def test_a_bug_inside_focuscal_names_the_place_in_a_real_subprocess(tmp_path):
    # A real bug: a renderer handed a value it was never meant to get, inside focuscal's code.
    script = textwrap.dedent("""
        import sys, click
        from focuscal.cli import cli
        from focuscal.report import hm

        @cli.command("bug")
        def bug():
            "A command that calls a focuscal function the wrong way."
            click.echo(hm(None))

        sys.argv = ["focuscal", "bug"]
        from focuscal.cli import main
        main()
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == ExitStatus.FAILURE, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("focuscal: error: internal error: ")
    assert " in focuscal/report/__init__.py:" in line
    assert line.endswith(BUG)
    assert "TypeError" not in line


def test_an_exit_code_from_a_command_is_kept():
    @click.command("threshold")
    @click.pass_context
    def threshold(ctx: click.Context) -> None:
        """Exits with the threshold status, as --fail-under will."""
        ctx.exit(ExitStatus.THRESHOLD)

    assert CliRunner().invoke(group_with(threshold), ["threshold"]).exit_code == 3


def test_interrupted_is_exit_130():
    @click.command("wait")
    def wait() -> None:
        """Stands for a long fetch the user stops with Ctrl-C."""
        raise KeyboardInterrupt

    result = CliRunner().invoke(group_with(wait), ["wait"])
    assert result.exit_code == ExitStatus.INTERRUPTED
    assert result.stderr.strip() == "focuscal: error: interrupted"


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")
def test_ctrl_c_in_a_real_subprocess_is_exit_130():
    proc = subprocess.Popen([sys.executable, "-m", "focuscal", "audit", "-", *WEEK], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # Wait until focuscal blocks reading the calendar from stdin: then Ctrl-C.
        deadline = time.monotonic() + 30
        while "pipe" not in Path(f"/proc/{proc.pid}/wchan").read_text():
            assert time.monotonic() < deadline, "focuscal never read stdin"
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == ExitStatus.INTERRUPTED, err
    assert err.strip() == "focuscal: error: interrupted"


# ---------------------------------------------------------------- usage, --debug, --version


def test_focuscal_alone_prints_the_usage_once_without_error():
    result = run()
    assert result.exit_code in (0, 2)  # as click does (2 since click 8.2)
    assert result.output.count("Usage: focuscal") == 1
    assert "error:" not in result.output
    assert "audit" in result.output
    auth = run("auth")
    assert auth.output.count("Usage: focuscal auth") == 1
    assert "error:" not in auth.output


def test_focuscal_alone_in_a_real_subprocess():
    proc = focuscal()
    assert proc.returncode in (0, 2)
    both = proc.stdout + proc.stderr
    assert both.count("Usage: focuscal") == 1
    assert "error:" not in both


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_command(where):
    args = ["audit", "missing.ics", *WEEK]
    args = ["--debug", *args] if where == "before" else [*args, "--debug"]
    result = run(*args)
    assert result.exit_code == ExitStatus.BAD_INPUT
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "focuscal: error: missing.ics: no such file or folder")


def test_debug_after_the_command_in_a_real_subprocess():
    proc = focuscal("plan", "missing.ics", *WEEK, "--debug")
    assert proc.returncode == ExitStatus.BAD_INPUT
    assert "Traceback" in proc.stderr
    assert proc.stderr.strip().endswith("focuscal: error: missing.ics: no such file or folder")
    plain = focuscal("plan", "missing.ics", *WEEK)
    assert plain.stderr == "focuscal: error: missing.ics: no such file or folder\n"


def test_every_command_takes_debug():
    def leaves(group: click.Group, path: str):
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from leaves(command, f"{path} {name}")
            else:
                yield f"{path} {name}", command

    for name, command in leaves(cli, "focuscal"):
        assert "debug" in {p.name for p in command.params}, name


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"focuscal, version {__version__}\n"
    proc = focuscal("--version")
    assert (proc.returncode, proc.stdout) == (0, f"focuscal, version {__version__}\n")


def test_usage_errors_are_one_line_and_name_the_command():
    result = run("audit", SALES, "--bogus")
    assert result.exit_code == ExitStatus.BAD_INPUT
    assert result.stderr == ("focuscal: error: No such option '--bogus'. "
                             "(see focuscal audit --help)\n")
    proc = focuscal("frobnicate")
    assert proc.returncode == ExitStatus.BAD_INPUT
    assert proc.stderr.startswith("focuscal: error: No such command 'frobnicate'.")
    assert proc.stderr.endswith("(see focuscal --help)\n")


# ---------------------------------------------------------------- completion


def test_shell_completion_is_click_s_and_documented():
    source = focuscal(env={**os.environ, "_FOCUSCAL_COMPLETE": "bash_source"})
    assert source.returncode == 0, source.stderr
    assert "_focuscal_completion()" in source.stdout
    words = focuscal(env={**os.environ, "_FOCUSCAL_COMPLETE": "bash_complete",
                          "COMP_WORDS": "focuscal audit --la", "COMP_CWORD": "2"})
    assert words.stdout.split() == ["plain,--last-week"]
    commands = focuscal(env={**os.environ, "_FOCUSCAL_COMPLETE": "bash_complete",
                             "COMP_WORDS": "focuscal au", "COMP_CWORD": "1"})
    assert commands.stdout.split() == ["plain,audit", "plain,auth"]
    readme = (ROOT / "README.md").read_text()
    assert 'eval "$(_FOCUSCAL_COMPLETE=bash_source focuscal)"' in readme


# ---------------------------------------------------------------- progress on a terminal


def read_all(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], 0.5)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other end closed (Linux reports EIO)
            break
        if not chunk:
            break
        data += chunk
    return data


def test_a_google_fetch_shows_its_pages_on_a_terminal_only(fake_google, tmp_path):
    from tests.fakes.google_week import week

    for item in week():
        fake_google.put_event(**item)
    config = tmp_path / "config.toml"
    config.write_text(f'timeout = 5\n[google]\napi_endpoint = "{fake_google.url}"\n'
                      'credentials = "anonymous"\n')
    # Small pages, so the fetch takes several round trips (as a big calendar does).
    script = textwrap.dedent(f"""
        import sys
        from focuscal import googleapi
        googleapi.PAGE_SIZE = 2
        sys.argv = ["focuscal", "--config", {str(config)!r}, "audit", "google:primary",
                    *{WEEK!r}, "--format", "json"]
        from focuscal.cli import main
        main()
    """)
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=slave, env={**os.environ, "TERM": "xterm"})
        os.close(slave)
        out = proc.stdout.read()
        proc.wait(timeout=60)
        terminal = read_all(master)
    finally:
        os.close(master)
        proc.stdout.close()
    assert proc.returncode == 0, terminal
    assert b"google:primary: page 2" in terminal
    assert json.loads(out)["schema"] == "focuscal.audit/1"  # the output stays clean
    # Not a terminal: nothing but the output.
    piped = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                           timeout=60, check=False)
    assert (piped.returncode, piped.stderr) == (0, b"")
    assert json.loads(piped.stdout) == json.loads(out)
