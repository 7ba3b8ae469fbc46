"""The cache of audits (focuscal/analysed.py): a repeat gives the document a fresh audit gives,
anything the numbers depend on makes a new entry, entries are private and never trusted."""

from __future__ import annotations

import stat
import sys
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from platformdirs import user_cache_path

from focuscal import analysed, app
from focuscal.config import CalendarEntry, Settings
from focuscal.report.audit import to_json
from focuscal.window import Window
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = Window(date(2026, 2, 16), date(2026, 2, 22))
TREND = Window(date(2026, 2, 2), date(2026, 2, 22), weeks=3)


def entries() -> list:
    return sorted((user_cache_path("focuscal") / "analysed").glob("*.json"))


def fresh(settings: Settings, path, window: Window, tz=BERLIN) -> str:
    return to_json(app.audit(replace(settings, cache=False), [str(path)], window, tz))


@pytest.fixture
def ics(tmp_path):
    """The small calendar, padded with a comment line to the size the cache starts at."""
    path = tmp_path / "small.ics"
    data = generate("small", seed=4)
    padding = b"X-PADDING:" + b"x" * (analysed.MIN_BYTES - len(data)) + b"\r\n"
    path.write_bytes(data.replace(b"METHOD:PUBLISH\r\n", b"METHOD:PUBLISH\r\n" + padding))
    return path


@pytest.mark.parametrize("window", [WEEK, TREND], ids=["week", "trend"])
def test_a_repeat_gives_what_a_fresh_audit_gives(ics, window):
    settings = Settings()
    first = app.audit(settings, [str(ics)], window, BERLIN, reuse=True)
    assert len(entries()) == 1
    again = app.audit(settings, [str(ics)], window, BERLIN, reuse=True)
    assert again.analysis.classified == ()  # it came from the cache
    assert first.analysis.classified
    assert to_json(again) == to_json(first) == fresh(settings, ics, window)
    assert again.analysis.me == first.analysis.me
    assert again.weeks == first.weeks


def test_whatever_the_numbers_depend_on_makes_a_new_entry(ics):
    settings = Settings()
    app.audit(settings, [str(ics)], WEEK, BERLIN, reuse=True)
    changes = [
        (replace(settings, focus_min=60), WEEK, BERLIN),
        (replace(settings, me=("sam@example.com",)), WEEK, BERLIN),
        (settings, Window(date(2026, 2, 9), date(2026, 2, 15)), BERLIN),
        (settings, WEEK, ZoneInfo("America/New_York")),
    ]
    for n, (changed, window, tz) in enumerate(changes, 2):
        result = app.audit(changed, [str(ics)], window, tz, reuse=True)
        assert len(entries()) == n
        assert to_json(result) == fresh(changed, ics, window, tz)
    ics.write_bytes(ics.read_bytes().replace(b"SUMMARY:Team standup", b"SUMMARY:Focus time"))
    edited = app.audit(settings, [str(ics)], WEEK, BERLIN, reuse=True)
    assert len(entries()) == len(changes) + 2
    assert edited.analysis.classified  # not the old entry
    assert to_json(edited) == fresh(settings, ics, WEEK)


def test_entries_are_private_and_an_altered_one_is_rebuilt(ics):
    settings = Settings()
    expected = to_json(app.audit(settings, [str(ics)], WEEK, BERLIN, reuse=True))
    (entry,) = entries()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(entry.parent.stat().st_mode) == 0o700
    altered = entry.read_bytes().replace(b'{"me":[', b'{"me":["mallory@example.com",', 1)
    assert altered != entry.read_bytes()
    for broken in (altered, b"not json", entry.read_bytes()[:-10]):
        entry.write_bytes(broken)
        again = app.audit(settings, [str(ics)], WEEK, BERLIN, reuse=True)
        assert again.analysis.classified  # recomputed, not trusted
        assert to_json(again) == expected
        assert entry.read_bytes() != broken  # and rewritten


def test_without_reuse_or_with_the_plain_path_nothing_is_kept(ics, monkeypatch):
    app.audit(Settings(), [str(ics)], WEEK, BERLIN)
    monkeypatch.setenv("FOCUSCAL_NO_FASTPATH", "1")
    app.audit(Settings(), [str(ics)], WEEK, BERLIN, reuse=True)
    assert entries() == []


def test_only_local_files_are_cached(ics, tmp_path):
    settings = Settings()
    small = tmp_path / "tiny.ics"
    small.write_bytes(generate("small", seed=4))
    assert analysed.key(settings, [CalendarEntry(str(small))], WEEK, BERLIN) is None
    for uri in ("-", "https://example.com/cal.ics", "google:primary", str(tmp_path / "nope")):
        assert analysed.key(settings, [CalendarEntry(uri)], WEEK, BERLIN) is None
    assert analysed.key(replace(settings, cache=False), [CalendarEntry(str(ics))], WEEK,
                        BERLIN) is None
    assert analysed.key(settings, [CalendarEntry(str(ics.parent))], WEEK, BERLIN) is not None
    app.audit(replace(settings, cache=False), [str(ics)], WEEK, BERLIN, reuse=True)
    assert entries() == []
