"""Google sign-in: the OAuth flow, the token file, refresh, revocation, scopes, service accounts,
and `focuscal calendars google`, against the fake server."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from focuscal import app
from focuscal.config import GoogleSettings, Settings
from focuscal.errors import AuthError
from focuscal.sinks import Changes, open_sink
from focuscal.window import Window, utc_window
from tests.conftest import ROOT
from tests.fakes.google_server import EVENTS, FREEBUSY, READONLY
from tests.fakes.google_week import NY, at
from tests.helpers import service_account_file

WINDOW = Window(datetime(2026, 3, 9).date(), datetime(2026, 3, 15).date())


def token_file() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "focuscal" / "google-token.json"


def oauth_settings(fake, **google) -> Settings:
    return Settings(timeout=5, google=GoogleSettings(api_endpoint=fake.url, **google))


def write_token(fake, scopes: set[str], *, refresh: str = "rt-good", valid: bool = False,
                register: bool = True) -> dict:
    """An authorized-user token file as `focuscal auth google` writes it."""
    access = fake.grant(scopes, refresh=refresh if register else None)
    expiry = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1 if valid else -1)
    info = {"token": access, "refresh_token": refresh, "token_uri": fake.url + "token",
            "client_id": "client-1", "client_secret": "secret-1", "scopes": sorted(scopes),
            "expiry": expiry.isoformat() + "Z"}
    path = token_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return info


def test_an_expired_token_is_refreshed_and_saved_again(fake_google):
    fake_google.require_auth = True
    fake_google.put_event(summary="Call", start=at(9, 10), end=at(9, 11))
    old = write_token(fake_google, {READONLY})
    loaded = app.load(oauth_settings(fake_google), ["google:primary"], WINDOW, NY)
    assert [c.event.summary for c in loaded.classified] == ["Call"]
    assert [r["grant_type"] for r in fake_google.token_requests] == ["refresh_token"]
    saved = json.loads(token_file().read_text())
    assert saved["token"] != old["token"]
    assert saved["token"] in fake_google.access_tokens
    assert saved["refresh_token"] == "rt-good"
    assert stat.S_IMODE(token_file().stat().st_mode) == 0o600


def test_a_valid_token_is_used_as_it_is(fake_google):
    fake_google.require_auth = True
    write_token(fake_google, {READONLY}, valid=True)
    before = token_file().read_text()
    app.load(oauth_settings(fake_google), ["google:primary"], WINDOW, NY)
    assert fake_google.token_requests == []
    assert token_file().read_text() == before


def test_a_revoked_token_asks_to_sign_in_again(fake_google, tmp_path):
    write_token(fake_google, {READONLY}, register=False)
    with pytest.raises(AuthError, match="Google refused the saved sign-in") as info:
        app.load(oauth_settings(fake_google), ["google:primary"], WINDOW, NY)
    assert "run focuscal auth google" in str(info.value)
    config = tmp_path / "config.toml"
    config.write_text(f'[google]\napi_endpoint = "{fake_google.url}"\n')
    result = subprocess.run([sys.executable, "-m", "focuscal", "audit", "google:primary",
                             "--config", str(config)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("focuscal: error: ")
    assert "run focuscal auth google" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_booking_with_a_read_only_token_is_a_clear_error(fake_google):
    fake_google.require_auth = True
    write_token(fake_google, {READONLY}, valid=True)
    sink = open_sink("google:primary", oauth_settings(fake_google))
    # the dry run only reads: a read-only sign-in is enough
    assert sink.booked(utc_window(WINDOW.first, WINDOW.last, NY)) == []
    start = datetime(2026, 3, 9, 9, tzinfo=NY)
    from focuscal.model import Block

    with pytest.raises(AuthError, match="may only read") as info:
        sink.apply(Changes(add=(Block(start, start + timedelta(hours=2)),)), "Focus")
    assert "focuscal auth google --write" in str(info.value)
    assert fake_google.requests_to("POST", "/batch") == []


def test_the_server_refusing_the_scope_is_the_same_clear_error(fake_google):
    fake_google.require_auth = True
    info = write_token(fake_google, {READONLY}, valid=True)
    info.pop("scopes")  # a token file that does not say what it may do
    token_file().write_text(json.dumps(info))
    start = datetime(2026, 3, 9, 9, tzinfo=NY)
    from focuscal.model import Block

    sink = open_sink("google:primary", oauth_settings(fake_google))
    with pytest.raises(AuthError, match="insufficient authentication scopes") as error:
        sink.apply(Changes(add=(Block(start, start + timedelta(hours=2)),)), "Focus")
    assert "--write" in str(error.value)
    assert fake_google.events() == []


def test_a_write_token_books(fake_google):
    fake_google.require_auth = True
    write_token(fake_google, {READONLY, EVENTS})
    start = datetime(2026, 3, 9, 9, tzinfo=NY)
    from focuscal.model import Block

    applied = open_sink("google:primary", oauth_settings(fake_google)).apply(
        Changes(add=(Block(start, start + timedelta(hours=2)),)), "Focus")
    assert len(applied.added) == 1
    assert len(fake_google.events()) == 1


def test_service_account_with_domain_wide_delegation(fake_google, tmp_path):
    account = service_account_file(tmp_path / "sa.json", fake_google.url + "token")
    fake_google.require_auth = True
    fake_google.put_event(summary="Call", start=at(9, 10), end=at(9, 11))
    settings = oauth_settings(fake_google, credentials="service_account",
                              service_account_file=str(account), subject="me@example.com")
    loaded = app.load(settings, ["google:primary"], WINDOW, NY)
    assert [c.event.summary for c in loaded.classified] == ["Call"]
    claims = fake_google.service_account_claims
    assert claims["sub"] == "me@example.com"
    assert claims["iss"] == "auditor@p.iam.gserviceaccount.com"
    assert claims["scope"] == READONLY
    # booking as the user: the service account asks for the events scope too
    from focuscal.model import Block

    start = datetime(2026, 3, 10, 9, tzinfo=NY)
    applied = open_sink("google:primary", settings).apply(
        Changes(add=(Block(start, start + timedelta(hours=2)),)), "Focus")
    assert len(applied.added) == 1
    assert set(fake_google.service_account_claims["scope"].split()) == {READONLY, EVENTS}


def sign_in(fake, tmp_path, *flags: str) -> tuple[str, str]:
    """`focuscal auth google --no-browser FLAGS` in a subprocess: the URL is printed, the test
    plays the browser (consent at the fake's /auth redirects to the local server); the
    command's stdout and stderr."""
    secrets = tmp_path / "client.json"
    secrets.write_text(json.dumps({"installed": {
        "client_id": "client-1", "client_secret": "secret-1",
        "auth_uri": fake.url + "auth", "token_uri": fake.url + "token",
        "redirect_uris": ["http://localhost"]}}))
    env = dict(os.environ, OAUTHLIB_INSECURE_TRANSPORT="1")  # the fake speaks plain http
    proc = subprocess.Popen(
        [sys.executable, "-m", "focuscal", "auth", "google", *flags, "--no-browser",
         "--client-secrets", str(secrets)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = ""
        deadline = time.monotonic() + 30
        while not url.startswith("http") and time.monotonic() < deadline:
            url = proc.stderr.readline().strip()
        assert url.startswith(fake.url + "auth?"), url
        with urllib.request.urlopen(url, timeout=10) as page:  # follows the redirect
            assert b"signed in" in page.read()
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    return out, err


def test_the_oauth_flow_end_to_end(fake_google, tmp_path):
    out, err = sign_in(fake_google, tmp_path, "--write")
    assert "Signed in to Google (read and book)" in out
    saved = json.loads(token_file().read_text())
    assert stat.S_IMODE(token_file().stat().st_mode) == 0o600
    assert set(saved["scopes"]) == {READONLY, EVENTS}
    assert saved["refresh_token"] in fake_google.refresh_tokens
    assert saved["token"] not in out + err
    assert saved["refresh_token"] not in out + err
    # and the saved token works
    fake_google.require_auth = True
    app.load(oauth_settings(fake_google), ["google:primary"], WINDOW, NY)


def test_a_free_busy_sign_in_asks_for_free_busy_alone(fake_google, tmp_path):
    """`auth google --freebusy`: Google's consent asks for calendar.freebusy and nothing else;
    the token is kept beside the ordinary one (which it never replaces); a team reads with it,
    and it cannot read anyone's events."""
    out, err = sign_in(fake_google, tmp_path, "--freebusy")
    assert "Signed in to Google (free/busy only)" in out
    consent, = fake_google.consents
    assert consent["scope"] == FREEBUSY
    narrow = token_file().with_name("google-token-freebusy.json")
    saved = json.loads(narrow.read_text())
    assert saved["scopes"] == [FREEBUSY]
    assert stat.S_IMODE(narrow.stat().st_mode) == 0o600
    assert saved["token"] not in out + err
    assert not token_file().exists()  # no ordinary sign-in was made or replaced
    fake_google.require_auth = True
    members = [f"m{n}@acme.com" for n in range(5)]
    for member in members:
        fake_google.add_calendar(member)
        fake_google.put_event(member, summary="Sync", start=at(9, 10), end=at(9, 11))
    config = tmp_path / "c.toml"
    config.write_text(f'timezone = "America/New_York"\n[google]\napi_endpoint = '
                      f'"{fake_google.url}"\nretries = 0\n[[teams]]\nname = "t"\n'
                      f'source = "google-freebusy"\nmembers = {json.dumps(members)}\n'
                      'min_group_size = 3\n')
    team = subprocess.run([sys.executable, "-m", "focuscal", "--config", str(config), "team",
                           "--week", "2026-W11", "--format", "json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert team.returncode == 0, team.stderr
    assert json.loads(team.stdout)["members"] == {"read": 5, "left_out": 0}
    # the ordinary sign-in is still missing: reading events asks for it
    with pytest.raises(AuthError, match="not signed in to Google"):
        app.load(oauth_settings(fake_google), ["google:primary"], WINDOW, NY)
    # and the free/busy token itself is refused anything but free/busy
    request = urllib.request.Request(fake_google.url + "calendar/v3/calendars/primary/events",
                                     headers={"Authorization": f"Bearer {saved['token']}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    refused.value.close()


def test_write_and_freebusy_together_are_exit_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "focuscal", "auth", "google", "--write",
                             "--freebusy", "--client-secrets", str(tmp_path / "c.json")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "choose one of --write and --freebusy" in result.stderr


def test_auth_without_a_client_file_is_exit_2():
    result = subprocess.run([sys.executable, "-m", "focuscal", "auth", "google"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("focuscal: error: ")
    assert "--client-secrets" in result.stderr


def test_calendars_google(fake_google, tmp_path):
    fake_google.add_calendar("team@group.calendar.google.com", summary="Team",
                             access_role="reader")
    config = tmp_path / "config.toml"
    config.write_text(f'[google]\napi_endpoint = "{fake_google.url}"\n'
                      'credentials = "anonymous"\n')
    base = [sys.executable, "-m", "focuscal", "calendars", "google", "--config", str(config)]
    result = subprocess.run([*base, "--format", "json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"id": "me@example.com", "name": "me@example.com", "primary": True,
         "access_role": "owner"},
        {"id": "team@group.calendar.google.com", "name": "Team", "primary": False,
         "access_role": "reader"},
    ]
    table = subprocess.run(base, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    assert "team@group.calendar.google.com" in table.stdout
    assert "access_role" in table.stdout
    bad = subprocess.run([*base[:4], "exchange", "--config", str(config)], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    assert "unknown account" in bad.stderr
