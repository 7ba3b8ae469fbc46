"""The Google Calendar API v3 client shared by the Google source and sink.

Credentials (OAuth token file, service account, or anonymous for a loopback endpoint), the
service built from the bundled discovery document with ``rootUrl`` replaced by
``[google] api_endpoint`` (so batch requests go there too), the paging of list requests, and
every request through ``focuscal.transport``: rate limits, server errors, timeouts and lost or
half-sent answers are retried with exponential backoff and jitter (``Retry-After`` honoured),
and what still fails is one line with Google's message.

googleapiclient, google-auth and httplib2 are imported inside functions: importing this module
costs nothing, so ``focuscal --help`` and ICS audits stay fast.
"""

from __future__ import annotations

import ipaddress
import json
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focuscal import transport
from focuscal.errors import AuthError, ConfigError, FetchError, FocuscalError, InputError

if TYPE_CHECKING:
    from focuscal.config import Settings

READ_SCOPES = ("https://www.googleapis.com/auth/calendar.readonly",)
# free/busy only (focuscal team): no titles, no attendees, no event of anyone's
FREEBUSY_SCOPES = ("https://www.googleapis.com/auth/calendar.freebusy",)
FREEBUSY_SIZE = 50  # calendars in one freeBusy.query (Google's calendarExpansionMax)
WRITE_SCOPES = (*READ_SCOPES, "https://www.googleapis.com/auth/calendar.events")
# Either of these lets focuscal create and delete events.
WRITING = {"https://www.googleapis.com/auth/calendar.events",
           "https://www.googleapis.com/auth/calendar"}
SIGN_IN = "run focuscal auth google"
SIGN_IN_WRITE = "run focuscal auth google --write"
SIGN_IN_FREEBUSY = "run focuscal auth google --freebusy (or focuscal auth google)"
BATCH_SIZE = 50  # Google's advice for Calendar batches (the hard limit is 1000)
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
# Google's advice: exponential backoff from about a second; waits of at most half a minute
BASE_DELAY = 1.0
MAX_DELAY = 32.0

# events.list: only the fields focuscal reads, and as many per page as Google gives.
ITEM_FIELDS = (
    "id,iCalUID,status,summary,start,end,transparency,eventType,"
    "attendees(email,self,responseStatus,resource),organizer(email),"
    "extendedProperties/private,recurringEventId,originalStartTime"
)
LIST_FIELDS = f"nextPageToken,nextSyncToken,items({ITEM_FIELDS})"
PAGE_SIZE = 2500  # Google's maximum: the fewest round trips


def calendar_id(uri: str) -> str:
    cal = uri.split(":", 1)[1].strip() if ":" in uri else ""
    if not cal:
        raise InputError("expected google:CALENDAR_ID, e.g. google:primary", where=uri)
    return cal


def is_loopback(endpoint: str) -> bool:
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint(settings: Settings) -> str:
    """The API root URL (with a trailing slash), checked against the credentials setting."""
    url = settings.google.api_endpoint.strip()
    where = settings.path or "config"
    if not url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"google.api_endpoint: expected an http(s) URL, got {url!r}",
                          where=where)
    if settings.google.credentials == "anonymous" and not is_loopback(url):
        raise ConfigError(
            f'google.credentials = "anonymous" is only accepted for a loopback api_endpoint '
            f"(127.0.0.1, ::1 or localhost), not {url}",
            where=where,
        )
    return url if url.endswith("/") else url + "/"


def token_path(settings: Settings, *, freebusy: bool = False) -> Path:
    """Where the OAuth token of ``focuscal auth google`` is kept (mode 0600); ``freebusy``:
    the free/busy-only token of ``auth google --freebusy``, kept beside it (``NAME-freebusy``)
    so that signing in for a team never replaces the token that reads your own calendar."""
    if settings.google.token_file:
        path = Path(settings.google.token_file).expanduser()
    else:
        from platformdirs import user_data_path

        path = user_data_path("focuscal") / "google-token.json"
    return path.with_name(f"{path.stem}-freebusy{path.suffix}") if freebusy else path


