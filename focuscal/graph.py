"""The Microsoft Graph v1.0 client shared by the Outlook source and sink.

Sign-in with msal (a public client: device code or browser, its token cache kept with mode
0600 and refreshed silently; or app-only client credentials for administrators), requests
over one ``requests`` session (timeouts, a private CA), ``@odata.nextLink`` paging, ``$batch``
with per-request statuses, and errors translated through ``focuscal.transport``: throttling
(429 with ``Retry-After``), 502/503/504, timeouts and lost connections are retried with
bounded backoff; everything else is one line with Graph's own message. Tokens never appear in
a message.

msal and requests are imported inside functions: importing this module costs nothing.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from focuscal import transport
from focuscal.errors import AuthError, ConfigError, FetchError, FocuscalError, InputError

if TYPE_CHECKING:
    from focuscal.config import Settings
    from focuscal.model import Interval

READ = "Calendars.Read"
WRITE = "Calendars.ReadWrite"
PROFILE = "User.Read"  # /me: the user's own address
SIGN_IN = "run focuscal auth outlook again"
SIGN_IN_WRITE = "run focuscal auth outlook --write"
BATCH_SIZE = 20  # Graph's limit of requests in one $batch
SCHEDULE_SIZE = 20  # mailboxes in one getSchedule call (focuscal team)
# getSchedule statuses that are busy time, and how focuscal reads them
SCHEDULE_BUSY = {"busy": "BUSY", "tentative": "TENTATIVE", "oof": "OOF"}
PAGE_SIZE = 250  # events a calendarView page ($top); Graph's default is 10
RETRY_STATUS = frozenset({429, 502, 503, 504})
# focuscal's mark: a single-value extended property (a named string property of focuscal's
# own property set) whose value is the block's id.
MARK = "String {8c3e5f2a-6d1b-4f7e-9a2c-0b5d7e4f1a93} Name focuscal"
TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]*")
SHARED_TENANTS = ("organizations", "common", "consumers")


# ---------------------------------------------------------------- mailboxes


@dataclass(frozen=True)
class Mailbox:
    """``outlook:me``, ``outlook:USER@DOMAIN``, optionally ``/CALENDAR_ID``."""

    user: str  # "me" or an address (lower-case)
    calendar: str | None = None

    @property
    def uri(self) -> str:
        return f"outlook:{self.user}" + (f"/{self.calendar}" if self.calendar else "")

    @property
    def path(self) -> str:
        return "/me" if self.user == "me" else f"/users/{quote(self.user)}"

    @property
    def calendar_path(self) -> str:
        """The calendar itself: the default one, or the named one."""
        if self.calendar:
            return f"{self.path}/calendars/{quote(self.calendar)}"
        return f"{self.path}/calendar"


def quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="@")


def mailbox(uri: str) -> Mailbox:
    """Parse an ``outlook:`` source or target; a bad one is bad input (exit 2)."""
    rest = uri.split(":", 1)[1].strip() if ":" in uri else ""
    user, _, calendar = rest.partition("/")
    user = user.strip().lower()
    if user != "me" and not re.fullmatch(r"[^@\s/]+@[^@\s/]+\.[^@\s/]+", user):
        raise InputError("expected outlook:me, outlook:USER@DOMAIN or outlook:me/CALENDAR_ID",
                         where=uri)
    return Mailbox(user, calendar.strip() or None)


def mailbox_for(settings: Settings, uri: str) -> Mailbox:
    """``mailbox(uri)``, checked against the credentials: app-only sign-in has no "me"."""
    box = mailbox(uri)
    if box.user == "me" and settings.outlook.credentials == "app":
        raise InputError('outlook:me needs a signed-in user; with outlook.credentials = "app" '
                         "name the mailbox, e.g. outlook:user@example.com", where=uri)
    return box


# ---------------------------------------------------------------- settings


def _https(url: str, key: str, settings: Settings) -> str:
    url = url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"outlook.{key}: expected an https:// URL, got {url!r}",
                          where=settings.path or "config")
    return url


def graph_endpoint(settings: Settings) -> str:
    """The Graph root with its version, e.g. https://graph.microsoft.com/v1.0."""
    return _https(settings.outlook.graph_endpoint, "graph_endpoint", settings)


