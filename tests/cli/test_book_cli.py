"""`focuscal book` and `unbook` into ICS files and folders: repeatable, safe, atomic."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import icalendar
import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import EXAMPLES, ROOT

WEEK = ["--week", "2026-W11", "--tz", "America/New_York", "--now", "2026-03-08T12:00-04:00"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def cal(tmp_path):
    """A copy of the sales week: the user's own calendar, source and target at once."""
    path = tmp_path / "work.ics"
    shutil.copyfile(EXAMPLES / "sales-week.ics", path)
    return path


def book(cal, *extra):
    return run("book", cal, "--to", f"ics:{cal}", *WEEK, *extra)


def without_focuscal(text: str) -> str:
    """The file with focuscal's VEVENTs cut out (what the user wrote)."""
    return re.sub(r"BEGIN:VEVENT\r?\n(?:(?!END:VEVENT).*\r?\n)*?X-FOCUSCAL-BLOCK:1\r?\n"
                  r"(?:(?!BEGIN:VEVENT).*\r?\n)*?END:VEVENT\r?\n", "", text)


def blocks_in(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return sorted(
        (e.decoded("DTSTART"), e.decoded("DTEND"), str(e["UID"]))
        for e in cal.walk("VEVENT") if e.get("X-FOCUSCAL-BLOCK")
    )


def test_dry_run_prints_the_lists_and_writes_nothing(cal):
    original = cal.read_bytes()
    result = book(cal)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "dry run, --apply writes" in lines[0]
    assert lines[1:4] == ["keep (0):", "remove (0):", "add (2):"]
    assert lines[4].startswith("  Wed 11 Mar 11:10-14:10")
    assert lines[5].startswith("  Fri 13 Mar 10:40-13:40")
    assert cal.read_bytes() == original
    assert not cal.with_name("work.ics.bak").exists()


def test_apply_twice_changes_nothing_the_second_time(cal):
    original = cal.read_bytes()
    first = book(cal, "--apply")
    assert first.exit_code == 0, first.output
    assert "Applied: 2 added, 0 removed." in first.stdout
    written = cal.read_bytes()
    assert cal.with_name("work.ics.bak").read_bytes() == original
    # everything the user wrote is still there, byte for byte, in its place
    assert without_focuscal(written.decode()) == original.decode()
    events = [e for e in icalendar.Calendar.from_ical(written).walk("VEVENT")
              if e.get("X-FOCUSCAL-BLOCK")]
    assert len(events) == 2
    for event in events:
        assert str(event["TRANSP"]) == "OPAQUE"
        assert str(event["SUMMARY"]) == "Focus time"
        assert event["CATEGORIES"].cats == ["Focus"]
        assert event.decoded("DTSTAMP") == event.decoded("DTSTART")
    stamp = cal.stat().st_mtime_ns
    second = book(cal, "--apply")
    assert second.exit_code == 0, second.output
    assert "keep (2):" in second.stdout
    assert "add (0):" in second.stdout
    assert "nothing to change" in second.stdout
    assert cal.read_bytes() == written
    assert cal.stat().st_mtime_ns == stamp
    assert cal.with_name("work.ics.bak").read_bytes() == original


def test_booking_is_byte_identical_from_scratch(tmp_path, cal):
    # two independent runs over the same input give the same bytes (ids and DTSTAMP derived)
    other = tmp_path / "again" / "work.ics"
    other.parent.mkdir()
    shutil.copyfile(cal, other)
    book(cal, "--apply")
    book(other, "--apply")
    assert blocks_in(cal) != []
    assert [b[:2] for b in blocks_in(cal)] == [b[:2] for b in blocks_in(other)]
    assert without_focuscal(cal.read_text()) == without_focuscal(other.read_text())


def test_a_meeting_over_a_booked_block_moves_it(cal):
    book(cal, "--apply")
    before = blocks_in(cal)
    # the user accepts a customer call on Wednesday 12:00-13:00, right inside the 11:10 block
    meeting = textwrap.dedent("""\
        BEGIN:VEVENT
        UID:late-call-0311@acme-sales.com
        SUMMARY:Urgent call - Northwind
        DTSTART;TZID=America/New_York:20260311T120000
        DTEND;TZID=America/New_York:20260311T130000
        END:VEVENT
        """)
    text = cal.read_text()
    head, sep, tail = text.rpartition("END:VCALENDAR")
    cal.write_text(head + meeting + sep + tail)
    users = without_focuscal(cal.read_text())
    dry = book(cal)
    assert "remove (1):" in dry.stdout
    assert "Wed: clashes with a meeting 12:00-13:00" in dry.stdout
    result = book(cal, "--apply")
    assert result.exit_code == 0, result.output
    assert "Applied: 1 added, 1 removed." in result.stdout
    after = blocks_in(cal)
    assert len(after) == 2
    assert before[1] in after  # Friday's block is kept as it was
    assert before[0] not in after
    # Wednesday is now free 13:10-15:20 only (2h10): the new block
    new = next(b for b in after if b not in before)
    assert (new[0].isoformat(), new[1].isoformat()) == (
        "2026-03-11T17:10:00+00:00", "2026-03-11T19:20:00+00:00")
    assert without_focuscal(cal.read_text()) == users
    # and the result is stable
    assert "nothing to change" in book(cal, "--apply").stdout


def test_round_trip_audit_shows_the_booked_focus(cal):
    book(cal, "--apply")
    audit = run("audit", cal, "--week", "2026-W11", "--tz", "America/New_York",
                "--format", "json")
    doc = json.loads(audit.stdout)
    days = {d["date"]: d for d in doc["days"]}
    assert days["2026-03-11"]["focus_booked_minutes"] == 180
    assert days["2026-03-13"]["focus_booked_minutes"] == 180
    assert doc["totals"]["focus_booked_minutes"] == 360
    assert doc["totals"]["meeting_minutes"] == 630  # unchanged: focus is not a meeting
    again = json.loads(run("plan", cal, *WEEK, "--format", "json").stdout)
    assert (again["existing_focus_minutes"], again["planned_minutes"]) == (360, 0)


def test_a_block_moved_by_hand_is_left_alone(cal):
    book(cal, "--apply")
    text = cal.read_text()
    # the user drags Friday's block (14:40Z) one hour later in their calendar app
    moved = text.replace("DTSTART:20260313T144000Z", "DTSTART:20260313T154000Z").replace(
        "DTEND:20260313T174000Z", "DTEND:20260313T184000Z")
    assert moved != text
    cal.write_text(moved)
    result = book(cal, "--apply")
    assert "moved or resized by hand, left alone (1):" in result.stdout
    assert "nothing to change" in result.stdout
    assert cal.read_text() == moved
    unbook = run("unbook", "--to", f"ics:{cal}", "--week", "2026-W11", "--apply")
    assert "Applied: 0 added, 1 removed." in unbook.stdout
    left = blocks_in(cal)
    assert len(left) == 1
    assert left[0][0].isoformat() == "2026-03-13T15:40:00+00:00"


def test_unbook_removes_only_focuscals_blocks(cal):
    original = cal.read_bytes()
    book(cal, "--apply")
    dry = run("unbook", "--to", f"ics:{cal}", "--week", "2026-W11", "--tz", "America/New_York")
    assert dry.exit_code == 0, dry.output
    assert "remove (2):" in dry.stdout
    assert "dry run" in dry.stdout
    result = run("unbook", "--to", f"ics:{cal}", "--week", "2026-W11", "--tz",
                 "America/New_York", "--apply")
    assert result.exit_code == 0, result.output
    assert cal.read_bytes() == original
    assert "nothing to change" in run("unbook", "--to", f"ics:{cal}", "--week", "2026-W11",
                                      "--apply").stdout


def test_folder_target_gets_one_file_per_block(tmp_path):
    vdir = tmp_path / "focus"
    vdir.mkdir()
    (vdir / "other.ics").write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
                                     b"BEGIN:VEVENT\r\nUID:x1\r\nDTSTAMP:20260301T000000Z\r\n"
                                     b"DTSTART:20260310T150000Z\r\nDTEND:20260310T160000Z\r\n"
                                     b"SUMMARY:Lunch with Ana\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    other = (vdir / "other.ics").read_bytes()
    sales = EXAMPLES / "sales-week.ics"
    result = run("book", sales, vdir, "--to", f"ics:{vdir}", *WEEK, "--apply")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in vdir.iterdir())
    uids = [b[2] for b in blocks_in(vdir / files[0])] + [b[2] for b in blocks_in(vdir / files[1])]
    assert sorted(f"{u}.ics" for u in uids) == files[:2]
    assert files[2] == "other.ics"
    assert (vdir / "other.ics").read_bytes() == other
    again = run("book", sales, vdir, "--to", f"ics:{vdir}", *WEEK, "--apply")
    assert "nothing to change" in again.stdout
    assert sorted(p.name for p in vdir.iterdir()) == files
    gone = run("unbook", "--to", f"ics:{vdir}", "--week", "2026-W11", "--apply")
    assert gone.exit_code == 0, gone.output
    assert sorted(p.name for p in vdir.iterdir()) == ["other.ics"]
    assert (vdir / "other.ics").read_bytes() == other


