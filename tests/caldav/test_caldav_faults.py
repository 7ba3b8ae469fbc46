"""CalDAV reads and bookings against Radicale behind a fault-injecting proxy: every failure is
retried where that is safe, a block the server refuses is reported and the others go on, and
a lost answer never makes the output under-report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from focuscal import sinks
from focuscal.config import CalendarEntry, Settings
from focuscal.errors import FetchError
from focuscal.model import Block, Interval, block_id
from focuscal.sinks import Changes
from tests.conftest import EXAMPLES, ROOT
from tests.fakes.proxy import FaultProxy
from tests.radicale import PASSWORD, USER, upload

NY = ZoneInfo("America/New_York")
PASSWORD_ENV = "FOCUSCAL_TEST_CALDAV_PASSWORD"
WEEK = Interval(datetime(2026, 3, 9, tzinfo=NY), datetime(2026, 3, 16, tzinfo=NY))
SUMMARY = "Focus time"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=NY)


@pytest.fixture
def proxied(radicale, monkeypatch):
    """A fresh calendar on Radicale, the proxy in front of it, and the sink through it."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    url = radicale.make_calendar()
    with FaultProxy(radicale.base) as proxy:
        through = proxy.url(url)
        settings = Settings(timeout=5, calendars=(CalendarEntry(
            uri="caldav+" + through, username=USER, password_env=PASSWORD_ENV),))
        sink = sinks.open_sink("caldav+" + through, settings)
        yield proxy, sink, url


def blocks(sink, n: int = 2) -> tuple[Block, ...]:
    out = []
    for day in range(9, 9 + n):
        start, end = at(day, 9), at(day, 11)
        out.append(Block(start, end, "planned", block_id(sink.target, start, end)))
    return tuple(out)


def stored(radicale, url) -> dict[str, str]:
    return radicale.resources(url)


def booked_uids(radicale, url) -> list[str]:
    return sorted(href.rsplit("/", 1)[1].removesuffix(".ics")
                  for href in stored(radicale, url))


def test_a_503_on_put_is_retried(radicale, proxied, no_backoff):
    proxy, sink, url = proxied
    proxy.rule("status", method="PUT", status=503)
    wanted = blocks(sink)
    applied = sink.apply(Changes(add=wanted), SUMMARY)
    assert [b.uid for b in applied.added] == [b.uid for b in wanted]
    assert applied.failed == []
    assert len(proxy.seen("PUT")) == 3  # one refused, then both blocks
    assert len(no_backoff) == 1
    assert booked_uids(radicale, url) == sorted(b.uid for b in wanted)


def test_retry_after_of_a_rate_limit_is_honoured(radicale, proxied, no_backoff):
    proxy, sink, _url = proxied
    proxy.rule("status", method="PUT", status=429, headers={"Retry-After": "2"})
    applied = sink.apply(Changes(add=blocks(sink, 1)), SUMMARY)
    assert len(applied.added) == 1
    assert no_backoff == [2.0]


def test_a_lost_put_answer_is_counted_as_added_once(radicale, proxied, no_backoff):
    proxy, sink, url = proxied
    # the first PUT reaches Radicale, which stores the block; its answer never comes back
    proxy.rule("lost", method="PUT")
    wanted = blocks(sink)
    applied = sink.apply(Changes(add=wanted), SUMMARY)
    assert [b.uid for b in applied.added] == [b.uid for b in wanted]  # not under-reported
    assert applied.failed == []
    assert [s.outcome for s in proxy.seen("PUT")] == ["lost", "relayed", "relayed"]
    assert booked_uids(radicale, url) == sorted(b.uid for b in wanted)  # each once
    # a rerun finds both there, and the earlier runs' blocks are not "added" again
    again = sink.apply(Changes(add=wanted), SUMMARY)
    assert again.added == []
    assert again.failed == []


def test_a_put_the_server_keeps_refusing_fails_that_block_only(radicale, proxied, no_backoff):
    proxy, sink, url = proxied
    first, second, third = blocks(sink, 3)
    proxy.rule("status", method="PUT", path=second.uid, status=500, times=None)
    applied = sink.apply(Changes(add=(first, second, third)), SUMMARY)
    assert [b.uid for b in applied.added] == [first.uid, third.uid]
    assert applied.failed == [(second, "the server refused the request (HTTP 500)")]
    assert len(proxy.seen("PUT")) == 3  # a 500 is not retried
    assert booked_uids(radicale, url) == sorted([first.uid, third.uid])


def test_a_server_that_stays_unavailable_fails_each_block_after_retries(radicale, proxied,
                                                                        no_backoff):
    proxy, sink, url = proxied
    proxy.rule("status", method="PUT", status=503, times=None)
    wanted = blocks(sink)
    applied = sink.apply(Changes(add=wanted), SUMMARY)
    assert applied.added == []
    assert [reason for _, reason in applied.failed] == [
        "the server is unavailable (HTTP 503)"] * 2
    assert len(proxy.seen("PUT")) == 8  # four tries for each block
    assert stored(radicale, url) == {}


