"""Bookings that run at once (two cron jobs, two weeks) into one ICS file or vdir lose nothing,
and no run reports a block as applied that is not in the calendar.

Every trial starts real ``focuscal book --apply`` processes, one per week, holds them at a
barrier once focuscal is imported, then releases them together so their writes collide."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime

import icalendar
import pytest

from tests.conftest import EXAMPLES, ROOT

WEEKS = ["2026-W11", "2026-W12", "2026-W13", "2026-W14"]
OPTIONS = ["--tz", "America/New_York", "--now", "2026-03-08T12:00-04:00", "--format", "json"]
SOURCE = EXAMPLES / "sales-week.ics"
# Imports everything a booking needs, says so, and waits for the word to go.
BARRIER = textwrap.dedent("""
    import sys
    from focuscal import app, cli, planner
    from focuscal.sinks import ics
    from focuscal.report import plan
    print("ready", flush=True)
    sys.stdin.readline()
    sys.argv = ["focuscal", *sys.argv[1:]]
    cli.main()
""")


def spans_in(target) -> set[tuple[datetime, datetime]]:
    """(start, end) in UTC of every focuscal block in the file or the vdir's files."""
    files = sorted(target.glob("*.ics")) if target.is_dir() else [target]
    out = set()
    for file in files:
        for event in icalendar.Calendar.from_ical(file.read_bytes(), multiple=True)[0].walk(
                "VEVENT"):
            if event.get("X-FOCUSCAL-BLOCK"):
                out.add((event.decoded("DTSTART"), event.decoded("DTEND")))
    return out


def spans(blocks: list[dict]) -> set[tuple[datetime, datetime]]:
    return {(datetime.fromisoformat(b["start"]), datetime.fromisoformat(b["end"]))
            for b in blocks}


def planned(tmp_path, week: str) -> set[tuple[datetime, datetime]]:
    """What one booking of ``week`` alone adds to a fresh copy (a dry run)."""
    fresh = tmp_path / f"fresh-{week}.ics"
    shutil.copyfile(SOURCE, fresh)
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "book", str(SOURCE), "--to", f"ics:{fresh}",
         "--week", week, *OPTIONS], cwd=ROOT, capture_output=True, text=True, timeout=60,
        check=True)
    return spans(json.loads(proc.stdout)["add"])


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict[str, set[tuple[datetime, datetime]]]:
    folder = tmp_path_factory.mktemp("expected")
    out = {week: planned(folder, week) for week in WEEKS}
    assert all(out.values())  # every week gets blocks, so every run writes
    return out


def book_at_once(target) -> list[dict]:
    """Run one ``book --apply`` per week into ``target``, released together; their JSON."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BARRIER, "book", str(SOURCE), "--to", f"ics:{target}",
             "--week", week, *OPTIONS, "--apply"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        for week in WEEKS
    ]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    documents = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert err == ""
        documents.append(json.loads(out))
    return documents


# Without the lock every trial into one file lost blocks; a vdir gets a file per block.
TRIALS = [("file", n) for n in range(3)] + [("vdir", n) for n in range(2)]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "trial"), TRIALS)
def test_concurrent_bookings_keep_every_block(tmp_path, expected, kind, trial):
    if kind == "file":
        target = tmp_path / "work.ics"
        shutil.copyfile(SOURCE, target)
    else:
        target = tmp_path / "vdir"
        target.mkdir()
    documents = book_at_once(target)
    in_calendar = spans_in(target)
    for week, document in zip(WEEKS, documents, strict=True):
        applied = document["applied"]
        assert applied["failed"] == []
        assert spans(applied["added"]) == expected[week]  # each run booked all of its week
    assert in_calendar == set().union(*expected.values())  # and all of it is there
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".lock"))]
    assert leftovers == []
