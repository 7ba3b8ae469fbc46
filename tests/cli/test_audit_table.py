"""The audit's terminal table at 40, 60, 80 and 120 columns: no number cut, columns dropped
(and named) instead; status and booked focus shown; the Markdown tables carry the same columns
and values; one duration style per format. Every expected cell comes from the JSON audit."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import EXAMPLES
from tests.helpers import ics

NY = ["--tz", "America/New_York"]
SALES = [str(EXAMPLES / "sales-week.ics"), "--week", "2026-W11", *NY]
# Headers of the table and the JSON key (or what) each shows.
DAY_COLUMNS = {"Status": "status", "Work": "working_minutes", "Meet": "meeting_minutes",
               "#": "meeting_count", "Focus": "focus_minutes", "Frag'd": "fragmented_minutes",
               "Longest": "longest_block_minutes", "Frag.": "fragmentation",
               "B2B": "back_to_back", "Cust.": "external_meeting_minutes",
               "After": "after_hours_meeting_minutes", "Booked": "focus_booked_minutes"}
TREND_COLUMNS = {"Focus": "focus_minutes", "Meetings": "meeting_minutes",
                 "Fragmentation": "fragmentation", "Longest": "longest_block_minutes",
                 "Meeting-free days": "meeting_free_days"}


def run(*args, columns=None, monkeypatch=None):
    if columns is not None:
        monkeypatch.setenv("COLUMNS", str(columns))
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.stdout


def expected(key, value):
    """A JSON value as the table writes it, computed here: h:mm, a rounded percent, a count."""
    if key == "status":
        return value
    if key == "fragmentation":
        return f"{round(value * 100)}%"
    if key.endswith("_minutes"):
        return f"{value // 60}:{value % 60:02d}"
    return str(value)


@pytest.fixture
def vacation_week(tmp_path):
    """Sales week plus a day off (Wednesday), and a focus block booked on Friday."""
    path = tmp_path / "extra.ics"
    path.write_bytes(ics(
        "UID:v\nSUMMARY:Vacation\nDTSTART;VALUE=DATE:20260311\nDTEND;VALUE=DATE:20260312",
        "UID:f\nSUMMARY:Focus\nX-FOCUSCAL-BLOCK:1\nDTSTART:20260313T150000Z\n"
        "DTEND:20260313T163000Z",
    ))
    return [str(EXAMPLES / "sales-week.ics"), str(path), "--week", "2026-W11", *NY,
            "--weeks", "3"]


def parse_table(out, first_header):
    """The table starting at the header line whose first word is ``first_header``: a list of
    the headers shown and the rows (label -> cells by header)."""
    lines = out.splitlines()
    at = next(n for n, line in enumerate(lines) if line.split()[:1] == [first_header])
    header = lines[at]
    headers = re.findall(r"Meeting-free days|\S+", header)
    rows = {}
    for line in lines[at + 2:]:
        found = re.match(r"(\w{3} \d\d|Total|\d{4}-W\d\d)\s", line)
        if not found:
            if line.strip():
                break
            continue
        label, cells = found[1], line[found.end():].split()
        if label == "Total" and "Status" in headers:
            cells = ["", *cells]
        rows[label] = dict(zip(headers, [label, *cells], strict=True))
    return headers, rows


@pytest.mark.parametrize("columns", [40, 60, 80, 120])
def test_no_number_is_cut_at_any_width(columns, monkeypatch, vacation_week):
    doc = json.loads(run("audit", *vacation_week, "--format", "json"))
    out = run("audit", *vacation_week, columns=columns, monkeypatch=monkeypatch)
    assert "…" not in out
    assert all(len(line) <= columns for line in out.splitlines()), out
    headers, rows = parse_table(out, "Day")
    # The days, Meet and Focus at any width; status from 40 columns on; all at 120.
    assert {"Day", "Meet", "Focus", "Status"} <= set(headers)
    if columns == 120:
        assert headers == ["Day", *DAY_COLUMNS]
    for day in doc["days"]:
        label = date.fromisoformat(day["date"]).strftime("%a %d")
        shown = rows[label]
        for header, cell in shown.items():
            if header != "Day":
                assert cell == expected(DAY_COLUMNS[header], day[DAY_COLUMNS[header]]), (
                    label, header)
    for header, cell in rows["Total"].items():
        if header not in ("Day", "Status"):
            assert cell == expected(DAY_COLUMNS[header], doc["totals"][DAY_COLUMNS[header]])
    left_out = [h for h in DAY_COLUMNS if h not in headers]
    if left_out:
        note = " ".join(out.split())
        assert f"not shown at this width: {', '.join(left_out)} " in note
    # The trend: every week's numbers whole too.
    trend_headers, weeks = parse_table(out, "Week")
    assert trend_headers[:2] == ["Week", "Focus"]
    for week in doc["weeks"]:
        for header, cell in weeks[week["week"]].items():
            if header != "Week":
                assert cell == expected(TREND_COLUMNS[header], week[TREND_COLUMNS[header]])


def test_status_tells_off_from_weekend_and_booked_focus_shows(monkeypatch, vacation_week):
    doc = json.loads(run("audit", *vacation_week, "--format", "json"))
    days = {d["date"]: d for d in doc["days"]}
    assert days["2026-03-11"]["status"] == "off"  # by construction: the vacation day
    assert days["2026-03-13"]["focus_booked_minutes"] == 90  # 11:00-12:30 New York: no meeting
    _, rows = parse_table(run("audit", *vacation_week, columns=120, monkeypatch=monkeypatch),
                          "Day")
    assert rows["Wed 11"]["Status"] == "off"
    assert rows["Sat 14"]["Status"] == "weekend"
    assert rows["Fri 13"]["Booked"] == "1:30"


def test_markdown_has_the_tables_columns_and_values(monkeypatch, vacation_week):
    table = run("audit", *vacation_week, columns=120, monkeypatch=monkeypatch)
    markdown = run("audit", *vacation_week, "--format", "markdown")
    headers, rows = parse_table(table, "Day")
    trend_headers, weeks = parse_table(table, "Week")

    def md_rows(first):
        lines = [line for line in markdown.splitlines() if line.startswith("|")]
        at = next(n for n, line in enumerate(lines) if line.startswith(f"| {first} |"))
        head = [c.strip() for c in lines[at].strip("|").split("|")]
        body = []
        for line in lines[at + 2:]:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) != len(head) or cells[0] in ("Day", "Week"):
                break
            body.append(cells)
        return head, body

    def minutes(text):
        h = re.search(r"(\d+)h", text)
        m = re.search(r"(\d+)m", text)
        return (int(h[1]) if h else 0) * 60 + (int(m[1]) if m else 0)

    md_head, md_days = md_rows("Day")
    assert len(md_head) == len(headers)
    for cells, (label, shown) in zip(md_days, rows.items(), strict=True):
        for header, cell in zip(headers[1:], cells[1:], strict=True):
            want = shown[header]
            got = (f"{minutes(cell) // 60}:{minutes(cell) % 60:02d}"
                   if re.fullmatch(r"\d+:\d\d", want) else cell)
            assert got == want, (label, header)
    md_trend_head, md_weeks = md_rows("Week")
    assert md_trend_head == trend_headers
    for cells, shown in zip(md_weeks, weeks.values(), strict=True):
        assert cells[0] == shown["Week"]
        assert [f"{minutes(c) // 60}:{minutes(c) % 60:02d}" if re.search(r"\d[hm]\b", c)
                else c for c in cells[1:]] == [shown[h] for h in trend_headers[1:]]


def test_one_duration_style_per_format(monkeypatch, vacation_week):
    table = run("audit", *vacation_week, columns=120, monkeypatch=monkeypatch)
    assert re.findall(r"\b\d+:\d\d\b", table)
    assert not re.findall(r"\b\d+\s?[hm]\b", table), "the table writes every duration as h:mm"
    markdown = run("audit", *vacation_week, "--format", "markdown")
    assert re.findall(r"\b\d+h\b", markdown)
    assert not re.findall(r"\b\d+:\d\d\b", markdown), "Markdown writes durations as 2h 30m"


def test_a_file_gets_every_column(tmp_path, vacation_week):
    out = tmp_path / "audit.txt"
    run("audit", *vacation_week, "-o", out)
    headers, _ = parse_table(out.read_text(), "Day")
    assert headers == ["Day", *DAY_COLUMNS]
