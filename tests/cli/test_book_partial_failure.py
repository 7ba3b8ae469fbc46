"""A booking that fails half-way exits 1 with one line; the next run finishes the job."""

import json

from click.testing import CliRunner

from focuscal.cli import cli
from tests.fakes.google_week import week

WINDOW = ["--week", "2026-W11", "--tz", "America/New_York", "--now",
          "2026-03-08T12:00:00-04:00"]


def test_partial_failure_exits_1_then_a_rerun_completes(fake_google, no_backoff, tmp_path):
    for item in week():
        fake_google.put_event(**item)
    config = tmp_path / "config.toml"
    config.write_text(f'timeout = 5\n[google]\napi_endpoint = "{fake_google.url}"\n'
                      'credentials = "anonymous"\nretries = 1\n[focus]\nmax_per_day = 2\n'
                      'min_block = "1h"\n')
    args = ["--config", str(config), "book", "google:primary", "--to", "google:primary",
            *WINDOW, "--apply", "--format", "json"]
    wanted = json.loads(CliRunner().invoke(cli, [*args[:-3], "--format", "json"]).stdout)["add"]
    assert len(wanted) >= 2
    fault = fake_google.fail(500, method="POST", path="/events", after=1, times=None)
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 1
    assert first.stdout, first.stderr
    doc = json.loads(first.stdout)
    assert doc["applied"]["failed"]
    assert len(doc["applied"]["added"]) + len(doc["applied"]["failed"]) == len(wanted)
    line = first.stderr.strip()
    assert line == (f"focuscal: error: google:primary: {len(doc['applied']['failed'])} change(s) "
                    "failed; run the same command again to finish")
    fault.times = 0
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    redo = json.loads(second.stdout)
    assert sorted(b["uid"] for b in redo["applied"]["added"]) == sorted(
        b["uid"] for b in doc["applied"]["failed"])
    ids = [e["id"] for e in fake_google.events() if e["id"].startswith("fc")]
    assert sorted(ids) == sorted(b["uid"] for b in wanted)
