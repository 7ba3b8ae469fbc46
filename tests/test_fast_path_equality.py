"""The shortcuts never change a number: the fast path (pre-scan of the raw text, cache) and the
plain path give the same JSON document, or the same error, for every corpus file, every
example and generated calendars, over several windows and zones."""

from __future__ import annotations

import re
import sys
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from focuscal import app
from focuscal.config import Settings
from focuscal.errors import FocuscalError
from focuscal.report.audit import to_json
from focuscal.window import Window
from tests.conftest import CORPUS, EXAMPLES, ROOT, ZONES

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate, window_of

CORPUS_FILES = sorted(CORPUS.glob("*.ics")) if CORPUS.is_dir() else []
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.ics"))
FIRST_DTSTART = re.compile(rb"BEGIN:VEVENT.*?^DTSTART[^:\r\n]*:(\d{4})(\d\d)(\d\d)", re.S | re.M)


def audit_json(path, first: date, last: date, zone: str, monkeypatch, fast: bool) -> str:
    """The JSON document of the audit and every event instance with its zone (repr), or the
    error line and exit code."""
    monkeypatch.setenv("FOCUSCAL_NO_FASTPATH", "0" if fast else "1")
    try:
        result = app.audit(Settings(), [str(path)], Window(first, last), ZoneInfo(zone))
    except FocuscalError as exc:
        return f"error {exc.exit_code}: {exc}"
    # recurring-ical-events yields overrides from a set: the order of instances is arbitrary
    events = sorted(repr(c.event) for c in result.analysis.classified)
    return to_json(result) + "\n" + "\n".join(events)


def windows_for(data: bytes) -> list[tuple[date, date]]:
    """The week of the first event, a week with a DST change in its year, and its year."""
    m = FIRST_DTSTART.search(data)
    try:
        day = date(int(m[1]), int(m[2]), int(m[3])) if m else date(2026, 3, 2)
    except ValueError:
        day = date(2026, 3, 2)
    day = min(max(day, date(1971, 1, 4)), date(2100, 1, 4))
    monday = day - timedelta(days=day.weekday())
    march_end = date(day.year, 3, 31)
    dst_monday = march_end - timedelta(days=march_end.weekday())  # EU change on the last Sunday
    return [
        (monday, monday + timedelta(days=6)),
        (dst_monday, dst_monday + timedelta(days=6)),
        (date(day.year, 1, 1), date(day.year, 12, 31)),
    ]


def assert_same(path, windows, zones, monkeypatch) -> None:
    for first, last in windows:
        for zone in zones:
            plain = audit_json(path, first, last, zone, monkeypatch, fast=False)
            cold = audit_json(path, first, last, zone, monkeypatch, fast=True)
            warm = audit_json(path, first, last, zone, monkeypatch, fast=True)
            label = f"{path.name} {first}..{last} {zone}"
            assert cold == plain, label
            assert warm == plain, label


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file_same_on_both_paths(path, monkeypatch):
    zone = ZONES[CORPUS_FILES.index(path) % len(ZONES)]
    assert_same(path, windows_for(path.read_bytes()), [zone], monkeypatch)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_example_same_on_both_paths(path, monkeypatch):
    windows = [(date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
               (date(2026, 1, 1), date(2026, 12, 31))]
    assert_same(path, windows, ZONES, monkeypatch)


@pytest.mark.parametrize("size", ["small", "medium"])
def test_generated_calendar_same_on_both_paths(size, tmp_path, monkeypatch):
    path = tmp_path / f"{size}.ics"
    path.write_bytes(generate(size, seed=11))
    first, last = window_of(size)
    middle = first + timedelta(days=(last - first).days // 2)
    monday = middle - timedelta(days=middle.weekday())
    windows = [
        (monday, monday + timedelta(days=6)),
        (date(2026, 3, 23), date(2026, 3, 29)),  # Europe's spring change
        (date(2026, 10, 26), date(2026, 11, 1)),  # America's autumn change
        (first, first + timedelta(days=364)),
    ]
    zones = ZONES if size == "small" else ["Europe/Berlin", "America/New_York"]
    assert_same(path, windows, zones, monkeypatch)


EDGES = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//focuscal//edge cases//EN\r
BEGIN:VEVENT\r
UID:kiritimati\r
SUMMARY:Early in the far east\r
DTSTART;TZID=Pacific/Kiritimati:20260316T100000\r
DTEND;TZID=Pacific/Kiritimati:20260316T110000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:pago\r
SUMMARY:Late in the far west\r
DTSTART;TZID=Pacific/Pago_Pago:20260308T200000\r
DTEND;TZID=Pacific/Pago_Pago:20260308T230000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:folded\r
SUMMARY:Folded start\r
DTSTART;TZID=America/New_Y\r
 ork:20260306T160000\r
DURATION:P3D\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:no-end\r
SUMMARY:All-day without end\r
DTSTART;VALUE=DATE:20260308\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating\r
SUMMARY:Floating\r
DTSTART:20260315T233000\r
DTEND:20260316T013000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:rdate\r
SUMMARY:Extra dates\r
DTSTART:20250101T100000Z\r
DTEND:20250101T110000Z\r
RDATE:20260310T100000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:moved-in\r
SUMMARY:Series of 2025, one instance moved into the window\r
DTSTART:20250106T100000Z\r
DTEND:20250106T110000Z\r
RRULE:FREQ=WEEKLY;COUNT=3\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:moved-in\r
SUMMARY:Moved\r
RECURRENCE-ID:20250113T100000Z\r
DTSTART:20260311T100000Z\r
DTEND:20260311T110000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:until-date\r
SUMMARY:Ends by a date\r
DTSTART;VALUE=DATE:20260302\r
DTEND;VALUE=DATE:20260303\r
RRULE:FREQ=DAILY;UNTIL=20260308\r
X-MICROSOFT-CDO-BUSYSTATUS:OOF\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:dup\r
SEQUENCE:2\r
SUMMARY:Duplicate, newer\r
DTSTART:20260312T120000Z\r
DTEND:20260312T130000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:dup\r
SEQUENCE:1\r
SUMMARY:Duplicate, older and elsewhere\r
DTSTART:20240312T120000Z\r
DTEND:20240312T130000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_edge_cases_same_on_both_paths(zone, tmp_path, monkeypatch):
    path = tmp_path / "edges.ics"
    path.write_bytes(EDGES.encode())
    windows = [(date(2026, 3, 9), date(2026, 3, 15)), (date(2026, 3, 16), date(2026, 3, 22)),
               (date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 23), date(2026, 3, 29))]
    assert_same(path, windows, [zone], monkeypatch)
