"""The calendars every source backend must read alike (tests/contract/source_contract.py).

Each dataset is one calendar of one user, with the user's address where each backend keeps it
(X-WR-CALNAME in ICS, the calendar id in Google, the display name in CalDAV):

- ``google-week``: the realistic week of ``google_week.week()`` (Google's own items, birthdays
  transparent as Google serves them) and its ICS form (``ics_from_google``);
- ``sales-week``: ``examples/sales-week.ics``, the held-out week (2026-W11, America/New_York),
  and its Google items (``ics_to_google``);
- ``edges``: timed events on both sides of the edges of 2026-W11 in New York and in Berlin,
  zero-length ones on the edges, and all-day dates (an out-of-office day, labels at the edges);
- ``floating``: floating times (no TZID, no Z), to be read in the analysis zone. Google Calendar
  has no floating times, so this one has no Google form.

``ics`` is the reference: what every backend must give is what focuscal reads from it as a plain
file. ``expected_in`` lists, per analysis zone, which of the edge events touch the window.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.fakes.google_server import ics_from_google
from tests.fakes.google_week import ME, week
from tests.fakes.ics_to_google import google_items

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEEK = "2026-W11"
FIRST, LAST = date(2026, 3, 9), date(2026, 3, 15)  # the Monday and Sunday of WEEK
ZONES = ("America/New_York", "Europe/Berlin")
# The Google form of an ICS week: every instance of these dates, far more than the window.
EXPAND = (date(2026, 2, 16), date(2026, 4, 13))


@dataclass(frozen=True)
class Dataset:
    name: str
    owner: str  # the user's address
    ics: bytes  # the reference, and what file, vdir, HTTP and CalDAV hold
    google: list[dict[str, Any]] | None  # the Google items; None: Google cannot hold it
    floating: bool = False  # holds floating times
    # zone -> {summary: touches the window of WEEK in that zone}
    expected_in: dict[str, dict[str, bool]] = field(default_factory=dict)


def _calendar(owner: str, events: list[str], *, name: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//focuscal tests//{name}//EN",
             f"X-WR-CALNAME:{owner}"]
    for n, event in enumerate(events):
        lines += ["BEGIN:VEVENT", f"UID:{name}-{n}@contract.example",
                  "DTSTAMP:20260301T000000Z", *event.strip().splitlines(), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(line.strip() for line in lines) + "\r\n").encode()


def _utc(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _edges() -> Dataset:
    events, expected = [], {}
    for zone in ZONES:
        tz = ZoneInfo(zone)
        start = datetime(2026, 3, 9, tzinfo=tz)
        end = datetime(2026, 3, 16, tzinfo=tz)
        hour, half = timedelta(hours=1), timedelta(minutes=30)
        spans = {
            f"{zone}: ends as the week starts": (start - hour, start, False),
            f"{zone}: across the start": (start - half, start + half, True),
            f"{zone}: reminder at the start": (start, start, True),
            f"{zone}: across the end": (end - half, end + half, True),
            f"{zone}: reminder at the end": (end, end, False),
            f"{zone}: starts as the week ends": (end, end + hour, False),
        }
        for summary, (a, b, _) in spans.items():
            events.append(f"SUMMARY:{summary}\nDTSTART:{_utc(a)}\nDTEND:{_utc(b)}")
        expected[zone] = {summary: inside for summary, (_, _, inside) in spans.items()}
    days = {  # all-day dates are local dates of the analysis zone, whichever it is
        "Holiday": ("20260313", "20260314", True),  # out of office by its title: Friday is off
        "Label on the Sunday before": ("20260308", "20260309", False),
        "Label on the first Monday": ("20260309", "20260310", True),
        "Conference across the end": ("20260315", "20260317", True),
        "Label on the Monday after": ("20260316", "20260317", False),
    }
    for summary, (a, b, _) in days.items():
        events.append(f"SUMMARY:{summary}\nDTSTART;VALUE=DATE:{a}\nDTEND;VALUE=DATE:{b}")
    events += [  # something to measure on the days
        f"SUMMARY:Planning\nDTSTART:{_utc(datetime(2026, 3, 10, 14, tzinfo=UTC))}\n"
        f"DTEND:{_utc(datetime(2026, 3, 10, 15, 30, tzinfo=UTC))}",
        f"SUMMARY:Review\nDTSTART:{_utc(datetime(2026, 3, 12, 13, tzinfo=UTC))}\n"
        f"DTEND:{_utc(datetime(2026, 3, 12, 14, tzinfo=UTC))}",
    ]
    for zone in ZONES:
        expected[zone].update({summary: inside for summary, (_, _, inside) in days.items()})
    owner = "lee@edges.example.com"
    data = _calendar(owner, events, name="edges")
    return Dataset("edges", owner, data, google_items(data, *EXPAND, owner=owner),
                   expected_in=expected)


def _floating() -> Dataset:
    spans = {
        "Floating review": ("20260310T100000", "20260310T110000", True),
        "Floating: ends as the week starts": ("20260308T230000", "20260309T000000", False),
        "Floating: across the end": ("20260315T233000", "20260316T003000", True),
        "Floating: starts as the week ends": ("20260316T000000", "20260316T010000", False),
    }
    events = [f"SUMMARY:{summary}\nDTSTART:{a}\nDTEND:{b}" for summary, (a, b, _) in
              spans.items()]
    # a floating series: 08:30 every weekday, wherever the user is
    events.append("SUMMARY:Floating standup\nDTSTART:20260302T083000\nDTEND:20260302T084500\n"
                  "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
    owner = "kim@floating.example.com"
    expected = {zone: {summary: inside for summary, (_, _, inside) in spans.items()}
                for zone in ZONES}
    return Dataset("floating", owner, _calendar(owner, events, name="floating"), None,
                   floating=True, expected_in=expected)


def _google_week() -> Dataset:
    items = week()
    for item in items:
        if item.get("eventType") == "birthday":
            # Google serves birthdays as transparent (free) all-day events, as the ICS form says
            item["transparency"] = "transparent"
    return Dataset("google-week", ME, ics_from_google(items, ME), items)


@functools.cache
def datasets() -> dict[str, Dataset]:
    sales = (EXAMPLES / "sales-week.ics").read_bytes()
    owner = "alex.rivera@acme-sales.com"
    return {d.name: d for d in (
        _google_week(),
        Dataset("sales-week", owner, sales, google_items(sales, *EXPAND, owner=owner)),
        _edges(),
        _floating(),
    )}


def vdir_files(data: bytes) -> dict[str, bytes]:
    """One iCalendar object per UID, named ``<hash>.ics``, as vdirsyncer writes a vdir: each
    keeps the calendar's own properties (X-WR-CALNAME too) and every time zone definition."""
    return {_name(uid): obj for uid, obj in _split(data, masters=False)}