def user_token(settings: Settings, scopes: tuple[str, ...] | None) -> Path:
    """The token file that serves ``scopes``: for free/busy, the free/busy-only token when
    there is one (else the ordinary token, whose read scope covers free/busy too)."""
    if scopes == FREEBUSY_SCOPES:
        narrow = token_path(settings, freebusy=True)
        if narrow.exists():
            return narrow
    return token_path(settings)


# ---------------------------------------------------------------- credentials


def credentials(settings: Settings, *, write: bool = False,
                scopes: tuple[str, ...] | None = None) -> Any:
    """Credentials for the configured method; OAuth tokens are refreshed (and re-saved) when
    expired. ``write`` asks for a scope that can create events; ``scopes`` replaces the read
    scopes a service account asks for (an OAuth token keeps the scopes it was granted; for
    free/busy, the free/busy token is used when there is one)."""
    method = settings.google.credentials
    if method == "anonymous":
        endpoint(settings)
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    if method == "service_account":
        return _service_account(settings, write, scopes)
    return _user_credentials(user_token(settings, scopes), write,
                             SIGN_IN_FREEBUSY if scopes == FREEBUSY_SCOPES else SIGN_IN)


def _service_account(settings: Settings, write: bool,
                     scopes: tuple[str, ...] | None = None) -> Any:
    from google.oauth2 import service_account

    name = settings.google.service_account_file
    if not name:
        raise ConfigError(
            'google.credentials = "service_account" needs google.service_account_file',
            where=settings.path or "config")
    path = Path(name).expanduser()
    try:
        creds = service_account.Credentials.from_service_account_file(
            str(path), scopes=list(WRITE_SCOPES if write else scopes or READ_SCOPES))
    except FileNotFoundError as exc:
        raise InputError("service account key file not found", where=str(path)) from exc
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"not a service account key file: {exc}", where=str(path)) from exc
    if settings.google.subject:
        # Domain-wide delegation: act as this user of the Workspace domain.
        creds = creds.with_subject(settings.google.subject)
    return creds


def _user_credentials(path: Path, write: bool, sign_in: str) -> Any:
    from google.oauth2.credentials import Credentials

    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AuthError("not signed in to Google", where=str(path), hint=sign_in) from exc
    except (OSError, ValueError) as exc:
        raise AuthError(f"unreadable Google token file: {exc}", where=str(path),
                        hint=SIGN_IN) from exc
    try:
        creds = Credentials.from_authorized_user_info(info)
    except ValueError as exc:
        raise AuthError(f"invalid Google token file: {exc}", where=str(path),
                        hint=SIGN_IN) from exc
    if info.get("token_uri"):
        # from_authorized_user_info always uses Google's token URI; keep the stored one.
        creds = creds.with_token_uri(info["token_uri"])
    if info.get("token") and info.get("expiry"):
        creds.token = info["token"]
        from datetime import datetime

        creds.expiry = datetime.fromisoformat(info["expiry"].rstrip("Z")).replace(tzinfo=None)
    if write:
        require_write(creds, str(path))
    return creds


def require_write(creds: Any, where: str) -> None:
    """Fail early, with the way out, when a token says it may only read."""
    scopes = getattr(creds, "scopes", None)
    if scopes and not set(scopes) & WRITING:
        raise AuthError("the saved Google sign-in may only read calendars", where=where,
                        hint=SIGN_IN_WRITE)


def refresh(creds: Any, settings: Settings) -> None:
    """Refresh an expired OAuth token now, so a revoked one fails with a clear message."""
    if creds.valid:
        return
    if not (getattr(creds, "refresh_token", None) or hasattr(creds, "signer")):
        raise AuthError("the saved Google sign-in has expired", where="Google sign-in",
                        hint=SIGN_IN)
    from google.auth.exceptions import RefreshError, TransportError
    from google.auth.transport.requests import Request

    def classify_refresh(exc: BaseException) -> transport.Failure | None:
        where = "Google sign-in"
        if isinstance(exc, RefreshError):
            return transport.Failure(AuthError(
                f"Google refused the saved sign-in ({_oauth_reason(exc)})", where=where,
                hint=SIGN_IN), retryable=False)
        if isinstance(exc, TransportError):
            return transport.Failure(FetchError(
                f"cannot reach Google's token endpoint: {_first_line(exc)}", where=where),
                retryable=True)
        return None

    retry = transport.Retry(attempts=settings.google.retries + 1, base_delay=BASE_DELAY,
                            max_delay=MAX_DELAY)
    transport.call(lambda: creds.refresh(Request()), classify=classify_refresh, retry=retry)


