"""A hostile HTTP server for tests, on raw sockets on 127.0.0.1: answers that a well-behaved
server never sends, chosen by the path of the request.

    /ok            a calendar, properly
    /endless       a 200 with no length and a body that never ends
    /huge          Content-Length: 10**12, then a few bytes, then nothing
    /drip          a body of 1,000 bytes sent a byte every 0.2 s
    /drip-head     the status line itself sent a byte every 0.2 s
    /garbage       a line that is not HTTP, then the connection closes
    /cut           Content-Length of the whole calendar, half of it, then the connection closes
    /silent        the connection closes without a word
    /auth          the calendar with HTTP Basic ``user`` / ``pass word``, else 401
    /busy          503 with ``Retry-After: 1``

A path ending in ``-once`` misbehaves on the first request only and then answers as /ok (so
``/cut-once`` tests a retry). ``hits`` counts the requests per path; ``headers`` keeps the
request headers of each.
"""

from __future__ import annotations

import base64
import socket
import socketserver
import threading
from collections import Counter
from typing import Any

STATUS_OK = b"HTTP/1.1 200 OK\r\n"


class HostileServer:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.hits: Counter[str] = Counter()
        self.headers: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.server: socketserver.ThreadingTCPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> HostileServer:
        hostile = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(5)
                try:
                    head = b""
                    while b"\r\n\r\n" not in head:
                        data = sock.recv(4096)
                        if not data:
                            return
                        head += data
                    lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                    path = lines[0].split(" ")[1].split("?")[0]
                    headers = {k.strip().lower(): v.strip() for k, _, v in
                               (line.partition(":") for line in lines[1:])}
                    hostile.headers.append((path, headers))
                    hostile.hits[path] += 1
                    hostile.answer(sock, path, headers)
                except OSError:
                    pass  # the client gave up, as it should

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self.server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def answer(self, sock: socket.socket, path: str, headers: dict[str, str]) -> None:
        name = path.strip("/")
        if name.endswith("-once"):
            name = name.removesuffix("-once") if self.hits[path] == 1 else "ok"
        body = self.body
        if name == "ok":
            sock.sendall(STATUS_OK + b"Content-Type: text/calendar\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        elif name == "endless":
            sock.sendall(STATUS_OK + b"Content-Type: text/calendar\r\nConnection: close\r\n\r\n")
            chunk = b"X" * 65536
            while not self.stopping.is_set():
                sock.sendall(chunk)
        elif name == "huge":
            sock.sendall(STATUS_OK + b"Content-Length: 1000000000000\r\n\r\nBEGIN:VCALENDAR\r\n")
            self.stopping.wait(10)
        elif name == "drip":
            sock.sendall(STATUS_OK + b"Content-Length: 1000\r\n\r\n")
            self._drip(sock, b"B" * 1000)
        elif name == "drip-head":
            self._drip(sock, STATUS_OK + b"Content-Length: 2\r\n\r\nok")
        elif name == "garbage":
            sock.sendall(b"HELLO WORLD\r\n\r\n")
        elif name == "cut":
            sock.sendall(STATUS_OK + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
                         + body[: len(body) // 2])
        elif name == "silent":
            pass
        elif name == "auth":
            wanted = "Basic " + base64.b64encode(b"user:pass word").decode()
            if headers.get("authorization") == wanted:
                self.answer(sock, "/ok", headers)
            else:
                sock.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
                             b'realm="calendars"\r\nContent-Length: 0\r\nConnection: close'
                             b"\r\n\r\n")
        elif name == "busy":
            sock.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        else:
            sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        sock.shutdown(socket.SHUT_RDWR)

    def _drip(self, sock: socket.socket, data: bytes) -> None:
        for byte in data:
            if self.stopping.wait(0.2):
                return
            sock.sendall(bytes([byte]))

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

