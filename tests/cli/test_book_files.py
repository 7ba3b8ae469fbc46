"""What `book` does to the files around an ICS target: read-only targets refused, modes kept,
stale temporary files of killed runs cleaned, and nothing reported as applied that is not in
the file."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import EXAMPLES

WEEK = ["--week", "2026-W11", "--tz", "America/New_York", "--now", "2026-03-08T12:00-04:00"]
SOURCE = EXAMPLES / "sales-week.ics"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def book(target, *extra):
    return run("book", SOURCE, "--to", f"ics:{target}", *WEEK, *extra)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def umask() -> int:
    value = os.umask(0)
    os.umask(value)
    return value


@pytest.fixture
def cal(tmp_path):
    path = tmp_path / "work.ics"
    shutil.copyfile(SOURCE, path)
    return path


def dead_pid() -> int:
    """The pid of a process that has ended."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


# ---------------------------------------------------------------- read-only targets


def test_a_read_only_file_is_refused(cal):
    original = cal.read_bytes()
    cal.chmod(0o444)
    assert book(cal).exit_code == 0  # the dry run reads it, as ever
    result = book(cal, "--apply")
    assert result.exit_code == 1
    assert result.stderr == (f"focuscal: error: {cal}: the file is read-only: focuscal will not "
                             "replace it (make it writable (chmod u+w) or book into another "
                             "calendar)\n")
    assert cal.read_bytes() == original
    assert mode(cal) == 0o444
    assert sorted(p.name for p in cal.parent.iterdir()) == ["work.ics"]


def test_a_read_only_vdir_is_refused(tmp_path):
    vdir = tmp_path / "focus"
    vdir.mkdir()
    vdir.chmod(0o555)
    try:
        result = book(vdir, "--apply")
        assert result.exit_code == 1
        assert result.stderr.startswith(f"focuscal: error: {vdir}: the folder is read-only")
        assert len(result.stderr.splitlines()) == 1
        assert list(vdir.iterdir()) == []
    finally:
        vdir.chmod(0o755)


def test_a_read_only_file_in_a_vdir_keeps_its_block(tmp_path):
    vdir = tmp_path / "focus"
    vdir.mkdir()
    assert book(vdir, "--apply").exit_code == 0
    files = sorted(vdir.iterdir())
    assert len(files) == 2
    files[0].chmod(0o444)
    result = run("unbook", "--to", f"ics:{vdir}", "--week", "2026-W11", "--apply",
                 "--format", "json")
    assert result.exit_code == 1
    applied = json.loads(result.stdout)["applied"]
    assert [b["uid"] + ".ics" for b in applied["removed"]] == [files[1].name]
    assert [(b["uid"] + ".ics", b["error"]) for b in applied["failed"]] == [
        (files[0].name, f"{files[0].name} is read-only: left alone")]
    assert sorted(vdir.iterdir()) == [files[0]]


# ---------------------------------------------------------------- modes


def test_a_private_calendar_stays_private(cal):
    cal.chmod(0o600)
    cal.with_name("work.ics.bak").write_bytes(b"an older backup, made with the umask")
    cal.with_name("work.ics.bak").chmod(0o644)
    assert book(cal, "--apply").exit_code == 0
    assert mode(cal) == 0o600
    assert mode(cal.with_name("work.ics.bak")) == 0o600
    assert cal.with_name("work.ics.bak").read_bytes() == SOURCE.read_bytes()


@pytest.mark.parametrize("folder_mode", [0o700, 0o750, 0o755])
def test_a_new_file_is_no_more_open_than_its_folder(tmp_path, folder_mode):
    folder = tmp_path / "calendars"
    folder.mkdir()
    folder.chmod(folder_mode)
    new, vdir = folder / "focus.ics", folder / "vdir"
    vdir.mkdir()
    vdir.chmod(folder_mode)
    assert book(new, "--apply").exit_code == 0
    assert book(vdir, "--apply").exit_code == 0
    # the umask's mode, less every class of user the folder does not let in
    expected = 0o666 & ~umask()
    for klass in (0o700, 0o070, 0o007):
        if not folder_mode & klass & 0o111:
            expected &= ~klass
    assert mode(new) == expected
    assert [mode(p) for p in vdir.iterdir()] == [expected, expected]