def _oauth_reason(exc: BaseException) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text.split(":")[0].strip() or "expired or revoked"


def save_token(creds: Any, path: Path) -> None:
    """Write an authorized-user token file, readable only by the user."""
    from focuscal.files import write_atomic

    write_atomic(path, creds.to_json().encode("utf-8"), mode=0o600, parents=True)


# ---------------------------------------------------------------- client


@dataclass(frozen=True)
class Listing:
    """Every item of every page of one list request, and the ``nextSyncToken`` of its last
    page (events.list only; None when Google sent none)."""

    items: list[dict[str, Any]]
    sync_token: str | None
    pages: int


@dataclass
class Client:
    """A Calendar v3 service with the settings it was built from."""

    service: Any
    settings: Settings
    creds: Any
    token_file: Path | None = None
    saved_token: str | None = None
    retries: int = 5

    @property
    def retry(self) -> transport.Retry:
        return transport.Retry(attempts=self.retries + 1, base_delay=BASE_DELAY,
                               max_delay=MAX_DELAY)

    def call(self, request: Any, where: str) -> Any:
        """Execute one request; rate limits, 5xx, timeouts and lost answers are retried with
        backoff. Every request focuscal sends is safe to repeat: reads, inserts under a
        client-chosen id (a repeat is answered 409), deletes (410) and updates."""
        return transport.call(lambda: request.execute(num_retries=0),
                              classify=lambda exc: classify(exc, where, self.settings),
                              retry=self.retry)

    def list_all(self, lister: Callable[..., Any], params: dict[str, Any], where: str, *,
                 on_page: Callable[[int], None] | None = None) -> Listing:
        """Page a list request (``service.events().list``, ``calendarList().list``) by
        ``pageToken`` to its end. ``on_page(n)`` is told when page ``n`` (from 1) has come
        and another follows. ``list_next`` is not used: it fails on repeated parameters."""
        items: list[dict[str, Any]] = []
        page_token = None
        pages = 0
        while True:
            query = {**params, **({"pageToken": page_token} if page_token else {})}
            response = self.call(lister(**query), where)
            pages += 1
            items.extend(response.get("items", []))
            page_token = response.get("nextPageToken")
            if not page_token:
                return Listing(items, response.get("nextSyncToken"), pages)
            if on_page is not None:
                on_page(pages)

    def batch(self, requests: list[tuple[str, Any]], where: str, *,
              resent: set[str] | None = None) -> dict[str, tuple[Any, Any]]:
        """Execute ``(key, request)`` pairs in batches of BATCH_SIZE.

        Returns key -> (response, None) or (None, HttpError). Parts answered with a rate limit
        or server error are sent again with backoff (bounded by the retry count); a batch
        request that fails as a whole is retried the same way, then raised as one error.
        ``resent`` receives the keys sent more than once: an earlier try of theirs may have
        been carried out although its answer was lost.
        """
        retry = self.retry
        results: dict[str, tuple[Any, Any]] = {}
        pending = list(requests)
        for attempt in range(1, retry.attempts + 1):
            again: list[tuple[str, Any]] = []
            waits: list[float | None] = []
            for chunk in _chunks(pending, BATCH_SIZE):
                answers = self._one_batch(chunk, where, resent)
                by_key = dict(chunk)
                for key, (response, error) in answers.items():
                    if error is not None and retryable(error) and attempt < retry.attempts:
                        again.append((key, by_key[key]))
                        waits.append(retry_after(error))
                    else:
                        results[key] = (response, error)
            if not again:
                break
            if resent is not None:
                resent.update(key for key, _ in again)
            # the longest wait any part was asked for, else the usual backoff
            asked = [w for w in waits if w is not None]
            transport.sleep(transport.backoff(retry, attempt, max(asked) if asked else None))
            pending = again
        return results

    def _one_batch(self, chunk: list[tuple[str, Any]], where: str,
                   resent: set[str] | None) -> dict[str, tuple[Any, Any]]:
        answers: dict[str, tuple[Any, Any]] = {}
        tries = 0

        def collect(request_id: str, response: Any, error: Any) -> None:
            answers[request_id] = (response, error)

        def send() -> None:
            nonlocal tries
            tries += 1
            if tries > 1 and resent is not None:
                resent.update(key for key, _ in chunk)
            answers.clear()
            batch = self.service.new_batch_http_request(callback=collect)
            for key, request in chunk:
                batch.add(request, request_id=key)
            batch.execute()

        transport.call(send, classify=lambda exc: classify(exc, where, self.settings),
                       retry=self.retry)
        return answers

    def save(self) -> None:
        """Re-save an OAuth token that was refreshed while it was used."""
        if self.token_file is None or not getattr(self.creds, "token", None):
            return
        if self.creds.token != self.saved_token:
            save_token(self.creds, self.token_file)
            self.saved_token = self.creds.token


