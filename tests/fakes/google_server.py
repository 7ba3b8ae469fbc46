"""A fake Google Calendar API v3 server for tests: standard library HTTP on 127.0.0.1.

The real google-api-python-client talks to it (build the service from the bundled discovery
document with ``rootUrl`` replaced by ``fake.url``, see RECIPES.md). It keeps calendars and
events in memory and follows the behaviour of the real API that focuscal relies on:

- ``calendarList.list``, ``calendars.get`` (``primary`` is the user's address),
- ``events.list``: ``timeMin`` bounds an event's end and ``timeMax`` its start (both exclusive,
  all-day dates read in the calendar's zone), ``privateExtendedProperty``, ``eventTypes``,
  ``showDeleted``, ``maxResults`` paging with ``nextPageToken``, ``nextSyncToken`` on the last
  page, ``syncToken`` (changes since, deletions included; 410 once tokens are expired; 400 with
  ``timeMin``/``timeMax``/``privateExtendedProperty``), and ``fields`` partial responses,
- ``events.insert`` (client-specified base32hex ids, 409 for an id already used, also by a
  deleted event; 400 for ``focusTime`` where the calendar does not allow it), ``get``,
  ``update`` (which also restores a deleted event), ``patch``, ``delete`` (410 when deleted),
- the batch endpoint ``/batch/calendar/v3`` (multipart/mixed),
- ``freeBusy.query``: at most 50 calendars a request (400 ``tooManyCalendarsRequested``), a
  range of at most FREEBUSY_MAX_DAYS (400 ``timeRangeTooLong``), busy spans merged and clipped
  to the range (cancelled, transparent and declined events left out), errors per calendar
  (``notFound`` for an unknown one, any reason set in ``freebusy_errors``), whole requests
  refused when they ask for a calendar in ``freebusy_refusals``; the most requests served at
  once is kept in ``freebusy_peak``,
- an OAuth token endpoint ``/token`` (refresh, authorization code, service-account JWT) and an
  authorization endpoint ``/auth`` that redirects at once, with bearer tokens and scopes checked
  when ``require_auth`` is set (a calendar.freebusy token may ask freeBusy.query only),
- fault injection: ``fail(status, ...)`` answers matching requests with an error (``times``,
  ``after`` some successes, a ``Retry-After`` header), ``slow(seconds, ...)`` answers late,
  ``sabotage(mode, ...)`` breaks the answer itself (top-level requests): ``cut`` sends half of
  it and closes, ``garbage`` sends a line that is not HTTP, ``silent`` closes without a word.

The fake stores event instances: it does not expand recurrences (``singleEvents`` is accepted).
"""

from __future__ import annotations

import base64
import email.parser
import itertools
import json
import re
import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

READONLY = "https://www.googleapis.com/auth/calendar.readonly"
EVENTS = "https://www.googleapis.com/auth/calendar.events"
FULL = "https://www.googleapis.com/auth/calendar"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"  # freeBusy.query and nothing else
WRITE_SCOPES = {EVENTS, FULL}
ID_PATTERN = re.compile(r"^[a-v0-9]{5,1024}$")
FREEBUSY_MAX_CALENDARS = 50
FREEBUSY_MAX_DAYS = 60
INCOMPATIBLE_WITH_SYNC = ("timeMin", "timeMax", "orderBy", "privateExtendedProperty", "q",
                          "iCalUID", "updatedMin", "sharedExtendedProperty")


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.status, "message": self.message,
                          "errors": [{"domain": "global", "reason": self.reason,
                                      "message": self.message}]}}


class Sabotage(Exception):
    """Break the answer on the wire (see FakeGoogle.sabotage)."""

    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.mode = mode


@dataclass
class Calendar:
    id: str
    summary: str
    primary: bool = False
    access_role: str = "owner"
    time_zone: str = "UTC"
    focus_time: bool = True  # whether events.insert accepts eventType focusTime
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    min_sync_seq: int = 0  # sync tokens older than this answer 410


@dataclass
class Fault:
    status: int  # 0: answer normally (after ``delay``)
    method: str | None = None
    path: str | None = None  # a substring of the path
    reason: str = ""
    message: str = ""
    times: int | None = 1  # None: forever
    after: int = 0  # let this many matching requests through first
    delay: float = 0.0
    seen: int = 0
    retry_after: str | None = None
    mode: str = ""  # cut | garbage | silent: break the answer itself

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path in path
        )


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    status: int = 0
    batch: bool = False


