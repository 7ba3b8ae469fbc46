"""One time representation in every JSON document: ISO 8601 with the offset the analysis zone
has at that instant, whether the time was planned, read back from a target (an ICS target
stores UTC) or listed by events and free."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import DATA, EXAMPLES

ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT")
ISO_LOCAL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
CASES = {
    "new-york": ("America/New_York", [str(EXAMPLES / "sales-week.ics"), "--week", "2026-W11"],
                 "2026-03-08T12:00-04:00"),
    # The week Berlin leaves summer time: +02:00 before Sunday 03:00, +01:00 after.
    "berlin-dst": ("Europe/Berlin", [str(DATA / "dst_week_berlin.ics"), "--week", "2026-W43"],
                   "2026-10-18T12:00+02:00"),
}


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def instants(value):
    """Every timestamp string anywhere in a JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from instants(item)
    elif isinstance(value, list):
        for item in value:
            yield from instants(item)
    elif isinstance(value, str) and ISO_INSTANT.match(value):
        yield value


def assert_local(document, zone):
    found = list(instants(document))
    assert found, document
    for text in found:
        assert ISO_LOCAL.match(text), text
        at = datetime.fromisoformat(text)
        assert at.utcoffset() == at.astimezone(ZoneInfo(zone)).utcoffset(), text


@pytest.mark.parametrize("case", CASES)
def test_every_document_writes_local_offsets(case, tmp_path):
    zone, source, now = CASES[case]
    common = ["--tz", zone, "--now", now, "--format", "json"]
    target = f"ics:{tmp_path / 'focus.ics'}"
    window = source[1:]
    assert_local(run("audit", *source, *common), zone)
    assert_local(run("events", *source, *common), zone)
    assert_local(run("free", *source, *common), zone)
    assert_local(run("plan", *source, *common), zone)
    assert_local(run("book", *source, "--to", target, *common), zone)
    applied = run("book", *source, "--to", target, *common, "--apply")
    assert applied["applied"]["added"]
    assert_local(applied, zone)
    # Read back from the file (stored in UTC): the kept blocks, and unbook's.
    again = run("book", *source, "--to", target, *common)
    assert again["keep"]
    assert [(b["start"], b["end"]) for b in again["keep"]] == [
        (b["start"], b["end"]) for b in applied["applied"]["added"]]
    assert_local(again, zone)
    assert_local(run("unbook", "--to", target, *window, *common), zone)
    removed = run("unbook", "--to", target, *window, *common, "--apply")
    assert removed["applied"]["removed"]
    assert_local(removed, zone)