def resource(settings: Settings) -> str:
    """Scopes name the API by its origin: https://graph.microsoft.com (or a national cloud)."""
    parts = urllib.parse.urlsplit(graph_endpoint(settings))
    return f"{parts.scheme}://{parts.netloc}"


def authority(settings: Settings) -> str:
    tenant = settings.outlook.tenant.strip()
    if not TENANT.fullmatch(tenant):
        raise ConfigError(f"outlook.tenant: expected organizations, common, consumers or a "
                          f"tenant id, got {tenant!r}", where=settings.path or "config")
    return f"{_https(settings.outlook.login_endpoint, 'login_endpoint', settings)}/{tenant}"


def client_id(settings: Settings) -> str:
    value = (settings.outlook.client_id or "").strip()
    if not value:
        raise ConfigError(
            "outlook.client_id is not set",
            where=settings.path or "config",
            hint="register an app in Microsoft Entra ID and put its Application (client) ID "
                 "in [outlook] client_id (README: Microsoft 365 and Outlook)")
    return value


def scopes(settings: Settings, *, write: bool) -> list[str]:
    """Delegated scopes; msal adds openid, profile and offline_access itself."""
    names = [PROFILE, READ, *([WRITE] if write else [])]
    return [f"{resource(settings)}/{name}" for name in names]


def cache_path(settings: Settings) -> Path:
    """msal's token cache of ``focuscal auth outlook`` (mode 0600)."""
    if settings.outlook.token_cache:
        return Path(settings.outlook.token_cache).expanduser()
    from platformdirs import user_data_path

    return user_data_path("focuscal") / "outlook-token-cache.json"


def session(settings: Settings) -> Any:
    """A requests session with focuscal's timeout and CA on every request (msal's too)."""
    import requests

    timeout = settings.timeout
    verify: str | bool = True
    if settings.outlook.cafile:
        verify = str(Path(settings.outlook.cafile).expanduser())

    class Session(requests.Session):
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs.setdefault("timeout", timeout)
            # Per request: requests lets REQUESTS_CA_BUNDLE override a session's verify.
            kwargs.setdefault("verify", verify)
            return super().request(method, url, *args, **kwargs)

    return Session()


# ---------------------------------------------------------------- the token cache


def load_cache(path: Path) -> Any:
    """msal's cache as ``focuscal auth outlook`` saved it."""
    import msal

    cache = msal.SerializableTokenCache()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthError("not signed in to Microsoft 365", where=str(path),
                        hint="run focuscal auth outlook") from None
    except OSError as exc:
        raise AuthError(f"unreadable token cache: {exc.strerror}", where=str(path),
                        hint=SIGN_IN) from None
    try:
        cache.deserialize(text)
    except ValueError:
        raise AuthError("the token cache is damaged", where=str(path), hint=SIGN_IN) from None
    return cache


def save_cache(cache: Any, path: Path) -> None:
    """Write msal's cache atomically, readable only by the user, when it changed."""
    if not cache.has_state_changed:
        return
    from focuscal.files import write_atomic

    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    write_atomic(path, cache.serialize().encode("utf-8"), mode=0o600)
    cache.has_state_changed = False


def _public_app(settings: Settings, cache: Any, http: Any) -> Any:
    import msal

    return _msal(lambda: msal.PublicClientApplication(
        client_id(settings), authority=authority(settings), token_cache=cache, http_client=http,
        instance_discovery=False), settings)


