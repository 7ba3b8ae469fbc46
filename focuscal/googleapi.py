"""The Google Calendar API v3 client shared by the Google source and sink.

Credentials (OAuth token file, service account, or anonymous for a loopback endpoint), the
service built from the bundled discovery document with ``rootUrl`` replaced by
``[google] api_endpoint`` (so batch requests go there too), retries of rate limits and server
errors with exponential backoff and jitter, and one-line errors with Google's message.

googleapiclient, google-auth and httplib2 are imported inside functions: importing this module
costs nothing, so ``focuscal --help`` and ICS audits stay fast.
"""

from __future__ import annotations

import ipaddress
import json
import random
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focuscal.errors import AuthError, ConfigError, FetchError, FocuscalError, InputError

if TYPE_CHECKING:
    from focuscal.config import Settings

READ_SCOPES = ("https://www.googleapis.com/auth/calendar.readonly",)
WRITE_SCOPES = (*READ_SCOPES, "https://www.googleapis.com/auth/calendar.events")
# Either of these lets focuscal create and delete events.
WRITING = {"https://www.googleapis.com/auth/calendar.events",
           "https://www.googleapis.com/auth/calendar"}
SIGN_IN = "run focuscal auth google"
SIGN_IN_WRITE = "run focuscal auth google --write"
BATCH_SIZE = 50  # Google's advice for Calendar batches (the hard limit is 1000)
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}

# Waits between retries go through this function; tests replace it to run without waiting.
sleep: Callable[[float], None] = time.sleep


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


def token_path(settings: Settings) -> Path:
    """Where the OAuth token of ``focuscal auth google`` is kept (mode 0600)."""
    if settings.google.token_file:
        return Path(settings.google.token_file).expanduser()
    from platformdirs import user_data_path

    return user_data_path("focuscal") / "google-token.json"


# ---------------------------------------------------------------- credentials


def credentials(settings: Settings, *, write: bool = False) -> Any:
    """Credentials for the configured method; OAuth tokens are refreshed (and re-saved) when
    expired. ``write`` asks for a scope that can create events."""
    method = settings.google.credentials
    if method == "anonymous":
        endpoint(settings)
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    if method == "service_account":
        return _service_account(settings, write)
    return _user_credentials(settings, write)


def _service_account(settings: Settings, write: bool) -> Any:
    from google.oauth2 import service_account

    name = settings.google.service_account_file
    if not name:
        raise ConfigError(
            'google.credentials = "service_account" needs google.service_account_file',
            where=settings.path or "config")
    path = Path(name).expanduser()
    try:
        creds = service_account.Credentials.from_service_account_file(
            str(path), scopes=list(WRITE_SCOPES if write else READ_SCOPES))
    except FileNotFoundError:
        raise InputError("service account key file not found", where=str(path)) from None
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"not a service account key file: {exc}", where=str(path)) from None
    if settings.google.subject:
        # Domain-wide delegation: act as this user of the Workspace domain.
        creds = creds.with_subject(settings.google.subject)
    return creds


def _user_credentials(settings: Settings, write: bool) -> Any:
    from google.oauth2.credentials import Credentials

    path = token_path(settings)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuthError("not signed in to Google", where=str(path), hint=SIGN_IN) from None
    except (OSError, ValueError) as exc:
        raise AuthError(f"unreadable Google token file: {exc}", where=str(path),
                        hint=SIGN_IN) from None
    try:
        creds = Credentials.from_authorized_user_info(info)
    except ValueError as exc:
        raise AuthError(f"invalid Google token file: {exc}", where=str(path),
                        hint=SIGN_IN) from None
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

    try:
        creds.refresh(Request())
    except RefreshError as exc:
        raise AuthError(f"Google refused the saved sign-in ({_oauth_reason(exc)})",
                        where="Google sign-in", hint=SIGN_IN) from None
    except TransportError as exc:
        raise FetchError(f"cannot reach Google's token endpoint: {exc}",
                         where="Google sign-in") from None


def _oauth_reason(exc: Exception) -> str:
    text = str(exc.args[0] if exc.args else exc)
    return text.split(":")[0].strip() or "expired or revoked"


def save_token(creds: Any, path: Path) -> None:
    """Write an authorized-user token file, readable only by the user."""
    from focuscal.files import write_atomic

    write_atomic(path, creds.to_json().encode("utf-8"), mode=0o600, parents=True)


# ---------------------------------------------------------------- client