def list_events(client: Client, calendar: str, where: str, *, time_min: datetime | None = None,
                time_max: datetime | None = None, sync_token: str | None = None,
                on_page: Callable[[int], None] | None = None) -> Listing:
    """Every event instance (``singleEvents``) of ``calendar`` whose end is after
    ``time_min`` and whose start is before ``time_max`` (aware, any zone), or, with
    ``sync_token``, what changed since that token (deletions included)."""
    params: dict[str, Any] = {"calendarId": calendar, "singleEvents": True,
                              "fields": LIST_FIELDS, "maxResults": PAGE_SIZE}
    if time_min is not None:
        params["timeMin"] = time_min.isoformat()
    if time_max is not None:
        params["timeMax"] = time_max.isoformat()
    if sync_token:
        params["syncToken"] = sync_token
    return client.list_all(client.service.events().list, params, where, on_page=on_page)


def freebusy(client: Client, calendars: list[str], start: datetime, end: datetime,
             where: str) -> dict[str, list[tuple[datetime, datetime]] | FocuscalError]:
    """``freeBusy.query`` for up to FREEBUSY_SIZE calendars over ``[start, end)`` (aware):
    each calendar's busy spans (UTC), or the error Google gave for that calendar alone."""
    if len(calendars) > FREEBUSY_SIZE:
        raise ValueError(f"freeBusy.query takes at most {FREEBUSY_SIZE} calendars")
    body = {"timeMin": start.isoformat(), "timeMax": end.isoformat(), "timeZone": "UTC",
            "calendarExpansionMax": FREEBUSY_SIZE, "items": [{"id": c} for c in calendars]}
    answer = client.call(client.service.freebusy().query(body=body), where)
    found = {str(k).lower(): v for k, v in (answer.get("calendars") or {}).items()}
    out: dict[str, list[tuple[datetime, datetime]] | FocuscalError] = {}
    for cal in calendars:
        entry = found.get(cal.lower())
        if entry is None:
            out[cal] = FetchError("Google answered without this calendar", where=cal)
        elif entry.get("errors"):
            out[cal] = _freebusy_error(entry["errors"], cal)
        else:
            try:
                out[cal] = [(_instant(b["start"]), _instant(b["end"]))
                            for b in entry.get("busy") or [] if b.get("start") and b.get("end")]
            except ValueError as exc:
                out[cal] = FetchError(f"Google sent a busy time that cannot be read: {exc}",
                                      where=cal)
    return out