class FakeGoogle:
    """The server's state and request handling; ``start()`` serves it on 127.0.0.1."""

    def __init__(self, user: str = "me@example.com", *, time_zone: str = "UTC") -> None:
        self.user = user
        self.calendars: dict[str, Calendar] = {}
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.lock = threading.RLock()
        self.seq = itertools.count(1)
        self.last_seq = 0
        self.require_auth = False
        self.access_tokens: dict[str, set[str]] = {}
        self.refresh_tokens: dict[str, set[str]] = {}
        self.codes: dict[str, set[str]] = {}
        self.consents: list[dict[str, str]] = []  # the query of each /auth (consent) request
        self.token_requests: list[dict[str, str]] = []
        self.stopping = threading.Event()
        self.freebusy_errors: dict[str, str] = {}  # calendar id -> the reason it answers
        self.freebusy_refusals: dict[str, int] = {}  # calendar id -> status of its requests
        self.freebusy_delay = 0.0  # seconds each freeBusy request takes
        self.freebusy_running = 0
        self.freebusy_peak = 0
        self.add_calendar(user, summary=user, primary=True, time_zone=time_zone)
        self.server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ set-up helpers

    def add_calendar(self, cal_id: str, **kw: Any) -> Calendar:
        kw.setdefault("summary", cal_id)
        cal = Calendar(cal_id, **kw)
        self.calendars[cal_id] = cal
        return cal

    def calendar(self, cal_id: str = "primary") -> Calendar:
        if cal_id == "primary":
            return next(c for c in self.calendars.values() if c.primary)
        if cal_id not in self.calendars:
            raise ApiError(404, "notFound", "Not Found")
        return self.calendars[cal_id]

    def put_event(self, cal_id: str = "primary", **event: Any) -> dict[str, Any]:
        """Store an event as if someone else had created it (no checks)."""
        with self.lock:
            cal = self.calendar(cal_id)
            event.setdefault("id", secrets.token_hex(8))
            event.setdefault("status", "confirmed")
            event.setdefault("iCalUID", f"{event['id']}@google.com")
            event["_seq"] = self._next_seq()
            cal.events[event["id"]] = event
            return public(event)

    def events(self, cal_id: str = "primary", *, deleted: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            return [public(e) for e in self.calendar(cal_id).events.values()
                    if deleted or e.get("status") != "cancelled"]

    def fail(self, status: int, *, method: str | None = None, path: str | None = None,
             reason: str = "", message: str = "", times: int | None = 1, after: int = 0,
             delay: float = 0.0, retry_after: str | None = None, mode: str = "") -> Fault:
        reason = reason or {429: "rateLimitExceeded", 403: "forbidden", 400: "badRequest"}.get(
            status, "backendError")
        fault = Fault(status, method, path, reason, message or f"injected {status}", times,
                      after, delay, retry_after=retry_after, mode=mode)
        with self.lock:
            self.faults.append(fault)
        return fault

    def sabotage(self, mode: str, *, method: str | None = None, path: str | None = None,
                 times: int | None = 1, after: int = 0) -> Fault:
        return self.fail(0, method=method, path=path, times=times, after=after, mode=mode)

    def slow(self, seconds: float, *, method: str | None = None, path: str | None = None,
             times: int | None = 1) -> Fault:
        return self.fail(0, method=method, path=path, times=times, delay=seconds)

    def expire_sync_tokens(self) -> None:
        with self.lock:
            for cal in self.calendars.values():
                cal.min_sync_seq = self.last_seq + 1

    def grant(self, scopes: set[str], *, refresh: str | None = None) -> str:
        """A valid access token (and refresh token) with ``scopes``."""
        token = "at-" + secrets.token_hex(8)
        self.access_tokens[token] = set(scopes)
        if refresh:
            self.refresh_tokens[refresh] = set(scopes)
        return token

    def requests_to(self, method: str, fragment: str) -> list[Logged]:
        return [r for r in self.log if r.method == method and fragment in r.path]

    # ------------------------------------------------------------ serving

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> FakeGoogle:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload = fake.handle(
                    self.command, self.path, dict(self.headers.items()), body)
                if status < 0:
                    self._sabotage(headers["mode"], payload)
                    return
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _sabotage(self, mode: str, payload: bytes) -> None:
                self.close_connection = True
                if mode == "garbage":
                    self.wfile.write(b"HELLO WORLD\r\n\r\n")
                elif mode == "cut":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                # silent: nothing at all

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self.server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ dispatch

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes,
               *, batch: bool = False) -> tuple[int, dict[str, str], bytes]:
        parsed = urllib.parse.urlsplit(raw_path)
        path = urllib.parse.unquote(parsed.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in headers.items()}
        try:
            parsed_body = json.loads(body) if body and "json" in headers.get(
                "content-type", "") else body
        except ValueError:
            parsed_body = body
        entry = Logged(method, path, query, parsed_body, batch=batch)
        with self.lock:
            self.log.append(entry)
        try:
            self._inject(method, path)
            if path.startswith("/batch"):
                status, out_headers, payload = self._batch(headers, body)
            elif path == "/token":
                status, out_headers, payload = 200, JSON, dumps(self._token(body))
            elif path == "/auth":
                status, out_headers, payload = self._authorize(query)
            else:
                result = self._api(method, path, query, parsed_body, headers)
                if result is None:
                    status, out_headers, payload = 204, {}, b""
                else:
                    fields = query.get("fields", [""])[0]
                    status, out_headers = 200, JSON
                    payload = dumps(apply_fields(result, fields) if fields else result)
        except ApiError as exc:
            status, out_headers, payload = exc.status, {**JSON, **exc.headers}, dumps(exc.body())
        except Sabotage as exc:
            # the request is carried out; its answer is broken on the way back
            if path.startswith("/batch"):
                payload = self._batch(headers, body)[2]
            else:
                result = self._api(method, path, query, parsed_body, headers)
                fields = query.get("fields", [""])[0]
                payload = b"" if result is None else dumps(
                    apply_fields(result, fields) if fields else result)
            status, out_headers = -1, {"mode": exc.mode}
        except OAuthError as exc:
            status, out_headers, payload = 400, JSON, dumps({"error": str(exc)})
        entry.status = status
        return status, out_headers, payload

    def _inject(self, method: str, path: str) -> None:
        delay = 0.0
        with self.lock:
            for fault in self.faults:
                if fault.times == 0 or not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                if fault.delay:
                    delay = fault.delay
                if fault.mode:
                    raise Sabotage(fault.mode)
                if fault.status:
                    raise ApiError(fault.status, fault.reason, fault.message,
                                   {"Retry-After": fault.retry_after}
                                   if fault.retry_after else None)
                break
        if delay:
            self.stopping.wait(delay)

    def _api(self, method: str, path: str, query: dict[str, list[str]], body: Any,
             headers: dict[str, str]) -> dict[str, Any] | None:
        path = path.removeprefix("/calendar/v3")
        parts = [p for p in path.split("/") if p]
        # freeBusy.query is a POST that only reads (any calendar scope, or calendar.freebusy)
        freebusy = parts == ["freeBusy"]
        write = method in ("POST", "PUT", "PATCH", "DELETE") and not freebusy
        self._authorized(headers, write, freebusy)
        if parts == ["freeBusy"] and method == "POST":
            return self._freebusy_timed(body)
        with self.lock:
            if parts == ["users", "me", "calendarList"] and method == "GET":
                return self._calendar_list(query)
            if len(parts) == 2 and parts[0] == "calendars" and method == "GET":
                cal = self.calendar(parts[1])
                return {"kind": "calendar#calendar", "id": cal.id, "summary": cal.summary,
                        "timeZone": cal.time_zone}
            if len(parts) >= 3 and parts[0] == "calendars" and parts[2] == "events":
                cal = self.calendar(parts[1])
                if len(parts) == 3 and method == "GET":
                    return self._list(cal, query)
                if len(parts) == 3 and method == "POST":
                    return self._insert(cal, body)
                if len(parts) == 4:
                    return self._one(cal, method, parts[3], body)
        raise ApiError(404, "notFound", f"no such method: {method} {path}")

    def _authorized(self, headers: dict[str, str], write: bool, freebusy: bool) -> None:
        if not self.require_auth:
            return
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token not in self.access_tokens:
            raise ApiError(401, "authError", "Request had invalid authentication credentials.")
        granted = self.access_tokens[token]
        if (write and not granted & WRITE_SCOPES) or (not freebusy and granted <= {FREEBUSY}):
            raise ApiError(403, "insufficientPermissions",
                           "Request had insufficient authentication scopes.")

    # ------------------------------------------------------------ calendars

    def _calendar_list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        items = [{"kind": "calendar#calendarListEntry", "id": c.id, "summary": c.summary,
                  "accessRole": c.access_role, "timeZone": c.time_zone,
                  **({"primary": True} if c.primary else {})}
                 for c in self.calendars.values()]
        return page(items, query, default_size=100, base={"kind": "calendar#calendarList"})

    # ------------------------------------------------------------ events

    def _list(self, cal: Calendar, query: dict[str, list[str]]) -> dict[str, Any]:
        one = {k: v[0] for k, v in query.items()}
        token = one.get("syncToken")
        if token:
            if any(k in one for k in INCOMPATIBLE_WITH_SYNC):
                raise ApiError(400, "invalid",
                               "Sync token cannot be used with other request restrictions.")
            seq = decode_sync(token)
            if seq is None or seq < cal.min_sync_seq:
                raise ApiError(410, "fullSyncRequired",
                               "Sync token is no longer valid, a full sync is required.")
            items = [e for e in cal.events.values() if e["_seq"] > seq]
        else:
            deleted = one.get("showDeleted") == "true"
            low = parse_instant(one["timeMin"]) if "timeMin" in one else None
            high = parse_instant(one["timeMax"]) if "timeMax" in one else None
            zone = ZoneInfo(cal.time_zone)
            wanted = [p.partition("=") for p in query.get("privateExtendedProperty", [])]
            types = set(query.get("eventTypes", []))
            items = []
            for event in cal.events.values():
                if event.get("status") == "cancelled" and not deleted:
                    continue
                start, end = event_span(event, zone)
                if (low is not None and not end > low) or (high is not None and not start < high):
                    continue
                private = event.get("extendedProperties", {}).get("private", {})
                if any(private.get(k) != v for k, _, v in wanted):
                    continue
                if types and event.get("eventType", "default") not in types:
                    continue
                items.append(event)
            if one.get("orderBy") == "startTime":
                items.sort(key=lambda e: event_span(e, zone)[0])
        size = min(int(one.get("maxResults", 250)), 2500)
        result = page([public(e) for e in items], query, default_size=size,
                      base={"kind": "calendar#events", "summary": cal.summary,
                            "timeZone": cal.time_zone, "accessRole": cal.access_role})
        if "nextPageToken" not in result and not any(
            k in one for k in ("privateExtendedProperty", "q")
        ):
            result["nextSyncToken"] = encode_sync(self.last_seq)
        return result

    def _insert(self, cal: Calendar, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "parseError", "This API does not support parsing form-encoded "
                                              "input.")
        event = dict(body)
        if "id" in event:
            if not ID_PATTERN.match(str(event["id"])):
                raise ApiError(400, "invalid", "Invalid resource id value.")
            if event["id"] in cal.events:
                raise ApiError(409, "duplicate", "The requested identifier already exists.")
        else:
            event["id"] = secrets.token_hex(13)
        self._check(cal, event)
        event.setdefault("status", "confirmed")
        event.setdefault("iCalUID", f"{event['id']}@google.com")
        event.setdefault("organizer", {"email": cal.id, "self": True})
        event.setdefault("eventType", "default")
        event["_seq"] = self._next_seq()
        cal.events[event["id"]] = event
        return public(event)

    def _check(self, cal: Calendar, event: dict[str, Any]) -> None:
        if "start" not in event or "end" not in event:
            raise ApiError(400, "required", "Missing end time." if "start" in event
                           else "Missing start time.")
        if event.get("eventType") == "focusTime":
            if not cal.focus_time:
                raise ApiError(400, "invalid",
                               "Focus time events cannot be created on this calendar.")
            if "dateTime" not in event["start"] or event.get("transparency") == "transparent":
                raise ApiError(400, "invalid", "Focus time events must be timed and opaque.")
            mode = event.get("focusTimeProperties", {}).get("autoDeclineMode")
            if mode not in (None, "declineNone", "declineAllConflictingInvitations",
                            "declineOnlyNewConflictingInvitations"):
                raise ApiError(400, "invalid", f"Invalid autoDeclineMode: {mode}")
        start, end = event_span(event, ZoneInfo(cal.time_zone))
        if end < start:
            raise ApiError(400, "timeRangeEmpty", "The specified time range is empty.")

    def _one(self, cal: Calendar, method: str, event_id: str, body: Any) -> dict[str, Any] | None:
        event = cal.events.get(event_id)
        if event is None:
            raise ApiError(404, "notFound", "Not Found")
        if method == "GET":
            return public(event)
        if method == "DELETE":
            if event.get("status") == "cancelled":
                raise ApiError(410, "deleted", "Resource has been deleted")
            event["status"] = "cancelled"
            event["_seq"] = self._next_seq()
            return None
        if method in ("PUT", "PATCH"):
            if not isinstance(body, dict):
                raise ApiError(400, "parseError", "Parse Error")
            updated = dict(body) if method == "PUT" else {**event, **body}
            updated["id"] = event_id
            updated.setdefault("status", "confirmed")
            updated.setdefault("iCalUID", event["iCalUID"])
            updated.setdefault("organizer", event.get("organizer"))
            self._check(cal, updated)
            updated["_seq"] = self._next_seq()
            cal.events[event_id] = updated
            return public(updated)
        raise ApiError(405, "methodNotAllowed", f"{method} is not allowed here")

    def _next_seq(self) -> int:
        self.last_seq = next(self.seq)
        return self.last_seq

    # ------------------------------------------------------------ freeBusy

    def _freebusy_timed(self, body: Any) -> dict[str, Any]:
        with self.lock:
            self.freebusy_running += 1
            self.freebusy_peak = max(self.freebusy_peak, self.freebusy_running)
        try:
            if self.freebusy_delay:
                self.stopping.wait(self.freebusy_delay)
            with self.lock:
                return self._freebusy(body)
        finally:
            with self.lock:
                self.freebusy_running -= 1

    def _freebusy(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or "timeMin" not in body or "timeMax" not in body:
            raise ApiError(400, "required", "Missing timeMin or timeMax.")
        items = body.get("items") or []
        for item in items:
            if item.get("id") in self.freebusy_refusals:
                raise ApiError(self.freebusy_refusals[item["id"]], "backendError",
                               "Backend Error")
        if len(items) > FREEBUSY_MAX_CALENDARS:
            raise ApiError(400, "tooManyCalendarsRequested",
                           "The number of calendars requested is too large.")
        low, high = parse_instant(body["timeMin"]), parse_instant(body["timeMax"])
        if high - low > timedelta(days=FREEBUSY_MAX_DAYS):
            raise ApiError(400, "timeRangeTooLong", "The requested time range is too long.")
        out: dict[str, Any] = {}
        for item in items:
            cal_id = item["id"]
            if cal_id in self.freebusy_errors:
                out[cal_id] = {"errors": [{"domain": "calendar",
                                           "reason": self.freebusy_errors[cal_id]}], "busy": []}
            elif cal_id not in self.calendars and cal_id != "primary":
                out[cal_id] = {"errors": [{"domain": "global", "reason": "notFound"}],
                               "busy": []}
            else:
                out[cal_id] = {"busy": self._busy(self.calendar(cal_id), low, high)}
        return {"kind": "calendar#freeBusy", "timeMin": body["timeMin"],
                "timeMax": body["timeMax"], "calendars": out}

    def _busy(self, cal: Calendar, low: datetime, high: datetime) -> list[dict[str, str]]:
        """The calendar's busy time in ``[low, high)``, merged, as Google shows it (UTC)."""
        zone = ZoneInfo(cal.time_zone)
        spans = []
        for event in cal.events.values():
            declined = any(a.get("self") and a.get("responseStatus") == "declined"
                           for a in event.get("attendees", []))
            if (event.get("status") == "cancelled" or declined
                    or event.get("transparency") == "transparent"
                    or event.get("eventType") in ("workingLocation", "birthday")):
                continue
            start, end = event_span(event, zone)
            start, end = max(start, low), min(end, high)
            if start < end:
                spans.append((start.astimezone(UTC), end.astimezone(UTC)))
        merged: list[list[datetime]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return [{"start": a.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "end": b.strftime("%Y-%m-%dT%H:%M:%SZ")} for a, b in merged]

    # ------------------------------------------------------------ batch

    def _batch(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        content_type = headers.get("content-type", "")
        if "multipart/mixed" not in content_type:
            raise ApiError(400, "badContent", "batch needs multipart/mixed")
        message = email.parser.BytesParser().parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        parts = message.get_payload()
        if len(parts) > 1000:
            raise ApiError(400, "limitExceeded", "Too many requests in batch.")
        boundary = "batch_" + secrets.token_hex(8)
        out = []
        for part in parts:
            # unfold a long header (RFC 5322 folding keeps the space after the line break)
            content_id = re.sub(r"\r?\n(?=[ \t])", "", part["Content-ID"] or "")
            raw = part.get_payload(decode=False)
            head, _, inner_body = raw.replace("\r\n", "\n").partition("\n\n")
            request_line, *header_lines = head.split("\n")
            inner_method, inner_path, _ = request_line.split(" ", 2)
            inner_headers = dict(headers)
            for line in header_lines:
                key, _, value = line.partition(":")
                inner_headers[key.strip().lower()] = value.strip()
            inner_headers.pop("content-length", None)
            status, _, payload = self.handle(inner_method, inner_path, inner_headers,
                                             inner_body.encode(), batch=True)
            reason = {200: "OK", 204: "No Content"}.get(status, "Error")
            response_id = "<response-" + content_id.strip().strip("<>") + ">"
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {response_id}"
                f"\r\n\r\nHTTP/1.1 {status} {reason}\r\n"
                f"Content-Type: application/json; charset=UTF-8\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n{payload.decode()}\r\n"
            )
        out.append(f"--{boundary}--\r\n")
        return 200, {"Content-Type": f"multipart/mixed; boundary={boundary}"}, "".join(
            out).encode()

    # ------------------------------------------------------------ OAuth

    def _token(self, body: bytes) -> dict[str, Any]:
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        self.token_requests.append(form)
        grant = form.get("grant_type")
        if grant == "refresh_token":
            scopes = self.refresh_tokens.get(form.get("refresh_token", ""))
            if scopes is None:
                raise OAuthError("invalid_grant")
            refresh = None
        elif grant == "authorization_code":
            scopes = self.codes.pop(form.get("code", ""), None)
            if scopes is None:
                raise OAuthError("invalid_grant")
            refresh = "rt-" + secrets.token_hex(8)
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            claims = jwt_claims(form.get("assertion", ""))
            scopes = set(claims.get("scope", "").split())
            self.service_account_claims = claims
            refresh = None
        else:
            raise OAuthError("unsupported_grant_type")
        token = self.grant(scopes, refresh=refresh)
        out = {"access_token": token, "expires_in": 3600, "token_type": "Bearer",
               "scope": " ".join(sorted(scopes))}
        if refresh:
            out["refresh_token"] = refresh
        return out

    def _authorize(self, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        one = {k: v[0] for k, v in query.items()}
        self.consents.append(one)
        code = "code-" + secrets.token_hex(6)
        self.codes[code] = set(one.get("scope", "").split())
        target = one["redirect_uri"] + "?" + urllib.parse.urlencode(
            {"code": code, "state": one.get("state", ""), "scope": one.get("scope", "")})
        return 302, {"Location": target}, b""


class OAuthError(Exception):
    pass


JSON = {"Content-Type": "application/json; charset=UTF-8"}


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}


def page(items: list[dict[str, Any]], query: dict[str, list[str]], *, default_size: int,
         base: dict[str, Any]) -> dict[str, Any]:
    size = int(query.get("maxResults", [default_size])[0])
    offset = 0
    if "pageToken" in query:
        try:
            offset = int(base64.urlsafe_b64decode(query["pageToken"][0]).decode().removeprefix(
                "offset:"))
        except ValueError:
            raise ApiError(400, "invalid", "Invalid page token.") from None
    result = dict(base, items=items[offset:offset + size])
    if offset + size < len(items):
        result["nextPageToken"] = base64.urlsafe_b64encode(
            f"offset:{offset + size}".encode()).decode()
    return result


def encode_sync(seq: int) -> str:
    return base64.urlsafe_b64encode(f"sync:{seq}".encode()).decode()


def decode_sync(token: str) -> int | None:
    try:
        return int(base64.urlsafe_b64decode(token).decode().removeprefix("sync:"))
    except ValueError:
        return None


def parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "invalid", f"Bad Request: {text}") from None
    if value.tzinfo is None:
        raise ApiError(400, "invalid", f"Bad Request: {text} has no offset")
    return value


def event_span(event: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime]:
    def instant(value: dict[str, Any]) -> datetime:
        if "dateTime" in value:
            return parse_instant(value["dateTime"])
        return datetime.combine(date.fromisoformat(value["date"]), time(0), zone).astimezone(UTC)

    start = instant(event["start"])
    end = instant(event["end"]) if "end" in event else start + timedelta(days=1)
    return start, end


def jwt_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = assertion.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        raise OAuthError("invalid_grant") from None


# ---------------------------------------------------------------- fields (partial responses)


def parse_fields(text: str) -> dict[str, Any]:
    """'a,b(c,d),e/f' -> {'a': {}, 'b': {'c': {}, 'd': {}}, 'e': {'f': {}}} ({} = all)."""
    pos = 0

    def parse_list() -> dict[str, Any]:
        nonlocal pos
        out: dict[str, Any] = {}
        while pos < len(text):
            match = re.compile(r"[\w]+(/[\w]+)*").match(text, pos)
            if not match:
                raise ApiError(400, "invalidParameter", f"Invalid field selection {text}")
            pos = match.end()
            names = match.group().split("/")
            node = out
            for name in names[:-1]:
                node = node.setdefault(name, {})
            leaf = node.setdefault(names[-1], {})
            if pos < len(text) and text[pos] == "(":
                pos += 1
                leaf.update(parse_list())
                pos += 1  # ")"
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            break
        return out

    return parse_list()


def apply_fields(value: Any, fields: str | dict[str, Any]) -> Any:
    mask = parse_fields(fields) if isinstance(fields, str) else fields
    if not mask:
        return value
    if isinstance(value, list):
        return [apply_fields(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: apply_fields(v, mask[k]) for k, v in value.items() if k in mask}
    return value


# ---------------------------------------------------------------- the same events as ICS


def ics_from_google(items: list[dict[str, Any]], owner: str) -> bytes:
    """An ICS calendar holding the same events as ``items`` (Google's JSON), each feature
    written the way ICS says it: OOO as X-MICROSOFT-CDO-BUSYSTATUS:OOF, focuscal's mark as
    X-FOCUSCAL-BLOCK, self as the owner's address (X-WR-CALNAME), workingLocation and birthday
    events (which ICS does not know) as transparent."""
    def when(name: str, value: dict[str, Any]) -> str:
        if "date" in value:
            return f"{name};VALUE=DATE:{value['date'].replace('-', '')}"
        moment = datetime.fromisoformat(value["dateTime"]).astimezone(UTC)
        return f"{name}:{moment:%Y%m%dT%H%M%SZ}"

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//focuscal tests//EN",
             f"X-WR-CALNAME:{owner}"]
    for item in items:
        lines += ["BEGIN:VEVENT", f"UID:{item.get('iCalUID') or item['id']}",
                  when("DTSTART", item["start"]), when("DTEND", item["end"]),
                  f"SUMMARY:{item.get('summary', '')}",
                  f"STATUS:{item.get('status', 'confirmed').upper()}"]
        if item.get("recurringEventId"):
            lines.append(when("RECURRENCE-ID", item["originalStartTime"]))
        kind = item.get("eventType", "default")
        if item.get("transparency") == "transparent" or kind in ("workingLocation", "birthday"):
            lines.append("TRANSP:TRANSPARENT")
        if kind == "outOfOffice":
            lines.append("X-MICROSOFT-CDO-BUSYSTATUS:OOF")
        if item.get("extendedProperties", {}).get("private", {}).get("focuscal"):
            lines.append("X-FOCUSCAL-BLOCK:1")
        if item.get("organizer"):
            lines.append(f"ORGANIZER:mailto:{item['organizer']['email']}")
        for person in item.get("attendees", []):
            status = {"needsAction": "NEEDS-ACTION"}.get(person.get("responseStatus", ""),
                                                        person.get("responseStatus", "")).upper()
            cutype = ";CUTYPE=RESOURCE" if person.get("resource") else ""
            lines.append(f"ATTENDEE;PARTSTAT={status}{cutype}:mailto:{person['email']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()
