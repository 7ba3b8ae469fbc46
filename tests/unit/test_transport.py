"""The transport stand-in: retries, backoff bounds, Retry-After, deadlines, unknown errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from focuscal import transport
from focuscal.errors import FetchError


class Flaky(Exception):
    pass


def failing(times: int, result="done", exc=Flaky):
    calls = []

    def fn():
        calls.append(1)
        if len(calls) <= times:
            raise exc("boom")
        return result

    return fn, calls


def classify(retryable=True, retry_after=None):
    def inner(exc):
        if isinstance(exc, Flaky):
            return transport.Failure(FetchError("it failed", where="x"), retryable, retry_after)
        return None

    return inner


def test_retries_until_success_with_bounded_backoff():
    waits = []
    fn, calls = failing(3)
    retry = transport.Retry(attempts=4, base_delay=1.0, max_delay=3.0)
    assert transport.call(fn, classify=classify(), retry=retry, sleep=waits.append) == "done"
    assert len(calls) == 4
    assert len(waits) == 3
    assert all(0 <= w <= cap for w, cap in zip(waits, [1.0, 2.0, 3.0], strict=True))


def test_no_try_left_raises_the_failure_from_the_cause():
    fn, calls = failing(10)
    with pytest.raises(FetchError, match="it failed") as info:
        transport.call(fn, classify=classify(), retry=transport.Retry(attempts=3),
                       sleep=lambda s: None)
    assert len(calls) == 3
    assert isinstance(info.value.__cause__, Flaky)


def test_not_retryable_not_repeatable_and_unknown_errors():
    fn, calls = failing(1)
    with pytest.raises(FetchError):
        transport.call(fn, classify=classify(retryable=False), sleep=lambda s: None)
    assert len(calls) == 1
    fn, calls = failing(1)
    with pytest.raises(FetchError):
        transport.call(fn, classify=classify(), repeatable=False, sleep=lambda s: None)
    assert len(calls) == 1
    fn, calls = failing(1, exc=KeyError)
    with pytest.raises(KeyError):  # a bug is a bug
        transport.call(fn, classify=classify(), sleep=lambda s: None)


def test_retry_after_is_honoured_up_to_the_cap(monkeypatch):
    waits = []
    monkeypatch.setattr(transport, "sleep", waits.append)  # the module-level default
    fn, _ = failing(2)
    transport.call(fn, classify=classify(retry_after=120.0),
                   retry=transport.Retry(attempts=3, max_delay=30.0))
    assert waits == [30.0, 30.0]


def test_a_deadline_stops_before_waiting_past_it():
    now = [0.0]
    fn, calls = failing(10)
    with pytest.raises(FetchError):
        transport.call(fn, classify=classify(retry_after=4.0),
                       retry=transport.Retry(attempts=10, deadline=10.0),
                       sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0])
    assert len(calls) == 3  # waits at 0 and 4; a third wait would end at 12


@pytest.mark.parametrize(("value", "seconds"), [
    (None, None), ("", None), ("5", 5.0), (" 2.5 ", 2.5), ("soon", None)])
def test_parse_retry_after(value, seconds):
    assert transport.parse_retry_after(value) == seconds


def test_parse_retry_after_http_date():
    later = datetime.now(UTC) + timedelta(seconds=90)
    assert 80 <= transport.parse_retry_after(format_datetime(later, usegmt=True)) <= 90


def test_redact():
    assert transport.redact("cannot reach https://bob:s3cret@host/x.ics (ok) and "
                            "webcal://a@b/c") == "cannot reach https://host/x.ics (ok) and webcal://b/c"
