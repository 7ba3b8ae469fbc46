"""HTTP(S) and webcal:// fetching: bounded, retried, cached with ETag / Last-Modified.

A subscription is untrusted input from the network, so every download is bounded: the body
streams to a temporary file and stops at ``max_bytes`` (a larger Content-Length is refused
before anything is read), and the whole request, retries included, ends at a deadline of
``timeout`` seconds however slowly the server sends (a watchdog cuts the connection then).
Lost connections, half-sent answers, garbage status lines, 429 and 5xx answers are tried
again while time is left (``Retry-After`` honoured). Credentials in the URL
(``https://user:password@host/...``) are sent as HTTP Basic authentication to that server only
and never appear in a message.

The cache lives in the user cache directory (``focuscal/http``, folder 0700, files 0600, as
its entries hold the calendar and its secret URL); a corrupt entry is ignored, and a 304
answer reuses the cached body.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from focuscal import __version__, transport
from focuscal.errors import FetchError, InputError, redact
from focuscal.files import write_atomic

if TYPE_CHECKING:
    from focuscal.config import Settings

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 64 * MIB
CHUNK = 64 * 1024
RETRY = transport.Retry(attempts=3, base_delay=0.5, max_delay=10.0)
RETRY_STATUSES = (408, 429, 500, 502, 503, 504)
STALE_SECONDS = 24 * 3600  # a temporary download this old belongs to no running focuscal


def normalise(url: str) -> str:
    """webcal:// is https:// (http:// for a loopback host)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        plain = scheme == "webcal" and parts.hostname in LOOPBACK
        return ("http" if plain else "https") + url[len(scheme):]
    return url


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("focuscal") / "http"


def download(url: str, settings: Settings) -> bytes:
    """The body at ``url`` under the settings' ``timeout``, ``cache`` and ``max_download_mb``."""
    return get(url, timeout=settings.timeout, use_cache=settings.cache,
               max_bytes=settings.max_download_mb * MIB)


