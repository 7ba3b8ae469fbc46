"""Every real-world file of the shared corpus gives metrics or one clear error (exit 2).

Each file is audited over the year around its first event (a year on each side of it): the
recurrences, overrides and zones a file exercises sit there, and 31 years of empty days would
only cost time.
"""

import json
import re
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import CORPUS

FILES = sorted(CORPUS.glob("*.ics")) if CORPUS.is_dir() else []
FIRST_DTSTART = re.compile(rb"^DTSTART[^:\r\n]*:(\d{4})(\d\d)(\d\d)", re.M)


def window_around(data: bytes) -> tuple[date, date]:
    """A year on each side of the first DTSTART (2026 when there is none or it is odd)."""
    m = FIRST_DTSTART.search(data)
    try:
        day = date(int(m[1]), int(m[2]), int(m[3])) if m else date(2026, 1, 1)
    except ValueError:
        day = date(2026, 1, 1)
    day = min(max(day, date(1971, 1, 1)), date(2100, 1, 1))
    return day - timedelta(days=365), day + timedelta(days=365)


@pytest.mark.skipif(not FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_loads(path):
    first, last = window_around(path.read_bytes())
    result = CliRunner().invoke(
        cli,
        ["audit", str(path), "--from", first.isoformat(), "--to", last.isoformat(),
         "--tz", "Europe/Berlin", "--format", "json"],
    )
    if result.exit_code == 0:
        doc = json.loads(result.stdout)
        assert doc["schema"] == "focuscal.audit/1"
        assert len(doc["days"]) == (last - first).days + 1
        for day in doc["days"]:
            assert day["focus_minutes"] + day["fragmented_minutes"] + day["meeting_minutes"] == (
                day["working_minutes"]
            )
    else:
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"focuscal: error: {path}")
        assert "Traceback" not in result.output


@pytest.mark.slow
@pytest.mark.skipif(not FILES, reason="the shared corpus is not beside the project")
def test_corpus_over_three_decades_gives_metrics_or_one_line():
    """The corpus README's wide window, for every file in one run: no traceback, no hang."""
    runner = CliRunner()
    for path in FILES:
        result = runner.invoke(cli, ["audit", str(path), "--from", "2000-01-01", "--to",
                                     "2030-12-31", "--tz", "Europe/Berlin", "--format", "json"])
        assert result.exit_code in (0, 2), (path, result.output)
        if result.exit_code == 2:
            assert len(result.stderr.strip().splitlines()) == 1, (path, result.stderr)