# ---------------------------------------------------------------- stale temporary files


def test_stale_temporary_files_are_cleaned_on_the_next_write(cal):
    folder = cal.parent
    hour_ago = time.time() - 3600
    stale = [folder / f".work.ics.{dead_pid()}.k2j4h5g6.tmp",  # its writer is gone
             folder / ".work.ics.ab12cd34.tmp",  # an older version's, an hour old
             folder / f".work.ics.bak.{dead_pid()}.zz99yy88.tmp"]
    live = [folder / f".work.ics.{os.getpid()}.q1w2e3r4.tmp",  # a writer still at work
            folder / ".work.ics.ab12cd35.tmp"]  # an older version's, just written
    foreign = [folder / ".work.ics.someone-else.tmp", folder / "work.ics.tmp",
               folder / ".other.ics.ab12cd36.tmp"]
    for path in stale + live + foreign:
        path.write_bytes(b"half a calendar")
    for path in (stale[1], foreign[0], foreign[1], foreign[2]):
        os.utime(path, (hour_ago, hour_ago))
    assert book(cal, "--apply").exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [p.name for p in live + foreign] + ["work.ics", "work.ics.bak"])


def test_a_killed_booking_leaves_nothing_after_the_next(tmp_path):
    """kill -9 while a block file of a vdir is being written: the next run books, once, and
    removes the temporary file."""
    vdir = tmp_path / "vdir"
    vdir.mkdir()
    script = ("import os, sys, time\n"
              "real = os.replace\n"
              "def hang(src, dst, *a, **k):\n"
              "    print('writing', flush=True)\n"
              "    time.sleep(60)\n"
              "os.replace = hang\n"
              "from focuscal.cli import main\n"
              "sys.argv = ['focuscal', *sys.argv[1:]]\n"
              "main()\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "book", str(SOURCE), "--to", f"ics:{vdir}", *WEEK,
         "--apply"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    proc.kill()
    proc.wait(timeout=10)
    proc.stdout.close()
    left = [p.name for p in vdir.iterdir()]
    assert len(left) == 2  # the temporary file and the lock file
    assert any(name.endswith(".tmp") for name in left)
    result = book(vdir, "--apply", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["applied"]["added"]) == 2
    assert sorted(p.suffix for p in vdir.iterdir()) == [".ics", ".ics"]


# ---------------------------------------------------------------- applied means written


def test_a_block_another_program_overwrote_is_reported_failed(cal, monkeypatch):
    """Another program replaces the calendar just as focuscal's rename lands: the run reads
    the file back, says the blocks are not there and exits 1."""
    original = cal.read_bytes()
    real = os.replace

    def raced(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        if os.fspath(dst) == os.fspath(cal):
            cal.write_bytes(original)  # the other program's save, from what it had read

    monkeypatch.setattr(os, "replace", raced)
    result = book(cal, "--apply", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr == (f"focuscal: error: ics:{cal}: 2 change(s) failed; run the same "
                             "command again to finish\n")
    applied = json.loads(result.stdout)["applied"]
    assert applied["added"] == []
    assert [b["error"] for b in applied["failed"]] == [
        "not in the calendar after writing (another program changed it at the same time)"] * 2
    assert cal.read_bytes() == original


def test_a_booking_waits_for_the_lock_then_gives_up_in_one_line(cal, monkeypatch):
    import fcntl

    from focuscal import files

    monkeypatch.setattr(files, "LOCK_WAIT", 0.3)
    original = cal.read_bytes()
    lock = cal.with_name(".work.ics.lock")
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another focuscal writing into work.ics
        result = book(cal, "--apply")
    assert result.exit_code == 1
    assert result.stderr == (f"focuscal: error: {lock}: another focuscal has been writing here "
                             "for 0.3 s (try again when it has finished)\n")
    assert cal.read_bytes() == original
