"""The Google source through the real google-api-python-client against the fake server."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from focuscal import app
from focuscal.config import GoogleSettings, Settings
from focuscal.errors import AuthError, ConfigError, FetchError
from focuscal.model import EventKind
from focuscal.report.audit import to_json
from focuscal.window import Window
from tests.conftest import ROOT
from tests.fakes.google_server import ics_from_google
from tests.fakes.google_week import ME, NY, at, week

WINDOW = Window(date(2026, 3, 9), date(2026, 3, 15))


def settings_for(fake, **google) -> Settings:
    return Settings(timeout=5, google=GoogleSettings(
        api_endpoint=fake.url, credentials="anonymous", **google))


def load_week(fake) -> None:
    for item in week():
        fake.put_event(**item)


def audit_json(settings, uris, tz=NY) -> dict:
    return json.loads(to_json(app.audit(settings, uris, WINDOW, tz)))


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"])
def test_audit_equals_the_audit_of_the_same_events_as_ics(fake_google, tmp_path, zone):
    load_week(fake_google)
    ics = tmp_path / "week.ics"
    ics.write_bytes(ics_from_google(week(), ME))
    settings = settings_for(fake_google)
    tz = ZoneInfo(zone)
    from_google = audit_json(settings, ["google:primary"], tz)
    from_ics = audit_json(settings, [str(ics)], tz)
    assert from_google == from_ics
    assert from_google["warnings"] == []
    # and the numbers are the week's, by hand (New York): Monday has the standup 15 and the
    # customer call 60 (external), plus the late Sunday call's 30 minutes after midnight
    if zone == "America/New_York":
        monday = from_google["days"][0]
        assert monday["meeting_minutes"] == 75
        assert monday["external_meeting_minutes"] == 60
        assert monday["after_hours_meeting_minutes"] == 30
        thursday = from_google["days"][3]
        assert thursday["working_minutes"] == 240  # the dentist (outOfOffice) from 13:00
        # focuscal's own block 09:00-11:00, less the standup 09:30-09:45 inside it
        assert thursday["focus_booked_minutes"] == 105


def test_mapping_of_every_google_feature(fake_google):
    load_week(fake_google)
    loaded = app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    kinds = {c.event.summary: (c.kind, c.reason) for c in loaded.classified}
    assert loaded.me == (ME,)  # from calendars.get: declines work without --me
    assert kinds["Pipeline review"] == (EventKind.IGNORED, "declined")
    assert kinds["Hold"] == (EventKind.IGNORED, "transparent (free)")
    assert kinds["Dentist"][0] is EventKind.OUT_OF_OFFICE
    assert kinds["Focus time"][0] is EventKind.FOCUS
    assert kinds["Booked block"][0] is EventKind.FOCUS
    assert kinds["Home"][0] is EventKind.IGNORED
    assert kinds["Ana's birthday"][0] is EventKind.IGNORED
    assert kinds["Team offsite"] == (EventKind.IGNORED, "all-day event")
    assert kinds["Maybe"][0] is EventKind.MEETING
    assert "Old" not in kinds
    assert "Later" not in kinds
    assert "Forecast" not in kinds
    offsite = next(c.event for c in loaded.classified if c.event.summary == "Team offsite")
    assert offsite.all_day
    assert offsite.start.isoformat() == "2026-03-10T00:00:00-04:00"
    customer = next(c for c in loaded.classified if c.event.summary == "Customer call")
    assert customer.external
    room = next(a for a in customer.event.attendees if a.email.startswith("room1"))
    assert room.resource is False  # Google flags rooms with resource: true, this one is not
    standups = [c.event for c in loaded.classified if c.event.summary == "Standup"]
    assert len(standups) == 5
    assert all(e.recurrence_id for e in standups)
    # only the fields focuscal needs were asked for, with singleEvents and a time range
    listing = fake_google.requests_to("GET", "/events")[0].query
    assert listing["singleEvents"] == ["true"]
    assert "items(id," in listing["fields"][0]
    assert "timeMin" in listing


def test_all_pages_are_read(fake_google, monkeypatch):
    from focuscal import googleapi

    monkeypatch.setattr(googleapi, "PAGE_SIZE", 3)
    load_week(fake_google)
    loaded = app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    pages = fake_google.requests_to("GET", "/events")
    assert len(pages) >= 7
    assert "pageToken" in pages[-1].query
    assert len(loaded.classified) == len(week()) - 3  # without old, later, cancelled


def test_me_from_attendee_self_on_a_shared_calendar(fake_google):
    fake_google.add_calendar("team@group.calendar.google.com", summary="Team")
    fake_google.put_event("team@group.calendar.google.com", summary="Sync", start=at(9, 10),
                          end=at(9, 11), attendees=[{"email": "Me@Example.com", "self": True,
                                                     "responseStatus": "declined"}])
    loaded = app.load(settings_for(fake_google), ["google:team@group.calendar.google.com"],
                      WINDOW, NY)
    assert loaded.me == (ME,)
    assert loaded.classified[0].reason == "declined"


def test_rate_limit_then_success_is_retried_with_backoff(fake_google, no_backoff):
    load_week(fake_google)
    fake_google.fail(429, path="/events", times=2)
    loaded = app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    assert len(loaded.classified) == len(week()) - 3
    assert len(no_backoff) == 2
    assert 0 <= no_backoff[0] <= 2
    assert 0 <= no_backoff[1] <= 4


def test_user_rate_limit_403_is_retried(fake_google, no_backoff):
    fake_google.fail(403, reason="userRateLimitExceeded", path="/events")
    app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    assert len(no_backoff) == 1


def test_server_errors_are_retried_then_reported(fake_google, no_backoff):
    fake_google.fail(500, message="Backend Error", times=None)
    with pytest.raises(FetchError, match="Google answered 500: Backend Error") as info:
        app.load(settings_for(fake_google, retries=3), ["google:primary"], WINDOW, NY)
    assert len(no_backoff) == 3
    assert len(fake_google.log) == 4
    assert info.value.exit_code == 1


def test_other_errors_are_not_retried(fake_google, no_backoff):
    fake_google.fail(403, reason="forbidden", message="The user has no access.", path="/calendars")
    with pytest.raises(FetchError, match="403: The user has no access"):
        app.load(settings_for(fake_google), ["google:primary"], WINDOW, NY)
    assert no_backoff == []


def test_unknown_calendar(fake_google):
    with pytest.raises(FetchError, match="no such calendar") as info:
        app.load(settings_for(fake_google), ["google:nobody@example.com"], WINDOW, NY)
    assert "google:nobody@example.com" in str(info.value)


def test_a_slow_answer_times_out_and_is_retried(fake_google, no_backoff):
    load_week(fake_google)
    fake_google.slow(3, path="/events")
    settings = replace(settings_for(fake_google), timeout=1)
    loaded = app.load(settings, ["google:primary"], WINDOW, NY)
    assert len(loaded.classified) == len(week()) - 3
    assert len(no_backoff) == 1


def test_a_server_that_never_answers_in_time_is_a_clear_error(fake_google, no_backoff):
    fake_google.slow(3, times=None)
    settings = replace(settings_for(fake_google, retries=1), timeout=1)
    with pytest.raises(FetchError, match="no answer from Google within 1 s"):
        app.load(settings, ["google:primary"], WINDOW, NY)


def test_anonymous_only_for_loopback():
    settings = Settings(google=GoogleSettings(api_endpoint="https://calendar.example.com/",
                                              credentials="anonymous"))
    with pytest.raises(ConfigError, match="only accepted for a loopback") as info:
        app.load(settings, ["google:primary"], WINDOW, NY)
    assert info.value.exit_code == 2


def test_not_signed_in():
    with pytest.raises(AuthError, match="not signed in to Google") as info:
        app.load(Settings(), ["google:primary"], WINDOW, NY)
    assert "run focuscal auth google" in str(info.value)
    assert info.value.exit_code == 1


# ---------------------------------------------------------------- the CLI, as a subprocess


def write_config(tmp_path, fake, extra: str = "") -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'timeout = 5\n[google]\napi_endpoint = "{fake.url}"\n'
                    f'credentials = "anonymous"\n{extra}')
    return str(path)


def focuscal(*args, env=None):
    return subprocess.run([sys.executable, "-m", "focuscal", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)


def test_cli_audit_of_google_equals_ics(fake_google, tmp_path):
    load_week(fake_google)
    ics = tmp_path / "week.ics"
    ics.write_bytes(ics_from_google(week(), ME))
    config = write_config(tmp_path, fake_google)
    common = ["--week", "2026-W11", "--tz", "America/New_York", "--format", "json",
              "--config", config]
    google = focuscal("audit", "google:primary", *common)
    assert google.returncode == 0, google.stderr
    from_ics = focuscal("audit", str(ics), *common)
    assert json.loads(google.stdout) == json.loads(from_ics.stdout)


def test_cli_anonymous_remote_endpoint_is_exit_2(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[google]\napi_endpoint = "https://calendar.example.com/"\n'
                      'credentials = "anonymous"\n')
    result = focuscal("audit", "google:primary", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.startswith("focuscal: error: ")
    assert "loopback" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_many_pages_with_progress_on(fake_google, monkeypatch, capsys):
    from focuscal import googleapi, sources
    from focuscal.config import CalendarEntry
    from focuscal.sources import google
    from focuscal.window import utc_window

    monkeypatch.setattr(googleapi, "PAGE_SIZE", 2)
    load_week(fake_google)
    lines: list[str] = []
    request = sources.Request(window=utc_window(WINDOW.first, WINDOW.last, NY), tz=NY,
                              settings=settings_for(fake_google), progress=lines.append)
    fetched = google.fetch(CalendarEntry("google:primary"), request)
    assert len(fetched.events) == len(week()) - 3
    # One status line per page after the first, for the CLI to show on a terminal.
    assert len(lines) >= 2
    assert lines == [f"google:primary: page {n}" for n in range(2, len(lines) + 2)]
    assert capsys.readouterr().out == ""  # the bar goes to stderr, never into the output
