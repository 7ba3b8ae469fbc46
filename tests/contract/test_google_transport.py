"""Google requests through focuscal.transport against the fake server: a half-sent answer, a
garbage status line and a lost answer are retried like a 5xx; Retry-After is honoured; what
still fails is one line that names no exception class."""

from __future__ import annotations

import pytest

from focuscal import app
from focuscal.config import GoogleSettings, Settings
from focuscal.errors import FetchError
from focuscal.model import block_id
from focuscal.sinks import Changes, open_sink
from tests.contract.test_google_sink import TARGET, blocks
from tests.contract.test_google_source import WINDOW, load_week
from tests.fakes.google_week import NY, week

# httplib2 itself sends a request once more when the answer is not HTTP or never comes (it
# takes that for a stale kept-alive connection): each of focuscal's tries is two requests then.
SENDS = {"cut": 1, "garbage": 2, "silent": 2}


def settings_for(fake, **google) -> Settings:
    return Settings(timeout=5, google=GoogleSettings(
        api_endpoint=fake.url, credentials="anonymous", **google))


@pytest.mark.parametrize("mode", ["cut", "garbage", "silent"])
def test_a_broken_answer_is_retried(fake_google, no_backoff, mode):
    load_week(fake_google)
    fake_google.sabotage(mode, path="/events", times=SENDS[mode])
    loaded = app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    assert len(loaded.classified) == len(week()) - 3
    assert len(no_backoff) == 1
    assert len(fake_google.requests_to("GET", "/events")) == SENDS[mode] + 1


@pytest.mark.parametrize(("mode", "message"), [
    ("cut", "the connection was cut before the whole answer arrived"),
    ("garbage", "the server's answer is not HTTP (a garbage status line)"),
    ("silent", "the server closed the connection without an answer"),
])
def test_a_server_that_keeps_breaking_is_one_clear_line(fake_google, no_backoff, mode,
                                                        message):
    fake_google.sabotage(mode, path="/events", times=None)
    with pytest.raises(FetchError) as info:
        app.load(settings_for(fake_google, retries=2), ["google:primary"], WINDOW, NY)
    assert str(info.value) == f"google:primary: {message}"
    assert len(fake_google.requests_to("GET", "/events")) == 3 * SENDS[mode]
    assert len(no_backoff) == 2


def test_retry_after_is_honoured(fake_google, no_backoff):
    load_week(fake_google)
    fake_google.fail(429, path="/events", retry_after="7")
    app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    assert no_backoff == [7.0]


def test_a_long_retry_after_is_capped(fake_google, no_backoff):
    fake_google.fail(503, path="/events", retry_after="86400")
    app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    assert no_backoff == [32.0]


def test_a_lost_batch_answer_does_not_under_report(fake_google, no_backoff):
    # the inserts are stored, the batch's answer is cut: the retry's 409s are the blocks
    fake_google.sabotage("cut", path="/batch")
    wanted = blocks(3)
    applied = open_sink(TARGET, settings_for(fake_google)).apply(Changes(add=wanted), "Focus")
    assert applied.failed == []
    assert sorted(b.start for b in applied.added) == sorted(b.start for b in wanted)
    assert sorted(e["id"] for e in fake_google.events()) == sorted(
        block_id(TARGET, b.start, b.end) for b in wanted)
    assert len(fake_google.requests_to("POST", "/batch")) == 2