def get(url: str, *, timeout: float = 30, use_cache: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The body at ``url``; raises FetchError (exit 1) on any failure of the network or the
    server, InputError (exit 2) for a URL focuscal cannot fetch."""
    target = normalise(url)
    if urlsplit(target).scheme.lower() not in ("http", "https"):
        raise InputError("unsupported URL scheme", where=url)
    plain, login = _split_login(target)
    folder = _cache_folder() if use_cache else None
    key = hashlib.sha256(target.encode()).hexdigest()[:32]
    entry = _Entry(folder, key) if folder is not None else None
    meta = entry.meta() if entry is not None else {}
    headers = {"User-Agent": f"focuscal/{__version__}", "Accept": "text/calendar, */*"}
    if meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    deadline = transport.Deadline.after(timeout)
    limit = _Limit(max_bytes, timeout)

    def attempt() -> _Download:
        request = urllib.request.Request(plain, headers=headers)
        return _download(request, login, deadline, limit, folder)

    got = transport.call(
        attempt, classify=partial(_classify, where=url, limit=limit),
        retry=replace(RETRY, deadline=timeout))
    if got.path is None:  # 304 Not Modified
        assert entry is not None
        body = entry.body()
        if body is not None:
            return body
        # the cached body went missing since its metadata was read: fetch it whole
        return get(url, timeout=timeout, use_cache=False, max_bytes=max_bytes)
    try:
        body = got.path.read_bytes()
        if entry is not None and (got.etag or got.modified):
            entry.store(got.path, {"url": redact(target), "etag": got.etag or "",
                                   "last_modified": got.modified or ""})
    finally:
        got.path.unlink(missing_ok=True)
    return body


# ---------------------------------------------------------------- one try


@dataclass(frozen=True)
class _Limit:
    max_bytes: int
    timeout: float


@dataclass(frozen=True)
class _Download:
    path: Path | None  # the body in a temporary file; None for 304 Not Modified
    etag: str | None = None
    modified: str | None = None


class _TooLarge(Exception):
    def __init__(self, length: int | None) -> None:
        super().__init__(length)
        self.length = length


class _TooSlow(Exception):
    """The deadline of the whole request passed, before the answer began or during it."""

    def __init__(self, answered: bool) -> None:
        super().__init__(answered)
        self.answered = answered


def _download(request: urllib.request.Request, login: tuple[str, str] | None,
              deadline: transport.Deadline, limit: _Limit, folder: Path | None) -> _Download:
    """One GET, its body streamed to a temporary file under the size limit and the deadline."""
    sockets: list[socket.socket] = []
    opener = _opener(sockets, request.full_url, login)
    # At the deadline the watchdog shuts the connection down, which ends any read that is
    # still waiting (a per-read timeout never ends a body sent a byte a second).
    watchdog = threading.Timer(deadline.remaining(), _cut, (sockets,))
    watchdog.daemon = True
    watchdog.start()
    try:
        return _transfer(opener, request, deadline, limit, folder)
    finally:
        watchdog.cancel()


def _transfer(opener: urllib.request.OpenerDirector, request: urllib.request.Request,
              deadline: transport.Deadline, limit: _Limit, folder: Path | None) -> _Download:
    try:
        response = opener.open(request, timeout=max(min(limit.timeout, deadline.remaining()),
                                                    0.01))
    except urllib.error.HTTPError as exc:
        exc.close()  # its socket, or warnings-as-errors fails on it
        if exc.code == 304 and folder is not None:
            return _Download(None)
        raise
    except (OSError, http.client.HTTPException) as exc:
        if deadline.expired:  # the watchdog (or the timeout) ended the wait for an answer
            raise _TooSlow(answered=False) from exc
        raise
    with response:
        length = _length(response.headers.get("Content-Length"))
        if length is not None and length > limit.max_bytes:
            raise _TooLarge(length)
        handle, name = _spool(folder)
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                total = 0
                try:
                    while chunk := response.read1(CHUNK):
                        total += len(chunk)
                        if total > limit.max_bytes:
                            raise _TooLarge(length)
                        out.write(chunk)
                except (OSError, http.client.HTTPException) as exc:
                    if deadline.expired:
                        raise _TooSlow(answered=True) from exc
                    raise
            if deadline.expired:
                raise _TooSlow(answered=True)  # the watchdog ended the body: it is not whole
            if length is not None and total < length:
                raise http.client.IncompleteRead(b"", length - total)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return _Download(path, response.headers.get("ETag"),
                         response.headers.get("Last-Modified"))


def _length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _spool(folder: Path | None) -> tuple[int, str]:
    """A temporary file (0600) for a body: in the cache folder, so that it can become the
    cache entry by a rename, else in the system's temporary folder."""
    if folder is not None:
        with contextlib.suppress(OSError):
            return tempfile.mkstemp(prefix=".download.", suffix=".tmp", dir=folder)
    return tempfile.mkstemp(prefix="focuscal-download.", suffix=".tmp")


def _cut(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        # the plain socket's shutdown, also under TLS: it wakes a blocked read at once
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


# ---------------------------------------------------------------- connections


def _opener(sockets: list[socket.socket], url: str,
            login: tuple[str, str] | None) -> urllib.request.OpenerDirector:
    """urllib's usual opener (proxies from the environment, redirects), whose connections
    record their sockets for the watchdog, with Basic authentication for ``url``'s server
    when the URL carried a login (sent only to that server, when it asks)."""
    handlers: list[Any] = [_HTTPHandler(sockets), _HTTPSHandler(sockets)]
    if login is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *login)
        handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def _recording(base: type[http.client.HTTPConnection]) -> Any:
    class Recording(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, sockets: list[socket.socket], **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._sockets = sockets

        def connect(self) -> None:
            super().connect()
            self._sockets.append(self.sock)

    return Recording


_HTTPConnection = _recording(http.client.HTTPConnection)
_HTTPSConnection = _recording(http.client.HTTPSConnection)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, sockets: list[socket.socket]) -> None:
        super().__init__()
        self.sockets = sockets

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(partial(_HTTPConnection, sockets=self.sockets), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, sockets: list[socket.socket]) -> None:
        import ssl

        self.tls = ssl.create_default_context()
        super().__init__(context=self.tls)
        self.sockets = sockets

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(partial(_HTTPSConnection, sockets=self.sockets), req,
                            context=self.tls)


def _split_login(url: str) -> tuple[str, tuple[str, str] | None]:
    """``url`` without its ``user:password@`` part, and that login (percent-decoded)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    netloc = parts.netloc.rsplit("@", 1)[1]
    login = (unquote(parts.username or ""), unquote(parts.password or ""))
    return urlunsplit(parts._replace(netloc=netloc)), login


# ---------------------------------------------------------------- errors


def _classify(exc: BaseException, *, where: str, limit: _Limit) -> transport.Failure | None:
    def fail(message: str, retryable: bool = False, hint: str | None = None,
             retry_after: float | None = None) -> transport.Failure:
        return transport.Failure(FetchError(message, where=where, hint=hint), retryable,
                                 retry_after)

    if isinstance(exc, _TooLarge):
        size = f" (it says {exc.length:,} bytes)" if exc.length is not None else ""
        return fail(f"the calendar is larger than the limit of {_mib(limit.max_bytes)}{size}",
                    hint="raise max_download_mb in the config if it is really that big")
    if isinstance(exc, _TooSlow) and not exc.answered:
        return fail(f"no answer within {limit.timeout:g} s")
    if isinstance(exc, _TooSlow):
        return fail(f"the download did not finish within {limit.timeout:g} s",
                    hint="raise `timeout` in the config if the server is slow")
    if isinstance(exc, urllib.error.HTTPError):
        return fail(f"HTTP {exc.code} {exc.reason}", exc.code in RETRY_STATUSES,
                    retry_after=transport.parse_retry_after(exc.headers.get("Retry-After")))
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc.reason, BaseException):
        return fail(f"cannot connect: {exc.reason}")
    cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(cause, TimeoutError):
        # a server that did not answer within the whole deadline gets no second try
        return fail(f"no answer within {limit.timeout:g} s")
    if isinstance(cause, BaseException):
        return transport.connection_failure(cause, where=where, timeout=limit.timeout,
                                            retry_timeouts=False)
    return None


def _mib(count: int) -> str:
    return f"{count / MIB:g} MiB"


# ---------------------------------------------------------------- the cache


def _cache_folder() -> Path | None:
    from focuscal import cachedir

    try:
        folder = cachedir.folder("http")
    except OSError:
        return None  # the cache is an optimisation; a read-only cache folder must not fail
    # downloads that an earlier run left behind when it was killed
    stale = time.time() - STALE_SECONDS
    for leftover in folder.glob(".download.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < stale:
                leftover.unlink()
    return folder


@dataclass(frozen=True)
class _Entry:
    folder: Path
    key: str

    @property
    def body_path(self) -> Path:
        return self.folder / f"{self.key}.ics"

    @property
    def meta_path(self) -> Path:
        return self.folder / f"{self.key}.json"

    def meta(self) -> dict[str, str]:
        try:
            meta = json.loads(self.meta_path.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(meta, dict) or not self.body_path.exists():
            return {}
        return {k: v for k, v in meta.items() if isinstance(v, str)}

    def body(self) -> bytes | None:
        try:
            return self.body_path.read_bytes()
        except OSError:
            return None

    def store(self, body: Path, meta: dict[str, str]) -> None:
        """Keep ``body`` (a temporary file of the same folder, moved) with ``meta``."""
        from focuscal import cachedir

        with contextlib.suppress(OSError):
            if body.parent == self.folder:
                os.chmod(body, cachedir.FILE_MODE)
                os.replace(body, self.body_path)
            else:
                write_atomic(self.body_path, body.read_bytes(), mode=cachedir.FILE_MODE)
            write_atomic(self.meta_path, json.dumps(meta).encode(), mode=cachedir.FILE_MODE)