def caldav_objects(data: bytes) -> dict[str, bytes]:
    """The objects to PUT into a CalDAV collection: those of ``vdir_files``, except that a UID
    with several instances and no main component (Google's instances of a series) becomes one
    series, the first instance with RDATEs of the others, each kept as its override: CalDAV
    servers (Radicale) refuse an object without a main component."""
    return {_name(uid): obj for uid, obj in _split(data, masters=True)}


def _name(uid: str) -> str:
    return hashlib.sha256(uid.encode()).hexdigest()[:20] + ".ics"


def _split(data: bytes, *, masters: bool) -> list[tuple[str, bytes]]:
    import icalendar

    source = icalendar.Calendar.from_ical(data)
    zones = [c for c in source.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[Any]] = {}
    for component in source.subcomponents:
        if component.name == "VEVENT":
            by_uid.setdefault(str(component["UID"]), []).append(component)
    out = []
    for uid, components in by_uid.items():
        if masters and len(components) > 1 and all("RECURRENCE-ID" in c for c in components):
            components = [_master(components), *components]
        calendar = icalendar.Calendar()
        for key, value in source.property_items(recursive=False):
            if key not in ("BEGIN", "END"):
                calendar.add(key, value)
        for part in (*zones, *components):
            calendar.add_component(part)
        out.append((uid, calendar.to_ical()))
    return out


def _master(instances: list[Any]) -> Any:
    import icalendar

    first = min(instances, key=lambda c: c["RECURRENCE-ID"].dt)
    master = icalendar.Event()
    for key, value in first.property_items(recursive=False):
        if key not in ("BEGIN", "END", "RECURRENCE-ID"):
            master.add(key, value)
    master.add("RDATE", [c["RECURRENCE-ID"].dt for c in instances if c is not first])
    return master
