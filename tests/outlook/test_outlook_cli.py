"""Sign in, audit, list calendars, book, book again and unbook with outlook:me, through real
subprocesses against the fake Graph server."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES
from tests.fakes.graph_week import MARK, events_from_ics
from tests.outlook.test_outlook_auth import config_file, focuscal

WINDOW = ["--week", "2026-W11", "--tz", "America/New_York"]
NOW = ["--now", "2026-03-08T12:00:00-04:00"]


def held_out_week(fake) -> None:
    from datetime import date

    _, items = events_from_ics((EXAMPLES / "sales-week.ics").read_bytes(), date(2026, 3, 9),
                               date(2026, 3, 15))
    for item in items:
        fake.put_event(**item)


def snapshot(fake) -> list[str]:
    return sorted(json.dumps({k: v for k, v in e.items()
                              if k not in ("changeKey", "lastModifiedDateTime")}, sort_keys=True)
                  for e in fake.events())


def mine(fake) -> list[dict]:
    return [e for e in fake.events() if e.get("transactionId")]


def test_sign_in_audit_book_rebook_unbook(fake_graph, tls, tmp_path):
    held_out_week(fake_graph)
    cfg = ["--config", str(config_file(tmp_path, fake_graph, tls[0]))]
    signed = focuscal("auth", "outlook", "--write", *cfg)
    assert signed.returncode == 0, signed.stderr

    graph_audit = focuscal("audit", "outlook:me", *WINDOW, "--format", "json", *cfg)
    assert graph_audit.returncode == 0, graph_audit.stderr
    ics_audit = focuscal("audit", str(EXAMPLES / "sales-week.ics"), *WINDOW, "--format",
                         "json", *cfg)
    assert graph_audit.stdout == ics_audit.stdout  # the same week, the same numbers
    assert graph_audit.stderr == ""  # the address came from /me: no warning about it
    booked_before = json.loads(graph_audit.stdout)["totals"]["focus_booked_minutes"]

    listed = focuscal("calendars", "outlook", "--format", "json", *cfg)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == [{"id": "cal-default", "name": "Calendar",
                                          "default": True, "can_edit": True,
                                          "owner": fake_graph.user}]

    original = snapshot(fake_graph)
    dry = focuscal("book", "outlook:me", "--to", "outlook:me", *WINDOW, *NOW, *cfg)
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout
    assert snapshot(fake_graph) == original

    book = focuscal("book", "outlook:me", "--to", "outlook:me", *WINDOW, *NOW, "--apply",
                    "--format", "json", *cfg)
    assert book.returncode == 0, book.stderr
    document = json.loads(book.stdout)
    assert document["schema"] == "focuscal.book/1"
    added = document["applied"]["added"]
    assert added
    assert len(mine(fake_graph)) == len(added)
    assert {e["showAs"] for e in mine(fake_graph)} == {"busy"}
    assert all(e["singleValueExtendedProperties"][0]["id"] == MARK for e in mine(fake_graph))
    after = snapshot(fake_graph)
    assert set(original) <= set(after)

    audit = focuscal("audit", "outlook:me", *WINDOW, "--format", "json", *cfg)
    assert json.loads(audit.stdout)["totals"]["focus_booked_minutes"] > booked_before

    again = focuscal("book", "outlook:me", "--to", "outlook:me", *WINDOW, *NOW, "--apply", *cfg)
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert snapshot(fake_graph) == after

    unbook = focuscal("unbook", "--to", "outlook:me", *WINDOW, *NOW, "--apply", *cfg)
    assert unbook.returncode == 0, unbook.stderr
    assert f"Applied: 0 added, {len(added)} removed." in unbook.stdout
    assert snapshot(fake_graph) == original


def test_an_interrupted_book_is_finished_by_the_next_run(fake_graph, tls, tmp_path):
    held_out_week(fake_graph)
    # Retry-After 0: the subprocess's retries need not wait
    cfg = ["--config", str(config_file(tmp_path, fake_graph, tls[0], retries=2))]
    assert focuscal("auth", "outlook", "--write", *cfg).returncode == 0
    args = ["book", "outlook:me", "--to", "outlook:me", *WINDOW, *NOW, "--apply", "--target",
            "12h", *cfg]
    fault = fake_graph.fail(503, method="POST", path="/events", after=1, times=None,
                            retry_after="0", message="The service is busy.")
    first = focuscal(*args)
    assert first.returncode == 1
    assert "Applied: 1 added" in first.stdout, first.stdout + first.stderr
    failed = [line for line in first.stdout.splitlines() if "failed:" in line]
    assert failed
    assert all("Microsoft Graph answered 503: The service is busy." in line for line in failed)
    assert len(first.stderr.splitlines()) == 1
    assert len(mine(fake_graph)) == 1
    fault.times = 0
    second = focuscal(*args)
    assert second.returncode == 0, second.stderr
    assert f"Applied: {len(failed)} added, 0 removed." in second.stdout
    ids = [e["transactionId"] for e in mine(fake_graph)]
    assert len(ids) == len(set(ids)) == len(failed) + 1
    assert "nothing to change" in focuscal(*args).stdout


def test_a_persistent_failure_is_one_line_and_exit_1(fake_graph, tls, tmp_path):
    cfg = ["--config", str(config_file(tmp_path, fake_graph, tls[0], retries=2))]
    assert focuscal("auth", "outlook", *cfg).returncode == 0
    fake_graph.fail(429, path="/calendarView", times=None, retry_after="0",
                    message="Application is over its MailboxConcurrency limit.")
    result = focuscal("audit", "outlook:me", *WINDOW, *cfg)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "focuscal: error: outlook:me: Microsoft Graph answered 429: Application is over its "
        "MailboxConcurrency limit."]
    assert len(fake_graph.requests_to("GET", "/calendarView")) == 3
    bad = focuscal("audit", "outlook:nobody", *WINDOW, *cfg)
    assert bad.returncode == 2
    assert bad.stderr.startswith("focuscal: error: outlook:nobody: expected outlook:me")
