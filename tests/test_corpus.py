"""Every real-world file of the shared corpus gives metrics or one clear error (exit 2)."""

import json

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from tests.conftest import CORPUS

FILES = sorted(CORPUS.glob("*.ics")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not FILES, reason="the shared corpus is not beside the project")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_loads(path):
    result = CliRunner().invoke(
        cli,
        ["audit", str(path), "--from", "2000-01-01", "--to", "2030-12-31", "--tz", "Europe/Berlin",
         "--format", "json"],
    )
    if result.exit_code == 0:
        doc = json.loads(result.stdout)
        assert doc["schema"] == "focuscal.audit/1"
        assert len(doc["days"]) == 11323
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
