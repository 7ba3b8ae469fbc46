"""The report command: HTML that stands alone, text and Markdown, all with the audit's numbers."""

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.report import hm, pct
from tests.conftest import EXAMPLES, ROOT
from tests.helpers import HEADLINE_LABELS as LABELS

SALES = str(EXAMPLES / "sales-week.ics")
WEEK = ["--week", "2026-W11", "--tz", "America/New_York"]


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def audit():
    return json.loads(run("audit", SALES, *WEEK, "--format", "json"))


@pytest.fixture(scope="module")
def previous():
    return json.loads(run("audit", SALES, "--week", "2026-W10", "--tz", "America/New_York",
                          "--format", "json"))


@pytest.fixture(scope="module")
def page():
    return run("report", SALES, *WEEK, "--weeks", "3")


def shown(key, value):
    return pct(value) if key == "fragmentation" else hm(value)


class Collector(HTMLParser):
    """Every start tag with its attributes, and every text node."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_well_formed_and_self_contained(page):
    root = ET.fromstring(page)  # well-formed as XML, so well-formed as HTML
    assert root.tag == "html"
    parser = Collector()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert "script" not in names
    assert not names & {"img", "link", "iframe", "object", "embed"}
    assert "svg" in names
    assert re.search(r"(https?:)?//|url\(", page) is None, "no remote URL of any kind"
    assert any(tag == "meta" and a.get("name") == "viewport" for tag, a in parser.tags)
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), "no event handlers"


def test_html_numbers_equal_the_audit(page, audit, previous):
    parser = Collector()
    parser.feed(page)
    cards = {a["data-key"]: a for tag, a in parser.tags if "data-key" in a}
    assert set(cards) == set(LABELS)
    text = " ".join(parser.text)
    for key, label in LABELS.items():
        value = audit["totals"][key]
        assert float(cards[key]["data-value"]) == value, key
        assert float(cards[key]["data-previous"]) == previous["totals"][key], key
        assert re.search(rf"{label}\s+{re.escape(shown(key, value))}\s", text), label
    rows = {a["data-date"]: a for tag, a in parser.tags if tag == "tr" and "data-date" in a}
    workdays = [d for d in audit["days"] if d["status"] != "weekend"]
    assert sorted(rows) == [d["date"] for d in workdays]
    for day in workdays:
        row = rows[day["date"]]
        for key in ("meeting_minutes", "focus_minutes", "fragmented_minutes",
                    "longest_block_minutes"):
            assert int(row["data-" + key.replace("_", "-")]) == day[key], (day["date"], key)


def test_html_timeline_draws_every_minute_of_each_day(page, audit):
    """The coloured segments of each day add up to the audit's minutes, kind by kind."""
    root = ET.fromstring(page)
    days = {d["date"]: d for d in audit["days"]}
    colours = {"#4f5bd5": "meeting", "#8fd9a8": "focus", "#f5b945": "fragment",
               "#1b7f4b": "booked"}
    groups = [g for g in root.iter("g") if "data-date" in g.attrib]
    assert len(groups) == 5
    for group in groups:
        day = days[group.attrib["data-date"]]
        minutes = dict.fromkeys(colours.values(), 0)
        for rect in group.iter("rect"):
            title = rect.find("title").text
            start, end = re.match(r"(\d\d:\d\d)–(\d\d:\d\d)", title).groups()
            length = (int(end[:2]) * 60 + int(end[3:])) - (int(start[:2]) * 60 + int(start[3:]))
            if rect.attrib["fill"] in colours:
                minutes[colours[rect.attrib["fill"]]] += length
        assert minutes["meeting"] == day["meeting_minutes"]
        assert minutes["focus"] + minutes["booked"] == day["focus_minutes"]
        assert minutes["fragment"] == day["fragmented_minutes"]


def test_calendar_text_is_escaped(tmp_path):
    evil = tmp_path / "evil.ics"
    evil.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:evil\r\n"
        "SUMMARY:<script>alert(1)</script> & <img src=https://x.example/a.png>\r\n"
        "DTSTART:20260310T150000Z\r\nDTEND:20260310T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    page = run("report", str(evil), *WEEK)
    ET.fromstring(page)
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img" in page


HOSTILE = ("<img src=x onerror=alert(1)> Q3 | *plan* [x](javascript:alert(1)) "
           "![t](https://x.example/p.png) `rm` ~~no~~ _u_ <https://x.example/a>")


def test_markdown_shows_calendar_text_as_text(tmp_path):
    """A Markdown renderer runs nothing from an event title: no HTML, image, link, emphasis,
    code or extra cell; it shows the title as the text it is."""
    from markdown_it import MarkdownIt

    evil = tmp_path / "evil.ics"
    evil.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:evil\r\n"
        f"SUMMARY:{HOSTILE}\r\n"
        "DTSTART:20260310T150000Z\r\nDTEND:20260310T160000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    markdown = run("report", str(evil), *WEEK, "--format", "markdown")
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    for tag in ("<img", "<a ", "<em>", "<strong>", "<s>", "<script"):
        assert tag not in html, tag
    assert html.count("<code>") == 1  # the day-by-day chart's fence, nothing from the title
    shown = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    costliest = re.findall(r"<tr>\s*<td>(.*?)</td>", html, re.S)
    assert shown in costliest  # its own cell, the pipe in it included
    suggestion = re.search(r"<li>(.*?)</li>", html, re.S)[1]
    assert f"'{shown}'" in suggestion


