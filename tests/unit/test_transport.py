"""focuscal.transport: retries, backoff, Retry-After, deadlines, error translation, redaction."""

from __future__ import annotations

import http.client
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from focuscal import transport
from focuscal.errors import FetchError, FocuscalError, InputError, redact
from focuscal.transport import Failure, Retry


class Flaky:
    """Fails with the given exceptions in turn, then answers."""

    def __init__(self, *failures: BaseException, answer: str = "ok") -> None:
        self.failures = list(failures)
        self.answer = answer
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.answer


class Busy(Exception):
    """A library's error: the server is busy, come back in ``after`` seconds."""

    def __init__(self, after: float | None = None) -> None:
        super().__init__("busy")
        self.after = after


class Refused(Exception):
    """A library's error that no retry mends."""


def classify(exc: BaseException) -> Failure | None:
    if isinstance(exc, Busy):
        return Failure(FetchError("the server is busy", where="srv"), True, exc.after)
    if isinstance(exc, Refused):
        return Failure(FetchError("the server refused", where="srv"), False)
    return None


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    out: list[float] = []
    monkeypatch.setattr(transport, "sleep", out.append)
    return out


def test_success_after_retries_waits_with_exponential_full_jitter(waits):
    fn = Flaky(Busy(), Busy(), Busy())
    assert transport.call(fn, classify=classify, retry=Retry(attempts=4, base_delay=1)) == "ok"
    assert fn.calls == 4
    assert len(waits) == 3
    for n, wait in enumerate(waits):
        assert 0 <= wait <= 2**n


def test_jitter_spreads_the_waits():
    retry = Retry(base_delay=1.0, max_delay=100)
    seen = {round(transport.backoff(retry, 3), 6) for _ in range(50)}
    assert len(seen) > 40  # not a fixed schedule
    assert all(0 <= s <= 4 for s in seen)
    assert max(transport.backoff(Retry(base_delay=1, max_delay=5), 10) for _ in range(50)) <= 5


def test_attempts_run_out_and_the_error_is_chained_to_its_cause(waits):
    causes = [Busy(), Busy(), Busy()]
    fn = Flaky(*causes)
    with pytest.raises(FetchError, match="srv: the server is busy") as info:
        transport.call(fn, classify=classify, retry=Retry(attempts=3))
    assert fn.calls == 3
    assert len(waits) == 2
    assert info.value.__cause__ is causes[-1]


def test_a_failure_that_no_retry_mends_is_raised_at_once(waits):
    fn = Flaky(Refused())
    with pytest.raises(FetchError, match="refused"):
        transport.call(fn, classify=classify)
    assert fn.calls == 1
    assert waits == []


def test_a_request_that_is_not_safe_to_repeat_is_tried_once(waits):
    fn = Flaky(Busy())
    with pytest.raises(FetchError, match="busy"):
        transport.call(fn, classify=classify, repeatable=False)
    assert fn.calls == 1
    assert waits == []


@pytest.mark.parametrize("bug", [KeyError("x"), TypeError("y"), FetchError("already ours")])
def test_an_exception_classify_does_not_know_goes_up_unchanged(waits, bug):
    fn = Flaky(bug)
    with pytest.raises(type(bug)) as info:
        transport.call(fn, classify=classify)
    assert info.value is bug
    assert fn.calls == 1


def test_retry_after_is_honoured_and_capped(waits):
    fn = Flaky(Busy(after=7.0), Busy(after=3600.0))
    transport.call(fn, classify=classify, retry=Retry(max_delay=30))
    assert waits == [7.0, 30.0]


def test_the_deadline_bounds_tries_and_waits():
    now = [0.0]

    def clock() -> float:
        return now[0]

    def slept(seconds: float) -> None:
        now[0] += seconds

    def slow_busy() -> str:
        now[0] += 4.0  # every try takes four seconds, then fails
        raise Busy(after=2.0)

    with pytest.raises(FetchError, match="busy"):
        transport.call(slow_busy, classify=classify, clock=clock, sleep=slept,
                       retry=Retry(attempts=100, deadline=15))
    # tries at 0-4, 6-10 and 12-16: a try starts only when its wait ends before the deadline
    # (a try bounds itself with Deadline.remaining()); a fourth would start at 18
    assert now[0] == 16.0


