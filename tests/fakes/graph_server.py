"""A fake Microsoft Graph v1.0 and identity platform for tests: HTTPS on 127.0.0.1.

The real msal and the real ``requests`` talk to it: focuscal's ``[outlook] login_endpoint`` and
``graph_endpoint`` point here and ``cafile`` trusts the fake's self-signed certificate (msal
insists on https authorities). It keeps mailboxes, calendars and events in memory and follows
the behaviour of the real services that focuscal relies on:

- identity: OIDC discovery (``/{tenant}/v2.0/.well-known/openid-configuration``), the device
  code endpoint and its polling (``authorization_pending`` until approved), the authorize
  endpoint (signs in at once: a redirect, or a page that posts the code back for
  ``response_mode=form_post``, for the browser flow), the token endpoint (device code,
  authorization code with PKCE, refresh tokens with scopes checked against what was consented,
  client credentials with a secret or a certificate-signed assertion); id tokens and
  ``client_info`` as msal expects them,
- Graph: ``/me``, ``/me/calendars``, ``calendarView`` (window overlap, ``$top`` paging with
  ``@odata.nextLink``, ``Prefer: outlook.timezone``, ``$select``, ``$expand`` and ``$filter`` of
  single-value extended properties), events POST (``transactionId``: a POST repeating the
  ``transactionId`` of an existing event answers 201 with that event and creates nothing),
  GET, PATCH, DELETE, and ``$batch`` (at most 20 requests, each answered with its own status),
- ``calendar/getSchedule`` (at most 20 mailboxes a call, each mailbox's default calendar as
  schedule items with their ``showAs`` status, an error per unknown mailbox or per address in
  ``schedule_errors``; the most calls served at once is kept in ``schedule_peak``),
- bearer tokens checked: scopes of delegated tokens, roles and allowed mailboxes of app tokens,
- fault injection: ``fail(status, ...)`` answers matching requests (batch parts included) with
  an error and an optional ``Retry-After``; ``slow(seconds, ...)`` handles the request and then
  answers late (a lost answer, when the client has given up).

The fake stores event instances: a series is stored as its occurrences.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
RESERVED = {"openid", "profile", "offline_access", "email"}
FIELDS_ALWAYS = ("id", "@odata.etag")


class GraphFault(Exception):
    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


class OAuthFault(Exception):
    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


@dataclass
class Calendar:
    id: str
    name: str
    default: bool = False
    can_edit: bool = True
    events: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Mailbox:
    address: str
    time_zone: str = "UTC"  # where all-day dates are read for a calendarView
    calendars: dict[str, Calendar] = field(default_factory=dict)

    @property
    def default(self) -> Calendar:
        return next(c for c in self.calendars.values() if c.default)


@dataclass
class Fault:
    status: int  # 0: answer normally (after ``delay``)
    method: str | None = None
    path: str | None = None  # a substring of the path
    code: str = ""
    message: str = ""
    retry_after: str | None = None
    times: int | None = 1  # None: forever
    after: int = 0  # let this many matching requests through first
    delay: float = 0.0
    seen: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path is None or self.path in path)


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int = 0
    batch: bool = False


@dataclass
class Grant:
    """What an access or refresh token stands for."""

    user: str | None  # None: an app-only token
    scopes: set[str]  # delegated scopes (short names) or app roles
    nonce: str | None = None  # the browser flow's, echoed in the id token


class FakeGraph:
    """The state and request handling; ``start()`` serves it over TLS on 127.0.0.1."""

    def __init__(self, certfile: Path, keyfile: Path, user: str = "me@example.com", *,
                 time_zone: str = "UTC") -> None:
        self.certfile, self.keyfile = certfile, keyfile
        self.user = user
        self.mailboxes: dict[str, Mailbox] = {}
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.lock = threading.RLock()
        self.ids = itertools.count(1)
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}
        self.codes: dict[str, Grant] = {}
        self.devices: dict[str, dict[str, Any]] = {}
        self.device_approval = "auto"  # auto (on the second poll), deny, or manual
        self.consent: set[str] | None = None  # None: the user consents to what is asked
        self.token_lifetime = 3600
        self.token_requests: list[dict[str, str]] = []
        self.client_secret = "app-secret-1"
        self.certificates: list[Any] = []  # public keys that may sign client assertions
        self.app_roles = {"Calendars.Read"}
        self.app_mailboxes: set[str] | None = None  # an application access policy
        self.stopping = threading.Event()
        self.schedule_errors: dict[str, str] = {}  # address -> the message it answers
        self.schedule_delay = 0.0  # seconds each getSchedule call takes
        self.schedule_running = 0
        self.schedule_peak = 0
        self.add_mailbox(user, time_zone=time_zone)
        self.server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ set-up helpers

    def add_mailbox(self, address: str, *, time_zone: str = "UTC") -> Mailbox:
        box = Mailbox(address.lower(), time_zone)
        box.calendars["cal-default"] = Calendar("cal-default", "Calendar", default=True)
        self.mailboxes[box.address] = box
        return box

    def add_calendar(self, address: str, cal_id: str, name: str, **kw: Any) -> Calendar:
        cal = Calendar(cal_id, name, **kw)
        self.mailboxes[address.lower()].calendars[cal_id] = cal
        return cal

    def calendar(self, address: str | None = None, cal_id: str | None = None) -> Calendar:
        box = self.mailboxes[(address or self.user).lower()]
        return box.calendars[cal_id] if cal_id else box.default

    def put_event(self, address: str | None = None, cal_id: str | None = None,
                  **event: Any) -> dict[str, Any]:
        """Store an event as if someone else had created it (no checks)."""
        with self.lock:
            cal = self.calendar(address, cal_id)
            event.setdefault("id", f"AAMk{secrets.token_hex(10)}=")
            event.setdefault("type", "singleInstance")
            event.setdefault("iCalUId", "040000008200E001" + secrets.token_hex(16).upper())
            _stamp(event)
            cal.events[event["id"]] = event
            return dict(event)

    def events(self, address: str | None = None, cal_id: str | None = None
               ) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(e) for e in self.calendar(address, cal_id).events.values()]

    def move(self, event_id: str, start: datetime, end: datetime,
             address: str | None = None) -> None:
        """The user drags an event in Outlook: new times, same id and properties."""
        with self.lock:
            event = self._find(self.mailboxes[(address or self.user).lower()], event_id)
            event["start"] = when(start)
            event["end"] = when(end)
            _stamp(event)

    def fail(self, status: int, *, method: str | None = None, path: str | None = None,
             code: str = "", message: str = "", retry_after: str | None = None,
             times: int | None = 1, after: int = 0, delay: float = 0.0) -> Fault:
        code = code or {429: "TooManyRequests", 503: "ServiceUnavailable",
                        504: "GatewayTimeout", 401: "InvalidAuthenticationToken",
                        403: "ErrorAccessDenied"}.get(status, "ErrorInternalServerError")
        fault = Fault(status, method, path, code, message or f"injected {status}",
                      retry_after, times, after, delay)
        with self.lock:
            self.faults.append(fault)
        return fault

    def slow(self, seconds: float, *, method: str | None = None, path: str | None = None,
             times: int | None = 1) -> Fault:
        return self.fail(0, method=method, path=path, times=times, delay=seconds)

    def revoke(self) -> None:
        """Every refresh token stops working (revoked, or unused for too long)."""
        with self.lock:
            self.refresh.clear()
            self.access.clear()

    def requests_to(self, method: str, fragment: str) -> list[Logged]:
        return [r for r in self.log if r.method == method and fragment in r.path]

    # ------------------------------------------------------------ serving

    @property
    def origin(self) -> str:
        assert self.server is not None
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    @property
    def graph(self) -> str:
        return self.origin + "/v1.0"

    def start(self) -> FakeGraph:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, payload, delay = fake.handle(
                    self.command, self.path, dict(self.headers.items()), body)
                if delay:
                    fake.stopping.wait(delay)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certfile, self.keyfile)
        # The handshake happens in the handler's thread, not in the accepting one.
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
        self.server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ dispatch

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes, *,
               batch: bool = False) -> tuple[int, dict[str, str], bytes, float]:
        parsed = urllib.parse.urlsplit(raw_path)
        path = urllib.parse.unquote(parsed.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query,
                                                           keep_blank_values=True).items()}
        headers = {k.lower(): v for k, v in headers.items()}
        content_type = headers.get("content-type", "")
        if body and "json" in content_type:
            try:
                parsed_body: Any = json.loads(body)
            except ValueError:
                parsed_body = body
        elif body and "x-www-form-urlencoded" in content_type:
            parsed_body = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        else:
            parsed_body = body
        entry = Logged(method, path, query, headers, parsed_body, batch=batch)
        with self.lock:
            self.log.append(entry)
        delay = 0.0
        out_headers: dict[str, str] = dict(JSON)
        try:
            fault = self._inject(method, path)
            delay = fault.delay if fault else 0.0
            if path.startswith("/v1.0/"):
                status, result = self._graph(method, path.removeprefix("/v1.0"), query,
                                             parsed_body, headers)
                payload = b"" if result is None else dumps(result)
                if result is None:
                    out_headers = {}
            else:
                status, out_headers, payload = self._identity(method, path, query,
                                                              parsed_body)
        except GraphFault as exc:
            status, payload = exc.status, dumps(exc.body())
            out_headers = {**JSON, **exc.headers}
        except OAuthFault as exc:
            status = exc.status
            payload = dumps({"error": exc.error, "error_description": exc.description,
                             "error_codes": [70000]})
        entry.status = status
        return status, out_headers, payload, delay

    def _inject(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times == 0 or not fault.matches(method, path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                if fault.status:
                    extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    raise GraphFault(fault.status, fault.code, fault.message, extra)
                return fault
        return None

    # ------------------------------------------------------------ identity platform

    def _identity(self, method: str, path: str, query: dict[str, str],
                  form: Any) -> tuple[int, dict[str, str], bytes]:
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2:
            raise OAuthFault("invalid_request", "AADSTS90002: no such endpoint", 404)
        tenant, rest = parts[0], "/".join(parts[1:])
        base = f"{self.origin}/{tenant}"
        if rest == "v2.0/.well-known/openid-configuration":
            if tenant == "no-such-tenant":
                raise OAuthFault("invalid_tenant", "AADSTS90002: Tenant not found.", 400)
            return 200, JSON, dumps({
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code"],
            })
        if rest == "oauth2/v2.0/devicecode" and method == "POST":
            return 200, JSON, dumps(self._device_code(form))
        if rest == "oauth2/v2.0/token" and method == "POST":
            return 200, JSON, dumps(self._token(form, f"{base}/oauth2/v2.0/token"))
        if rest == "oauth2/v2.0/authorize":
            code = "code-" + secrets.token_hex(6)
            self.codes[code] = Grant(self.user, self._consented(query.get("scope", "")),
                                     query.get("nonce"))
            answer = {"code": code, "state": query.get("state", "")}
            if query.get("response_mode") == "form_post":
                # The page a browser submits at once: a POST of the code to the redirect URI.
                fields = "".join(f'<input type="hidden" name="{k}" value="{v}">'
                                 for k, v in answer.items())
                page = (f'<html><body onload="document.forms[0].submit()"><form method="post" '
                        f'action="{query["redirect_uri"]}">{fields}</form></body></html>')
                return 200, {"Content-Type": "text/html"}, page.encode()
            target = query["redirect_uri"] + "?" + urllib.parse.urlencode(answer)
            return 302, {"Location": target}, b""
        raise OAuthFault("invalid_request", f"AADSTS90002: no such endpoint {rest}", 404)

    def _consented(self, scope: str) -> set[str]:
        wanted = {short(s) for s in scope.split()} - RESERVED
        if self.consent is not None:
            wanted &= self.consent
        return wanted

    def _device_code(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("client_id") != CLIENT_ID:
            raise OAuthFault("unauthorized_client",
                             "AADSTS700016: Application not found in the directory.")
        code = "dc-" + secrets.token_hex(8)
        user_code = "F" + secrets.token_hex(4).upper()
        self.devices[code] = {"scope": form.get("scope", ""), "polls": 0, "approved": False,
                              "user_code": user_code}
        url = f"{self.origin}/devicelogin"
        return {"device_code": code, "user_code": user_code, "verification_uri": url,
                "expires_in": 900, "interval": 0,
                "message": f"To sign in, use a web browser to open the page {url} and enter "
                           f"the code {user_code} to authenticate."}

    def approve(self, user_code: str) -> None:
        for device in self.devices.values():
            if device["user_code"] == user_code:
                device["approved"] = True

    def _token(self, form: dict[str, str], endpoint: str) -> dict[str, Any]:
        with self.lock:
            self.token_requests.append({k: v for k, v in form.items()
                                        if k in ("grant_type", "scope", "client_id")})
        grant = form.get("grant_type", "")
        wanted = {short(s) for s in form.get("scope", "").split()} - RESERVED
        if grant == "client_credentials":
            return self._client_credentials(form, endpoint)
        if form.get("client_id") != CLIENT_ID:
            raise OAuthFault("unauthorized_client",
                             "AADSTS700016: Application not found in the directory.")
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            device = self.devices.get(form.get("device_code", ""))
            if device is None:
                raise OAuthFault("expired_token", "AADSTS70020: The provided value for the "
                                                  "input parameter 'device_code' is not valid.")
            device["polls"] += 1
            if self.device_approval == "deny":
                raise OAuthFault("authorization_declined", "AADSTS70000: The user declined.")
            if self.device_approval == "auto" and device["polls"] >= 2:
                device["approved"] = True
            if not device["approved"]:
                raise OAuthFault("authorization_pending",
                                 "AADSTS70016: OAuth 2.0 device flow error. Authorization is "
                                 "pending. Continue polling.")
            del self.devices[form["device_code"]]
            return self._issue(Grant(self.user, self._consented(device["scope"])))
        if grant == "authorization_code":
            granted = self.codes.pop(form.get("code", ""), None)
            if granted is None or not form.get("code_verifier"):
                raise OAuthFault("invalid_grant", "AADSTS70008: The provided authorization "
                                                  "code or refresh token has expired.")
            return self._issue(granted)
        if grant == "refresh_token":
            held = self.refresh.get(form.get("refresh_token", ""))
            if held is None:
                raise OAuthFault("invalid_grant", "AADSTS700082: The refresh token has expired "
                                                  "due to inactivity.")
            if not wanted <= held.scopes:
                raise OAuthFault("invalid_grant", "AADSTS65001: The user or administrator has "
                                                  "not consented to use the application.")
            return self._issue(Grant(held.user, held.scopes), scopes=wanted or held.scopes)
        raise OAuthFault("unsupported_grant_type", f"AADSTS70003: {grant}")

    def _client_credentials(self, form: dict[str, str], endpoint: str) -> dict[str, Any]:
        import jwt

        if form.get("client_id") != CLIENT_ID:
            raise OAuthFault("unauthorized_client",
                             "AADSTS700016: Application not found in the directory.", 400)
        if not form.get("scope", "").endswith("/.default"):
            raise OAuthFault("invalid_scope", "AADSTS1002012: The provided value for scope "
                                              "is not valid.")
        if "client_secret" in form:
            if form["client_secret"] != self.client_secret:
                raise OAuthFault("invalid_client", "AADSTS7000215: Invalid client secret "
                                                   "provided.", 401)
        elif "client_assertion" in form:
            for key in self.certificates:
                try:
                    jwt.decode(form["client_assertion"], key, algorithms=["RS256", "PS256"],
                               audience=endpoint)
                    break
                except jwt.PyJWTError:
                    continue
            else:
                raise OAuthFault("invalid_client", "AADSTS700027: The certificate with "
                                                   "identifier used to sign the client "
                                                   "assertion is not registered.", 401)
        else:
            raise OAuthFault("invalid_client", "AADSTS7000218: The request body must contain "
                                               "client_assertion or client_secret.", 401)
        token = "at-app-" + secrets.token_hex(10)
        self.access[token] = Grant(None, set(self.app_roles))
        return {"token_type": "Bearer", "expires_in": self.token_lifetime,
                "access_token": token}

    def _issue(self, grant: Grant, scopes: set[str] | None = None) -> dict[str, Any]:
        access = "at-" + secrets.token_hex(12)
        refresh = "rt-" + secrets.token_hex(12)
        self.access[access] = Grant(grant.user, set(scopes or grant.scopes))
        self.refresh[refresh] = Grant(grant.user, set(grant.scopes))
        oid = "00000000-0000-0000-0000-" + secrets.token_hex(6)
        now = int(time.time())
        claims = {"iss": f"{self.origin}/{TENANT_ID}/v2.0", "aud": CLIENT_ID, "sub": oid,
                  "oid": oid, "tid": TENANT_ID, "iat": now, "nbf": now, "exp": now + 3600,
                  "preferred_username": grant.user, "name": "Test User", "ver": "2.0"}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        info = {"uid": oid, "utid": TENANT_ID}
        return {"token_type": "Bearer", "expires_in": self.token_lifetime,
                "ext_expires_in": self.token_lifetime,
                "scope": " ".join(f"{self.origin}/{s}" for s in sorted(scopes or grant.scopes)),
                "access_token": access, "refresh_token": refresh,
                "id_token": jwt_unsigned(claims), "client_info": b64(json.dumps(info))}

    # ------------------------------------------------------------ Graph

    def _graph(self, method: str, path: str, query: dict[str, str], body: Any,
               headers: dict[str, str]) -> tuple[int, Any]:
        if path == "/$batch" and method == "POST":
            return 200, self._batch(body, headers)
        if path.endswith("/calendar/getSchedule") and method == "POST":
            return self._schedule_timed(method, path, query, body, headers)
        grant = self._bearer(headers)
        parts = [p for p in path.split("/") if p]
        with self.lock:
            if parts[:1] == ["me"]:
                if grant.user is None:
                    raise GraphFault(400, "BadRequest", "/me request is only valid with "
                                                        "delegated authentication flow.")
                box, rest = self.mailboxes[grant.user.lower()], parts[1:]
            elif parts[:1] == ["users"] and len(parts) >= 2:
                address = parts[1].lower()
                if address not in self.mailboxes:
                    raise GraphFault(404, "ErrorInvalidUser", f"The requested user "
                                                              f"'{parts[1]}' is invalid.")
                box, rest = self.mailboxes[address], parts[2:]
                self._may_open(grant, box)
            else:
                raise GraphFault(400, "BadRequest", f"Resource not found for the segment "
                                                    f"'{parts[0] if parts else ''}'.")
            write = method in ("POST", "PATCH", "DELETE")
            if not rest:
                self._needs(grant, "User.Read")
                return 200, select({"id": "user-1", "mail": box.address,
                                    "userPrincipalName": box.address,
                                    "displayName": "Test User"}, query)
            self._needs(grant, "Calendars.ReadWrite" if write else "Calendars.Read")
            return self._calendar_api(box, method, rest, query, body, headers, path)

    def _bearer(self, headers: dict[str, str]) -> Grant:
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        grant = self.access.get(token)
        if grant is None:
            raise GraphFault(401, "InvalidAuthenticationToken",
                             "Access token has expired or is not yet valid.")
        return grant

    def _needs(self, grant: Grant, scope: str) -> None:
        enough = {scope, "Calendars.ReadWrite"} if scope == "Calendars.Read" else {scope}
        if not grant.scopes & enough:
            raise GraphFault(403, "ErrorAccessDenied", "Access is denied. Check credentials "
                                                       "and try again.")

    def _may_open(self, grant: Grant, box: Mailbox) -> None:
        if grant.user is not None:
            if grant.user.lower() != box.address:
                raise GraphFault(403, "ErrorAccessDenied", "Access is denied. Check "
                                                           "credentials and try again.")
            return
        if self.app_mailboxes is not None and box.address not in self.app_mailboxes:
            raise GraphFault(403, "ErrorAccessDenied", "Access to OData is disabled: your "
                                                       "organisation's application access "
                                                       "policy blocks this mailbox.")

    def _calendar_api(self, box: Mailbox, method: str, rest: list[str], query: dict[str, str],
                      body: Any, headers: dict[str, str], full: str) -> tuple[int, Any]:
        zone = prefer_zone(headers)
        if rest == ["calendars"] and method == "GET":
            rows = [{"id": c.id, "name": c.name, "isDefaultCalendar": c.default,
                     "canEdit": c.can_edit,
                     "owner": {"name": "Test User", "address": box.address}}
                    for c in box.calendars.values()]
            return 200, self._page([select(r, query) for r in rows], query, headers, full)
        cal: Calendar | None = None
        if rest[:1] == ["calendar"]:
            cal, rest = box.default, rest[1:]
        elif rest[:1] == ["calendars"] and len(rest) >= 2:
            cal = box.calendars.get(rest[1])
            if cal is None:
                raise GraphFault(404, "ErrorItemNotFound", "The specified object was not "
                                                           "found in the store.")
            rest = rest[2:]
        if rest == ["calendarView"] and method == "GET":
            items = self._view(box, [cal] if cal else [box.default], query)
            shown = [self._shown(e, zone, query, box) for e in items]
            return 200, self._page(shown, query, headers, full)
        if rest == ["events"] and method == "POST":
            return 201, self._shown(self._create(box, cal or box.default, body), zone, {}, box)
        if rest == ["events"] and method == "GET":
            items = [e for c in ([cal] if cal else box.calendars.values())
                     for e in c.events.values() if self._filtered(e, query)]
            return 200, self._page([self._shown(e, zone, query, box) for e in items], query,
                                   headers, full)
        if len(rest) == 2 and rest[0] == "events" and cal is None:
            event = self._find(box, rest[1])
            if method == "GET":
                return 200, self._shown(event, zone, query, box)
            if method == "DELETE":
                for c in box.calendars.values():
                    c.events.pop(event["id"], None)
                return 204, None
            if method == "PATCH" and isinstance(body, dict):
                event.update({k: v for k, v in body.items() if k != "id"})
                _stamp(event)
                return 200, self._shown(event, zone, {}, box)
        raise GraphFault(400, "BadRequest", f"Unsupported request: {method} /{'/'.join(rest)}")

    def _find(self, box: Mailbox, event_id: str) -> dict[str, Any]:
        for cal in box.calendars.values():
            if event_id in cal.events:
                return cal.events[event_id]
        raise GraphFault(404, "ErrorItemNotFound",
                         "The specified object was not found in the store.")

    def _view(self, box: Mailbox, cals: list[Calendar], query: dict[str, str]
              ) -> list[dict[str, Any]]:
        if "startDateTime" not in query or "endDateTime" not in query:
            raise GraphFault(400, "ErrorInvalidParameter", "This request requires a time "
                                                           "window specified by the query "
                                                           "string parameters StartDateTime "
                                                           "and EndDateTime.")
        low = parse_query_time(query["startDateTime"])
        high = parse_query_time(query["endDateTime"])
        zone = ZoneInfo(box.time_zone)
        out = []
        for cal in cals:
            for event in cal.events.values():
                start, end = span(event, zone)
                touches = (end > low and start < high) or (start == end and low <= start < high)
                if touches and self._filtered(event, query):
                    out.append(event)
        out.sort(key=lambda e: (span(e, zone)[0], e["id"]))
        return out

    def _filtered(self, event: dict[str, Any], query: dict[str, str]) -> bool:
        text = query.get("$filter")
        if not text:
            return True
        m = re.fullmatch(r"singleValueExtendedProperties/any\(ep:\s*ep/id eq '([^']+)'"
                         r"(?:\s+and\s+ep/value eq '([^']*)')?\)", text.strip(), re.IGNORECASE)
        if not m:
            raise GraphFault(400, "ErrorInvalidUrlQueryFilter", f"Unsupported filter: {text}")
        for prop in event.get("singleValueExtendedProperties", []):
            if prop["id"].lower() == m[1].lower() and (m[2] is None or prop["value"] == m[2]):
                return True
        return False

    def _shown(self, event: dict[str, Any], zone: ZoneInfo, query: dict[str, str],
               box: Mailbox) -> dict[str, Any]:
        out = {k: v for k, v in event.items() if k != "singleValueExtendedProperties"}
        out["@odata.etag"] = f'W/"{event["changeKey"]}"'
        for key in ("start", "end"):
            out[key] = shown_time(event[key], zone, bool(event.get("isAllDay")))
        out = select(out, query)
        expand = query.get("$expand", "")
        if expand:
            m = re.fullmatch(r"singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)",
                             expand.strip())
            if not m:
                raise GraphFault(400, "BadRequest", f"Unsupported $expand: {expand}")
            props = [p for p in event.get("singleValueExtendedProperties", [])
                     if p["id"].lower() == m[1].lower()]
            if props:
                out["singleValueExtendedProperties"] = [dict(p) for p in props]
        return out

    def _page(self, items: list[dict[str, Any]], query: dict[str, str],
              headers: dict[str, str], path: str) -> dict[str, Any]:
        size = int(query.get("$top") or 0) or max_page(headers) or 10
        skip = int(query.get("$skip") or 0)
        result: dict[str, Any] = {"value": items[skip:skip + size]}
        if skip + size < len(items):
            rest = {k: v for k, v in query.items() if k != "$skip"}
            rest["$skip"] = str(skip + size)
            result["@odata.nextLink"] = f"{self.graph}{path}?{urllib.parse.urlencode(rest)}"
        return result

    def _create(self, box: Mailbox, cal: Calendar, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or "start" not in body or "end" not in body:
            raise GraphFault(400, "ErrorInvalidRequest", "Your request can't be completed. "
                                                         "The start and end are required.")
        transaction = body.get("transactionId")
        if transaction:
            for c in box.calendars.values():
                for event in c.events.values():
                    if event.get("transactionId") == transaction:
                        return event  # Graph answers 201 with the event it already has
        event = dict(body)
        event["id"] = f"AAMk{next(self.ids):06d}{secrets.token_hex(6)}="
        event.setdefault("type", "singleInstance")
        event.setdefault("isCancelled", False)
        event.setdefault("showAs", "busy")
        event["iCalUId"] = "040000008200E001" + secrets.token_hex(16).upper()
        event.setdefault("organizer", {"emailAddress": {"address": box.address}})
        event["responseStatus"] = {"response": "organizer", "time": "0001-01-01T00:00:00Z"}
        for key in ("start", "end"):
            zone = event[key].get("timeZone", "UTC")
            try:
                ZoneInfo(zone)
            except (ValueError, KeyError) as exc:
                raise GraphFault(400, "TimeZoneNotSupportedException",
                                 f"A valid TimeZone value must be specified: {zone}") from exc
        start, end = span(event, ZoneInfo(box.time_zone))
        if end < start:
            raise GraphFault(400, "ErrorInvalidRequest", "The end must be after the start.")
        _stamp(event)
        cal.events[event["id"]] = event
        return event

    # ------------------------------------------------------------ getSchedule

    def _schedule_timed(self, method: str, path: str, query: dict[str, str], body: Any,
                        headers: dict[str, str]) -> tuple[int, Any]:
        with self.lock:
            self.schedule_running += 1
            self.schedule_peak = max(self.schedule_peak, self.schedule_running)
        try:
            if self.schedule_delay:
                self.stopping.wait(self.schedule_delay)
            return self._schedule(path, body, headers)
        finally:
            with self.lock:
                self.schedule_running -= 1

    def _schedule(self, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        """Free/busy is visible across the organisation: the caller needs Calendars.Read
        (or ReadBasic) and the right to ask as the organizer, not access to each mailbox."""
        grant = self._bearer(headers)
        parts = [p for p in path.split("/") if p]
        with self.lock:
            if parts[0] == "me":
                if grant.user is None:
                    raise GraphFault(400, "BadRequest", "/me request is only valid with "
                                                        "delegated authentication flow.")
            else:
                organizer = self.mailboxes.get(parts[1].lower())
                if organizer is None:
                    raise GraphFault(404, "ErrorInvalidUser", f"The requested user "
                                                              f"'{parts[1]}' is invalid.")
                self._may_open(grant, organizer)
            self._needs(grant, "Calendars.Read")
            schedules = (body or {}).get("schedules") if isinstance(body, dict) else None
            if not isinstance(schedules, list) or not schedules:
                raise GraphFault(400, "ErrorInvalidParameter", "schedules is required.")
            if len(schedules) > 20:
                raise GraphFault(400, "ErrorInvalidParameter", "The number of schedules "
                                                               "exceeds the maximum of 20.")
            low, high = instant(body["startTime"]), instant(body["endTime"])
            zone = prefer_zone(headers)
            return 200, {"value": [self._one_schedule(str(a), low, high, zone)
                                   for a in schedules]}

    def _one_schedule(self, address: str, low: datetime, high: datetime,
                      zone: ZoneInfo) -> dict[str, Any]:
        box = self.mailboxes.get(address.lower())
        if address.lower() in self.schedule_errors or box is None:
            message = self.schedule_errors.get(address.lower(), "The requested user is invalid.")
            return {"scheduleId": address, "availabilityView": "",
                    "error": {"message": message, "responseCode": "ErrorInvalidUser"}}
        items = []
        for event in box.default.events.values():
            if event.get("isCancelled"):
                continue
            start, end = span(event, ZoneInfo(box.time_zone))
            if end > low and start < high:
                items.append({"isPrivate": False, "status": event.get("showAs", "busy"),
                              "start": shown_time(event["start"], zone, False),
                              "end": shown_time(event["end"], zone, False)})
        return {"scheduleId": address, "availabilityView": "", "scheduleItems": items,
                "workingHours": {}}

    # ------------------------------------------------------------ $batch

    def _batch(self, body: Any, headers: dict[str, str]) -> dict[str, Any]:
        requests = (body or {}).get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            raise GraphFault(400, "BadRequest", "Invalid batch payload.")
        if len(requests) > 20:
            raise GraphFault(400, "BadRequest", "Number of batch request steps exceeds the "
                                                "maximum of 20.")
        ids = [str(r.get("id")) for r in requests]
        if len(set(ids)) != len(ids):
            raise GraphFault(400, "BadRequest", "Batch request ids must be unique.")
        responses = []
        for item in requests:
            inner = {**{k: v for k, v in headers.items() if k in ("authorization", "prefer")},
                     **{str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}}
            payload = json.dumps(item["body"]).encode() if "body" in item else b""
            if payload:
                inner["content-type"] = "application/json"
            status, out_headers, raw, _ = self.handle(
                item["method"], "/v1.0" + item["url"], inner, payload, batch=True)
            answer: dict[str, Any] = {"id": item["id"], "status": status}
            if "Retry-After" in out_headers:
                answer["headers"] = {"Retry-After": out_headers["Retry-After"]}
            if raw:
                answer["body"] = json.loads(raw)
            responses.append(answer)
        return {"responses": responses[::-1]}  # Graph may answer in any order


# ---------------------------------------------------------------- helpers


JSON = {"Content-Type": "application/json; charset=utf-8"}


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def jwt_unsigned(claims: dict[str, Any]) -> str:
    return ".".join([b64(json.dumps({"alg": "none", "typ": "JWT"})), b64(json.dumps(claims)),
                     ""])


def short(scope: str) -> str:
    """https://host/Calendars.Read -> Calendars.Read"""
    return scope.rsplit("/", 1)[-1] if "://" in scope else scope