def test_unavailable_get_before_a_delete_and_a_lost_delete_answer(radicale, proxied,
                                                                  no_backoff):
    proxy, sink, url = proxied
    wanted = blocks(sink, 3)
    sink.apply(Changes(add=wanted), SUMMARY)
    booked = sink.booked(WEEK)
    assert len(booked) == 3
    proxy.rule("status", method="GET", status=503)  # the read before the first delete
    proxy.rule("lost", method="DELETE", after=1)  # the second delete's answer is lost
    proxy.rule("status", method="DELETE", path=booked[2].uid, status=500, times=None)
    applied = sink.apply(Changes(remove=tuple(booked)), SUMMARY)
    assert sorted(b.uid for b in applied.removed) == sorted(b.uid for b in booked[:2])
    assert [(b.uid, reason) for b, reason in applied.failed] == [
        (booked[2].uid, "the server refused the request (HTTP 500)")]
    assert booked_uids(radicale, url) == [booked[2].uid]


def test_half_sent_and_garbage_answers_to_reads_are_retried(radicale, proxied, no_backoff):
    proxy, sink, _url = proxied
    sink.apply(Changes(add=blocks(sink, 2)), SUMMARY)
    proxy.log.clear()
    proxy.rule("half", method="REPORT")
    proxy.rule("garbage", method="PROPFIND")
    assert len(sink.booked(WEEK)) == 2
    assert [s.outcome for s in proxy.seen("REPORT")] == ["half", "relayed"]
    propfinds = [s.outcome for s in proxy.seen("PROPFIND")]
    assert propfinds[:2] == ["garbage", "relayed"]
    assert propfinds.count("garbage") == 1


@pytest.mark.parametrize(("action", "message"), [
    ("half", "the connection was cut before the whole answer arrived"),
    ("garbage", "garbage status line"),
    # requests says RemoteDisconnected, niquests a reset: either is a lost connection
    ("lost", "the connection"),
])
def test_a_read_that_keeps_failing_is_one_clear_error(radicale, proxied, no_backoff, action,
                                                      message):
    proxy, sink, _url = proxied
    proxy.rule(action, method="PROPFIND", times=None)
    with pytest.raises(FetchError) as info:
        sink.booked(WEEK)
    text = str(info.value)
    assert message in text
    assert text.startswith("caldav+http://127.0.0.1:")
    for name in ("IncompleteRead", "RemoteDisconnected", "BadStatusLine", "ProtocolError",
                 "ConnectionError", "ChunkedEncodingError", "Exception"):
        assert name not in text
    assert len(proxy.seen("PROPFIND")) == 4


# ---------------------------------------------------------------- the CLI


def focuscal(*args, env=None):
    return subprocess.run([sys.executable, "-m", "focuscal", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_book_through_a_failing_server_exits_1_then_a_rerun_finishes(radicale, tmp_path,
                                                                     monkeypatch):
    url = radicale.make_calendar()
    upload(radicale, url, EXAMPLES / "sales-week.ics")
    with FaultProxy(radicale.base) as proxy:
        target = "caldav+" + proxy.url(url)
        config = tmp_path / "c.toml"
        config.write_text(f'timeout = 5\n[[calendars]]\nurl = "{target}"\nusername = "{USER}"\n'
                          f'password_env = "{PASSWORD_ENV}"\n[focus]\nmin_block = "1h"\n'
                          'max_per_day = 2\n')
        args = ["--config", str(config), "book", target, "--to", target, "--week", "2026-W11",
                "--tz", "America/New_York", "--now", "2026-03-08T12:00:00-04:00",
                "--format", "json"]
        env = {PASSWORD_ENV: PASSWORD}
        plan = json.loads(focuscal(*args, env=env).stdout)
        assert len(plan["add"]) >= 2
        # every PUT after the first is refused for good (a 500 is not retried: no waits)
        fault = proxy.rule("status", method="PUT", status=500, after=1, times=None)
        first = focuscal(*args, "--apply", env=env)
        assert first.returncode == 1, first.stderr
        doc = json.loads(first.stdout)
        assert len(doc["applied"]["added"]) == 1
        assert len(doc["applied"]["failed"]) == len(plan["add"]) - 1
        assert first.stderr.count("\n") == 1
        assert first.stderr.startswith("focuscal: error: ")
        assert "failed" in first.stderr
        assert PASSWORD not in first.stdout + first.stderr
        fault.times = 0
        second = focuscal(*args, "--apply", env=env)
        assert second.returncode == 0, second.stderr
        redo = json.loads(second.stdout)
        assert sorted(b["uid"] for b in redo["applied"]["added"]) == sorted(
            b["uid"] for b in doc["applied"]["failed"])
    uids = [h.rsplit("/", 1)[1].removesuffix(".ics") for h in radicale.resources(url)]
    assert sorted(u for u in uids if u in {b["uid"] for b in plan["add"]}) == sorted(
        b["uid"] for b in plan["add"])
