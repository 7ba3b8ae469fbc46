"""[google] sync = true: the SQLite cache and sync tokens against the fake server."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from focuscal import app
from focuscal.config import GoogleSettings, Settings
from focuscal.errors import FetchError, RunError
from focuscal.report.audit import to_json
from focuscal.window import Window
from tests.fakes.google_week import NY, at, people, week

WEEK = Window(date(2026, 3, 9), date(2026, 3, 15))


def settings_for(fake, sync: bool) -> Settings:
    return Settings(timeout=5, google=GoogleSettings(
        api_endpoint=fake.url, credentials="anonymous", sync=sync))


def audit(fake, sync: bool, window=WEEK) -> dict:
    return json.loads(to_json(app.audit(settings_for(fake, sync), ["google:primary"], window,
                                        NY)))


def listings(fake) -> list[dict]:
    return [r.query for r in fake.requests_to("GET", "/events")]


@pytest.fixture
def synced(fake_google):
    for item in week():
        fake_google.put_event(**item)
    first = audit(fake_google, sync=True)
    assert first == audit(fake_google, sync=False)
    return fake_google


def test_first_run_lists_the_whole_calendar_and_keeps_it(synced):
    full = listings(synced)[0]
    assert "syncToken" not in full
    assert "timeMin" not in full  # a sync token excludes a time range: the whole calendar
    assert full["singleEvents"] == ["true"]
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "focuscal" / "google-sync.sqlite"
    assert cache.exists()


def test_later_runs_fetch_only_changes_and_equal_a_fresh_fetch(synced):
    synced.put_event(summary="New customer call", start=at(12, 10), end=at(12, 11),
                     attendees=people(("x@customer.com", "accepted")))
    synced.calendar().events["demo000001"]["end"] = at(10, 16)  # the demo runs longer
    synced.calendar().events["demo000001"]["_seq"] = synced._next_seq()
    synced.calendar().events["hold000001"]["status"] = "cancelled"
    synced.calendar().events["hold000001"]["_seq"] = synced._next_seq()
    synced.calendar().events["declined01"]["status"] = "cancelled"  # deleted
    synced.calendar().events["declined01"]["_seq"] = synced._next_seq()
    synced.log.clear()
    cached = audit(synced, sync=True)
    incremental = listings(synced)
    assert len(incremental) == 1
    assert "syncToken" in incremental[0]
    assert cached == audit(synced, sync=False)
    assert cached["days"][3]["meeting_minutes"] == audit(synced, sync=False)["days"][3][
        "meeting_minutes"]
    # and nothing changed: one more cheap call, the same audit
    synced.log.clear()
    assert audit(synced, sync=True) == cached
    assert "syncToken" in listings(synced)[0]


def test_another_window_comes_from_the_cache(synced):
    later = Window(date(2026, 3, 16), date(2026, 3, 22))
    assert audit(synced, sync=True, window=later) == audit(synced, sync=False, window=later)
    assert audit(synced, sync=True, window=later)["totals"]["meeting_minutes"] == 60


def test_an_expired_token_means_a_full_sync(synced):
    synced.put_event(summary="Late add", start=at(13, 15), end=at(13, 16))
    synced.expire_sync_tokens()
    synced.log.clear()
    cached = audit(synced, sync=True)
    statuses = [r.status for r in synced.requests_to("GET", "/events")]
    assert statuses == [410, 200]
    assert "syncToken" not in listings(synced)[1]
    assert cached == audit(synced, sync=False)


def test_an_interrupted_sync_keeps_the_previous_state(synced, no_backoff, monkeypatch):
    from focuscal import googleapi

    monkeypatch.setattr(googleapi, "PAGE_SIZE", 2)
    synced.put_event(summary="One", start=at(11, 15), end=at(11, 16))
    synced.put_event(summary="Two", start=at(12, 15), end=at(12, 16))
    synced.put_event(summary="Three", start=at(13, 15), end=at(13, 16))
    synced.fail(500, path="/events", after=1, times=None)  # the second page fails
    with pytest.raises(FetchError, match="500"):
        audit(synced, sync=True)
    synced.faults.clear()
    assert audit(synced, sync=True) == audit(synced, sync=False)


def test_the_cache_is_private(synced):
    import stat

    cache = Path(os.environ["XDG_CACHE_HOME"]) / "focuscal" / "google-sync.sqlite"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700


def test_a_corrupt_cache_is_one_clear_line(synced):
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "focuscal" / "google-sync.sqlite"
    cache.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RunError, match="the Google sync cache cannot be used") as info:
        audit(synced, sync=True)
    assert str(cache) in str(info.value)
    assert info.value.exit_code == 1
