"""Calendar URLs against a hostile HTTP server on 127.0.0.1 (tests/fakes/hostile_http.py):
every download ends within its size limit and its deadline, with one clear line and exit 1;
what may pass is retried; credentials never show; the cache is private."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.config import load_settings
from focuscal.errors import FetchError
from focuscal.sources import http
from tests.conftest import EXAMPLES
from tests.fakes.hostile_http import HostileServer

BODY = (EXAMPLES / "sales-week.ics").read_bytes()
WEEK = ["--week", "2026-W11", "--tz", "America/New_York", "--format", "json"]


@pytest.fixture
def hostile():
    with HostileServer(BODY) as server:
        yield server


def audit(url: str, tmp_path: Path, config: str = "timeout = 5\n"):
    path = tmp_path / "c.toml"
    path.write_text(config)
    return CliRunner().invoke(cli, ["--config", str(path), "audit", url, *WEEK])


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("focuscal: error: ")
    return lines[0]


def test_a_well_behaved_answer_is_read(hostile, tmp_path):
    result = audit(hostile.url + "/ok", tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["meeting_count"] > 0


def test_an_endless_body_stops_at_the_size_limit(hostile, tmp_path, no_backoff):
    started = time.monotonic()
    result = audit(hostile.url + "/endless", tmp_path)  # the default limit, 64 MiB
    assert result.exit_code == 1
    assert one_line(result) == (
        f"focuscal: error: {hostile.url}/endless: the calendar is larger than the limit of "
        "64 MiB (raise max_download_mb in the config if it is really that big)")
    assert time.monotonic() - started < 20
    assert hostile.hits["/endless"] == 1  # not worth another try
    # nothing of it is left behind, neither in the cache nor in the temporary folder
    assert not list(http.cache_dir().glob("*"))


def test_the_limit_is_configurable(hostile, tmp_path):
    settings = load_settings(None, {})
    assert settings.max_download_mb == 64
    path = tmp_path / "c.toml"
    path.write_text("max_download_mb = 1\n")
    assert load_settings(str(path), {}).max_download_mb == 1
    small = load_settings(str(path), {})
    with pytest.raises(FetchError, match="larger than the limit of 1 MiB"):
        http.download(hostile.url + "/endless", small)
    path.write_text("max_download_mb = 0\n")
    with pytest.raises(Exception, match="max_download_mb: expected a number from 1"):
        load_settings(str(path), {})
    # a body just under a limit is read whole
    assert http.get(hostile.url + "/ok", max_bytes=len(BODY)) == BODY
    with pytest.raises(FetchError, match="larger than the limit"):
        http.get(hostile.url + "/ok", max_bytes=len(BODY) - 1, use_cache=False)


def test_a_huge_content_length_is_refused_at_once(hostile, tmp_path):
    started = time.monotonic()
    result = audit(hostile.url + "/huge", tmp_path)
    assert result.exit_code == 1
    assert "larger than the limit of 64 MiB (it says 1,000,000,000,000 bytes)" in one_line(
        result)
    assert time.monotonic() - started < 2


def test_a_body_sent_a_byte_at_a_time_ends_at_the_deadline(hostile, tmp_path):
    started = time.monotonic()
    result = audit(hostile.url + "/drip", tmp_path, config="timeout = 1\n")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert one_line(result) == (
        f"focuscal: error: {hostile.url}/drip: the download did not finish within 1 s "
        "(raise `timeout` in the config if the server is slow)")
    assert elapsed < 2.5
    assert hostile.hits["/drip"] == 1


def test_a_status_line_sent_a_byte_at_a_time_ends_at_the_deadline(hostile, tmp_path):
    started = time.monotonic()
    result = audit(hostile.url + "/drip-head", tmp_path, config="timeout = 1\n")
    assert result.exit_code == 1
    assert one_line(result) == f"focuscal: error: {hostile.url}/drip-head: no answer within 1 s"
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize(("path", "message"), [
    ("/garbage", "the server's answer is not HTTP (a garbage status line)"),
    ("/cut", "the connection was cut before the whole answer arrived"),
    ("/silent", "the server closed the connection without an answer"),
])
def test_broken_answers_are_retried_then_one_clear_line(hostile, tmp_path, no_backoff, path,
                                                        message):
    result = audit(hostile.url + path, tmp_path)
    assert result.exit_code == 1
    assert one_line(result) == f"focuscal: error: {hostile.url}{path}: {message}"
    assert hostile.hits[path] == 3
    assert len(no_backoff) == 2


@pytest.mark.parametrize("path", ["/garbage-once", "/cut-once", "/silent-once"])
def test_a_passing_fault_is_retried(hostile, tmp_path, no_backoff, path):
    result = audit(hostile.url + path, tmp_path)
    assert result.exit_code == 0, result.output
    assert hostile.hits[path] == 2
    assert json.loads(result.stdout)["totals"]["meeting_count"] > 0


def test_retry_after_is_honoured(hostile, tmp_path, no_backoff):
    result = audit(hostile.url + "/busy-once", tmp_path)
    assert result.exit_code == 0, result.output
    assert no_backoff == [1.0]


def test_a_server_that_stays_busy(hostile, tmp_path, no_backoff):
    result = audit(hostile.url + "/busy", tmp_path)
    assert result.exit_code == 1
    assert one_line(result).endswith("/busy: HTTP 503 Service Unavailable")
    assert hostile.hits["/busy"] == 3


# ---------------------------------------------------------------- credentials in the URL


def test_credentials_in_the_url_log_in_and_never_show(hostile, tmp_path):
    url = hostile.url.replace("http://", "http://user:pass%20word@") + "/auth"
    result = audit(url, tmp_path)
    assert result.exit_code == 0, result.output
    # asked once without, then with the login; the login went as Basic authentication
    assert [h.get("authorization", "")[:6] for p, h in hostile.headers] == ["", "Basic "]
    assert "pass" not in result.stdout
    cached = "".join(p.read_text(errors="replace") for p in http.cache_dir().glob("*.json"))
    assert "pass" not in cached


def test_a_wrong_password_is_one_line_without_it(hostile, tmp_path):
    url = hostile.url.replace("http://", "http://user:hunter2@") + "/auth"
    result = audit(url, tmp_path)
    assert result.exit_code == 1
    line = one_line(result)
    assert line == f"focuscal: error: {hostile.url}/auth: HTTP 401 Unauthorized"
    assert "hunter2" not in result.output


def test_an_unreachable_url_with_credentials_shows_none(tmp_path, no_backoff):
    from tests.radicale import free_port

    result = audit(f"http://alex:hunter2@127.0.0.1:{free_port()}/x.ics", tmp_path)
    assert result.exit_code == 1
    line = one_line(result)
    assert "cannot connect" in line
    assert "hunter2" not in line
    assert "alex" not in line


# ---------------------------------------------------------------- the cache is private


def test_cache_files_are_0600_in_0700_folders():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Cached(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

        def log_message(self, *args):
            pass

    old = os.umask(0o022)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Cached)
    Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        # an older version left the folder open to everyone: it is tightened
        http.cache_dir().mkdir(parents=True, mode=0o755)
        os.chmod(http.cache_dir(), 0o755)
        url = f"http://me:secret@127.0.0.1:{server.server_port}/private-token-abc/cal.ics"
        assert http.get(url) == BODY
    finally:
        server.shutdown()
        server.server_close()
        os.umask(old)
    files = list(http.cache_dir().iterdir())
    assert sorted(p.suffix for p in files) == [".ics", ".json"]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (http.cache_dir(), http.cache_dir().parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    meta = json.loads(next(p for p in files if p.suffix == ".json").read_text())
    assert meta["url"] == f"http://127.0.0.1:{server.server_port}/private-token-abc/cal.ics"


def test_a_download_left_by_a_killed_run_is_cleaned_up(hostile):
    folder = http.cache_dir()
    folder.mkdir(parents=True)
    old, fresh = folder / ".download.old.tmp", folder / ".download.new.tmp"
    old.write_bytes(b"half a calendar")
    fresh.write_bytes(b"another run's download, under way")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    assert http.get(hostile.url + "/ok") == BODY
    assert not old.exists()
    assert fresh.exists()
