"""Incremental sync of a Google calendar into a local SQLite cache (``[google] sync = true``).

The first run lists the whole calendar (``singleEvents=true``, every page) and stores each event
instance with the ``nextSyncToken`` of the last page; later runs ask only for changes since that
token (deleted instances arrive with ``status: cancelled`` and are dropped). Google answers 410
when a token has expired: the calendar is then listed in full again. A sync token cannot be
combined with ``timeMin``/``timeMax``, so the cache holds the whole calendar and the window is cut
locally. Each run's changes are written in one transaction: an interrupted sync leaves the
previous state and token, never a mix.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from focuscal import googleapi
from focuscal.errors import FetchError, RunError
from focuscal.sources import Request

SCHEMA = """
CREATE TABLE IF NOT EXISTS calendars (
    key TEXT PRIMARY KEY,          -- api endpoint | calendar id
    sync_token TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    low TEXT NOT NULL,             -- UTC bounds, a day wider for all-day events
    high TEXT NOT NULL,
    body TEXT NOT NULL,            -- the events.list item as JSON
    PRIMARY KEY (key, id)
);
CREATE INDEX IF NOT EXISTS events_span ON events (key, low, high);
"""


def cache_path() -> Path:
    """The cache file (0600, in the private cache folder: it holds the calendars)."""
    from focuscal import cachedir

    return cachedir.folder() / "google-sync.sqlite"


def items(client: googleapi.Client, calendar: str, request: Request, *,
          on_page: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Every cached item of ``calendar`` that may touch ``request.window``, after bringing
    the cache up to date. ``calendar`` is the resolved id (an address, never ``primary``);
    ``on_page`` hears of the pages of a long listing."""
    where = f"google:{calendar}"
    key = f"{client.settings.google.api_endpoint.rstrip('/')}|{calendar}"
    try:
        path = cache_path()
    except OSError as exc:
        raise RunError(f"cannot make the cache folder: {exc.strerror or exc}",
                       where=str(exc.filename or "cache")) from exc
    try:
        return _sync(client, calendar, request, where, key, path, on_page)
    # (network failures arrive here as focuscal's errors: these are the cache's own)
    except (sqlite3.Error, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise RunError(f"the Google sync cache cannot be used: {reason}", where=str(path),
                       hint="delete the file; the next run builds it again") from exc


def _sync(client: googleapi.Client, calendar: str, request: Request, where: str, key: str,
          path: Path, on_page: Callable[[int], None] | None) -> list[dict[str, Any]]:
    from focuscal import cachedir

    # sqlite creates its file (and its journals, with the file's mode) under the umask
    cachedir.private_file(path)
    with _open(path) as db:
        row = db.execute("SELECT sync_token FROM calendars WHERE key = ?", (key,)).fetchone()
        token = row[0] if row else None
        full = token is None
        try:
            listing = googleapi.list_events(client, calendar, where, sync_token=token,
                                            on_page=on_page)
        except FetchError as exc:
            if token is None or getattr(exc, "status", None) != 410:
                raise
            # the token expired: start again from a full listing
            full = True
            listing = googleapi.list_events(client, calendar, where, on_page=on_page)
        if not listing.sync_token:
            raise FetchError("Google sent no sync token at the end of the listing",
                             where=where)
        with db:  # one transaction: the changes and the token they lead to
            if full:
                db.execute("DELETE FROM events WHERE key = ?", (key,))
            _apply(db, key, listing.items)
            db.execute("INSERT OR REPLACE INTO calendars (key, sync_token) VALUES (?, ?)",
                       (key, listing.sync_token))
        low = (request.window.start - timedelta(days=2)).astimezone(UTC).isoformat()
        high = (request.window.end + timedelta(days=2)).astimezone(UTC).isoformat()
        rows = db.execute("SELECT body FROM events WHERE key = ? AND high > ? AND low < ?",
                          (key, low, high)).fetchall()
    return [json.loads(body) for (body,) in rows]


def _open(path: Path) -> Any:
    db = sqlite3.connect(path, timeout=30)
    db.executescript(SCHEMA)
    return _Closing(db)


class _Closing:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _apply(db: sqlite3.Connection, key: str, changed: Iterable[dict[str, Any]]) -> None:
    for item in changed:
        if item.get("status") == "cancelled" or not item.get("start"):
            db.execute("DELETE FROM events WHERE key = ? AND id = ?", (key, item["id"]))
            continue
        low, high = _bounds(item)
        db.execute("INSERT OR REPLACE INTO events (key, id, low, high, body) "
                   "VALUES (?, ?, ?, ?, ?)", (key, item["id"], low, high, json.dumps(item)))


def _bounds(item: dict[str, Any]) -> tuple[str, str]:
    """Coarse UTC bounds for the window query; all-day dates are a day wider on each side,
    since their instants depend on the analysis zone."""
    def instant(value: dict[str, Any], slack: int) -> datetime:
        if value.get("dateTime"):
            return datetime.fromisoformat(value["dateTime"]).astimezone(UTC)
        day = date.fromisoformat(value["date"]) + timedelta(days=slack)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    start = instant(item["start"], -1)
    end = instant(item.get("end") or item["start"], 1)
    return start.isoformat(), max(start, end).isoformat()