def _msal(build: Callable[[], Any], settings: Settings) -> Any:
    """Run an msal call; its network failures and a tenant it cannot find become one line."""
    import requests

    try:
        return build()
    except requests.RequestException as exc:
        raise FetchError(f"cannot reach Microsoft's sign-in service: {_short(exc)}",
                         where=settings.outlook.login_endpoint) from exc
    except RuntimeError as exc:
        # msal's word for an answer that breaks the protocol (an id token for another request)
        raise AuthError(f"Microsoft sign-in failed: {_short(exc)}",
                        where="Microsoft sign-in") from exc
    except ValueError as exc:
        # msal says so when the tenant's OpenID configuration cannot be found
        if "authority" not in str(exc).lower():
            raise
        raise ConfigError(f"Microsoft does not know the tenant {settings.outlook.tenant!r}",
                          where=settings.path or "config",
                          hint="set outlook.tenant to organizations, common or your tenant "
                               "id") from exc


def _reason(result: dict[str, Any] | None) -> str:
    """An msal error answer -> its error code and the first line of Entra's description."""
    if not result:
        return "no answer"
    code = str(result.get("error") or "refused")
    text = str(result.get("error_description") or "").strip().splitlines()
    first = text[0] if text else ""
    return f"{code}: {first[:200]}" if first else code


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignedIn:
    path: Path
    account: str
    write: bool


def sign_in(settings: Settings, *, write: bool, browser: bool,
            announce: Callable[[str], None]) -> SignedIn:
    """``focuscal auth outlook``: the device-code flow (or the browser flow), then msal's cache
    saved with mode 0600. A new sign-in replaces the previous one."""
    if settings.outlook.credentials == "app":
        raise InputError('outlook.credentials = "app" signs in with the app\'s own '
                         "credentials: focuscal auth outlook is not needed",
                         where="focuscal auth outlook")
    path = cache_path(settings)
    import msal

    cache = msal.SerializableTokenCache()
    http = session(settings)
    app = _public_app(settings, cache, http)
    wanted = scopes(settings, write=write)
    if browser:
        result = _msal(lambda: app.acquire_token_interactive(
            wanted, prompt="select_account", timeout=600), settings)
    else:
        flow = _msal(lambda: app.initiate_device_flow(scopes=wanted), settings)
        if "user_code" not in flow:
            raise AuthError(f"Microsoft refused to start the sign-in ({_reason(flow)})",
                            where="focuscal auth outlook",
                            hint='check outlook.client_id, outlook.tenant and "Allow public '
                                 'client flows" in the app registration')
        announce(flow.get("message") or f"Open {flow.get('verification_uri')} and enter the "
                                          f"code {flow['user_code']}")
        result = _msal(lambda: app.acquire_token_by_device_flow(flow), settings)
    if "access_token" not in result:
        raise AuthError(f"Microsoft sign-in failed ({_reason(result)})",
                        where="focuscal auth outlook")
    save_cache(cache, path)
    claims = result.get("id_token_claims") or {}
    account = str(claims.get("preferred_username") or claims.get("email") or "")
    return SignedIn(path, account, write)


def user_token(settings: Settings, http: Any, *, write: bool) -> Callable[[], str]:
    """Access tokens for the signed-in user, refreshed silently (the cache re-saved)."""
    path = cache_path(settings)
    cache = load_cache(path)
    app = _public_app(settings, cache, http)
    accounts = app.get_accounts()
    if not accounts:
        raise AuthError("not signed in to Microsoft 365", where=str(path),
                        hint="run focuscal auth outlook")
    wanted = scopes(settings, write=write)
    hint = SIGN_IN_WRITE if write else SIGN_IN

    def token() -> str:
        result = _msal(lambda: app.acquire_token_silent_with_error(wanted, accounts[0]),
                       settings)
        save_cache(cache, path)
        if not result:
            raise AuthError("the saved Microsoft sign-in has expired", where="Microsoft sign-in",
                            hint=hint)
        if "access_token" not in result:
            raise AuthError(f"Microsoft refused the saved sign-in ({_reason(result)})",
                            where="Microsoft sign-in", hint=hint)
        return str(result["access_token"])

    return token


