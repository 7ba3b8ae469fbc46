"""A fault-injecting HTTP proxy for tests: put it between a client and a real server.

It relays every request to ``upstream`` and its answer back, except where a rule says
otherwise:

- ``status``: answer ``status`` itself (with ``headers``), the server never sees the request,
- ``lost``: relay the request (the server acts on it), then cut the connection without an
  answer, as when the answer is lost on the way back,
- ``half``: relay, then send the answer's head and half its body, and cut,
- ``garbage``: answer with a line that is not HTTP, and cut.

Rules match a method and a substring of the path; ``after`` lets that many matching requests
through first, ``times`` is how often the rule acts (None: always).
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
              "trailer", "upgrade", "content-length", "host"}


@dataclass
class Rule:
    action: str  # status | lost | half | garbage
    method: str | None = None
    path: str | None = None
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    after: int = 0
    seen: int = 0
    acted: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method in (None, method)) and (self.path is None or self.path in path)


@dataclass
class Seen:
    method: str
    path: str
    outcome: str  # relayed, or the action of the rule that acted


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.rules: list[Rule] = []
        self.log: list[Seen] = []
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, upstream_url: str) -> str:
        """``upstream_url`` (a URL of the real server) as seen through the proxy."""
        parts = urlsplit(upstream_url)
        return self.base + parts.path + (f"?{parts.query}" if parts.query else "")

    def rule(self, action: str, **kw: Any) -> Rule:
        rule = Rule(action, **kw)
        with self.lock:
            self.rules.append(rule)
        return rule

    def seen(self, method: str, outcome: str | None = None) -> list[Seen]:
        return [s for s in self.log if s.method == method
                and (outcome is None or s.outcome == outcome)]

    def _pick(self, method: str, path: str) -> Rule | None:
        with self.lock:
            for rule in self.rules:
                if rule.times == 0 or not rule.matches(method, path):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                rule.acted += 1
                return rule
        return None

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def __getattr__(self, name: str) -> Any:
                if name.startswith("do_"):  # every method: PROPFIND, REPORT, PUT, ...
                    return self._any
                raise AttributeError(name)

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rule = proxy._pick(self.command, self.path)
                outcome = rule.action if rule else "relayed"
                proxy.log.append(Seen(self.command, self.path, outcome))
                if rule is not None and rule.action == "garbage":
                    self.wfile.write(b"SPAM SPAM SPAM\r\n\r\n")
                    self.close_connection = True
                    return
                if rule is not None and rule.action == "status":
                    data = f"injected {rule.status}".encode()
                    self.send_response(rule.status)
                    for key, value in rule.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                status, reason, headers, data = self._relay(body)
                if rule is not None and rule.action == "lost":
                    self.close_connection = True  # the server did it; the client never hears
                    return
                self.send_response(status, reason)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if rule is not None and rule.action == "half":
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

            def _relay(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
                upstream = http.client.HTTPConnection(proxy.host, proxy.port, timeout=10)
                try:
                    headers = {k: v for k, v in self.headers.items()
                               if k.lower() not in HOP_BY_HOP}
                    upstream.request(self.command, self.path, body=body or None,
                                     headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    kept = [(k, v) for k, v in answer.getheaders()
                            if k.lower() not in HOP_BY_HOP]
                    return answer.status, answer.reason, kept, data
                finally:
                    upstream.close()

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self.server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
