"""Signing in to Microsoft 365 with the real msal against the fake identity platform: the
device code and browser flows, msal's cache (mode 0600) refreshed silently, a refused refresh,
app-only credentials (a client secret or a certificate), and tokens that never reach output."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from focuscal import app, graph
from focuscal.errors import AuthError, ConfigError, InputError
from tests.conftest import ROOT
from tests.fakes.graph_server import CLIENT_ID, TENANT_ID, when
from tests.outlook.conftest import outlook_settings

NY = ZoneInfo("America/New_York")
WEEK = app.Window(date(2026, 3, 9), date(2026, 3, 15))


def cache_file() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "focuscal" / "outlook-token-cache.json"


def config_file(tmp_path, fake, cafile, **outlook) -> Path:
    outlook = {"client_id": CLIENT_ID, "graph_endpoint": fake.graph,
               "login_endpoint": fake.origin, "cafile": str(cafile), **outlook}
    lines = ["timeout = 5", "[outlook]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in outlook.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def focuscal(*args, env=None):
    return subprocess.run([sys.executable, "-m", "focuscal", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def device_scope(fake) -> str:
    return next(r for r in fake.log if r.path.endswith("/devicecode")).body["scope"]


def no_token_in(fake, *texts: str) -> bool:
    secrets = [*fake.access, *fake.refresh]
    return not any(secret in text for secret in secrets for text in texts)


def test_device_code_sign_in_saves_a_private_cache(fake_graph, settings):
    said: list[str] = []
    done = graph.sign_in(settings, write=False, browser=False, announce=said.append)
    assert done.path == cache_file()
    assert done.account == fake_graph.user
    assert stat.S_IMODE(cache_file().stat().st_mode) == 0o600
    assert len(said) == 1
    assert "devicelogin" in said[0]
    assert "enter the code" in said[0]
    grants = [r["grant_type"] for r in fake_graph.token_requests]
    assert grants == ["urn:ietf:params:oauth:grant-type:device_code"] * 2  # pending, then done
    asked = set(device_scope(fake_graph).split())
    assert {f"{fake_graph.origin}/Calendars.Read", f"{fake_graph.origin}/User.Read",
            "offline_access"} <= asked
    assert not any("ReadWrite" in s for s in asked)
    assert no_token_in(fake_graph, *said)


def test_the_cli_signs_in_and_prints_no_token(fake_graph, tls, tmp_path):
    config = config_file(tmp_path, fake_graph, tls[0])
    result = focuscal("auth", "outlook", "--write", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (f"Signed in to Microsoft 365 as {fake_graph.user} (read "
                                     f"and book); token cache saved to {cache_file()}")
    assert "enter the code" in result.stderr
    assert stat.S_IMODE(cache_file().stat().st_mode) == 0o600
    assert "Calendars.ReadWrite" in device_scope(fake_graph)
    assert no_token_in(fake_graph, result.stdout, result.stderr)


def test_an_expired_token_is_refreshed_silently_and_saved(fake_graph, settings):
    fake_graph.token_lifetime = 60  # msal renews tokens that expire within five minutes
    graph.sign_in(settings, write=False, browser=False, announce=lambda text: None)
    before = cache_file().read_text()
    fake_graph.put_event(subject="Call", start=when(WEEK_START), end=when(WEEK_END))
    loaded = app.load(settings, ["outlook:me"], WEEK, NY)
    assert [c.event.summary for c in loaded.classified] == ["Call"]
    assert fake_graph.token_requests[-1]["grant_type"] == "refresh_token"
    assert cache_file().read_text() != before
    assert stat.S_IMODE(cache_file().stat().st_mode) == 0o600


def test_a_valid_token_is_used_without_asking(fake_graph, settings, signed_in):
    requests = len(fake_graph.token_requests)
    app.load(settings, ["outlook:me"], WEEK, NY)
    assert len(fake_graph.token_requests) == requests


def test_a_refused_refresh_asks_to_sign_in_again(fake_graph, tls, tmp_path, settings):
    fake_graph.token_lifetime = 60
    graph.sign_in(settings, write=False, browser=False, announce=lambda text: None)
    fake_graph.revoke()
    with pytest.raises(AuthError) as info:
        app.load(settings, ["outlook:me"], WEEK, NY)
    assert "Microsoft refused the saved sign-in (invalid_grant: AADSTS700082" in str(info.value)
    assert str(info.value).endswith("(run focuscal auth outlook again)")
    config = config_file(tmp_path, fake_graph, tls[0])
    result = focuscal("audit", "outlook:me", "--week", "2026-W11", "--config", str(config))
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("focuscal: error: outlook:me: Microsoft sign-in: Microsoft refused "
                           "the saved sign-in (invalid_grant")
    assert line.endswith("(run focuscal auth outlook again)")


def test_not_signed_in_and_no_client_id(fake_graph, tls, tmp_path, settings):
    with pytest.raises(AuthError, match="not signed in to Microsoft 365") as info:
        app.load(settings, ["outlook:me"], WEEK, NY)
    assert "run focuscal auth outlook" in str(info.value)
    config = config_file(tmp_path, fake_graph, tls[0], client_id="")
    result = focuscal("auth", "outlook", "--config", str(config))
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "outlook.client_id is not set" in line
    assert "register an app in Microsoft Entra ID" in line


def test_a_declined_device_sign_in_and_an_unknown_tenant(fake_graph, tls, settings):
    fake_graph.device_approval = "deny"
    with pytest.raises(AuthError, match=r"Microsoft sign-in failed \(authorization_declined"):
        graph.sign_in(settings, write=False, browser=False, announce=lambda text: None)
    assert not cache_file().exists()
    wrong = outlook_settings(fake_graph, tls[0], tenant="no-such-tenant")
    with pytest.raises(ConfigError, match="Microsoft does not know the tenant"):
        graph.sign_in(wrong, write=False, browser=False, announce=lambda text: None)


def test_the_browser_flow(fake_graph, tls, tmp_path):
    # A "browser" that submits the sign-in page's form back to msal's local server, in the
    # background as a browser would (webbrowser waits for the command it starts).
    opener = tmp_path / "open.py"
    opener.write_text(
        "import re, ssl, sys, urllib.parse, urllib.request\n"
        f"context = ssl.create_default_context(cafile={str(tls[0])!r})\n"
        "page = urllib.request.urlopen(sys.argv[1], context=context, timeout=20).read()\n"
        "action = re.search(rb'action=\"([^\"]+)\"', page)[1].decode()\n"
        "form = dict(re.findall(rb'name=\"([^\"]+)\" value=\"([^\"]*)\"', page))\n"
        "data = urllib.parse.urlencode({k.decode(): v.decode() for k, v in form.items()})\n"
        "urllib.request.urlopen(action, data=data.encode(), timeout=20).read()\n")
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\n{sys.executable} {opener} "$1" >/dev/null 2>&1 &\n')
    browser.chmod(0o755)
    config = config_file(tmp_path, fake_graph, tls[0])
    result = focuscal("auth", "outlook", "--browser", "--config", str(config),
                      env={"BROWSER": f"{browser} %s"})
    assert result.returncode == 0, result.stderr
    assert f"as {fake_graph.user} (read only)" in result.stdout
    assert [r["grant_type"] for r in fake_graph.token_requests] == ["authorization_code"]
    assert stat.S_IMODE(cache_file().stat().st_mode) == 0o600


# ---------------------------------------------------------------- app-only


def test_app_only_with_a_client_secret(fake_graph, tls, tmp_path, monkeypatch):
    fake_graph.add_mailbox("dana@acme-sales.com")
    fake_graph.put_event("dana@acme-sales.com", subject="Dana's call", start=when(WEEK_START),
                         end=when(WEEK_END))
    monkeypatch.setenv("FOCUSCAL_OUTLOOK_CLIENT_SECRET", fake_graph.client_secret)
    settings = outlook_settings(fake_graph, tls[0], credentials="app", tenant=TENANT_ID)
    loaded = app.load(settings, ["outlook:dana@acme-sales.com"], WEEK, NY)
    assert [c.event.summary for c in loaded.classified] == ["Dana's call"]
    assert loaded.me == ("dana@acme-sales.com",)
    assert fake_graph.token_requests[-1]["grant_type"] == "client_credentials"
    assert fake_graph.token_requests[-1]["scope"] == f"{fake_graph.origin}/.default"
    assert not cache_file().exists()  # app tokens are never written down
    # an application access policy that leaves this mailbox out
    fake_graph.app_mailboxes = {"alex.rivera@acme-sales.com"}
    with pytest.raises(AuthError, match="answered 403") as info:
        app.load(settings, ["outlook:dana@acme-sales.com"], WEEK, NY)
    assert "application permission" in str(info.value)
    monkeypatch.setenv("FOCUSCAL_OUTLOOK_CLIENT_SECRET", "wrong")
    config = config_file(tmp_path, fake_graph, tls[0], credentials="app", tenant=TENANT_ID)
    result = focuscal("audit", "outlook:dana@acme-sales.com", "--week", "2026-W11",
                      "--config", str(config))
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "Microsoft refused the app's credentials (invalid_client: AADSTS7000215" in line
    assert "wrong" not in line


def test_app_only_with_a_certificate(fake_graph, tls, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "focuscal app")])
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=9))
            .sign(key, hashes.SHA256()))
    pem = tmp_path / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
                    + cert.public_bytes(serialization.Encoding.PEM))
    fake_graph.certificates = [key.public_key()]
    fake_graph.put_event(subject="Call", start=when(WEEK_START), end=when(WEEK_END))
    settings = outlook_settings(fake_graph, tls[0], credentials="app", tenant=TENANT_ID,
                                certificate=str(pem))
    loaded = app.load(settings, [f"outlook:{fake_graph.user}"], WEEK, NY)
    assert [c.event.summary for c in loaded.classified] == ["Call"]
    with pytest.raises(InputError, match="outlook:me needs a signed-in user"):
        app.load(settings, ["outlook:me"], WEEK, NY)
    shared = dataclasses.replace(settings, outlook=dataclasses.replace(
        settings.outlook, tenant="organizations"))
    with pytest.raises(ConfigError, match="needs your tenant id"):
        app.load(shared, [f"outlook:{fake_graph.user}"], WEEK, NY)


WEEK_START = __import__("datetime").datetime(2026, 3, 10, 10, tzinfo=NY)
WEEK_END = __import__("datetime").datetime(2026, 3, 10, 11, tzinfo=NY)
