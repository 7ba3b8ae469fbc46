"""The light reader never changes a number: for generated calendars of every profile (heavy
too), every corpus file, deterministic mutations of them and hand-written edge cases, over
weeks, DST weeks and years in several zones, it gives the same event instances (every field,
zone included), the same user address, or gives up (None) and leaves the text to the full
path; and whole audits give the same JSON document with it and without it.

Each path is one entry of PATHS; the full path is ``read.read`` without any shortcut (for the
heavy profile, the scan in front of it, which tests/test_differential.py holds to the plain path).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from focuscal import app
from focuscal.config import Settings
from focuscal.errors import InputError
from focuscal.ical import light, read
from focuscal.ical.light_series import Series, Timing, TooMany
from focuscal.report.audit import to_json
from focuscal.window import Window, utc_window
from tests.conftest import CORPUS, ROOT, ZONES
from tests.test_differential import windows_for

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate, window_of

CORPUS_FILES = sorted(CORPUS.glob("*.ics")) if CORPUS.is_dir() else []


def outcome(parsed: read.Parsed) -> str:
    # recurring-ical-events yields overrides from a set: the order of instances is arbitrary
    return "\n".join([f"me {parsed.me}", *sorted(repr(e) for e in parsed.events)])


def full_path(data: bytes, first: date, last: date, zone: str) -> str:
    tz = ZoneInfo(zone)
    try:
        return outcome(read.read(data, "cal.ics", utc_window(first, last, tz), tz, fast=False))
    except InputError as exc:
        return f"error: {exc}"


def scanned_path(data: bytes, first: date, last: date, zone: str) -> str:
    """The scan, then the full parse of what it keeps (no light reader, no cache)."""
    tz = ZoneInfo(zone)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOCUSCAL_NO_LIGHT", "1")
        try:
            return outcome(read.parse(data, "cal.ics", utc_window(first, last, tz), tz,
                                      fast=True, cache=False))
        except InputError as exc:
            return f"error: {exc}"


def light_path(data: bytes, first: date, last: date, zone: str) -> str | None:
    tz = ZoneInfo(zone)
    parsed = light.parse(data, "cal.ics", utc_window(first, last, tz), tz)
    return None if parsed is None else outcome(parsed)


PATHS: list[Callable[[bytes, date, date, str], str | None]] = [light_path]


def assert_same(data: bytes, windows, zones, reference=full_path, must_be_light=False) -> int:
    """Every path equals ``reference`` (or gives up); returns how many answers were light."""
    answered = 0
    for first, last in windows:
        for zone in zones:
            expected = reference(data, first, last, zone)
            for path in PATHS:
                got = path(data, first, last, zone)
                label = f"{path.__name__} {first}..{last} {zone}"
                if got is None:
                    assert not must_be_light, f"{label}: the light reader gave up"
                    continue
                answered += 1
                assert got == expected, label
    return answered


def generated_windows(size: str) -> list[tuple[date, date]]:
    first, last = window_of(size)
    middle = first + timedelta(days=(last - first).days // 2)
    monday = middle - timedelta(days=middle.weekday())
    return [(monday, monday + timedelta(days=6)), (date(2026, 3, 23), date(2026, 3, 29)),
            (date(2024, 10, 28), date(2024, 11, 3)), (monday - timedelta(weeks=26), monday)]


# ---------------------------------------------------------------- generated calendars


@pytest.mark.parametrize(("size", "zones"), [("small", ZONES), ("medium", ZONES[:3]),
                                             ("large", ["Europe/Berlin", "Asia/Tokyo"])])
def test_generated_calendar_light_equals_full(size, zones):
    data = generate(size, seed=11)
    assert_same(data, generated_windows(size), zones, must_be_light=True)


def test_heavy_calendar_light_equals_scanned_full():
    data = generate("heavy", seed=5)
    windows = generated_windows("heavy")
    assert_same(data, windows[:3], ["Europe/Berlin", "Pacific/Kiritimati"],
                reference=scanned_path, must_be_light=True)
    assert_same(data, windows[3:], ["America/New_York"], reference=scanned_path,
                must_be_light=True)


@pytest.mark.parametrize("size", ["small", "medium"])
def test_audit_json_same_with_and_without_the_light_reader(size, tmp_path, monkeypatch):
    path = tmp_path / f"{size}.ics"
    path.write_bytes(generate(size, seed=3))
    for first, last in generated_windows(size)[::3]:
        docs = []
        for no_fast_path in ("0", "1"):
            monkeypatch.setenv("FOCUSCAL_NO_FASTPATH", no_fast_path)
            result = app.audit(Settings(cache=False), [str(path)], Window(first, last),
                               ZoneInfo("Europe/Berlin"))
            events = sorted(repr(c) for c in result.analysis.classified)
            docs.append(to_json(result) + "\n".join(events))
        assert docs[0] == docs[1], f"{first}..{last}"


# ---------------------------------------------------------------- the corpus


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_corpus_file_light_equals_full(path):
    zone = ZONES[CORPUS_FILES.index(path) % len(ZONES)]
    data = path.read_bytes()
    assert_same(data, windows_for(data), [zone])


def test_the_light_reader_reads_most_of_the_corpus():
    """The light reader is not a reader that always gives up."""
    if not CORPUS_FILES:
        pytest.skip("the shared corpus is not beside the project")
    tz = ZoneInfo("UTC")
    answered = 0
    for path in CORPUS_FILES:
        data = path.read_bytes()
        first, last = windows_for(data)[0]
        answered += light.parse(data, "cal.ics", utc_window(first, last, tz), tz) is not None
    assert answered >= len(CORPUS_FILES) // 2


# ---------------------------------------------------------------- mutations


def _vevents(text: str) -> list[str]:
    return re.findall(r"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n", text, re.S)


def to_lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def to_crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def reversed_events(text: str) -> str:
    events = _vevents(text)
    if len(events) < 2:
        return text
    head = text[: text.index(events[0])]
    tail = text[text.index(events[-1]) + len(events[-1]):]
    return head + "".join(reversed(events)) + tail


def folded(text: str) -> str:
    nl = "\r\n" if "\r\n" in text else "\n"
    out = []
    for line in text.split(nl):
        while len(line) > 30:
            out.append(line[:30])
            line = " " + line[30:]
        out.append(line)
    return nl.join(out)


def lower_names(text: str) -> str:
    return re.sub(r"^(DTSTART|SUMMARY|RRULE)([;:])", lambda m: m[1].lower() + m[2], text,
                  count=2, flags=re.M)


def quoted_tzid(text: str) -> str:
    return re.sub(r"TZID=([^;:\"\r\n]+)", r'TZID="\1"', text)


def utc_as_tzid(text: str) -> str:
    return re.sub(r"^(DTSTART|DTEND|EXDATE|RECURRENCE-ID):(\d{8}T\d{6})Z", r"\1;TZID=UTC:\2",
                  text, flags=re.M)


def exdate_of_start(text: str) -> str:
    def add(event: str) -> str:
        start = re.search(r"^DTSTART([^\r\n]*)", event, re.M)
        if "RRULE" not in event or start is None:
            return event
        return event.replace(start[0], f"{start[0]}\nEXDATE{start[1]}".replace(
            "\n", "\r\n" if "\r\n" in event else "\n"), 1)
    return "".join(add(e) if e in _vevents(text) else e for e in re.split(
        r"(BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n)", text, flags=re.S))


def without_end(text: str) -> str:
    return re.sub(r"^DTEND[^\r\n]*\r?\n", "", text, flags=re.M)


def twice_summary(text: str) -> str:
    return re.sub(r"^(SUMMARY[^\r\n]*\r?\n)", r"\1\1", text, count=1, flags=re.M)


def x_wr_timezone(text: str) -> str:
    return re.sub(r"^(VERSION[^\r\n]*\r?\n)", r"\1X-WR-TIMEZONE:America/New_York\n", text,
                  count=1, flags=re.M)


def no_final_newline(text: str) -> str:
    return text.rstrip("\r\n")


def shifted_recurrence_ids(text: str) -> str:
    return re.sub(r"^(RECURRENCE-ID[^\r\n]*T\d{4})00", r"\g<1>01", text, flags=re.M)


def weekly_singles(text: str) -> str:
    """Every lone event becomes a short weekly series."""
    def add(event: str) -> str:
        if "RRULE" in event or "RECURRENCE-ID" in event:
            return event
        return re.sub(r"^(DTSTART[^\r\n]*\r?\n)", r"\1RRULE:FREQ=WEEKLY;COUNT=3\n", event,
                      count=1, flags=re.M)
    return "".join(add(e) if e.startswith("BEGIN:VEVENT") else e for e in re.split(
        r"(BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n)", text, flags=re.S))


MUTATIONS = [to_lf, to_crlf, reversed_events, folded, lower_names, quoted_tzid, utc_as_tzid,
             exdate_of_start, without_end, twice_summary, x_wr_timezone, no_final_newline,
             shifted_recurrence_ids, weekly_singles]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.__name__ for m in MUTATIONS])
def test_mutated_generated_calendar_light_equals_full(mutation):
    text = generate("small", seed=2).decode()
    data = mutation(text).encode()
    assert_same(data, generated_windows("small")[:2], ["Europe/Berlin", "UTC"])


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_mutated_corpus_file_light_equals_full(path):
    index = CORPUS_FILES.index(path)
    text = path.read_bytes().decode("utf-8", "replace")
    chosen = (MUTATIONS[index % len(MUTATIONS)], MUTATIONS[(index * 5 + 3) % len(MUTATIONS)])
    for mutation in chosen:
        data = mutation(text).encode()
        assert_same(data, windows_for(data)[:2], [ZONES[index % len(ZONES)]])


# ---------------------------------------------------------------- edge cases


def calendar(*events: str, head: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{head}{body}END:VCALENDAR\r\n"
    return re.sub(r"(?<!\r)\n", "\r\n", text).encode()


EDGES = {
    "rdate and exdate": """UID:r
