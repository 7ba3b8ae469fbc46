"""Retries, backoff, deadlines and error translation for every network backend.

A minimal implementation of the shared API (the network helper owns the full module): a
backend passes one request as ``fn`` and a ``classify`` that turns the libraries' exceptions
into a ``Failure``; ``call`` retries what may succeed on another try, with exponential backoff
and full jitter, honouring a server's ``Retry-After`` up to ``max_delay``.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from focuscal.errors import FocuscalError

T = TypeVar("T")

# Waits between tries go through this function; tests replace it to run without waiting.
sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Retry:
    attempts: int = 4  # tries in all, for a request that is safe to repeat
    base_delay: float = 0.5  # first backoff in seconds; doubled each try, full jitter
    max_delay: float = 30.0  # cap of one wait; a Retry-After is honoured up to this
    deadline: float | None = None  # seconds for the whole call, tries and waits included


@dataclass(frozen=True)
class Failure:
    error: FocuscalError  # what to raise when no try is left (chained to the cause)
    retryable: bool  # whether another try may succeed
    retry_after: float | None = None  # seconds the server asked to wait


def call(fn: Callable[[], T], *, classify: Callable[[BaseException], Failure | None],
         retry: Retry = Retry(), repeatable: bool = True,
         sleep: Callable[[float], None] | None = None,
         clock: Callable[[], float] = time.monotonic) -> T:
    """``fn()``, tried again while ``classify`` says another try may succeed.

    An exception ``classify`` does not know (None) is re-raised unchanged: a bug is a bug.
    A request that is not ``repeatable`` is tried once. When no try is left, the failure's
    error is raised from the original exception.
    """
    wait_with = sleep or _module_sleep
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            wait = _backoff(retry, attempt, failure.retry_after)
            last = (not failure.retryable or not repeatable or attempt >= retry.attempts
                    or (retry.deadline is not None
                        and clock() - started + wait > retry.deadline))
            if last:
                raise failure.error from exc
        wait_with(wait)


def _module_sleep(seconds: float) -> None:
    sleep(seconds)  # looked up at each call, so a test's replacement takes effect


def _backoff(retry: Retry, attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return max(0.0, min(retry_after, retry.max_delay))
    return random.uniform(0, min(retry.max_delay, retry.base_delay * 2 ** (attempt - 1)))


def parse_retry_after(value: str | None) -> float | None:
    """A Retry-After header (seconds, or an HTTP-date) -> seconds to wait, None if absent or
    unreadable."""
    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # The one clock read of this module: an HTTP-date is an instant, the wait is relative.
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@")


def redact(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL removed."""
    return _CREDENTIALS.sub(r"\1", text)
