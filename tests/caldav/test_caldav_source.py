"""CalDAV as a source, against a real Radicale server: the same events give the same audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from focuscal import app
from focuscal.config import CalendarEntry, Settings
from focuscal.report.audit import to_json
from focuscal.window import make_window
from tests.conftest import EXAMPLES, ROOT
from tests.radicale import PASSWORD, USER, upload

FILES = [EXAMPLES / "sales-week.ics", EXAMPLES / "calm-week.ics"]
PASSWORD_ENV = "FOCUSCAL_TEST_CALDAV_PASSWORD"


def focuscal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "focuscal", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=60,
    )


def write_config(path, uri: str, **keys: str | bool | int) -> str:
    lines = []
    top = {k: v for k, v in keys.items() if k in ("timeout",)}
    for key, value in top.items():
        lines.append(f"{key} = {json.dumps(value)}")
    lines += ["[[calendars]]", f"uri = {json.dumps(uri)}"]
    for key, value in keys.items():
        if key not in top:
            lines.append(f"{key} = {json.dumps(value)}")
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def examples_calendar(radicale) -> str:
    """A calendar holding every event of the two example files, one resource per UID."""
    url = radicale.make_calendar()
    upload(radicale, url, *FILES)
    return url


@pytest.fixture
def config(tmp_path, examples_calendar) -> str:
    return write_config(tmp_path / "config.toml", "caldav+" + examples_calendar,
                        username=USER, password_env=PASSWORD_ENV)


WINDOWS = [
    ["--week", "2026-W11"],
    ["--week", "2026-W12", "--weeks", "3"],
]


@pytest.mark.parametrize("window", WINDOWS, ids=["sales-week", "three-weeks"])
def test_audit_through_caldav_equals_the_audit_of_the_files(config, window):
    common = ["--tz", "America/New_York", "--format", "json", *window]
    files = focuscal("audit", *map(str, FILES), *common)
    assert files.returncode == 0, files.stderr
    served = focuscal("--config", config, "audit", *common, env={PASSWORD_ENV: PASSWORD})
    assert served.returncode == 0, served.stderr
    assert served.stderr == ""
    expected = json.loads(files.stdout)
    assert sum(d["meeting_count"] for d in expected["days"]) > 10  # the files hold a real week
    assert json.loads(served.stdout) == expected


def test_identical_numbers_in_every_zone(examples_calendar, tz, monkeypatch):
    """In-process, over the zone fixture (including Lord Howe's 30-minute DST shift)."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    uri = "caldav+" + examples_calendar
    # The zone is chosen (as --tz does): the files' X-WR-TIMEZONE then warns of nothing.
    settings = Settings(timezone=tz, calendars=(CalendarEntry(uri=uri, username=USER,
                                                              password_env=PASSWORD_ENV),))
    window = make_window(date(2026, 3, 11), weeks=3)
    from_files = app.audit(Settings(timezone=tz), [str(f) for f in FILES], window, tz)
    from_server = app.audit(settings, [uri], window, tz)
    assert to_json(from_server) == to_json(from_files)


def test_only_the_window_is_fetched(radicale, examples_calendar, monkeypatch):
    """The server is asked for the window: a week without events brings back no object."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    from zoneinfo import ZoneInfo

    from focuscal.sources import Request, caldav
    from focuscal.window import utc_window

    tz = ZoneInfo("America/New_York")
    entry = CalendarEntry(uri="caldav+" + examples_calendar, username=USER,
                          password_env=PASSWORD_ENV)
    far = Request(utc_window(date(2025, 6, 2), date(2025, 6, 8), tz), tz, Settings())
    assert caldav.fetch(entry, far).events == []
    # the weekly 1:1 started in February: its master object is found for a March week
    march = Request(utc_window(date(2026, 3, 16), date(2026, 3, 22), tz), tz, Settings())
    uids = {e.uid for e in caldav.fetch(entry, march).events}
    assert "one-on-one-dana-alex@acme-sales.com" in uids
    assert "standup-calm-2026@acme-sales.com" in uids


# ---------------------------------------------------------------- errors


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("focuscal: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_wrong_password_is_one_line_and_exit_1(config):
    result = focuscal("--config", config, "audit", "--week", "2026-W11",
                      env={PASSWORD_ENV: "not the password"})
    assert result.returncode == 1
    line = one_line(result)
    assert "401" in line
    assert "username and password" in line
    assert "not the password" not in result.stderr + result.stdout


def test_missing_password_variable(config):
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "focuscal", "--config", config, "audit", "--week", "2026-W11"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 1
    assert PASSWORD_ENV in one_line(result)


def test_no_credentials_at_all_is_refused_by_the_server(examples_calendar):
    result = focuscal("audit", "caldav+" + examples_calendar, "--week", "2026-W11")
    assert result.returncode == 1
    assert "401" in one_line(result)


def test_unknown_calendar_is_not_found(radicale, tmp_path):
    uri = f"caldav+{radicale.base}/{USER}/no-such-calendar/"
    config = write_config(tmp_path / "c.toml", uri, username=USER, password_env=PASSWORD_ENV)
    result = focuscal("--config", config, "audit", "--week", "2026-W11",
                      env={PASSWORD_ENV: PASSWORD})
    assert result.returncode == 1
    line = one_line(result)
    assert "not found (HTTP 404)" in line
    assert f"focuscal calendars caldav+{radicale.base}/" in line


def test_a_collection_that_is_not_a_calendar(radicale, tmp_path):
    uri = f"caldav+{radicale.base}/{USER}/"
    config = write_config(tmp_path / "c.toml", uri, username=USER, password_env=PASSWORD_ENV)
    result = focuscal("--config", config, "audit", "--week", "2026-W11",
                      env={PASSWORD_ENV: PASSWORD})
    assert result.returncode == 2
    assert "not a calendar" in one_line(result)


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("caldav+http://calendar.example.com/dav/cal/", "only allowed for this machine"),
        ("caldav+https://alex:hunter2@calendar.example.com/dav/", "do not belong in the URL"),
    ],
)
def test_bad_urls_are_input_errors(uri, message):
    result = focuscal("audit", uri, "--week", "2026-W11")
    assert result.returncode == 2
    line = one_line(result)
    assert message in line
    assert "hunter2" not in line


def test_nothing_listening(tmp_path):
    from tests.radicale import free_port

    result = focuscal("audit", f"caldav+http://127.0.0.1:{free_port()}/cal/", "--week",
                      "2026-W11")
    assert result.returncode == 1
    assert "cannot connect" in one_line(result)


# ---------------------------------------------------------------- misbehaving servers

CALENDAR_PROPS = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response>'
    "<D:href>/cal/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/>"
    "</D:resourcetype><D:displayname>Work</D:displayname></D:prop>"
    "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
)
ONE_EVENT = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response>'
    '<D:href>/cal/e1.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag>'
    "<C:calendar-data>BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:e1\r\n"
    "DTSTAMP:20260101T000000Z\r\nSUMMARY:Pipeline review\r\nDTSTART:20260310T150000Z\r\n"
    "DTEND:20260310T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n</C:calendar-data></D:prop>"
    "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
)


class Scripted(BaseHTTPRequestHandler):
    """Answers each method from a script: a list of (status, body, delay) used in turn."""

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        script = self.server.script[self.command]
        self.server.seen.append(self.command)
        status, body, delay = script.pop(0) if len(script) > 1 else script[0]
        time.sleep(delay)
        data = body.encode()
        try:
            self.send_response(status)
            kind = "application/xml" if status == 207 else "text/plain"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (the timeout test)

    do_PROPFIND = do_REPORT = do_GET = _answer


@pytest.fixture
def scripted():
    servers = []

    def start(script):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
        server.daemon_threads = True
        server.script, server.seen = script, []
        threading.Thread(target=partial(server.serve_forever, poll_interval=0.05),
                         daemon=True).start()
        servers.append(server)
        return server, f"caldav+http://127.0.0.1:{server.server_address[1]}/cal/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((501, "not implemented", 0), "does not support calendar-query (HTTP 501)"),
        ((405, "method not allowed", 0), "does not support calendar-query (HTTP 405)"),
        ((200, "<html><body>Welcome</body></html>", 0), "answer is not CalDAV"),
    ],
)
def test_a_server_without_calendar_query(scripted, answer, message):
    server, uri = scripted({"PROPFIND": [(207, CALENDAR_PROPS, 0)], "REPORT": [answer]})
    result = focuscal("audit", uri, "--week", "2026-W11")
    assert result.returncode == 1
    assert message in one_line(result)
    assert server.seen.count("REPORT") == 1


def test_a_passing_gateway_error_is_retried(scripted):
    server, uri = scripted({"PROPFIND": [(502, "bad gateway", 0), (207, CALENDAR_PROPS, 0)],
                            "REPORT": [(207, ONE_EVENT, 0)]})
    result = focuscal("audit", uri, "--week", "2026-W11", "--tz", "UTC", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert server.seen.count("PROPFIND") == 2
    days = {d["date"]: d for d in json.loads(result.stdout)["days"]}
    assert days["2026-03-10"]["meeting_minutes"] == 60


def test_a_server_that_does_not_answer_times_out(scripted, tmp_path):
    server, uri = scripted({"PROPFIND": [(207, CALENDAR_PROPS, 3)]})
    config = write_config(tmp_path / "c.toml", uri, timeout=1)
    started = time.monotonic()
    result = focuscal("--config", config, "audit", "--week", "2026-W11")
    assert result.returncode == 1
    assert "no answer within 1 s" in one_line(result)
    assert server.seen == ["PROPFIND"]  # a timeout is not retried
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------- focuscal calendars


def test_calendars_lists_the_accounts_calendars(radicale, examples_calendar, tmp_path):
    other = radicale.make_calendar("Team")
    config = write_config(tmp_path / "c.toml", "caldav+" + examples_calendar, username=USER,
                          password_env=PASSWORD_ENV)
    result = focuscal("--config", config, "calendars", f"caldav+{radicale.base}/",
                      "--format", "json", env={PASSWORD_ENV: PASSWORD})
    assert result.returncode == 0, result.stderr
    rows = {row["uri"]: row for row in json.loads(result.stdout)}
    assert rows["caldav+" + examples_calendar]["name"] == "alex.rivera@acme-sales.com"
    assert rows["caldav+" + other]["name"] == "Team"
    assert "VEVENT" in rows["caldav+" + other]["components"]
    table = focuscal("--config", config, "calendars", f"caldav+{radicale.base}/",
                     env={PASSWORD_ENV: PASSWORD})
    assert table.returncode == 0, table.stderr
    assert "caldav+" + other in table.stdout
    assert PASSWORD not in result.stdout + result.stderr


def test_calendars_with_a_wrong_password(radicale, tmp_path):
    config = write_config(tmp_path / "c.toml", f"caldav+{radicale.base}/{USER}/x/",
                          username=USER, password_env=PASSWORD_ENV)
    result = focuscal("--config", config, "calendars", f"caldav+{radicale.base}/",
                      env={PASSWORD_ENV: "wrong"})
    assert result.returncode == 1
    assert "401" in one_line(result)


def test_password_from_the_keyring(examples_calendar, tmp_path):
    uri = "caldav+" + examples_calendar
    config = write_config(tmp_path / "c.toml", uri, username=USER, keyring=True)
    store = tmp_path / "keyring.json"
    env = {"PYTHON_KEYRING_BACKEND": "tests.keyring_backend.FileKeyring",
           "FOCUSCAL_TEST_KEYRING": str(store)}
    store.write_text(json.dumps({"focuscal": {uri: PASSWORD}}))
    result = focuscal("--config", config, "audit", "--week", "2026-W11", "--format", "json",
                      env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["meeting_count"] > 0
    store.write_text(json.dumps({"focuscal": {}}))
    result = focuscal("--config", config, "audit", "--week", "2026-W11", env=env)
    assert result.returncode == 1
    assert f"keyring set focuscal {uri}" in one_line(result)