DTSTART;TZID=Europe/Berlin:20260302T100000
DTEND;TZID=Europe/Berlin:20260302T110000
RRULE:FREQ=DAILY;COUNT=10
EXDATE;TZID=Europe/Berlin:20260303T100000,20260305T100000
EXDATE:20260304T090000Z
RDATE;TZID=Europe/Berlin:20260307T150000
RDATE:20260308T120000Z""",
    "override in another zone": """UID:o
DTSTART;TZID=America/New_York:20260302T090000
DURATION:PT45M
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260331T000000Z""",
    "override of it": """UID:o
RECURRENCE-ID;TZID=America/New_York:20260304T090000
DTSTART:20260304T170000Z
DTEND:20260304T180000Z
SUMMARY:Moved\\, renamed
ATTENDEE;PARTSTAT=DECLINED;CN="Alex, A":mailto:alex@example.com""",
    "orphan override": """UID:orphan
RECURRENCE-ID:20260303T100000Z
DTSTART:20260303T110000Z
DTEND:20260303T120000Z""",
    "all-day series": """UID:d
DTSTART;VALUE=DATE:20260227
DTEND;VALUE=DATE:20260228
RRULE:FREQ=WEEKLY;BYDAY=FR;UNTIL=20260320
EXDATE;VALUE=DATE:20260306
X-MICROSOFT-CDO-BUSYSTATUS:OOF""",
    "end before start": """UID:b
