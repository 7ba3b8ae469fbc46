"""Time and peak memory of `focuscal audit` on hostile calendars, on the fast and plain paths.

    python benchmarks/hostile.py [--timeout 60]

Recurrence bombs (issue 11: FREQ=SECONDLY for a week and a year, FREQ=MINUTELY for a year,
FREQ=MINUTELY;COUNT=99999999, a SECONDLY series from 1970, a rule no day satisfies), each next
to one normal meeting, over a week and a year; and about 10 MB of very long lines (DESCRIPTION,
CATEGORIES, folded X-ALT-DESC). Each figure is one whole process with an empty cache: wall
seconds and the child's peak RSS (os.wait4); a run past ``--timeout`` is killed and shown so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile_ics import BOMBS, WINDOWS, bomb, long_lines  # noqa: E402

NEVER = ("20200107T030000Z", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31;BYHOUR=3")


def measure(path: Path, args: list[str], fast: bool, timeout: float) -> str:
    """``seconds s, peak MB`` of one audit (or that it was killed)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": cache,
               "FOCUSCAL_NO_FASTPATH": "0" if fast else "1"}
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "focuscal", "audit", str(path), "--tz",
                                 "UTC", "--format", "json", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        killed = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if not killed and time.perf_counter() - start > timeout:
                proc.kill()
                killed = True
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        proc.returncode = 0  # reaped here: Popen must not wait for it again
        if killed:
            return f"killed after {timeout:.0f} s, {usage.ru_maxrss / 1024:.0f} MB"
        code = os.waitstatus_to_exitcode(status)
        return f"{elapsed:.2f} s, {usage.ru_maxrss / 1024:.0f} MB (exit {code})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60)
    timeout = parser.parse_args().timeout
    with tempfile.TemporaryDirectory() as folder:
        cases = {name: bomb(*rule) for name, rule in BOMBS.items()}
        cases["never"] = bomb(*NEVER)
        print("| calendar | window | fast path | plain path |\n|---|---|---|---|")
        for name, data in cases.items():
            path = Path(folder) / f"{name}.ics"
            path.write_bytes(data)
            for window, args in WINDOWS.items():
                print(f"| {name} | {window} | {measure(path, args, True, timeout)} | "
                      f"{measure(path, args, False, timeout)} |")
        for kind in ("description", "categories", "folded"):
            path = Path(folder) / f"{kind}.ics"
            path.write_bytes(long_lines(kind))
            args = WINDOWS["week"]
            print(f"| 10 MB of {kind} | week | {measure(path, args, True, timeout)} | "
                  f"{measure(path, args, False, timeout)} |")


if __name__ == "__main__":
    main()