def test_a_missing_file_is_created_and_crlf_files_stay_crlf(tmp_path):
    new = tmp_path / "focus.ics"  # the file, in a folder that exists (issue 12: never folders)
    result = run("book", EXAMPLES / "sales-week.ics", "--to", f"ics:{new}", *WEEK, "--apply")
    assert result.exit_code == 0, result.output
    data = new.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert len(blocks_in(new)) == 2
    assert not new.with_name("focus.ics.bak").exists()


def test_window_from_to_and_target_share_the_to_option(cal):
    result = run("book", cal, "--from", "2026-03-13", "--to", "2026-03-13", "--to", f"ics:{cal}",
                 "--tz", "America/New_York", "--now", "2026-03-08T12:00-04:00")
    assert result.exit_code == 0, result.output
    assert "add (1):" in result.stdout
    assert "Fri 13 Mar 10:40-13:40" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["book", "x.ics", "--week", "2026-W11"], "book needs --to TARGET"),
        (["book", "x.ics", "--to", "ics:a.ics", "--to", "ics:b.ics"], "give one booking target"),
        (["book", "x.ics", "--to", "exchange:me"], "unknown booking target 'exchange:me'"),
        (["book", "x.ics", "--to", "outlook:nobody"], "expected outlook:me"),
        (["unbook", "--to", "ics:"], "ics: needs a path"),
    ],
)
def test_bad_targets_are_one_line_exit_2(args, fragment):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_malformed_target_is_refused_before_writing(tmp_path):
    broken = tmp_path / "broken.ics"
    broken.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n")
    result = run("book", EXAMPLES / "sales-week.ics", "--to", f"ics:{broken}", *WEEK, "--apply")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"focuscal: error: {broken}")
    assert broken.read_bytes() == b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n"


