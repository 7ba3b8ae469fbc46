"""A fault-injecting reverse proxy on 127.0.0.1, for failures in front of a real server.

It forwards every request to ``upstream`` (Radicale, a file server, the fake Google server) and
relays the answer, unless a fault matches the request:

- ``answer(status)``: answer with that status (and a short body) instead of forwarding; a 401
  carries ``WWW-Authenticate: Basic``;
- ``stall()``: accept the request and never answer (until ``clear()`` or the proxy stops);
- ``cut()``: close the connection without a byte of answer; ``cut(half=True)`` forwards, then
  sends the status line, the headers and half of the body before closing.

A fault matches by ``method`` and a ``path`` substring (None: any) and lasts ``times`` requests
(None: until ``clear()``). ``log`` records (method, path, what happened) of every request.

With ``tls=(certificate, key)`` the proxy serves https itself (for clients that insist on it,
as focuscal's Graph client does); an ``https://`` upstream is reached over TLS without checking
its certificate (both ends are this machine's test servers).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "content-length"}
REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}


@dataclass
class Fault:
    action: str  # "answer", "stall", "cut", "half"
    status: int = 0
    method: str | None = None
    path: str | None = None
    times: int | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.times is None or self.times > 0) and (
            self.method is None or self.method == method) and (
            self.path is None or self.path in path)


class FaultProxy:
    def __init__(self, upstream: str, *, tls: tuple[Any, Any] | None = None) -> None:
        parts = urlsplit(upstream)
        self.secure_upstream = parts.scheme == "https"
        self.upstream = (parts.hostname or "127.0.0.1",
                         parts.port or (443 if self.secure_upstream else 80))
        self.tls = tls
        self.faults: list[Fault] = []
        self.log: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.release = threading.Event()  # set by clear(): stalled requests give up
        self.server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ faults

    def answer(self, status: int, **match: Any) -> Fault:
        return self._add(Fault("answer", status, **match))

    def stall(self, **match: Any) -> Fault:
        return self._add(Fault("stall", **match))

    def cut(self, *, half: bool = False, **match: Any) -> Fault:
        return self._add(Fault("half" if half else "cut", **match))

    def clear(self) -> None:
        with self.lock:
            self.faults.clear()
            self.log.clear()
            self.release.set()
            self.release = threading.Event()

    def seen(self, method: str | None = None) -> int:
        """How many requests (of ``method``) arrived since the last ``clear()``."""
        with self.lock:
            return sum(1 for m, _, _ in self.log if method is None or m == method)

    def _add(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def _fault_for(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # ------------------------------------------------------------ serving

    @property
    def url(self) -> str:
        assert self.server is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                body = self._body()
                fault = proxy._fault_for(self.command, self.path)
                action = fault.action if fault else "forward"
                with proxy.lock:
                    proxy.log.append((self.command, self.path, action if fault is None
                                      or fault.action != "answer" else str(fault.status)))
                if fault is None or fault.action == "half":
                    status, headers, payload = proxy._forward(
                        self.command, self.path, dict(self.headers.items()), body)
                    if fault is not None:
                        self._send(status, headers, payload, half=True)
                        return
                    self._send(status, headers, payload)
                elif fault.action == "answer":
                    extra = [("WWW-Authenticate", 'Basic realm="test"')] if (
                        fault.status == 401) else []
                    text = f"{fault.status} {REASONS.get(fault.status, 'Error')}\n".encode()
                    self._send(fault.status, [("Content-Type", "text/plain"), *extra], text)
                elif fault.action == "stall":
                    release = proxy.release
                    while not (release.is_set() or proxy.stopping.wait(0.05)):
                        pass
                    self.close_connection = True
                else:  # cut: not a byte of answer
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes, *,
                      half: bool = False) -> None:
                try:
                    self.send_response(status, REASONS.get(status))
                    for key, value in headers:
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if half:
                        self.wfile.write(payload[: len(payload) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    self.wfile.write(payload)
                except OSError:  # ssl.SSLError included
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any
            do_PROPFIND = do_REPORT = do_OPTIONS = do_MKCALENDAR = do_MKCOL = _any

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            # The handshake happens in the handler's thread, not in the accepting one.
            server.socket = context.wrap_socket(server.socket, server_side=True,
                                                do_handshake_on_connect=False)
        self.server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def _forward(self, method: str, path: str, headers: dict[str, str],
                 body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn: http.client.HTTPConnection
        if self.secure_upstream:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(*self.upstream, timeout=30, context=context)
        else:
            conn = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(method, path, body=body if body or method not in ("GET", "HEAD")
                         else None, headers=sent)
            response = conn.getresponse()
            payload = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return response.status, kept, payload
        finally:
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
