"""Renderers of ``events`` and ``free``: JSON schemas, CSV, Markdown escaping, narrow tables."""

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from markdown_it import MarkdownIt  # rich's own Markdown parser: a real renderer
from rich.console import Console

from focuscal.metrics import period_metrics
from focuscal.model import ClassifyRules, Event, EventKind, WorkPolicy
from focuscal.report import explain as rx
from tests.helpers import attendee, classified, meeting

NY = ZoneInfo("America/New_York")
MONDAY = date(2026, 3, 9)
SUNDAY = MONDAY + timedelta(days=6)
ME = "me@acme.com"
POLICY = WorkPolicy(tz=NY)
HOSTILE = '<img src=x onerror=alert(1)> Q3 | *plan* [x](http://e) `rm` ~~no~~ _u_'


def at(hour, minute=0, day=MONDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=NY)


def week():
    tuesday = MONDAY + timedelta(1)
    events = classified(
        meeting(at(9, 30), at(10, 30), "Standup", source="work.ics", uid="s"),
        meeting(at(10), at(11, 45), "Discovery call with a very long title - Müller GmbH",
                source="https://calendar.example.com/long/path/work.ics", uid="d",
                attendees=(attendee(ME), attendee("x@mueller-gmbh-international.de"))),
        meeting(at(13), at(13, 30), HOSTILE, source="work.ics", uid="h"),
        meeting(at(18), at(19), "Late", source="work.ics", uid="l"),
        Event(start=at(14), end=at(16), summary="Focus time", focuscal_block=True, uid="f",
              source="work.ics"),
        Event(start=at(10, day=tuesday), end=at(11, day=tuesday), summary="Sync", uid="x",
              status="CANCELLED", source="work.ics"),
        Event(start=at(0, day=tuesday), end=at(0, day=tuesday + timedelta(1)),
              summary="Vacation", all_day=True, uid="v", source="work.ics"),
        rules=ClassifyRules(me=frozenset({ME})),
    )
    return period_metrics(MONDAY, SUNDAY, events, POLICY), events


# ------------------------------------------------------------------ events/1

DAY_KEYS = {"date", "status", "working_minutes", "meeting_minutes", "meeting_count",
            "external_meeting_minutes", "focus_booked_minutes", "focus_minutes",
            "fragmented_minutes", "longest_block_minutes", "block_count", "fragmentation",
            "back_to_back", "after_hours_meeting_minutes"}
EVENT_KEYS = {"start", "end", "all_day", "summary", "source", "uid", "kind", "rule", "detail",
              "external", "external_domains", "in_window", "meeting_minutes"}
ISO_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_events_json_schema():
    period, events = week()
    doc = json.loads(rx.events_json(period, events, POLICY, warnings=["w1"]))
    assert list(doc) == ["schema", "timezone", "window", "policy", "kinds", "days", "totals",
                         "warnings"]
    assert doc["schema"] == "focuscal.events/1"
    assert doc["timezone"] == "America/New_York"
    assert doc["window"] == {"start": "2026-03-09", "end": "2026-03-15"}
    assert doc["policy"] == {"workdays": ["MO", "TU", "WE", "TH", "FR"], "work_start": "09:00",
                             "work_end": "17:00", "focus_min_minutes": 120, "b2b_gap_minutes": 5}
    assert doc["kinds"] == ["meeting", "focus", "out_of_office", "ignored"]
    assert doc["warnings"] == ["w1"]
    assert doc["totals"] == json.loads(json.dumps(period.totals()))
    assert len(doc["days"]) == 7
    for day, metrics in zip(doc["days"], period.days, strict=True):
        assert set(day) == DAY_KEYS | {"events"}
        assert day["meeting_minutes"] == metrics.meeting_minutes
        assert sum(e["meeting_minutes"] for e in day["events"]) == metrics.meeting_minutes
        for event in day["events"]:
            assert set(event) == EVENT_KEYS
            assert ISO_LOCAL.match(event["start"])
            assert event["end"].endswith("-04:00")
    monday = {e["uid"]: e for e in doc["days"][0]["events"]}
    assert monday["s"]["meeting_minutes"] == 60
    assert monday["d"]["meeting_minutes"] == 75  # 10:30-11:45: Standup had 10:00-10:30
    assert (monday["d"]["external"], monday["d"]["external_domains"]) == (
        True, ["mueller-gmbh-international.de"])
    assert (monday["f"]["kind"], monday["f"]["rule"]) == ("focus", "focus.block_mark")
    assert (monday["l"]["in_window"], monday["l"]["meeting_minutes"]) == (False, 0)
    tuesday = {e["uid"]: e for e in doc["days"][1]["events"]}
    assert tuesday["x"]["rule"] == "cancelled"
    assert (tuesday["v"]["kind"], tuesday["v"]["all_day"]) == ("out_of_office", True)
    assert tuesday["v"]["start"] == "2026-03-10T00:00:00-04:00"
    assert doc["days"][1]["status"] == "off"