def test_a_failing_rename_leaves_the_original_intact(cal, monkeypatch):
    original = cal.read_bytes()
    real = os.replace

    def failing(src, dst, *args, **kwargs):
        if os.fspath(dst) == os.fspath(cal):
            raise OSError(28, "No space left on device")
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    result = book(cal, "--apply")
    assert result.exit_code == 1
    assert result.stderr == f"focuscal: error: {cal}: cannot write: No space left on device\n"
    assert cal.read_bytes() == original
    assert sorted(p.name for p in cal.parent.iterdir()) == ["work.ics", "work.ics.bak"]


def test_a_crash_between_temporary_file_and_rename_books_nothing_twice(cal):
    """A real crash: the process dies (os._exit) just before renaming the new file."""
    original = cal.read_bytes()
    script = textwrap.dedent(f"""
        import os, sys
        real = os.replace
        def crash(src, dst, *a, **k):
            if os.fspath(dst) == {str(cal)!r}:
                os._exit(9)
            return real(src, dst, *a, **k)
        os.replace = crash
        from focuscal.cli import main
        sys.argv = ["focuscal", "book", {str(cal)!r}, "--to", "ics:" + {str(cal)!r},
                    *{WEEK!r}, "--apply"]
        main()
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          timeout=60, check=False)
    assert proc.returncode == 9, proc.stderr
    assert cal.read_bytes() == original
    leftovers = [p.name for p in cal.parent.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1  # the temporary file of the interrupted write
    # the next run finishes the job, once
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "book", str(cal), "--to", f"ics:{cal}", *WEEK,
         "--apply"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert len(blocks_in(cal)) == 2
    assert without_focuscal(cal.read_text()) == original.decode()
    # and the temporary file the crash left is gone (its writer is)
    assert sorted(p.name for p in cal.parent.iterdir()) == ["work.ics", "work.ics.bak"]


def test_json_output_of_book_and_unbook(cal):
    dry = json.loads(book(cal, "--format", "json").stdout)
    assert dry["schema"] == "focuscal.book/1"
    assert dry["dry_run"] is True
    assert dry["applied"] is None
    assert [b["start"][:16] for b in dry["add"]] == ["2026-03-11T11:10", "2026-03-13T10:40"]
    assert dry["keep"] == dry["remove"] == dry["moved"] == []
    applied = json.loads(book(cal, "--format", "json", "--apply").stdout)
    assert applied["dry_run"] is False
    assert [b["uid"] for b in applied["applied"]["added"]] == [b["uid"] for b in applied["add"]]
    assert applied["applied"]["failed"] == []
    again = json.loads(book(cal, "--format", "json").stdout)
    assert [b["uid"] for b in again["keep"]] == [b["uid"] for b in applied["add"]]
    assert again["add"] == []
    gone = run("unbook", "--to", f"ics:{cal}", *WEEK, "--apply", "--format", "json")
    doc = json.loads(gone.stdout)
    assert doc["schema"] == "focuscal.unbook/1"
    assert sorted(b["uid"] for b in doc["applied"]["removed"]) == sorted(
        b["uid"] for b in applied["add"])
    assert blocks_in(cal) == []
