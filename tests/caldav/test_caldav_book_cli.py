"""focuscal book / unbook into a CalDAV calendar (Radicale), through the command line.

The calendar is both the source and the target: the planner sees the meetings and the blocks
it booked earlier through the same server.
"""

from __future__ import annotations

import json

import pytest

from tests.caldav.test_caldav_source import PASSWORD_ENV, focuscal, write_config
from tests.conftest import EXAMPLES
from tests.radicale import PASSWORD, USER, upload

ENV = {PASSWORD_ENV: PASSWORD}
# the calm week: room to move a block when a meeting lands on it
WEEK = ["--week", "2026-W12", "--tz", "America/New_York", "--now", "2026-03-15T12:00-04:00"]
MARK = "X-FOCUSCAL-BLOCK:1"


@pytest.fixture
def setup(radicale, tmp_path):
    url = radicale.make_calendar()
    upload(radicale, url, EXAMPLES / "sales-week.ics", EXAMPLES / "calm-week.ics")
    config = write_config(tmp_path / "config.toml", "caldav+" + url, username=USER,
                          password_env=PASSWORD_ENV)
    return url, config


def blocks(resources: dict[str, str]) -> dict[str, str]:
    return {h: t for h, t in resources.items() if MARK in t.splitlines()}


def span(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    start = next(x for x in lines if x.startswith("DTSTART"))
    end = next(x for x in lines if x.startswith("DTEND"))
    return start.split(":", 1)[1], end.split(":", 1)[1]


def book(config: str, target: str, *extra: str):
    return focuscal("--config", config, "book", "--to", target, *WEEK, *extra, env=ENV)


def test_book_rebook_clash_rebook_unbook(radicale, setup):
    url, config = setup
    target = "caldav+" + url
    original = radicale.resources(url)

    dry = book(config, target)
    assert dry.returncode == 0, dry.stderr
    assert "dry run, --apply writes" in dry.stdout
    assert radicale.resources(url) == original  # a dry run writes nothing

    first = book(config, target, "--apply")
    assert first.returncode == 0, first.stderr
    booked = blocks(radicale.resources(url))
    assert len(booked) >= 2
    assert f"Applied: {len(booked)} added, 0 removed." in first.stdout
    after = radicale.resources(url)
    assert {h: t for h, t in after.items() if h in original} == original

    again = book(config, target, "--apply")
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert radicale.resources(url) == after

    # a meeting is put over the first block: the next booking moves that block
    victim_href, victim = sorted(booked.items(), key=lambda kv: span(kv[1]))[0]
    start, end = span(victim)
    clash = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:clash@acme-sales.com\r\nDTSTAMP:20260301T000000Z\r\nSUMMARY:Escalation call\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert radicale.put(url + "clash.ics", clash.encode()) == 201
    with_clash = radicale.resources(url)

    moved = book(config, target, "--apply")
    assert moved.returncode == 0, moved.stderr
    now = radicale.resources(url)
    rebooked = blocks(now)
    assert victim_href not in rebooked
    assert "Applied: 1 added, 1 removed." in moved.stdout
    assert span(victim) not in {span(t) for t in rebooked.values()}
    assert {h: t for h, t in rebooked.items() if h != victim_href}.keys() >= (
        set(booked) - {victim_href})
    assert {h: t for h, t in now.items() if h not in rebooked} == {
        h: t for h, t in with_clash.items() if h not in booked}

    dry_unbook = focuscal("--config", config, "unbook", "--to", target, *WEEK, env=ENV)
    assert dry_unbook.returncode == 0, dry_unbook.stderr
    assert radicale.resources(url) == now

    gone = focuscal("--config", config, "unbook", "--to", target, *WEEK, "--apply", env=ENV)
    assert gone.returncode == 0, gone.stderr
    assert f"Applied: 0 added, {len(rebooked)} removed." in gone.stdout
    final = radicale.resources(url)
    assert blocks(final) == {}
    assert final == {h: t for h, t in with_clash.items() if h not in booked}


def test_booked_focus_shows_in_the_audit(radicale, setup):
    url, config = setup

    def booked_focus() -> int:
        audit = focuscal("--config", config, "audit", *WEEK[:4], "--format", "json", env=ENV)
        assert audit.returncode == 0, audit.stderr
        return json.loads(audit.stdout)["totals"]["focus_booked_minutes"]

    before = booked_focus()  # the calm week's own "Deep work" event
    assert book(config, "caldav+" + url, "--apply").returncode == 0
    minutes = 0
    for start, end in map(span, blocks(radicale.resources(url)).values()):
        (sh, sm), (eh, em) = (int(start[9:11]), int(start[11:13])), (int(end[9:11]),
                                                                     int(end[11:13]))
        assert start[:8] == end[:8]
        minutes += (eh * 60 + em) - (sh * 60 + sm)
    assert minutes > 0
    assert booked_focus() == before + minutes


def test_book_with_a_wrong_password_is_one_line(setup):
    url, config = setup
    result = focuscal("--config", config, "book", "--to", "caldav+" + url, *WEEK, "--apply",
                      env={PASSWORD_ENV: "wrong"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "401" in lines[0]
