"""The CalDAV connection shared by the CalDAV source and sink: URLs, credentials, errors, retries.

A calendar is named ``caldav+https://HOST/PATH/`` (``caldav+http://`` only for a loopback host).
Passwords never travel in URLs: they come from the environment variable a ``[[calendars]]``
entry names (``password_env``) or from the system keyring (``keyring = true``, service
``focuscal``, the entry's uri as the key), and never appear in a message.

The ``caldav`` library (and its HTTP client) is imported inside these functions only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from focuscal import transport
from focuscal.errors import AuthError, FetchError, InputError, RunError

if TYPE_CHECKING:
    from focuscal.config import CalendarEntry, Settings

PREFIXES = ("caldav+https://", "caldav+http://")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
KEYRING_SERVICE = "focuscal"
T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    """Where a calendar lives and how to log in. ``url`` is the plain http(s) URL."""

    uri: str  # as the user wrote it (the keyring key)
    url: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def http_url(uri: str) -> str:
    """``caldav+https://Host/cal`` -> ``https://host/cal/`` (a collection URL, trailing slash).

    Raises InputError for another scheme, credentials in the URL, or plain http to a host that
    is not this machine.
    """
    text = uri.strip()
    if not text.lower().startswith(PREFIXES):
        raise InputError("not a CalDAV URL", where=uri,
                         hint="use caldav+https://HOST/PATH/")
    parts = urlsplit(text[len("caldav+"):])
    scheme = parts.scheme.lower()
    if not parts.hostname:
        raise InputError("the URL names no host", where=_safe(uri))
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "credentials do not belong in the URL", where=_safe(uri),
            hint="put username and password_env (or keyring = true) in its [[calendars]] entry",
        )
    if scheme == "http" and parts.hostname not in LOOPBACK:
        raise InputError(
            "plain caldav+http:// is only allowed for this machine (127.0.0.1, localhost)",
            where=uri, hint="use caldav+https://",
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path or "/"
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def canonical(uri: str) -> str:
    """The canonical ``caldav+`` form of a calendar URI (block ids are derived from it)."""
    return "caldav+" + http_url(uri)


def root(uri: str) -> str:
    """The server of a CalDAV URI, as ``caldav+https://HOST/``."""
    try:
        parts = urlsplit(http_url(uri))
    except InputError:
        return "caldav+https://HOST/"
    return f"caldav+{parts.scheme}://{parts.netloc}/"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