def _stamp(event: dict[str, Any]) -> None:
    event["changeKey"] = secrets.token_hex(6)
    event["lastModifiedDateTime"] = datetime.now(UTC).isoformat()


def when(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "UTC"}


def prefer_zone(headers: dict[str, str]) -> ZoneInfo:
    m = re.search(r'outlook\.timezone="([^"]+)"', headers.get("prefer", ""))
    name = m[1] if m else "UTC"
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        raise GraphFault(400, "ErrorTimeZoneNotSupported",
                         f"The time zone {name} is not supported.") from None


def max_page(headers: dict[str, str]) -> int:
    m = re.search(r"odata\.maxpagesize=(\d+)", headers.get("prefer", ""))
    return int(m[1]) if m else 0


def parse_query_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise GraphFault(400, "ErrorInvalidParameter", f"Invalid date: {text}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def instant(value: dict[str, str]) -> datetime:
    moment = datetime.fromisoformat(value["dateTime"])
    return moment.replace(tzinfo=ZoneInfo(value.get("timeZone") or "UTC")).astimezone(UTC)


def span(event: dict[str, Any], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """An event's instants; all-day dates are read in the mailbox's zone."""
    if event.get("isAllDay"):
        first = date.fromisoformat(event["start"]["dateTime"][:10])
        last = date.fromisoformat(event["end"]["dateTime"][:10])
        return (datetime.combine(first, datetime.min.time(), zone).astimezone(UTC),
                datetime.combine(last, datetime.min.time(), zone).astimezone(UTC))
    return instant(event["start"]), instant(event["end"])


def shown_time(value: dict[str, str], zone: ZoneInfo, all_day: bool) -> dict[str, str]:
    """A time as Graph shows it in the Prefer zone; all-day events stay at midnight."""
    if all_day:
        return {"dateTime": value["dateTime"][:10] + "T00:00:00.0000000",
                "timeZone": str(zone.key)}
    moment = instant(value).astimezone(zone)
    return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": str(zone.key)}


def select(item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    fields = [f.strip() for f in query.get("$select", "").split(",") if f.strip()]
    if not fields:
        return item
    keep = set(fields) | set(FIELDS_ALWAYS)
    return {k: v for k, v in item.items() if k in keep}