def _freebusy_error(errors: list[dict[str, Any]], where: str) -> FocuscalError:
    """A calendar's own errors in a freeBusy answer (notFound: unknown or not shared)."""
    reasons = {str(e.get("reason", "")) for e in errors}
    if "notFound" in reasons:
        return FetchError("no such calendar, or its free/busy is not shared", where=where)
    return FetchError(f"Google could not read its free/busy ({', '.join(sorted(reasons))})",
                      where=where)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def connect(settings: Settings, *, write: bool = False,
            scopes: tuple[str, ...] | None = None) -> Client:
    """A Client for ``settings``: credentials checked and refreshed, service built
    (``scopes`` as for ``credentials``)."""
    import google_auth_httplib2
    import httplib2
    from googleapiclient import discovery, discovery_cache

    root = endpoint(settings)
    creds = credentials(settings, write=write, scopes=scopes)
    token_file = None
    saved = None
    if settings.google.credentials == "oauth":
        token_file = user_token(settings, scopes)
        saved = creds.token
    if settings.google.credentials != "anonymous":
        refresh(creds, settings)
    doc = json.loads(discovery_cache.get_static_doc("calendar", "v3"))
    doc["rootUrl"] = root
    doc["mtlsRootUrl"] = root
    doc["baseUrl"] = root + doc["servicePath"]
    http = google_auth_httplib2.AuthorizedHttp(
        creds, http=httplib2.Http(timeout=settings.timeout))
    service = discovery.build_from_document(doc, http=http)
    client = Client(service, settings, creds, token_file, saved, settings.google.retries)
    client.save()
    return client


# ---------------------------------------------------------------- errors


def status_of(error: Any) -> int:
    resp = getattr(error, "resp", None)
    return int(getattr(resp, "status", 0) or 0)


def reasons(error: Any) -> set[str]:
    try:
        data = json.loads(error.content.decode("utf-8"))
        return {e.get("reason", "") for e in data["error"].get("errors", [])}
    except (AttributeError, ValueError, KeyError, TypeError):
        return set()


def message(error: Any) -> str:
    try:
        data = json.loads(error.content.decode("utf-8"))
        text = data["error"]["message"]
    except (AttributeError, ValueError, KeyError, TypeError):
        text = getattr(getattr(error, "resp", None), "reason", "") or str(error)
    return " ".join(str(text).split())[:300]


def retryable(error: Any) -> bool:
    """Rate limits and server errors (Google's advice: retry with exponential backoff)."""
    status = status_of(error)
    return status == 429 or status >= 500 or (status == 403 and bool(reasons(error)
                                                                      & RATE_REASONS))


def retry_after(error: Any) -> float | None:
    """The seconds an HttpError's ``Retry-After`` header asks to wait, if it has one."""
    resp = getattr(error, "resp", None)
    value = resp.get("retry-after") if isinstance(resp, dict) else None
    return transport.parse_retry_after(value)


def classify(exc: BaseException, where: str, settings: Settings) -> transport.Failure | None:
    """A failed Google request -> the focuscal error and whether to try again; None for an
    exception that is not a failure of the request (a bug)."""
    import httplib2
    from google.auth.exceptions import InvalidOperation, RefreshError, TransportError
    from googleapiclient.errors import HttpError

    if isinstance(exc, HttpError):
        error = _http_error(exc, where)
        error.status = status_of(exc)  # type: ignore[attr-defined]
        return transport.Failure(error, retryable(exc), retry_after(exc))
    if isinstance(exc, RefreshError):
        return transport.Failure(AuthError(
            f"Google refused the saved sign-in ({_oauth_reason(exc)})", where=where,
            hint=SIGN_IN), retryable=False)
    if isinstance(exc, InvalidOperation):
        # google-auth answers a 401 by refreshing; credentials that cannot refresh (anonymous
        # ones, for a loopback endpoint) end up here: the server refused them.
        return transport.Failure(AuthError(
            "Google did not accept the credentials (HTTP 401)", where=where, hint=SIGN_IN),
            retryable=False)
    if isinstance(exc, TransportError | httplib2.ServerNotFoundError):
        return transport.Failure(FetchError(
            f"cannot reach {settings.google.api_endpoint}: {_first_line(exc)}", where=where),
            retryable=True)
    if isinstance(exc, httplib2.RedirectLimit | httplib2.RedirectMissingLocation):
        return transport.Failure(FetchError(
            f"{settings.google.api_endpoint} answers with redirects, not the API",
            where=where), retryable=False)
    if isinstance(exc, httplib2.HttpLib2Error):
        return transport.Failure(FetchError(
            f"a broken answer from {settings.google.api_endpoint}: {_first_line(exc)}",
            where=where), retryable=True)
    if isinstance(exc, json.JSONDecodeError):
        # a proxy's error page, or an answer cut short where no length was sent
        return transport.Failure(FetchError("Google's answer is not valid JSON", where=where),
                                 retryable=True)
    return transport.connection_failure(exc, where=where, timeout=settings.timeout,
                                        service="Google")