def test_an_explicit_sleep_is_used_instead_of_the_module_one(waits):
    mine: list[float] = []
    transport.call(Flaky(Busy(after=1.0)), classify=classify, sleep=mine.append)
    assert mine == [1.0]
    assert waits == []


def test_deadline_value():
    now = [100.0]
    deadline = transport.Deadline.after(5, clock=lambda: now[0])
    assert deadline.remaining() == 5
    now[0] = 104.5
    assert deadline.remaining() == pytest.approx(0.5)
    assert not deadline.expired
    now[0] = 200
    assert deadline.remaining() == 0
    assert deadline.expired


@pytest.mark.parametrize(("value", "seconds"), [
    (None, None), ("", None), ("soon", None), ("120", 120.0), (" 3 ", 3.0), ("1.5", 1.5),
    ("-4", 0.0), ("nan", None),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: at once
])
def test_parse_retry_after(value, seconds):
    assert transport.parse_retry_after(value) == seconds


def test_parse_retry_after_http_date_in_the_future():
    when = datetime.now(UTC) + timedelta(seconds=90)
    seconds = transport.parse_retry_after(format_datetime(when, usegmt=True))
    assert seconds is not None
    assert 85 <= seconds <= 91


@pytest.mark.parametrize(("text", "clean"), [
    ("http://user:secret@host/x.ics", "http://host/x.ics"),
    ("https://me:p@ss@cal.example.com:8443/a?b=1", "https://cal.example.com:8443/a?b=1"),
    ("webcal://token@host/feed and caldav+https://a:b@dav.example.com/cal/",
     "webcal://host/feed and caldav+https://dav.example.com/cal/"),
    ("HTTP://U:P@H/", "HTTP://H/"),
    # an address in the path or outside any URL is no secret
    ("caldav+https://caldav.fastmail.com/dav/calendars/user/me@fastmail.com/Default/",
     "caldav+https://caldav.fastmail.com/dav/calendars/user/me@fastmail.com/Default/"),
    ("mailto:me@example.com, me@example.com", "mailto:me@example.com, me@example.com"),
    ("/home/me/cal.ics", "/home/me/cal.ics"),
])
def test_redact(text, clean):
    assert redact(text) == clean
    assert transport.redact(text) == clean


def test_every_focuscal_error_is_redacted():
    error = InputError("cannot read http://u:hunter2@h/x.ics", where="http://u:hunter2@h/x.ics",
                       line=3, hint="try https://u:hunter2@h/y")
    assert "hunter2" not in str(error)
    assert "hunter2" not in error.message + str(error.where) + str(error.hint)
    assert "hunter2" not in repr(error.args)
    assert str(error) == "http://h/x.ics:3: cannot read http://h/x.ics (try https://h/y)"
    assert isinstance(error, FocuscalError)


@pytest.mark.parametrize(("exc", "text", "retryable"), [
    (TimeoutError("timed out"), "no answer within 5 s", True),
    (http.client.IncompleteRead(b"x" * 10, 90), "cut before the whole answer arrived", True),
    (http.client.RemoteDisconnected("closed"), "closed the connection without an answer", True),
    (http.client.BadStatusLine("HELLO"), "not HTTP (a garbage status line)", True),
    (http.client.LineTooLong("header line"), "not valid HTTP", False),
    (ConnectionRefusedError(111, "Connection refused"), "connection was refused", True),
    (ConnectionResetError(104, "Connection reset by peer"),
     "the connection was lost: Connection reset by peer", True),
    (socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
     "cannot resolve the host name: Name or service not known", False),
    (PermissionError(13, "Permission denied"), "network error: Permission denied", False),
])
def test_connection_failures_in_plain_words(exc, text, retryable):
    failure = transport.connection_failure(exc, where="http://h/x", timeout=5)
    assert failure is not None
    assert text in str(failure.error)
    assert failure.retryable is retryable
    assert type(exc).__name__ not in str(failure.error)


def test_connection_failure_knows_nothing_else():
    assert transport.connection_failure(ValueError("bug"), where="x", timeout=1) is None