def app_token(settings: Settings, http: Any) -> Callable[[], str]:
    """App-only tokens (client credentials): a client secret from the environment, or a
    certificate. The tenant must be a specific one."""
    import msal

    tenant = settings.outlook.tenant.strip().lower()
    where = settings.path or "config"
    if tenant in SHARED_TENANTS:
        raise ConfigError(f'outlook.credentials = "app" needs your tenant id in outlook.tenant, '
                          f"not {tenant!r}", where=where)
    credential = _client_credential(settings)
    app = _msal(lambda: msal.ConfidentialClientApplication(
        client_id(settings), client_credential=credential, authority=authority(settings),
        http_client=http, instance_discovery=False), settings)
    wanted = [f"{resource(settings)}/.default"]

    def token() -> str:
        result = _msal(lambda: app.acquire_token_for_client(wanted), settings)
        if not result or "access_token" not in result:
            raise AuthError(f"Microsoft refused the app's credentials ({_reason(result)})",
                            where="Microsoft sign-in",
                            hint="check outlook.client_id, the client secret or certificate, "
                                 "and the app's Calendars.Read application permission")
        return str(result["access_token"])

    return token


def _client_credential(settings: Settings) -> Any:
    import os

    outlook = settings.outlook
    where = settings.path or "config"
    if outlook.certificate:
        path = Path(outlook.certificate).expanduser()
        if path.suffix.lower() in (".pfx", ".p12"):
            if not path.is_file():
                raise InputError("certificate file not found", where=str(path))
            return {"private_key_pfx_path": str(path)}
        try:
            pem = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("certificate file not found", where=str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"unreadable certificate file: {exc}", where=str(path)) from None
        key = re.search(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----.*?-----END (?:[A-Z]+ )?"
                        r"PRIVATE KEY-----", pem, re.DOTALL)
        cert = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem,
                         re.DOTALL)
        if not key or not cert:
            raise InputError("expected a PEM file with the private key and the certificate",
                             where=str(path))
        # msal derives the certificate's SHA-256 thumbprint from public_certificate.
        return {"private_key": key.group(), "public_certificate": cert.group()}
    secret = os.environ.get(outlook.client_secret_env, "")
    if not secret:
        raise ConfigError(f"no client secret: set the environment variable "
                          f"{outlook.client_secret_env} or outlook.certificate", where=where)
    return secret


# ---------------------------------------------------------------- the client