def test_events_json_filters_keep_the_days_numbers():
    period, events = week()
    doc = rx.events_dict(period, events, POLICY, kinds={EventKind.FOCUS}, dates={MONDAY})
    assert doc["kinds"] == ["focus"]
    (day,) = doc["days"]
    assert [e["uid"] for e in day["events"]] == ["f"]
    assert day["meeting_minutes"] == period.days[0].meeting_minutes


def test_events_csv():
    period, events = week()
    rows = list(csv.DictReader(io.StringIO(rx.events_csv(period, events, POLICY))))
    text = rx.events_csv(period, events, POLICY)
    assert text.splitlines()[0] == ("date,weekday,start,end,all_day,summary,source,uid,kind,"
                                    "rule,detail,external,external_domains,in_window,"
                                    "meeting_minutes")
    for metrics in period.days:
        mine = [r for r in rows if r["date"] == metrics.date.isoformat()]
        assert sum(int(r["meeting_minutes"]) for r in mine) == metrics.meeting_minutes
    hostile = next(r for r in rows if r["uid"] == "h")
    assert hostile["summary"] == HOSTILE  # CSV keeps the text as it is
    assert {r["all_day"] for r in rows} == {"true", "false"}


# ------------------------------------------------------------------ markdown


def _cells(html: str) -> list[list[str]]:
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in
            re.findall(r"<tr>(.*?)</tr>", html, re.S)]


def test_events_markdown_escapes_what_a_renderer_would_run():
    period, events = week()
    text = rx.events_markdown(period, events, POLICY, dates={MONDAY})
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(text)
    table = html[html.index("<table>"):html.index("</table>")]
    for tag in ("<img", "<em>", "<a ", "<code>", "<s>", "<strong>"):
        assert tag not in table, tag
    rows = [r for r in _cells(html) if r]
    assert all(len(r) == 7 for r in rows)  # the pipe in the title did not add a cell
    hostile = next(r for r in rows if "Q3" in r[1])
    # shown as the text it is (the renderer writes the HTML entities back)
    assert hostile[1] == ("&lt;img src=x onerror=alert(1)&gt; Q3 | *plan* [x](http://e) "
                          "`rm` ~~no~~ _u_")
    assert [r[6] for r in rows] == ["1h", "1h 15m", "30m", "0m", "0m"]
    assert "**Day:** working 8h · meetings 2h 45m (3)" in text


def test_free_markdown():
    period, _ = week()
    text = rx.free_markdown(period, POLICY, min_minutes=60)
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "## Tue 2026-03-10 (off)" in text
    assert "No working time." in text
    assert "blocks shorter than 1h not listed" in text
    monday = _cells(html.split("<h2>")[1])
    assert [r for r in monday if r] == [["11:45-13:00", "1h 15m", "fragmented", "0m"],
                                        ["13:30-17:00", "3h 30m", "focus", "2h"]]


# ------------------------------------------------------------------ free/1

BLOCK_KEYS = {"start", "end", "minutes", "kind", "booked_focus_minutes"}


def test_free_json_schema():
    period, _ = week()
    doc = json.loads(rx.free_json(period, POLICY, warnings=["w"]))
    assert list(doc) == ["schema", "timezone", "window", "policy", "min_minutes", "days",
                         "totals", "warnings"]
    assert (doc["schema"], doc["min_minutes"], doc["warnings"]) == ("focuscal.free/1", 0, ["w"])
    for day, metrics in zip(doc["days"], period.days, strict=True):
        assert set(day) == DAY_KEYS | {"blocks"}
        blocks = day["blocks"]
        assert all(set(b) == BLOCK_KEYS for b in blocks)
        assert sum(b["minutes"] for b in blocks if b["kind"] == "focus") == metrics.focus_minutes
        assert sum(b["minutes"] for b in blocks if b["kind"] == "fragmented") == (
            metrics.fragmented_minutes)
        assert all(ISO_LOCAL.match(b["start"]) and ISO_LOCAL.match(b["end"]) for b in blocks)
    assert doc["days"][0]["blocks"] == [
        {"start": "2026-03-09T09:00:00-04:00", "end": "2026-03-09T09:30:00-04:00",
         "minutes": 30, "kind": "fragmented", "booked_focus_minutes": 0},
        {"start": "2026-03-09T11:45:00-04:00", "end": "2026-03-09T13:00:00-04:00",
         "minutes": 75, "kind": "fragmented", "booked_focus_minutes": 0},
        {"start": "2026-03-09T13:30:00-04:00", "end": "2026-03-09T17:00:00-04:00",
         "minutes": 210, "kind": "focus", "booked_focus_minutes": 120},
    ]
    assert doc["days"][1]["blocks"] == []  # off
    shown = rx.free_dict(period, POLICY, min_minutes=60, dates={MONDAY})
    assert [len(d["blocks"]) for d in shown["days"]] == [2]
    assert shown["min_minutes"] == 60


