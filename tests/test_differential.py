"""One truth for every way of reading a calendar: the plain parse, the fast path (the pre-scan
of the raw text) and the events cache give the same JSON audit and the same event instances,
or the same error and exit code, for any input.

``assert_same_on_every_path(data, windows, zones)`` audits ``data`` every way in ``WAYS`` and
compares. A new way of reading (a lighter parser, say) is one more entry in ``WAYS``: the
environment that selects it, and whether it is read once before so that a cache answers.

Inputs: the examples, every corpus file (/work/shared/corpus/ics), calendars of
benchmarks/generate.py, hypothesis-generated calendars (escaped text, folding at every
position, overrides before masters, duplicate UIDs with SEQUENCE, EXDATE and RDATE lists, odd
TZIDs), and deterministic mutations of the corpus (lines dropped or doubled, DTSTART, TZID,
RRULE, EXDATE and RECURRENCE-ID changed, UIDs escaped, line endings, folding, truncation, a
bare CR, a NUL).
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
Windows = Sequence[tuple[date, date]]


@dataclass(frozen=True)
class Way:
    """One way focuscal reads a calendar: the environment that selects it, and whether the
    same audit runs once before in the same cache (so that the events cache answers)."""

    name: str
    env: Mapping[str, str]
    warm: bool = False


WAYS: list[Way] = [
    Way("plain", {"FOCUSCAL_NO_FASTPATH": "1"}),
    # the light reader first (ical/light.py), the scan and the full parse for what it leaves
    Way("light", {"FOCUSCAL_NO_FASTPATH": "0", "FOCUSCAL_NO_LIGHT": "0"}),
    # the scan in front of the full parse, and the events cache of what it gave
    Way("scan", {"FOCUSCAL_NO_FASTPATH": "0", "FOCUSCAL_NO_LIGHT": "1"}),
    Way("cached", {"FOCUSCAL_NO_FASTPATH": "0", "FOCUSCAL_NO_LIGHT": "1"}, warm=True),
]


@contextlib.contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set, restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def audit_answer(path: Path, first: date, last: date, zone: str) -> str:
    """The JSON audit and every event instance (repr, sorted: overrides come from a set), or
    the error line and its exit code."""
    try:
        result = app.audit(Settings(), [str(path)], Window(first, last), ZoneInfo(zone))
    except FocuscalError as exc:
        return f"error {int(exc.exit_code)}: {exc}"
    events = sorted(repr(c.event) for c in result.analysis.classified)
    return to_json(result) + "\n" + "\n".join(events)


def answer(way: Way, path: Path, first: date, last: date, zone: str) -> str:
    """What ``way`` gives for the audit, in a cache of its own."""
    with tempfile.TemporaryDirectory(prefix="focuscal-diff-") as cache, \
            environment({**way.env, "XDG_CACHE_HOME": cache}):
        if way.warm:
            audit_answer(path, first, last, zone)
        return audit_answer(path, first, last, zone)


def assert_same_on_every_path(data: bytes, windows: Windows, zones: Sequence[str],
                              name: str = "calendar.ics") -> None:
    """Every way of ``WAYS`` gives the same answer for ``data`` in every window and zone."""
    with tempfile.TemporaryDirectory(prefix="focuscal-diff-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        for first, last in windows:
            for zone in zones:
                expected = answer(WAYS[0], path, first, last, zone)
                for way in WAYS[1:]:
                    got = answer(way, path, first, last, zone)
                    assert got == expected, f"{name} {first}..{last} {zone}: {way.name} " \
                                            f"differs from {WAYS[0].name}"


def windows_for(data: bytes, year: bool = True) -> list[tuple[date, date]]:
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
    out = [(monday, monday + timedelta(days=6)), (dst_monday, dst_monday + timedelta(days=6))]
    if year:
        out.append((date(day.year, 1, 1), date(day.year, 12, 31)))
    return out


# ---------------------------------------------------------------- the corpus and the examples


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file_same_on_every_path(path):
    zone = ZONES[CORPUS_FILES.index(path) % len(ZONES)]
    data = path.read_bytes()
    assert_same_on_every_path(data, windows_for(data), [zone], path.name)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.name for p in EXAMPLE_FILES])
def test_example_same_on_every_path(path):
    windows = [(date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
               (date(2026, 1, 1), date(2026, 12, 31))]
    assert_same_on_every_path(path.read_bytes(), windows, ZONES, path.name)


@pytest.mark.parametrize("size", ["small", "medium"])
def test_generated_calendar_same_on_every_path(size):
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
    assert_same_on_every_path(generate(size, seed=11), windows, zones, f"{size}.ics")


# ---------------------------------------------------------------- edge cases of the scan

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
def test_edge_cases_same_on_every_path(zone):
    windows = [(date(2026, 3, 9), date(2026, 3, 15)), (date(2026, 3, 16), date(2026, 3, 22)),
               (date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 23), date(2026, 3, 29))]
    assert_same_on_every_path(EDGES.encode(), windows, [zone], "edges.ics")


# ---------------------------------------------------------------- mutations of the corpus

ODD_TZIDS = ["Nowhere/Zone", "W. Europe Standard Time", "/mozilla.org/20050126_1/Europe/Berlin",
             "(UTC+01:00) Amsterdam, Berlin", "A" * 300, "Europe/Berlin", ""]
RULES = ["FREQ=DAILY;COUNT=3", "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20300101T000000Z",
         "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=FR", "FREQ=YEARLY", "FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO",
         "FREQ=WEEKLY;INTERVAL=2;COUNT=10;BYDAY=TU,TH", "FREQ=DAILY;UNTIL=19991231",
         "FREQ=HOURLY;INTERVAL=5;COUNT=40", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=BOGUS"]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _pick(rng: random.Random, lines: list[bytes], prefix: bytes) -> int | None:
    found = [i for i, line in enumerate(lines) if line.upper().startswith(prefix)]
    return rng.choice(found) if found else None


def _replace_value(line: bytes, value: bytes) -> bytes:
    head, _, rest = line.partition(b":")
    ending = rest[len(rest.rstrip(b"\r\n")):]
    return head + b":" + value + ending


def _mutate(kind: str, data: bytes, rng: random.Random) -> bytes | None:
    """``data`` changed in one way (None when it holds nothing to change that way)."""
    lines = _lines(data)
    if kind in ("drop", "double"):
        if len(lines) < 3:
            return None
        i = rng.randrange(1, len(lines) - 1)
        lines[i:i + 1] = [] if kind == "drop" else [lines[i], lines[i]]
    elif kind == "dtstart":
        i = _pick(rng, lines, b"DTSTART")
        if i is None:
            return None
        year = rng.choice([-1, 0, 1])
        day = rng.choice([b"01", b"15", b"29", b"31"])
        lines[i] = re.sub(rb"(\d{4})(\d\d)(\d\d)",
                          lambda m: str(int(m[1]) + year).encode() + m[2] + day, lines[i],
                          count=1)
    elif kind == "tzid":
        found = [i for i, line in enumerate(lines) if b"TZID=" in line.upper()]
        if not found:
            return None
        i = rng.choice(found)
        lines[i] = re.sub(rb"(?i)TZID=[^:;]*", b"TZID=" + rng.choice(ODD_TZIDS).encode(),
                          lines[i], count=1)
    elif kind == "rrule":
        i = _pick(rng, lines, b"RRULE") or _pick(rng, lines, b"DTSTART")
        if i is None:
            return None
        rule = b"RRULE:" + rng.choice(RULES).encode() + b"\r\n"
        if lines[i].upper().startswith(b"RRULE"):
            lines[i] = rule
        else:
            lines.insert(i + 1, rule)
    elif kind in ("exdate", "recurrence-id"):
        i = _pick(rng, lines, b"DTSTART")
        if i is None:
            return None
        name = b"EXDATE" if kind == "exdate" else b"RECURRENCE-ID"
        lines.insert(i + 1, name + lines[i][len(b"DTSTART"):])
    elif kind == "uid":
        i = _pick(rng, lines, b"UID")
        if i is None:
            return None
        lines[i] = lines[i].rstrip(b"\r\n").replace(b",", b"\\,") + b"\\,x\\;y\r\n"
    elif kind == "endings":
        return data.replace(b"\r\n", b"\n") if b"\r\n" in data else data.replace(b"\n", b"\r\n")
    elif kind == "fold":
        long = [i for i, line in enumerate(lines) if len(line) > 12]
        if not long:
            return None
        i = rng.choice(long)
        cut = rng.randrange(1, len(lines[i].rstrip(b"\r\n")))
        lines[i] = lines[i][:cut] + b"\r\n " + lines[i][cut:]
    elif kind == "truncate":
        return data[:rng.randrange(len(data) // 3, len(data))]
    elif kind in ("cr", "nul"):
        i = _pick(rng, lines, b"SUMMARY" if kind == "cr" else b"DTSTART")
        if i is None:
            return None
        if kind == "cr":
            lines[i] = lines[i][:9] + b"\r" + lines[i][9:]
        else:
            lines[i] = lines[i].replace(b":", b";X-A=\x00:", 1)
    return b"".join(lines)


KINDS = ["drop", "double", "dtstart", "tzid", "rrule", "exdate", "recurrence-id", "uid",
         "endings", "fold", "truncate", "cr", "nul"]


def mutations(path: Path, count: int) -> list[tuple[str, bytes]]:
    """``count`` deterministic mutations of the file (seeded by its name)."""
    rng = random.Random(path.name)
    data = path.read_bytes()
    out = []
    for kind in rng.sample(KINDS, count):
        mutated = _mutate(kind, data, rng)
        if mutated is not None and mutated != data:
            out.append((kind, mutated))
    return out


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_mutated_corpus_file_same_on_every_path(path):
    zone = ZONES[(CORPUS_FILES.index(path) + 1) % len(ZONES)]
    for kind, data in mutations(path, 3):
        assert_same_on_every_path(data, windows_for(data, year=False)[:1], [zone],
                                  f"{kind}-{path.name}")


# ---------------------------------------------------------------- generated calendars

TZIDS = ["Europe/Berlin", "America/New_York", "W. Europe Standard Time", "Nowhere/Zone",
         "/mozilla.org/20050126_1/Europe/Berlin", "Australia/Lord_Howe"]
TEXT = st.text(st.sampled_from("ab ,;:\\\"\n\u00e9\u4e2d"), max_size=12)


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
            .replace("\n", "\\n"))


def _fold(line: str, at: int) -> str:
    return line if at <= 0 or at >= len(line) else line[:at] + "\r\n " + line[at:]


@st.composite
def _event(draw, uid: str) -> list[str]:
    day = draw(st.dates(date(2026, 2, 23), date(2026, 3, 20)))
    hour = draw(st.integers(0, 23))
    where = draw(st.sampled_from(["Z", "floating", "date", *TZIDS]))
    stamp = f"{day:%Y%m%d}T{hour:02d}{draw(st.sampled_from(['00', '30'])):s}00"
    if where == "Z":
        start = f"DTSTART:{stamp}Z"
    elif where == "floating":
        start = f"DTSTART:{stamp}"
    elif where == "date":
        start = f"DTSTART;VALUE=DATE:{day:%Y%m%d}"
    else:
        start = f"DTSTART;TZID={where}:{stamp}"
    lines = [f"UID:{uid}", f"SUMMARY:{_escape(draw(TEXT))}", start,
             f"DURATION:PT{draw(st.integers(0, 180))}M" if where != "date" else "DURATION:P1D"]
    if draw(st.booleans()):
        lines.append(f"SEQUENCE:{draw(st.integers(0, 3))}")
    if draw(st.integers(0, 3)) == 0:
        lines.append(f"RRULE:{draw(st.sampled_from(RULES[:4] + RULES[5:8]))}")
        if draw(st.booleans()):
            skip = day + timedelta(days=draw(st.integers(0, 14)))
            value = (f"{skip:%Y%m%d}" if where == "date" else f"{skip:%Y%m%d}T{stamp[9:]}"
                     + ("Z" if where == "Z" else ""))
            params = "" if where in ("Z", "floating") else (
                ";VALUE=DATE" if where == "date" else f";TZID={where}")
            lines.append(f"EXDATE{params}:{value},{value}")
        if draw(st.booleans()):
            lines.append(f"RDATE:{day + timedelta(days=3):%Y%m%d}T120000Z")
    if draw(st.integers(0, 4)) == 0:
        original = day + timedelta(days=draw(st.integers(0, 7)))
        lines.append(f"RECURRENCE-ID:{original:%Y%m%d}T{hour:02d}0000Z")
    if draw(st.booleans()):
        lines.append(f"ATTENDEE;PARTSTAT={draw(st.sampled_from(['ACCEPTED', 'DECLINED']))}:"
                     "mailto:me@example.com")
    at = draw(st.integers(0, 40))
    return [_fold(line, at) for line in lines]


@st.composite
def calendars(draw) -> bytes:
    uids = draw(st.lists(st.sampled_from(["a", "b\\,1", "b,1", "c\\;x", "d"]), min_size=1,
                         max_size=7))
    body = []
    for uid in uids:
        body += ["BEGIN:VEVENT", *draw(_event(uid)), "END:VEVENT"]
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//focuscal//diff//EN"]
    ending = draw(st.sampled_from(["\r\n", "\n"]))
    text = ending.join([*head, *body, "END:VCALENDAR", ""])
    return text.replace("\r\n ", ending + " ").encode()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=calendars(), zone=st.sampled_from(ZONES))
def test_generated_calendars_same_on_every_path(data, zone):
    assert_same_on_every_path(data, [(date(2026, 3, 2), date(2026, 3, 8))], [zone])


# ---------------------------------------------------------------- against the libraries alone


def library_events(data: bytes, first: date, last: date, zone: str) -> list[str] | None:
    """The events recurring-ical-events gives on its own for the unpruned text (its copies
    read by focuscal.ical.component), or None when it cannot read the text."""
    import icalendar
    import recurring_ical_events

    from focuscal.ical.component import to_event
    from focuscal.window import utc_window

    tz = ZoneInfo(zone)
    window = utc_window(first, last, tz)
    try:
        with contextlib.suppress(Warning):
            calendar = icalendar.Calendar.from_ical(data)
            found = recurring_ical_events.of(calendar).between(
                first - timedelta(days=1), last + timedelta(days=3))
            events = [to_event(c, tz, "x") for c in found]
    except Exception:  # whatever the libraries cannot read is not compared
        return None
    return sorted(repr(e) for e in events if e is not None and (
        window.start <= e.start < window.end if e.start == e.end
        else e.start < window.end and e.end > window.start))


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside the project")
def test_plain_path_gives_the_libraries_own_instances():
    """Pruning the properties focuscal never reads (prune), the bounded expansion (expand) and
    the events isolation (skipped) change no instance the libraries give on their own."""
    from focuscal.ical import read

    compared = 0
    for path in [*CORPUS_FILES, *EXAMPLE_FILES]:
        data = path.read_bytes()
        first, last = windows_for(data)[0]
        zone = "Europe/Berlin"
        expected = library_events(data, first, last, zone)
        if expected is None:
            continue
        window = utc_window_of(first, last, zone)
        try:
            parsed = read.parse(data, "x", window, ZoneInfo(zone), fast=False)
        except FocuscalError:
            continue  # not a calendar to focuscal (no VCALENDAR, say): nothing to compare
        if parsed.warnings:
            continue
        assert sorted(repr(e) for e in parsed.events) == expected, path.name
        compared += 1
    assert compared > 100


def utc_window_of(first: date, last: date, zone: str):
    from focuscal.window import utc_window

    return utc_window(first, last, ZoneInfo(zone))