class GraphError(Exception):
    """A Graph answer with an error status (internal: classify turns it into a Failure)."""

    def __init__(self, status: int, code: str, message: str,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.retry_after = (status, code, message,
                                                                  retry_after)


class _Throttled(Exception):
    """Some parts of a batch were answered 429/503/504: the batch is sent again for them."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("throttled")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Part:
    """One request of a $batch: ``path`` relative to the version root, e.g. /me/events."""

    key: str
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Answer:
    """A part's answer: its status and body, and the error when it failed."""

    status: int
    body: Any = None
    error: FocuscalError | None = None


class Client:
    """Authorised requests to one Graph endpoint, each retried through ``transport``."""

    def __init__(self, settings: Settings, http: Any, token: Callable[[], str]) -> None:
        self.settings = settings
        self.http = http
        self.token = token
        self.base = graph_endpoint(settings)
        self.retry = transport.Retry(attempts=settings.outlook.retries + 1)

    def request(self, method: str, path: str, where: str, *, params: dict[str, str] | None = None,
                body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        """One request (``path`` relative to the root, or a nextLink); the JSON answer."""
        url = path if path.startswith("https://") else self.base + path
        if not url.startswith(self.base + "/"):
            # A nextLink elsewhere would carry the token to another host.
            raise FetchError(f"Microsoft Graph pointed to another server: {url.split('?')[0]}",
                             where=where)
        bearer = self.token()

        def once() -> Any:
            response = self.http.request(
                method, url, params=params, json=body,
                headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json",
                         **(headers or {})})
            if response.status_code >= 400:
                raise _error(response.status_code, _json(response), response.headers)
            if response.status_code == 204 or not response.content:
                return None
            return response.json()

        return transport.call(once, classify=lambda exc: self.classify(exc, where),
                              retry=self.retry)

    def pages(self, path: str, where: str, *, params: dict[str, str],
              headers: dict[str, str] | None = None,
              progress: Callable[[str], None] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of every page, following ``@odata.nextLink``."""
        answer = self.request("GET", path, where, params=params, headers=headers)
        count = 1
        while True:
            yield from answer.get("value", [])
            link = answer.get("@odata.nextLink")
            if not link:
                return
            count += 1
            if progress is not None:
                progress(f"{where}: page {count}")
            answer = self.request("GET", link, where, headers=headers)

    def batch(self, parts: list[Part], where: str) -> dict[str, Answer]:
        """Send ``parts`` in $batch requests of BATCH_SIZE; parts answered 429/503/504 are
        sent again (after the longest Retry-After) within the retry bounds, the others are
        answered as Graph answered them. An authentication failure is raised."""
        answers: dict[str, Answer] = {}
        for start in range(0, len(parts), BATCH_SIZE):
            answers.update(self._batch(parts[start:start + BATCH_SIZE], where))
        return answers

    def _batch(self, chunk: list[Part], where: str) -> dict[str, Answer]:
        done: dict[str, Answer] = {}
        pending = {part.key: part for part in chunk}

        def once() -> None:
            body = {"requests": [_batch_request(part) for part in pending.values()]}
            answer = self.request("POST", "/$batch", where, body=body)
            waits: list[float] = []
            throttled = False
            for item in (answer or {}).get("responses", []):
                key = str(item.get("id"))
                if key not in pending:
                    continue
                status = int(item.get("status") or 0)
                headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
                result = item.get("body")
                error = None
                if status >= 400:
                    graph_error = _error(status, result, headers)
                    error = self._describe(graph_error, where)
                    if status in RETRY_STATUS:
                        throttled = True
                        if graph_error.retry_after is not None:
                            waits.append(graph_error.retry_after)
                        done[key] = Answer(status, result, error)  # kept if no try is left
                        continue
                done[key] = Answer(status, result, error)
                del pending[key]
            for key in list(pending):
                if key not in done:  # Graph left it unanswered: send it again
                    throttled = True
            if throttled and pending:
                raise _Throttled(max(waits) if waits else None)

        try:
            transport.call(once, classify=lambda exc: self.classify(exc, where),
                           retry=self.retry)
        except AuthError:
            raise
        except FocuscalError as exc:
            for key in pending:
                done.setdefault(key, Answer(0, None, exc))
        return done

    # ------------------------------------------------------------ errors

    def classify(self, exc: BaseException, where: str) -> transport.Failure | None:
        import requests

        if isinstance(exc, _Throttled):
            return transport.Failure(FetchError("Microsoft Graph kept throttling the requests",
                                                where=where), True, exc.retry_after)
        if isinstance(exc, GraphError):
            return transport.Failure(self._describe(exc, where), exc.status in RETRY_STATUS,
                                     exc.retry_after)
        if isinstance(exc, requests.Timeout):
            return transport.Failure(FetchError(
                f"no answer from Microsoft Graph within {self.settings.timeout} s", where=where,
                hint="try again, or raise `timeout` in the config"), True)
        if isinstance(exc, requests.ConnectionError):
            return transport.Failure(FetchError(f"cannot reach {self.base}: {_short(exc)}",
                                                where=where), True)
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):  # a body cut short
            return transport.Failure(FetchError(
                "the connection was cut before the whole answer arrived", where=where), True)
        if isinstance(exc, requests.RequestException):
            return transport.Failure(FetchError(
                "Microsoft Graph request failed" + _cause(exc), where=where), False)
        return None

    def _describe(self, exc: GraphError, where: str) -> FocuscalError:
        text = f"Microsoft Graph answered {exc.status}"
        if exc.message:
            text += f": {exc.message}"
        if exc.status == 401:
            return AuthError(text, where=where, hint=SIGN_IN)
        if exc.status == 403:
            app = self.settings.outlook.credentials == "app"
            return AuthError(text, where=where, hint=(
                "grant the app the Calendars application permission for this mailbox"
                if app else SIGN_IN_WRITE))
        if exc.status == 404:
            return FetchError(text, where=where,
                              hint="focuscal calendars outlook lists your calendars")
        error = FetchError(text, where=where)
        error.status = exc.status  # type: ignore[attr-defined]
        return error


def _batch_request(part: Part) -> dict[str, Any]:
    out: dict[str, Any] = {"id": part.key, "method": part.method, "url": part.path}
    if part.body is not None:
        out["body"] = part.body
        out["headers"] = {"Content-Type": "application/json"}
    return out


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error(status: int, body: Any, headers: Any) -> GraphError:
    error = (body or {}).get("error") if isinstance(body, dict) else None
    code = str((error or {}).get("code") or "")
    message = " ".join(str((error or {}).get("message") or "").split())[:300]
    value = None
    if headers:
        value = headers.get("Retry-After") or headers.get("retry-after")
    retry_after = transport.parse_retry_after(value)
    return GraphError(status, code, message, retry_after)


def _cause(exc: BaseException) -> str:
    """": " and what the standard library said beneath a requests error (the deepest cause
    that is not a wrapper), without class names; "" when nothing useful is there."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if isinstance(exc, OSError) and exc.strerror:
        return f": {exc.strerror}"
    return ""


def _short(exc: BaseException) -> str:
    """A library error in a few words, without URLs' credentials or query strings."""
    text = transport.redact(" ".join(str(exc).split()))
    text = re.sub(r"\?[^\s)'\"]*", "", text)
    return text[:200]


def connect(settings: Settings, *, write: bool = False) -> Client:
    """A Client with tokens for the configured credentials (the user's, or the app's)."""
    http = session(settings)
    if settings.outlook.credentials == "app":
        token = app_token(settings, http)
    else:
        token = user_token(settings, http, write=write)
    return Client(settings, http, token)


# ---------------------------------------------------------------- calendars


EXPAND = f"singleValueExtendedProperties($filter=id eq '{MARK}')"
UTC_ONLY = {"Prefer": 'outlook.timezone="UTC"'}


def calendar_view(client: Client, box: Mailbox, window: Interval, *,
                  select: str, progress: Any = None) -> Iterator[dict[str, Any]]:
    """Every instance touching ``window`` and a day around it: Graph places all-day events in
    the mailbox's zone, the exact cut in the analysis zone happens after mapping."""
    params = {
        "startDateTime": _utc(window.start - timedelta(days=1)),
        "endDateTime": _utc(window.end + timedelta(days=1)),
        "$select": select,
        "$expand": EXPAND,
        "$top": str(PAGE_SIZE),
    }
    path = f"{box.calendar_path}/calendarView"
    yield from client.pages(path, box.uri, params=params, headers=UTC_ONLY, progress=progress)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mark(item: dict[str, Any]) -> str | None:
    """The value of focuscal's extended property (a block id), None when unmarked."""
    for prop in item.get("singleValueExtendedProperties") or []:
        if str(prop.get("id", "")).lower() == MARK.lower():
            return str(prop.get("value") or "") or None
    return None


def instant(value: dict[str, Any], where: str) -> datetime:
    """A Graph dateTimeTimeZone -> an aware datetime (UTC, as asked; IANA zones accepted)."""
    text = str(value.get("dateTime") or "")
    zone_name = str(value.get("timeZone") or "UTC")
    try:
        moment = datetime.fromisoformat(text)
        zone: tzinfo = UTC if zone_name.upper() in ("UTC", "Z") else ZoneInfo(zone_name)
    except (ValueError, ZoneInfoNotFoundError):
        raise FetchError(f"Microsoft Graph sent a time that cannot be read: {text!r} in "
                         f"{zone_name!r}", where=where) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class Busy:
    """One busy item of a getSchedule answer: UTC instants and BUSY, TENTATIVE or OOF."""

    start: datetime
    end: datetime
    status: str


def schedules(client: Client, organizer: str | None, addresses: list[str], start: datetime,
              end: datetime) -> dict[str, list[Busy] | FocuscalError]:
    """``getSchedule`` for up to SCHEDULE_SIZE mailboxes over ``[start, end)`` (aware), asked
    by ``organizer`` (None: the signed-in user): each mailbox's busy items, or the error
    Graph gave for that mailbox alone. Free and working-elsewhere time is left out."""
    if len(addresses) > SCHEDULE_SIZE:
        raise ValueError(f"getSchedule takes at most {SCHEDULE_SIZE} mailboxes")
    path = ("/me" if organizer is None else f"/users/{quote(organizer)}") + \
        "/calendar/getSchedule"
    body = {"schedules": addresses, "availabilityViewInterval": 60,
            "startTime": {"dateTime": _utc(start).rstrip("Z"), "timeZone": "UTC"},
            "endTime": {"dateTime": _utc(end).rstrip("Z"), "timeZone": "UTC"}}
    answer = client.request("POST", path, "outlook-schedule", body=body, headers=UTC_ONLY)
    found = {str(v.get("scheduleId", "")).lower(): v for v in (answer or {}).get("value", [])}
    out: dict[str, list[Busy] | FocuscalError] = {}
    for address in addresses:
        item = found.get(address.lower())
        if item is None:
            out[address] = FetchError("Microsoft Graph answered without this mailbox",
                                      where=address)
        elif item.get("error"):
            reason = (item["error"].get("message") or item["error"].get("responseCode")
                      or "refused")
            out[address] = FetchError(f"Microsoft Graph could not read its schedule: "
                                      f"{' '.join(str(reason).split())[:200]}", where=address)
        else:
            try:
                out[address] = [Busy(instant(i["start"], address), instant(i["end"], address),
                                     SCHEDULE_BUSY[str(i.get("status", "")).lower()])
                                for i in item.get("scheduleItems") or []
                                if str(i.get("status", "")).lower() in SCHEDULE_BUSY]
            except (KeyError, TypeError, FetchError) as exc:
                out[address] = exc if isinstance(exc, FetchError) else FetchError(
                    "Microsoft Graph sent a schedule item without times", where=address)
    return out


def me(client: Client, box: Mailbox) -> str | None:
    """The mailbox owner's address: the one named, or /me's mail (its sign-in name without)."""
    if box.user != "me":
        return box.user
    info = client.request("GET", "/me", "outlook:me",
                          params={"$select": "mail,userPrincipalName"}) or {}
    address = info.get("mail") or info.get("userPrincipalName") or ""
    return str(address).lower() or None


def list_calendars(settings: Settings, user: str = "me") -> list[dict[str, Any]]:
    """The calendars of a mailbox: id, name, default, can edit, owner."""
    box = mailbox(f"outlook:{user}")
    client = connect(settings)
    rows = []
    params = {"$select": "id,name,isDefaultCalendar,canEdit,owner", "$top": "100"}
    for item in client.pages(f"{box.path}/calendars", "outlook calendars", params=params):
        rows.append({"id": item.get("id", ""), "name": item.get("name", ""),
                     "default": bool(item.get("isDefaultCalendar")),
                     "can_edit": bool(item.get("canEdit")),
                     "owner": ((item.get("owner") or {}).get("address") or "").lower()})
    return rows