def test_free_csv():
    period, _ = week()
    text = rx.free_csv(period, POLICY)
    assert text.splitlines()[0] == "date,weekday,status,start,end,minutes,kind,booked_focus_minutes"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["date"] for r in rows} == {"2026-03-09", "2026-03-11", "2026-03-12", "2026-03-13"}
    assert sum(int(r["minutes"]) for r in rows) == (
        period.total("focus_minutes") + period.total("fragmented_minutes"))


# ------------------------------------------------------------------ terminal


def render(printer, width, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    console = Console(file=io.StringIO(), color_system=None)
    assert console.width == width
    printer(console)
    return console.file.getvalue()


def tokens(text: str) -> set[str]:
    return set(text.split())


@pytest.mark.parametrize("width", [60, 44, 30, 20, 120])
def test_events_table_never_cuts_a_number(width, monkeypatch):
    period, events = week()
    out = render(lambda c: rx.print_events(period, events, POLICY, c, warnings=["careful"]),
                 width, monkeypatch)
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= width
    words = tokens(out)
    for day in rx.event_days(period, events, POLICY):
        for row in day.events:
            span = rx.span_text(row.start, row.end, day.date, row.all_day)
            assert span in out, span
            assert rx.hmm(row.meeting_minutes) in words
        for number in re.findall(r"\d+:\d\d|\d+%", rx.audit_line(day.metrics, rx.hmm)):
            assert number in words
    assert "Mon 2026-03-09 (workday)" in out or width < 24
    assert "warning: careful" in out


def test_events_table_at_60_columns_keeps_times_titles_and_minutes(monkeypatch):
    period, events = week()
    out = render(lambda c: rx.print_events(period, events, POLICY, c), 60, monkeypatch)
    header = next(line for line in out.splitlines() if line.startswith("Time"))
    assert header.split() == ["Time", "Event", "Kind", "Why", "Meet"]  # Calendar dropped
    assert "09:30-10:30" in out
    assert "1:15" in tokens(out)
    assert "working 8:00" in out


def test_events_table_wide_shows_the_calendar(monkeypatch):
    period, events = week()
    out = render(lambda c: rx.print_events(period, events, POLICY, c), 200, monkeypatch)
    header = next(line for line in out.splitlines() if line.startswith("Time"))
    assert header.split() == ["Time", "Event", "Kind", "Why", "Calendar", "Meet"]
    assert "https://calendar.example.com/long/path/work.ics" in out


def test_one_calendar_is_named_once(monkeypatch):
    events = classified(meeting(at(10), at(11), "A", source="only.ics"))
    period = period_metrics(MONDAY, MONDAY, events, POLICY)
    out = render(lambda c: rx.print_events(period, events, POLICY, c), 200, monkeypatch)
    assert "calendar: only.ics" in out
    assert out.count("only.ics") == 1


@pytest.mark.parametrize("width", [60, 30])
def test_free_table_never_cuts_a_number(width, monkeypatch):
    period, _ = week()
    out = render(lambda c: rx.print_free(period, POLICY, c), width, monkeypatch)
    assert "…" not in out
    words = tokens(out)
    for day in rx.free_days(period, POLICY):
        for block in day.blocks:
            assert rx.span_text(block.start, block.end, day.date) in out
            assert rx.hmm(block.minutes) in words
    assert "Tue 2026-03-10 (off)" in out


def test_times_on_another_day_name_that_day():
    tuesday = MONDAY + timedelta(1)
    assert rx.span_text(at(23), at(1, day=tuesday), MONDAY) == "23:00-Tue 01:00"
    assert rx.span_text(at(23), at(1, day=tuesday), tuesday) == "Mon 23:00-01:00"
    assert rx.span_text(at(0), at(0, day=tuesday), MONDAY, all_day=True) == "all day"


def test_window_label():
    assert rx.window_label(MONDAY, SUNDAY) == "2026-W11"
    assert rx.window_label(MONDAY, MONDAY) == "2026-03-09 to 2026-03-09"
