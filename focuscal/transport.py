"""Retries, backoff, deadlines and error translation, shared by every network backend.

A backend runs each request through ``call()`` with its own ``classify()``: that function turns
an exception of the backend's library into a ``Failure`` (the focuscal error to raise when no
try is left, and whether another try may succeed), or returns None for an exception it does not
know, which ``call()`` re-raises untouched: a bug in focuscal is never blamed on a server.
``connection_failure()`` classifies what every HTTP library lets through from the standard
library (timeouts, refused and lost connections, a half-sent answer, a garbage status line).

Waits are exponential with full jitter (a random wait between 0 and ``base_delay * 2**n``),
a server's ``Retry-After`` is honoured up to ``max_delay``, and a ``deadline`` bounds the whole
call, tries and waits included. Times are seconds of the monotonic clock.
"""

from __future__ import annotations

import http.client
import random
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from focuscal.errors import FetchError, FocuscalError, RunError, redact

__all__ = ["Deadline", "Failure", "Retry", "backoff", "call", "connection_failure",
           "parse_retry_after", "redact", "sleep"]

T = TypeVar("T")

# Every wait between tries goes through this function; tests replace it to run without waiting.
sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a request is tried. Seconds."""

    attempts: int = 4            # tries in all, for a request that is safe to repeat
    base_delay: float = 0.5      # first backoff in seconds; doubled each try, full jitter
    max_delay: float = 30.0      # cap of one wait; a Retry-After is honoured up to this
    deadline: float | None = None  # seconds for the whole call, tries and waits included


@dataclass(frozen=True)
class Failure:
    """What one failed try means: the error for the user and whether to try again."""

    error: FocuscalError         # what to raise when no try is left (chained to the cause)
    retryable: bool              # whether another try may succeed
    retry_after: float | None = None  # seconds the server asked to wait


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock by which a whole request must be done."""

    at: float
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Callable[[], float] = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never below zero."""
        return max(0.0, self.at - self.clock())

    @property
    def expired(self) -> bool:
        return self.clock() >= self.at


def backoff(retry: Retry, attempt: int, retry_after: float | None = None) -> float:
    """The wait before try ``attempt + 1`` (``attempt`` counts from 1): the server's
    Retry-After when it gave one, else full jitter over ``base_delay * 2**(attempt - 1)``;
    never more than ``max_delay``."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), retry.max_delay)
    ceiling = min(retry.max_delay, retry.base_delay * 2 ** (attempt - 1))
    return random.uniform(0.0, ceiling)


def call(fn: Callable[[], T], *, classify: Callable[[BaseException], Failure | None],
         retry: Retry = Retry(), repeatable: bool = True,
         sleep: Callable[[float], None] | None = None,
         clock: Callable[[], float] = time.monotonic) -> T:
    """``fn()``, tried again after a retryable failure while tries and time are left.

    ``repeatable`` says the request is safe to send twice (a read, a PUT with If-None-Match,
    a DELETE with If-Match); otherwise it is tried once. Raises the classified error ``from``
    the original exception; an exception ``classify`` does not know is re-raised unchanged.
    ``sleep=None`` waits with the module's ``sleep`` (tests replace it).
    """
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        # Every exception is shown to classify, which knows the library's own types; what it
        # does not know goes on up unchanged (a bug is a bug), so nothing is swallowed here.
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            wait = backoff(retry, attempt, failure.retry_after)
            in_time = retry.deadline is None or clock() - started + wait < retry.deadline
            if not (repeatable and failure.retryable and attempt < retry.attempts and in_time):
                raise failure.error from exc
        (sleep or _wait)(wait)


def _wait(seconds: float) -> None:
    sleep(seconds)  # the module's function, looked up at each wait: tests replace it


def parse_retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds from now: delay-seconds or an HTTP-date (RFC 9110
    section 10.2.3); None when absent or not understood, 0 for a date in the past."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds else None  # NaN is no answer
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP-dates are GMT
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def connection_failure(exc: BaseException, *, where: str, timeout: float,
                       service: str | None = None, error: type[RunError] = FetchError,
                       retry_timeouts: bool = True) -> Failure | None:
    """The failure for a standard-library network error (socket, TLS, http.client), as the
    HTTP libraries let them through; None for anything else.

    ``service`` names the other side in the timeout message ("no answer from Google within
    30 s"); ``retry_timeouts`` says whether a try that timed out is worth another.
    """
    def fail(message: str, retryable: bool, hint: str | None = None) -> Failure:
        return Failure(error(message, where=where, hint=hint), retryable)

    if isinstance(exc, TimeoutError):  # socket.timeout too
        source = f" from {service}" if service else ""
        return fail(f"no answer{source} within {timeout:g} s", retry_timeouts,
                    "try again, or raise `timeout` in the config")
    if isinstance(exc, http.client.IncompleteRead):
        return fail("the connection was cut before the whole answer arrived", True)
    if isinstance(exc, http.client.RemoteDisconnected):
        return fail("the server closed the connection without an answer", True)
    if isinstance(exc, http.client.BadStatusLine):
        return fail("the server's answer is not HTTP (a garbage status line)", True)
    if isinstance(exc, http.client.HTTPException):
        return fail("the server's answer is not valid HTTP", False)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return fail(f"the server's TLS certificate is not trusted: {exc.verify_message}", False)
    if isinstance(exc, ssl.SSLError):
        return fail(f"TLS failed: {_reason(exc)}", isinstance(exc, ssl.SSLEOFError))
    if isinstance(exc, ConnectionRefusedError):
        return fail("cannot connect: the connection was refused", True)
    if isinstance(exc, ConnectionError):  # reset, aborted, broken pipe
        return fail(f"the connection was lost: {_reason(exc)}", True)
    if isinstance(exc, socket.gaierror):
        # EAI_AGAIN is a resolver that did not answer in time; anything else is a wrong name
        return fail(f"cannot resolve the host name: {_reason(exc)}",
                    exc.errno == socket.EAI_AGAIN)
    if isinstance(exc, OSError):
        return fail(f"network error: {_reason(exc)}", False)
    return None


def _reason(exc: BaseException) -> str:
    """The human part of an OSError (its strerror), else its first line; never a class name."""
    text = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
    line = " ".join(str(text).split())
    return redact(line[:200]) or "no details"