def describe(exc: BaseException, where: str, settings: Settings) -> FocuscalError:
    """The focuscal error for a failure of a Google request (an HttpError of a batch part)."""
    if isinstance(exc, FocuscalError):
        return exc
    failure = classify(exc, where, settings)
    if failure is None:
        raise exc
    return failure.error


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return transport.redact(text[:200]) or "no details"


def _http_error(exc: Any, where: str) -> FocuscalError:
    status, text = status_of(exc), message(exc)
    if status == 401:
        return AuthError(f"Google did not accept the credentials: {text}", where=where,
                         hint=SIGN_IN)
    if status == 403 and "scope" in text.lower():
        return AuthError(f"Google refused: {text}", where=where, hint=SIGN_IN_WRITE)
    if status == 404:
        return FetchError("no such calendar, or no access to it (Google answered 404 "
                          "Not Found)", where=where, hint="focuscal calendars google lists yours")
    return FetchError(f"Google answered {status}: {text}", where=where)


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignedIn:
    path: Path
    scopes: tuple[str, ...]


def sign_in(settings: Settings, client_secrets: str | None, *, write: bool,
            open_browser: bool, announce: Callable[[str], None],
            freebusy: bool = False) -> SignedIn:
    """The installed-app OAuth flow: a redirect server on a free loopback port, the consent
    page in the browser (or its URL printed), then the token saved with mode 0600.
    ``freebusy`` asks for the calendar.freebusy scope alone and saves the free/busy token."""
    if write and freebusy:
        raise InputError("choose one of --write and --freebusy", where="focuscal auth google")
    secrets_file = client_secrets or settings.google.client_secrets
    if not secrets_file:
        raise InputError(
            "no OAuth client file",
            where="focuscal auth google",
            hint="create a Desktop OAuth client in the Google Cloud console, download its JSON "
                 "and pass --client-secrets FILE or set google.client_secrets",
        )
    path = Path(secrets_file).expanduser()
    from google_auth_oauthlib.flow import InstalledAppFlow

    scopes = list(WRITE_SCOPES if write else FREEBUSY_SCOPES if freebusy else READ_SCOPES)
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(path), scopes=scopes)
    except FileNotFoundError as exc:
        raise InputError("OAuth client file not found", where=str(path)) from exc
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"not an OAuth client file: {exc}", where=str(path)) from exc
    original = flow.authorization_url

    def authorization_url(**kwargs: Any) -> Any:
        # run_local_server would print() its prompt to stdout: announce the URL through the
        # caller instead (stderr), when the flow has built it.
        url, state = original(**kwargs)
        announce(f"Open this URL in a browser to sign in to Google:\n{url}")
        return url, state

    flow.authorization_url = authorization_url
    import requests
    from google.auth.exceptions import GoogleAuthError
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    try:
        creds = flow.run_local_server(
            host="localhost", bind_addr="127.0.0.1", port=0, open_browser=open_browser,
            authorization_prompt_message="",
            success_message="focuscal is signed in. You may close this window.",
            access_type="offline", prompt="consent",
        )
    # oauthlib's errors (a refused consent, a state mismatch), its Warning for a changed
    # scope, the token request's network errors, and a redirect port that cannot be bound
    except (OAuth2Error, Warning, GoogleAuthError, requests.RequestException, OSError) as exc:
        raise AuthError(f"Google sign-in failed: {_first_line(exc)}",
                        where="focuscal auth google") from exc
    target = token_path(settings, freebusy=freebusy)
    save_token(creds, target)
    return SignedIn(target, tuple(creds.scopes or scopes))