def test_text_and_markdown_carry_the_same_numbers(audit):
    text = run("report", SALES, *WEEK, "--format", "text")
    markdown = run("report", SALES, *WEEK, "--format", "markdown")
    assert text.startswith("Focus report, week 11\n")
    assert markdown.startswith("# Focus report, week 11\n")
    for key, label in LABELS.items():
        value = shown(key, audit["totals"][key])
        assert re.search(rf"^{label}\s+{re.escape(value)}\s", text, re.M), label
        assert f"| {label} | {value} |" in markdown, label
    for day in audit["days"]:
        if day["status"] == "workday":
            assert f"focus {hm(day['focus_minutes'])}, fragmented " \
                   f"{hm(day['fragmented_minutes'])}, meetings {hm(day['meeting_minutes'])}" in text
    assert "Costliest meetings" in text
    assert "## Costliest meetings" in markdown
    assert re.search(r"^- (Move|Shorten|Decline|Drop) '", text, re.M)


def test_costliest_meetings_come_from_the_core():
    text = run("report", SALES, *WEEK, "--format", "text")
    # Sales team standup, 4 instances (Friday's is excluded): each splits 9:00-9:30 from the
    # rest of the morning. The report lists it first with what the core measured.
    from datetime import date
    from zoneinfo import ZoneInfo

    from focuscal import app
    from focuscal.config import Settings
    from focuscal.window import make_window

    tz = ZoneInfo("America/New_York")
    window = make_window(date(2026, 3, 9), week="2026-W11")
    impact = app.report(Settings(), [SALES], window, tz).impact
    top = impact.costliest[0]
    assert f"- {top.summary}, 4 times, first Mon 09:30: costs {hm(top.gain)} of focus" in text
    assert top.focus_with == 735  # the audit's focus minutes of the week


def test_trend_and_output_file(tmp_path, audit):
    out = tmp_path / "report.md"
    run("report", SALES, *WEEK, "--weeks", "3", "--format", "markdown", "-o", str(out))
    markdown = out.read_text()
    for week in ("2026-W09", "2026-W10", "2026-W11"):
        assert f"| {week} |" in markdown
    assert f"| 2026-W11 | {hm(audit['totals']['focus_minutes'])} |" in markdown


def test_trend_length_comes_from_the_config(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[report]\nweeks = 2\n")
    markdown = run("--config", str(config), "report", SALES, *WEEK, "--format", "markdown")
    assert "| 2026-W10 |" in markdown
    assert "| 2026-W09 |" not in markdown


def test_bad_format_is_a_usage_error():
    result = CliRunner().invoke(cli, ["report", SALES, "--format", "pdf"])
    assert result.exit_code == 2
    assert result.stderr.startswith("focuscal: error: ")


# ---------------------------------------------------------------- a real browser


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB or RGBA PNG: (width, height, rows of raw pixel bytes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert (depth, interlace) == (8, 0)
    assert colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
                                        else None)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                    "(apt-get install chromium; .ci/run tries)")
@pytest.mark.parametrize("fmt", ["html", "email"])
def test_renders_in_headless_chromium(tmp_path, fmt):
    html_file = tmp_path / "report.html"
    if fmt == "html":
        run("report", SALES, *WEEK, "-o", str(html_file))
    else:
        run("email", SALES, *WEEK, "--me", "me@example.com", "--to", "me@example.com",
            "--save", str(tmp_path / "r.eml"))
        import email

        message = email.message_from_bytes((tmp_path / "r.eml").read_bytes(),
                                           policy=email.policy.default)
        html_file.write_text(message.get_body(("html",)).get_content())
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={shot}",
             "--window-size=480,900", "--hide-scrollbars", html_file.as_uri()],
            capture_output=True, timeout=120, check=False, cwd=ROOT,
        )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    _, bpp, rows = png_pixels(shot.read_bytes())
    colours = {row[i:i + 3] for row in rows for i in range(0, len(row), bpp)}
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    # The timeline's meeting and fragment colours are on screen, so the chart was drawn.
    assert bytes.fromhex("4f5bd5") in colours
    assert bytes.fromhex("f5b945") in colours


def test_help_in_a_real_subprocess_stays_light():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, focuscal.cli, focuscal.app, focuscal.report.weekly;"
         "print('jinja2' in sys.modules)"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )
    assert proc.stdout.strip() == "False"


def test_the_package_ships_its_templates():
    templates = Path(ROOT / "focuscal" / "report" / "templates")
    assert {p.name for p in templates.iterdir()} >= {"report.html.j2", "email.html.j2"}


def test_a_date_range_is_compared_with_the_range_before_it():
    rng = ["--from", "2026-03-09", "--to", "2026-03-13", "--tz", "America/New_York"]
    audit = json.loads(run("audit", SALES, *rng, "--format", "json"))
    before = json.loads(run("audit", SALES, "--from", "2026-03-04", "--to", "2026-03-08",
                            "--tz", "America/New_York", "--format", "json"))
    text = run("report", SALES, *rng, "--format", "text")
    assert text.startswith("Focus report, Mar 9 to Mar 13\n")
    focus, previous = audit["totals"]["focus_minutes"], before["totals"]["focus_minutes"]
    assert re.search(rf"^Focus time\s+{re.escape(hm(focus))}\s+\("
                     rf"{re.escape(hm(focus - previous))} vs Mar 4 to Mar 8\)", text, re.M)