def _safe(uri: str) -> str:
    """``uri`` without any userinfo, for messages."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def find_entry(settings: Settings, uri: str) -> CalendarEntry | None:
    """The configured [[calendars]] entry whose login serves ``uri``: the entry of the same
    calendar, else the first entry on the same server (one account serves all its calendars).
    Only entries with credentials count."""
    url = http_url(uri)
    same_server = None
    for entry in settings.calendars:
        if not entry.uri.lower().startswith(PREFIXES) or not _has_credentials(entry):
            continue
        try:
            other = http_url(entry.uri)
        except InputError:
            continue
        if other == url:
            return entry
        if same_server is None and _origin(other) == _origin(url):
            same_server = entry
    return same_server


def _has_credentials(entry: CalendarEntry) -> bool:
    return bool(entry.username or entry.password_env or entry.keyring)


def account(entry: CalendarEntry, settings: Settings) -> Account:
    """URL and credentials for ``entry``; an entry without credentials borrows those of the
    configured entry for the same calendar or server."""
    uri, url = entry.uri, http_url(entry.uri)
    if not _has_credentials(entry):
        entry = find_entry(settings, entry.uri) or entry
    password = None
    if entry.password_env:
        password = os.environ.get(entry.password_env)
        if not password:
            raise AuthError(
                f"the environment variable {entry.password_env} (password_env) is not set",
                where=_safe(entry.uri), hint="export it with the password or app password",
            )
    elif entry.keyring:
        password = _keyring_password(entry.uri)
    if password and not entry.username:
        raise InputError("a password is configured but no username", where=_safe(entry.uri),
                         hint="add username to its [[calendars]] entry")
    return Account(uri=uri, url=url, username=entry.username, password=password)


def _keyring_password(uri: str) -> str:
    import keyring
    import keyring.errors

    try:
        password = keyring.get_password(KEYRING_SERVICE, uri)
    except keyring.errors.KeyringError as exc:
        raise AuthError(f"the system keyring cannot be read: {_first_line(exc)}",
                        where=_safe(uri), hint="check that the keyring is unlocked") from exc
    if not password:
        raise AuthError("no password in the system keyring", where=_safe(uri),
                        hint=f"store one with: keyring set {KEYRING_SERVICE} {uri}")
    return password


def client(acct: Account, timeout: float) -> Any:
    """A ``caldav.DAVClient`` for ``acct`` (no DNS discovery, the caller's timeout)."""
    import logging

    from caldav.davclient import DAVClient

    # caldav logs its own warnings about server quirks; with no logging set up they would
    # reach stderr through logging's last-resort handler and break the one-line error rule.
    logger = logging.getLogger("caldav")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
        logger.propagate = False
    # An answer that is not XML (a free-busy-query's iCalendar) makes caldav log the body
    # through the root logger when its own logger's level lets debug through; that call would
    # also give the root logger a stderr handler. This level keeps both from happening.
    logging.getLogger("caldav.response").setLevel(logging.INFO)
    return DAVClient(
        url=acct.url,
        username=acct.username,
        password=acct.password,
        timeout=int(timeout),
        enable_rfc6764=False,
        headers={"User-Agent": _user_agent()},
    )


def _user_agent() -> str:
    from focuscal import __version__

    return f"focuscal/{__version__}"


# ---------------------------------------------------------------- errors and retries


# Reads, and the writes focuscal makes safe to repeat, are tried this often after a lost
# connection, a half-sent answer, a rate limit or a 502/503/504 (Retry-After honoured).
RETRY = transport.Retry(attempts=4, base_delay=0.5, max_delay=10.0)
UNAVAILABLE = (502, 503, 504)


def call(fn: Callable[[], T], *, where: str, timeout: float, repeatable: bool = True,
         error: type[RunError] = FetchError, sleep: Callable[[float], None] | None = None) -> T:
    """Run one request; translate every failure into a one-line focuscal error.

    ``repeatable`` requests (GET, PROPFIND, REPORT, a PUT with If-None-Match, a DELETE with
    If-Match) are tried again on a lost connection, a rate limit or a 502/503/504 answer.
    ``fn`` should raise for the statuses it does not expect (``check_status``) so that those
    are translated and retried too.
    """
    return transport.call(
        fn, classify=lambda exc: classify(exc, where=where, timeout=timeout, error=error),
        retry=RETRY, repeatable=repeatable, sleep=sleep)


def classify(exc: BaseException, *, where: str, timeout: float,
             error: type[RunError] = FetchError) -> transport.Failure | None:
    """The focuscal error for an exception of the caldav library or its HTTP client (niquests
    or requests), and whether another try may succeed; None for anything else."""
    from caldav.lib import error as dav_error
    from caldav.lib.http_sync import requests
    from lxml import etree

    where = _safe(where)

    def fail(message: str, retryable: bool = False, hint: str | None = None,
             kind: type[RunError] | None = None,
             retry_after: float | None = None) -> transport.Failure:
        return transport.Failure((kind or error)(message, where=where, hint=hint), retryable,
                                 retry_after)

    status = getattr(exc, "status", None)
    if isinstance(exc, dav_error.AuthorizationError):
        if status == 403:
            return fail("the server refused access (HTTP 403)", kind=AuthError,
                        hint="check that this account may use this calendar")
        return fail("the server did not accept the username and password (HTTP 401)",
                    kind=AuthError,
                    hint="check the username and password; iCloud, and Fastmail or Nextcloud "
                         "with two-factor login, need an app password")
    if isinstance(exc, dav_error.NotFoundError):
        return fail("not found (HTTP 404)",
                    hint=f"list the calendars with: focuscal calendars {root(where)}")
    if isinstance(exc, dav_error.ReportError) and status in UNSUPPORTED:
        return fail(f"the server does not support calendar-query (HTTP {status})",
                    hint="focuscal needs a CalDAV server (RFC 4791)")
    if isinstance(exc, etree.XMLSyntaxError):  # lxml, under the caldav library
        return fail("the server's answer is not CalDAV (not valid XML)",
                    hint="check that the URL is a CalDAV calendar")
    if isinstance(exc, dav_error.RateLimitError):
        seconds = exc.retry_after_seconds
        return fail("the server asks to slow down (rate limit)", True,
                    hint="try again in a minute",
                    retry_after=float(seconds) if isinstance(seconds, int | float) else None)
    if isinstance(exc, dav_error.DAVError):
        if status in UNAVAILABLE:
            return fail(f"the server is unavailable (HTTP {status})", True,
                        hint="try again later")
        text = f"HTTP {status}" if status else _first_line(exc)
        return fail(f"the server refused the request ({text})")
    if isinstance(exc, requests.exceptions.Timeout):
        # a server that did not answer in time will not answer faster now
        return fail(f"no answer within {timeout:g} s",
                    hint="raise `timeout` in the config if the server is slow")
    if isinstance(exc, requests.exceptions.SSLError):
        return fail(f"TLS failed: {_first_line(exc)}")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return fail("the connection was cut before the whole answer arrived", True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        # The HTTP client wraps what the socket said; say that, in plain words. Its own
        # parser (urllib3) reports a garbage status line only in its text.
        cause = _cause(exc, where, timeout, error, requests.exceptions.RequestException)
        if cause is not None:
            return cause
        text = _first_line(exc)
        if "status line" in text:
            return fail("the server's answer is not HTTP (a garbage status line)", True)
        return fail(f"cannot connect: {text}", True)
    if isinstance(exc, requests.exceptions.RequestException):
        return fail(f"network error: {_first_line(exc)}")
    return transport.connection_failure(exc, where=where, timeout=timeout, error=error,
                                        retry_timeouts=False)


def _cause(exc: BaseException, where: str, timeout: float, error: type[RunError],
           wrapper: type[BaseException]) -> transport.Failure | None:
    """The failure for the standard-library error under a wrapped one (a lost connection, a
    refused one), found through causes, contexts, ``reason`` and arguments; ``wrapper`` is the
    HTTP client's own base class (an OSError too), which says nothing by itself."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if item is not exc and not isinstance(item, wrapper):
            found = transport.connection_failure(item, where=where, timeout=timeout,
                                                 error=error)
            if found is not None:
                return found
        todo.extend([item.__cause__, item.__context__, getattr(item, "reason", None),
                     *item.args])
    return None


def _first_line(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason if isinstance(reason, str) and reason else exc).strip()
    # niquests wraps the socket error: keep its last, most specific part
    if "Caused by" in text:
        text = text.rsplit(":", 1)[-1].strip(" ')\"")
    return transport.redact((text.splitlines() or ["no details"])[0][:200])


def check_status(response: Any, where: str, *, ok: tuple[int, ...] = (200, 207),
                 error: type[RunError] = FetchError) -> Any:
    """Raise the focuscal error for a DAVResponse whose status is not in ``ok``."""
    from caldav.lib import error as dav_error

    status = response.status
    if status in ok:
        return response
    if status == 404:
        raise dav_error.NotFoundError(where, status=404)
    if status in (401, 403):
        raise dav_error.AuthorizationError(where, status=status)
    raise dav_error.DAVError(where, reason=str(response.reason), status=status)


@contextmanager
def session(acct: Account, timeout: float) -> Iterator[Any]:
    """A client that is closed afterwards (its connection pool and sockets)."""
    dav = client(acct, timeout)
    try:
        yield dav
    finally:
        dav.close()


# ---------------------------------------------------------------- properties


RESOURCETYPE = "{DAV:}resourcetype"
DISPLAYNAME = "{DAV:}displayname"
CURRENT_USER_PRINCIPAL = "{DAV:}current-user-principal"
CALENDAR = "{urn:ietf:params:xml:ns:caldav}calendar"
ADDRESS_SET = "{urn:ietf:params:xml:ns:caldav}calendar-user-address-set"


def properties(dav: Any, url: str, names: list[str], *, depth: int = 0, timeout: float,
               where: str | None = None) -> dict[str, dict[str, Any]]:
    """PROPFIND ``names`` at ``url``: {href: {name: value}} of the answers with status 200."""

    def run() -> Any:
        return check_status(dav.propfind(url, names, depth=depth), where or url)

    response = call(run, where=where or url, timeout=timeout)
    out: dict[str, dict[str, Any]] = {}
    for result in response.results or []:
        if result.status in (None, 200):
            out[result.href] = dict(result.properties)
    return out


def check_calendar(dav: Any, acct: Account, timeout: float) -> dict[str, Any]:
    """resourcetype, displayname and current-user-principal of ``acct.url``; raises
    InputError when it is not a calendar collection."""
    answers = properties(dav, acct.url, [RESOURCETYPE, DISPLAYNAME, CURRENT_USER_PRINCIPAL],
                         timeout=timeout, where=acct.uri)
    props = next(iter(answers.values()), {})
    kinds = props.get(RESOURCETYPE) or []
    if isinstance(kinds, str):
        kinds = [kinds]
    if CALENDAR not in kinds:
        raise InputError(
            "not a calendar (a calendar collection URL is needed)", where=_safe(acct.uri),
            hint=f"list the calendars with: focuscal calendars {root(acct.uri)}",
        )
    return props


# ---------------------------------------------------------------- calendar-query

QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="{start}" end="{end}"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
"""
UNSUPPORTED = (400, 403, 405, 415, 501)


@dataclass(frozen=True)
class Resource:
    """One calendar object as a calendar-query returned it. ``data`` is its iCalendar text."""

    url: str
    etag: str | None
    data: str | None


def calendar_query(dav: Any, url: str, start: datetime, end: datetime, *, where: str,
                   timeout: float) -> list[Resource]:
    """The whole calendar objects (never expanded by the server) with a VEVENT whose time
    range touches ``[start, end)`` (aware, any zone): RFC 4791 section 7.8."""
    from urllib.parse import urljoin

    body = QUERY.format(start=_utc_text(start), end=_utc_text(end))

    def run() -> Any:
        response = dav.report(url, body, depth=1)
        if response.status in UNSUPPORTED:
            raise FetchError(f"the server does not support calendar-query "
                             f"(HTTP {response.status})", where=_safe(where),
                             hint="focuscal needs a CalDAV server (RFC 4791)")
        check_status(response, where, ok=(200, 207))
        tree = getattr(response, "tree", None)
        if tree is None or tree.tag != "{DAV:}multistatus":
            raise FetchError("the server's answer is not CalDAV (no multistatus)",
                             where=_safe(where), hint="check that the URL is a CalDAV calendar")
        return response.parse_calendar_query()

    results = call(run, where=where, timeout=timeout)
    return [
        Resource(url=urljoin(url, r.href), etag=r.etag, data=r.calendar_data)
        for r in results
        if r.status in (None, 200) and urljoin(url, r.href).rstrip("/") != url.rstrip("/")
    ]


def _utc_text(value: datetime) -> str:
    from datetime import UTC

    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# ---------------------------------------------------------------- free-busy-query

FREE_BUSY_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="{start}" end="{end}"/>
</C:free-busy-query>
"""
NOT_IMPLEMENTED = (400, 405, 415, 501)  # a REPORT the server does not know (403: see below)


class NoFreeBusy(FetchError):
    """The server offers no free-busy-query REPORT on this calendar."""


def free_busy_query(dav: Any, url: str, start: datetime, end: datetime, *, where: str,
                    timeout: float) -> list[Any]:
    """The busy periods (``ical.freebusy.Busy``, UTC) of the calendar at ``url`` in
    ``[start, end)`` (aware, any zone), by a free-busy-query REPORT (RFC 4791 section 7.10):
    what the read-free-busy privilege shows, no title, attendee or event. NoFreeBusy when
    the server does not offer the REPORT; a 403 that is not about the REPORT is a refusal."""
    from focuscal.ical.freebusy import busy_periods

    body = FREE_BUSY_QUERY.format(start=_utc_text(start), end=_utc_text(end))

    def run() -> str:
        response = dav.report(url, body, depth=1)
        text = response.raw or ""
        # RFC 3253: an unknown REPORT is 403 with the DAV:supported-report precondition
        if response.status in NOT_IMPLEMENTED or (
                response.status == 403 and "supported-report" in text):
            raise NoFreeBusy(f"the server does not support free-busy-query (HTTP "
                             f"{response.status})", where=_safe(where))
        check_status(response, where, ok=(200,))
        if "BEGIN:VCALENDAR" not in text.upper():
            raise FetchError("the server's answer to free-busy-query is not iCalendar",
                             where=_safe(where), hint="check that the URL is a CalDAV calendar")
        return text

    return busy_periods(call(run, where=where, timeout=timeout), _safe(where))
