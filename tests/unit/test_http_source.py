"""ICS subscriptions over real HTTP on 127.0.0.1: caching, webcal://, failures."""

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.sources import http
from tests.conftest import EXAMPLES

BODY = (EXAMPLES / "sales-week.ics").read_bytes()
ETAG = '"' + hashlib.sha256(BODY).hexdigest()[:16] + '"'


class Handler(BaseHTTPRequestHandler):
    log: list  # (path, status) of every request, set per server
    delay = 0.0

    def do_GET(self):
        if self.delay:
            time.sleep(self.delay)
        if self.path.startswith("/missing"):
            status, body = 404, b"not here"
        elif self.headers.get("If-None-Match") == ETAG:
            status, body = 304, b""
        else:
            status, body = 200, BODY
        self.log.append((self.path, status))
        try:
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", ETAG)
            self.end_headers()
            if status != 304:
                self.wfile.write(body)
        except OSError:
            pass  # the client gave up (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    handler = type("H", (Handler,), {"log": [], "delay": 0.0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield httpd, handler
    httpd.shutdown()
    httpd.server_close()


def audit(*args):
    return CliRunner().invoke(cli, ["audit", *args, "--week", "2026-W11", "--tz",
                                    "America/New_York", "--format", "json"])


def test_url_audit_equals_file_audit_and_is_cached(server):
    httpd, handler = server
    url = f"http://127.0.0.1:{httpd.server_port}/team.ics"
    from_file = json.loads(audit(str(EXAMPLES / "sales-week.ics")).stdout)
    first = audit(url)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["days"] == from_file["days"]
    second = audit(url)
    assert json.loads(second.stdout)["days"] == from_file["days"]
    assert handler.log == [("/team.ics", 200), ("/team.ics", 304)]


def test_webcal_is_http_for_loopback(server):
    httpd, handler = server
    assert http.normalise("webcal://example.com/a.ics") == "https://example.com/a.ics"
    result = audit(f"webcal://127.0.0.1:{httpd.server_port}/sub.ics")
    assert result.exit_code == 0, result.output
    assert handler.log == [("/sub.ics", 200)]


def test_corrupt_cache_is_ignored(server):
    httpd, handler = server
    url = f"http://127.0.0.1:{httpd.server_port}/c.ics"
    assert audit(url).exit_code == 0
    for meta in http.cache_dir().glob("*.json"):
        meta.write_text("{not json")
    assert audit(url).exit_code == 0
    assert [s for _, s in handler.log] == [200, 200]


def test_not_found_is_a_run_time_error(server):
    httpd, _ = server
    url = f"http://127.0.0.1:{httpd.server_port}/missing.ics"
    result = audit(url)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"focuscal: error: {url}: HTTP 404 Not Found"


def test_timeout(server, tmp_path):
    httpd, handler = server
    handler.delay = 2.0
    config = tmp_path / "c.toml"
    config.write_text("timeout = 1\n")
    url = f"http://127.0.0.1:{httpd.server_port}/slow.ics"
    result = CliRunner().invoke(cli, ["--config", str(config), "audit", url, "--week", "2026-W11"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"focuscal: error: {url}: no answer within 1 s"
    assert len(result.stderr.strip().splitlines()) == 1