DTSTART:20260303T120000Z
DTEND:20260303T100000Z""",
    "zero length": """UID:z
DTSTART:20260303T120000Z""",
    "floating series with a floating until": """UID:f
DTSTART:20260302T080000
DTEND:20260302T083000
RRULE:FREQ=DAILY;UNTIL=20260306T080000""",
    "monthly nth weekday": """UID:m
DTSTART;TZID=Australia/Lord_Howe:20251007T100000
DTEND;TZID=Australia/Lord_Howe:20251007T110000
RRULE:FREQ=MONTHLY;BYDAY=1TU""",
    "start not in the rule": """UID:s
DTSTART:20260302T100000Z
DTEND:20260302T110000Z
RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2""",
    "old never-ending daily": """UID:old
DTSTART;TZID=Europe/Berlin:19990104T093000
DTEND;TZID=Europe/Berlin:19990104T094500
RRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH;WKST=SU""",
    "focus block and texts": """UID:fb
DTSTART;TZID=Europe/Berlin:20260304T140000
DTEND;TZID=Europe/Berlin:20260304T160000
SUMMARY;LANGUAGE=en:Focus\\; deep\\nwork
STATUS:tentative
TRANSP:OPAQUE
X-FOCUSCAL-BLOCK:1
ORGANIZER;CN=Me:mailto:Alex@Example.com""",
}
# Each of these sends its group (or the calendar) to the full path.
DEFERRED = {
    "two masters": "UID:two\nDTSTART:20260303T100000Z\nSEQUENCE:1\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\nUID:two\nDTSTART:20260303T110000Z\nSEQUENCE:2",
    "range": "UID:rg\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260303T100000Z\n"
             "DTSTART:20260303T110000Z",
    "hourly": "UID:h\nDTSTART:20260303T100000Z\nRRULE:FREQ=HOURLY;COUNT=3",
    "unknown zone": "UID:u\nDTSTART;TZID=Mars/Olympus:20260303T100000",
    "date with a zone": "UID:dz\nDTSTART;VALUE=DATE;TZID=Europe/Berlin:20260303",
    "mixed until": "UID:mu\nDTSTART;TZID=Europe/Berlin:20260303T100000\n"
                   "RRULE:FREQ=DAILY;UNTIL=20260305",
    "partstat list": "UID:pl\nDTSTART:20260303T100000Z\n"
                     "ATTENDEE;PARTSTAT=ACCEPTED,DECLINED:mailto:alex@example.com",
    "escaped backslash": "UID:eb\nDTSTART:20260303T100000Z\nSUMMARY:a\\\\nb",
    "period rdate": "UID:pr\nDTSTART:20260303T100000Z\n"
                    "RDATE;VALUE=PERIOD:20260304T100000Z/PT1H",
    "broken value": "UID:bv\nDTSTART:20260230T100000Z",
    "bad alarm": "UID:ba\nDTSTART:20260303T100000Z\nBEGIN:VALARM\nTRIGGER:soon\nEND:VALARM",
}


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago",
                                  "Australia/Lord_Howe"])
def test_edge_cases_light_equals_full(zone):
    data = calendar(*EDGES.values(), head="X-WR-CALNAME:alex@example.com\r\n")
    windows = [(date(2026, 3, 2), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
               (date(2026, 2, 23), date(2026, 3, 1)), (date(2026, 1, 1), date(2026, 12, 31))]
    assert assert_same(data, windows, [zone], must_be_light=True)


@pytest.mark.parametrize("name", DEFERRED)
def test_what_the_light_reader_defers_is_read_the_full_way(name):
    data = calendar(EDGES["rdate and exdate"], DEFERRED[name])
    windows = [(date(2026, 3, 2), date(2026, 3, 8))]
    assert_same(data, windows, ["Europe/Berlin", "America/New_York"])


def test_a_calendar_level_oddity_gives_up():
    for head in ("X-WR-TIMEZONE:Europe/Berlin\r\n", "CALSCALE:JULIAN\r\n",
                 "BEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\n"):
        data = calendar(EDGES["zero length"], head=head)
        tz = ZoneInfo("UTC")
        window = utc_window(date(2026, 3, 2), date(2026, 3, 8), tz)
        assert light.parse(data, "cal.ics", window, tz) is None, head


def test_a_broken_event_far_from_the_window_is_the_same_warning_on_both_ways(tmp_path,
                                                                           monkeypatch):
    """A broken value far from the window: the event is skipped with the same warning (naming
    its line) on both ways, and the rest is read alike."""
    path = tmp_path / "cal.ics"
    path.write_bytes(calendar(EDGES["zero length"], DEFERRED["broken value"].replace(
        "20260230", "20190230")))
    answers = []
    for no_fast_path in ("0", "1"):
        monkeypatch.setenv("FOCUSCAL_NO_FASTPATH", no_fast_path)
        result = app.audit(Settings(cache=False), [str(path)],
                           Window(date(2026, 3, 2), date(2026, 3, 8)), ZoneInfo("UTC"))
        answers.append((to_json(result), sorted(repr(c.event) for c in result.analysis.classified)))
    assert answers[0] == answers[1]
    [warning] = app.audit(Settings(cache=False), [str(path)],
                          Window(date(2026, 3, 2), date(2026, 3, 8)), ZoneInfo("UTC")).warnings
    assert f"{path}:" in warning
    assert "skipped" in warning


# ---------------------------------------------------------------- the instance limit


def test_a_series_over_the_limit_is_left_to_the_full_path():
    data = calendar(EDGES["rdate and exdate"])
    tz = ZoneInfo("Europe/Berlin")
    window = utc_window(date(2026, 3, 2), date(2026, 3, 8), tz)
    # Over the limit the full path warns, so the light reader leaves the whole text to it.
    assert light.parse(data, "cal.ics", window, tz, limit=3) is None
    whole = read.parse(data, "cal.ics", window, tz, limit=3)
    plain = read.read(data, "cal.ics", window, tz, fast=False, limit=3)
    assert outcome(whole) == outcome(plain)
    assert any("max_instances" in w for w in whole.warnings)


def test_the_light_series_stops_at_the_limit_without_making_the_rest():
    """A daily series without end, asked for ten thousand years: it stops after limit + 1."""
    from datetime import datetime

    start = datetime(1900, 1, 1, 9, tzinfo=ZoneInfo("UTC"))
    series = Series(Timing(start, start + timedelta(hours=1), rule="FREQ=DAILY"), [], limit=50)
    with pytest.raises(TooMany):
        series.between(date(1900, 1, 1), date(9999, 1, 1))
    unlimited = Series(Timing(start, start + timedelta(hours=1), rule="FREQ=DAILY"), [])
    assert len(unlimited.between(date(2026, 3, 2), date(2026, 3, 9))) == 7
