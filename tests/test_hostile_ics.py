"""Hostile calendars (issue 11, "Bounded work"): each one gives the right answer or one clear
line, with bounded memory, on the fast path and on the plain one.

Each audit runs in a real subprocess under an address-space limit of 1 GiB (before the limits
of ``focuscal.ical.expand`` these ran past 60 s at 600+ MiB); the timeout only guards against a
hang, it measures nothing (the figures are in benchmarks/hostile.py).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.helpers import ics

ADDRESS_SPACE = 1 << 30
NORMAL = """UID:normal
SUMMARY:Normal meeting
DTSTART:20260303T100000Z
DTEND:20260303T110000Z"""


def bomb(start: str, rule: str, uid: str = "bomb") -> bytes:
    return ics(f"UID:{uid}\nSUMMARY:Every tick\nDTSTART:{start}\nDURATION:PT1S\nRRULE:{rule}",
               NORMAL)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def audit(path, *args: str, fast: bool = True, env: dict[str, str] | None = None):
    """``focuscal audit PATH ARGS --format json`` in a subprocess: (exit code, JSON or None,
    stderr)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT),
                   "FOCUSCAL_NO_FASTPATH": "0" if fast else "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "focuscal", "audit", str(path), "--tz", "UTC", "--format",
         "json", *args],
        capture_output=True, text=True, env=environment, timeout=120, preexec_fn=_limit_memory,
        check=False,
    )
    doc = json.loads(proc.stdout) if proc.returncode == 0 else None
    return proc.returncode, doc, proc.stderr


BOMBS = {
    "secondly-week": ("20260302T090000Z", "FREQ=SECONDLY;UNTIL=20260309T090000Z"),
    "secondly-year": ("20260101T000000Z", "FREQ=SECONDLY;UNTIL=20270101T000000Z"),
    "minutely-year": ("20260101T000000Z", "FREQ=MINUTELY;UNTIL=20270101T000000Z"),
    "minutely-count": ("20260101T000000Z", "FREQ=MINUTELY;COUNT=99999999"),
    "secondly-1970": ("19700101T000000Z", "FREQ=SECONDLY"),
}
WINDOWS = {"week": ["--week", "2026-W10"], "year": ["--from", "2026-01-01", "--to", "2026-12-31"]}


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
@pytest.mark.parametrize("window", WINDOWS, ids=list(WINDOWS))
@pytest.mark.parametrize("name", BOMBS, ids=list(BOMBS))
def test_a_recurrence_bomb_is_cut_with_one_warning_naming_it(name, window, fast, tmp_path):
    path = tmp_path / f"{name}.ics"
    path.write_bytes(bomb(*BOMBS[name]))
    code, doc, stderr = audit(path, *WINDOWS[window], fast=fast)
    assert code == 0, stderr
    [warning] = doc["warnings"]
    assert warning.startswith(f"{path}: event 'Every tick' (UID bomb) repeats more than 10,000 ")
    assert "max_instances" in warning
    # the normal meeting is counted; the bomb adds at most its 10,000 seconds
    meetings = doc["totals"]["meeting_minutes"]
    assert 60 <= meetings <= 60 + 10_000 // 60 + 1


def test_the_limit_is_the_config_key_max_instances(tmp_path):
    path = tmp_path / "minutely.ics"
    path.write_bytes(bomb("20260302T090000Z", "FREQ=MINUTELY;COUNT=300"))
    config = tmp_path / "config.toml"
    config.write_text("max_instances = 120\n")
    code, doc, stderr = audit(path, "--week", "2026-W10", "--config", str(config))
    assert code == 0, stderr
    assert "repeats more than 120 times" in doc["warnings"][0]
    # 120 one-second instances a minute apart: 120 one-minute stretches from 09:00 on Monday
    monday = doc["days"][0]
    assert monday["meeting_count"] == 120
    config.write_text("max_instances = 300\n")
    code, doc, stderr = audit(path, "--week", "2026-W10", "--config", str(config))
    assert code == 0, stderr
    assert doc["warnings"] == []
    assert doc["days"][0]["meeting_count"] == 300


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "plain"])
def test_a_rule_no_day_satisfies_is_no_search_to_the_year_9999(fast, tmp_path):
    """dateutil alone searches minutes for the next instance of these."""
    path = tmp_path / "never.ics"
    path.write_bytes(ics(
        "UID:never\nDTSTART:20200107T030000Z\nDURATION:PT1M\n"
        "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31;BYHOUR=3",
        "UID:never2\nDTSTART:20200107T030000Z\nDURATION:PT1M\n"
        "RRULE:FREQ=DAILY;BYWEEKNO=1;BYMONTH=6", NORMAL))
    code, doc, stderr = audit(path, "--from", "2026-01-01", "--to", "2026-12-31", fast=fast)
    assert code == 0, stderr
    assert doc["totals"]["meeting_minutes"] == 60
    assert doc["warnings"] == []
