"""HTTP(S) and webcal:// fetching with ETag / Last-Modified caching.

The cache lives in the platformdirs user cache directory (``focuscal/http``); a corrupt cache
entry is ignored. A 304 answer reuses the cached body.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from focuscal import __version__
from focuscal.errors import FetchError, InputError
from focuscal.files import write_atomic

LOOPBACK = ("127.0.0.1", "localhost", "::1")


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


def get(url: str, *, timeout: float = 30, use_cache: bool = True) -> bytes:
    """The body at ``url``; raises FetchError (exit 1) on any failure."""
    target = normalise(url)
    if urlsplit(target).scheme not in ("http", "https"):
        raise InputError("unsupported URL scheme", where=url)
    key = hashlib.sha256(target.encode()).hexdigest()[:32]
    body_path, meta_path = cache_dir() / f"{key}.ics", cache_dir() / f"{key}.json"
    meta: dict[str, str] = {}
    if use_cache:
        try:
            meta = json.loads(meta_path.read_text())
            if not isinstance(meta, dict) or not body_path.exists():
                meta = {}
        except (OSError, ValueError):
            meta = {}
    headers = {"User-Agent": f"focuscal/{__version__}", "Accept": "text/calendar, */*"}
    if meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    request = urllib.request.Request(target, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    except urllib.error.HTTPError as exc:
        with exc:
            if exc.code == 304 and meta:
                try:
                    return body_path.read_bytes()
                except OSError:
                    pass
            raise FetchError(f"HTTP {exc.code} {exc.reason}", where=url) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(f"no answer within {timeout:g} s", where=url) from None
        raise FetchError(f"cannot connect: {exc.reason}", where=url) from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} s", where=url) from None
    except OSError as exc:
        raise FetchError(f"network error: {exc}", where=url) from None
    if use_cache and (etag or modified):
        try:
            write_atomic(body_path, body, parents=True)
            meta = {"url": target, "etag": etag or "", "last_modified": modified or ""}
            write_atomic(meta_path, json.dumps(meta).encode(), parents=True)
        except OSError:
            pass  # the cache is an optimisation; a read-only cache folder must not fail a run
    return body
