"""audit, book, book again and unbook with google:primary, through real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT
from tests.fakes.google_week import week

WINDOW = ["--week", "2026-W11", "--tz", "America/New_York"]
NOW = ["--now", "2026-03-08T12:00:00-04:00"]


def focuscal(*args):
    return subprocess.run([sys.executable, "-m", "focuscal", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def snapshot(fake):
    return sorted(json.dumps(e, sort_keys=True) for e in fake.events())


def test_audit_book_rebook_unbook(fake_google, tmp_path):
    for item in week():
        fake_google.put_event(**item)
    config = tmp_path / "config.toml"
    config.write_text(f'timeout = 5\n[google]\napi_endpoint = "{fake_google.url}"\n'
                      'credentials = "anonymous"\nauto_decline = "new"\n')
    cfg = ["--config", str(config)]
    original = snapshot(fake_google)

    before = focuscal("audit", "google:primary", *WINDOW, "--format", "json", *cfg)
    assert before.returncode == 0, before.stderr
    booked_before = json.loads(before.stdout)["totals"]["focus_booked_minutes"]

    dry = focuscal("book", "google:primary", "--to", "google:primary", *WINDOW, *NOW, *cfg)
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout
    assert snapshot(fake_google) == original  # a dry run writes nothing

    book = focuscal("book", "google:primary", "--to", "google:primary", *WINDOW, *NOW,
                    "--apply", *cfg)
    assert book.returncode == 0, book.stderr
    new = [e for e in fake_google.events() if e["id"].startswith("fc")]
    assert new, book.stdout
    assert f"Applied: {len(new)} added, 0 removed." in book.stdout
    assert {e["eventType"] for e in new} == {"focusTime"}
    assert {e["focusTimeProperties"]["autoDeclineMode"] for e in new} == {
        "declineOnlyNewConflictingInvitations"}
    # every event that was there before is still there, unchanged
    after = snapshot(fake_google)
    assert set(original) <= set(after)
    assert len(after) == len(original) + len(new)

    audit = focuscal("audit", "google:primary", *WINDOW, "--format", "json", *cfg)
    booked_after = json.loads(audit.stdout)["totals"]["focus_booked_minutes"]
    assert booked_after > booked_before

    again = focuscal("book", "google:primary", "--to", "google:primary", *WINDOW, *NOW,
                     "--apply", *cfg)
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert snapshot(fake_google) == after

    unbook = focuscal("unbook", "--to", "google:primary", *WINDOW, *NOW, "--apply", *cfg)
    assert unbook.returncode == 0, unbook.stderr
    assert f"Applied: 0 added, {len(new)} removed." in unbook.stdout
    # the hand-placed block with focuscal's mark but a foreign id counts as moved: it stays
    assert "moved or resized by hand" in unbook.stdout
    assert snapshot(fake_google) == original


def test_an_interrupted_book_is_finished_by_the_next_run(fake_google, tmp_path):
    for item in week():
        fake_google.put_event(**item)
    config = tmp_path / "config.toml"
    # no retries: the subprocess cannot skip the backoff waits
    config.write_text(f'timeout = 5\n[google]\napi_endpoint = "{fake_google.url}"\n'
                      'credentials = "anonymous"\nretries = 0\n')
    args = ["book", "google:primary", "--to", "google:primary", *WINDOW, *NOW, "--apply",
            "--target", "12h", "--config", str(config)]
    fault = fake_google.fail(500, method="POST", path="/events", after=1, times=None,
                             message="Backend Error")
    first = focuscal(*args)
    assert first.returncode == 1  # a partial failure
    assert "Applied: 1 added" in first.stdout, first.stdout + first.stderr
    failed = [line for line in first.stdout.splitlines() if "failed:" in line]
    assert failed
    assert all("Google answered 500: Backend Error" in line for line in failed)
    assert len([e for e in fake_google.events() if e["id"].startswith("fc")]) == 1
    fault.times = 0
    second = focuscal(*args)
    assert second.returncode == 0, second.stderr
    assert f"Applied: {len(failed)} added, 0 removed." in second.stdout
    ids = [e["id"] for e in fake_google.events() if e["id"].startswith("fc")]
    assert len(ids) == len(set(ids)) == len(failed) + 1
    assert "nothing to change" in focuscal(*args).stdout
