"""The cache of parsed events: same answer as a fresh parse; a corrupt, foreign or altered entry
is ignored and rebuilt, never trusted."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from focuscal.ical import cache as ics_cache
from focuscal.ical import read
from focuscal.window import utc_window
from tests.conftest import EXAMPLES

TZ = ZoneInfo("America/New_York")
WINDOW = utc_window(date(2026, 3, 2), date(2026, 3, 8), TZ)
SOURCE = EXAMPLES / "sales-week.ics"


def fresh(data: bytes):
    return read.parse(data, str(SOURCE), WINDOW, TZ, fast=False)


def cached(data: bytes):
    return read.parse(data, str(SOURCE), WINDOW, TZ, fast=True, cache=True)


def entries():
    folder = ics_cache.cache_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def same(a, b) -> None:
    assert a.events == b.events
    assert [(e.start.tzinfo, e.start.fold, e.end.tzinfo) for e in a.events] == [
        (e.start.tzinfo, e.start.fold, e.end.tzinfo) for e in b.events
    ]
    assert a.me == b.me
    assert a.warnings == b.warnings


def test_a_cached_result_equals_a_fresh_parse():
    data = SOURCE.read_bytes()
    expected = fresh(data)
    assert expected.events
    same(cached(data), expected)
    [entry] = entries()
    assert entry.stat().st_mode & 0o777 == 0o600
    key = ics_cache.key(data, str(SOURCE), WINDOW, TZ)
    assert entry.name == f"{key}.json"
    same(ics_cache.load(key), expected)
    same(cached(data), expected)


def test_the_cache_is_private_whatever_the_umask():
    """Entries hold what the calendar holds: folders 0700 (an older, looser one tightened),
    files 0600."""
    import os
    import stat

    folder = ics_cache.cache_dir()
    folder.mkdir(parents=True, mode=0o755)
    os.chmod(folder, 0o755)
    old = os.umask(0o002)
    try:
        cached(SOURCE.read_bytes())
    finally:
        os.umask(old)
    [entry] = entries()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    for path in (folder, folder.parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_a_changed_file_is_never_answered_from_the_cache():
    data = SOURCE.read_bytes()
    cached(data)
    changed = data.replace(b"Sales team standup", b"Focus: standup moved away", 1)
    assert changed != data
    result = cached(changed)
    same(result, fresh(changed))
    assert any(e.summary.startswith("Focus:") for e in result.events)
    assert len(entries()) == 2


def test_no_cache_writes_nothing():
    read.parse(SOURCE.read_bytes(), str(SOURCE), WINDOW, TZ, fast=True, cache=False)
    assert entries() == []


def _valid_entry(key: str, payload: bytes) -> bytes:
    header = {"format": ics_cache.FORMAT, "key": key,
              "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header).encode() + b"\n" + payload


@pytest.mark.parametrize(
    "damage",
    [
        "garbage",
        "empty",
        "truncated",
        "altered payload",
        "foreign format",
        "other key",
        "valid checksum, wrong shape",
        "valid checksum, naive time",
        "pickle",
    ],
)
def test_a_corrupt_or_foreign_entry_is_ignored_and_rebuilt(damage):
    data = SOURCE.read_bytes()
    expected = fresh(data)
    cached(data)
    [entry] = entries()
    good = entry.read_bytes()
    key = entry.stem
    head, _, payload = good.partition(b"\n")
    bad = {
        "garbage": b"\x00\xff not json at all",
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "altered payload": head + b"\n" + payload.replace(b"Sales team standup", b"Focus"),
        "foreign format": _valid_entry(key, payload).replace(
            ics_cache.FORMAT.encode(), b"someone.else/1"),
        "other key": _valid_entry("0" * 64, payload),
        "valid checksum, wrong shape": _valid_entry(key, b'{"me": 5, "events": {}}'),
        "valid checksum, naive time": _valid_entry(key, json.dumps(
            {"me": [], "warnings": [], "events": [[["2026-03-02T09:00:00", 0, "offset", 0,
                                                    "UTC"], ["2026-03-02T10:00:00+00:00", 0,
                                                             "offset", 0, "UTC"], "x", "u",
                                                   False, None, False, [], None, None, None,
                                                   False, "s", None]]}).encode()),
        "pickle": b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x05.",
    }[damage]
    entry.write_bytes(bad)
    assert ics_cache.load(key) is None
    same(cached(data), expected)
    # rebuilt: the entry is whole again and answers the next run
    assert ics_cache.load(key) is not None
    same(ics_cache.load(key), expected)


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    data = SOURCE.read_bytes()
    same(cached(data), fresh(data))