@dataclass
class Client:
    """A Calendar v3 service with the settings it was built from."""

    service: Any
    settings: Settings
    creds: Any
    token_file: Path | None = None
    saved_token: str | None = None
    retries: int = 5

    def call(self, request: Any, where: str) -> Any:
        """Execute one request; rate limits, 5xx and timeouts are retried with backoff."""
        request._sleep = lambda seconds: sleep(seconds)
        try:
            return request.execute(num_retries=self.retries)
        except Exception as exc:
            raise describe(exc, where, self.settings) from None

    def batch(self, requests: list[tuple[str, Any]], where: str) -> dict[str, tuple[Any, Any]]:
        """Execute ``(key, request)`` pairs in batches of BATCH_SIZE.

        Returns key -> (response, None) or (None, HttpError). Parts answered with a rate limit
        or server error are sent again with backoff (bounded by the retry count); a failure of
        a whole batch request is retried the same way, then raised as one error.
        """
        results: dict[str, tuple[Any, Any]] = {}
        pending = list(requests)
        for attempt in range(self.retries + 1):
            if attempt:
                sleep(random.random() * 2**attempt)
            retry: list[tuple[str, Any]] = []
            for chunk in _chunks(pending, BATCH_SIZE):
                answers = self._one_batch(chunk, where, last=attempt == self.retries)
                by_key = dict(chunk)
                for key, (response, error) in answers.items():
                    if error is not None and retryable(error) and attempt < self.retries:
                        retry.append((key, by_key[key]))
                    else:
                        results[key] = (response, error)
            if not retry:
                break
            pending = retry
        return results

    def _one_batch(self, chunk: list[tuple[str, Any]], where: str, *,
                   last: bool) -> dict[str, tuple[Any, Any]]:
        answers: dict[str, tuple[Any, Any]] = {}

        def collect(request_id: str, response: Any, error: Any) -> None:
            answers[request_id] = (response, error)

        batch = self.service.new_batch_http_request(callback=collect)
        for key, request in chunk:
            batch.add(request, request_id=key)
        try:
            batch.execute()
        except Exception as exc:
            if last or not retryable(exc):
                raise describe(exc, where, self.settings) from None
            # The whole batch failed on the way: its parts count as retryable failures.
            return {key: (None, exc) for key, _ in chunk}
        return answers

    def save(self) -> None:
        """Re-save an OAuth token that was refreshed while it was used."""
        if self.token_file is None or not getattr(self.creds, "token", None):
            return
        if self.creds.token != self.saved_token:
            save_token(self.creds, self.token_file)
            self.saved_token = self.creds.token


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def connect(settings: Settings, *, write: bool = False) -> Client:
    """A Client for ``settings``: credentials checked and refreshed, service built."""
    import google_auth_httplib2
    import httplib2
    from googleapiclient import discovery, discovery_cache

    root = endpoint(settings)
    creds = credentials(settings, write=write)
    token_file = None
    saved = None
    if settings.google.credentials == "oauth":
        token_file = token_path(settings)
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
    if _transient(error):
        return True
    status = status_of(error)
    return status == 429 or status >= 500 or (status == 403 and bool(reasons(error)
                                                                      & RATE_REASONS))


def _transient(exc: Any) -> bool:
    import httplib2

    return isinstance(exc, TimeoutError | ConnectionError | httplib2.ServerNotFoundError)


def describe(exc: Exception, where: str, settings: Settings) -> FocuscalError:
    """A failure of a Google request -> one of focuscal's errors, with Google's message."""
    from google.auth.exceptions import RefreshError
    from googleapiclient.errors import HttpError

    if isinstance(exc, FocuscalError):
        return exc
    if isinstance(exc, RefreshError):
        return AuthError(f"Google refused the saved sign-in ({_oauth_reason(exc)})", where=where,
                         hint=SIGN_IN)
    if isinstance(exc, HttpError):
        error = _http_error(exc, where)
        error.status = status_of(exc)  # type: ignore[attr-defined]
        return error
    return _other_error(exc, where, settings)


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


def _other_error(exc: Exception, where: str, settings: Settings) -> FocuscalError:
    from google.auth.exceptions import TransportError

    if isinstance(exc, TimeoutError):
        return FetchError(f"no answer from Google within {settings.timeout} s", where=where,
                          hint="try again, or raise `timeout` in the config")
    if isinstance(exc, TransportError | OSError):
        return FetchError(f"cannot reach {settings.google.api_endpoint}: {exc}", where=where)
    import httplib2

    if isinstance(exc, httplib2.HttpLib2Error):
        return FetchError(f"cannot reach {settings.google.api_endpoint}: {exc}", where=where)
    return FetchError(f"{type(exc).__name__}: {exc}", where=where)


# ---------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class SignedIn:
    path: Path
    scopes: tuple[str, ...]


def sign_in(settings: Settings, client_secrets: str | None, *, write: bool,
            open_browser: bool, announce: Callable[[str], None]) -> SignedIn:
    """The installed-app OAuth flow: a redirect server on a free loopback port, the consent
    page in the browser (or its URL printed), then the token saved with mode 0600."""
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

    scopes = list(WRITE_SCOPES if write else READ_SCOPES)
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(path), scopes=scopes)
    except FileNotFoundError:
        raise InputError("OAuth client file not found", where=str(path)) from None
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(f"not an OAuth client file: {exc}", where=str(path)) from None
    original = flow.authorization_url

    def authorization_url(**kwargs: Any) -> Any:
        # run_local_server would print() its prompt to stdout: announce the URL through the
        # caller instead (stderr), when the flow has built it.
        url, state = original(**kwargs)
        announce(f"Open this URL in a browser to sign in to Google:\n{url}")
        return url, state

    flow.authorization_url = authorization_url
    try:
        creds = flow.run_local_server(
            host="localhost", bind_addr="127.0.0.1", port=0, open_browser=open_browser,
            authorization_prompt_message="",
            success_message="focuscal is signed in. You may close this window.",
            access_type="offline", prompt="consent",
        )
    except Exception as exc:
        raise AuthError(f"Google sign-in failed: {exc}", where="focuscal auth google") from None
    target = token_path(settings)
    save_token(creds, target)
    return SignedIn(target, tuple(creds.scopes or scopes))
