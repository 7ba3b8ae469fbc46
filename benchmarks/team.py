"""Benchmark ``focuscal team`` at scale: generated members through the fake Google freeBusy
server and through a folder of ICS exports, one whole process each.

    python benchmarks/team.py [--members 1000,10000] [--weeks 1] [--latency 0.0] [--markdown]

Members are the seeded generated weeks of the team tests (tests/team/conftest.py: 0 to 5
meetings a day, customers, declines, tentative and transparent ones, out-of-office
afternoons). For each size it runs ``python -m focuscal team --format json --rows FILE``:

- google-freebusy: the members are calendars of the fake Calendar v3 server
  (tests/fakes/google_server.py, on 127.0.0.1, ``--latency`` seconds per freeBusy request);
  focuscal asks for 50 a request, 4 in flight, paced to Google's 600 requests a minute;
- ics-folder: one ``MEMBER.ics`` a member in a folder, read 8 at a time.

It prints the wall time of the process, the requests the server saw (files read for the
folder), and checks that every member was read and has a row. ``--weeks 4`` measures a trend.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.google_server import FakeGoogle  # noqa: E402
from tests.team.conftest import WEEK, generate, team_config, write_folder  # noqa: E402


def focuscal_team(config: Path, weeks: int, rows: Path, env: dict[str, str]) -> tuple[float, dict]:
    """The wall seconds and the JSON document of one ``focuscal team`` process."""
    argv = [sys.executable, "-m", "focuscal", "--config", str(config), "team", "--week", WEEK,
            "--weeks", str(weeks), "--format", "json", "--rows", str(rows)]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"focuscal team failed ({done.returncode}): {done.stderr}")
    return elapsed, json.loads(done.stdout)


def checked(doc: dict, rows: Path, members: int, weeks: int) -> None:
    if doc["members"] != {"read": members, "left_out": 0}:
        raise SystemExit(f"not every member was read: {doc['members']}")
    if len(rows.read_text().splitlines()) != members * weeks + 1:  # and the CSV header
        raise SystemExit(f"{rows}: not one row per member-week")


def google(members: list, weeks: int, latency: float, folder: Path,
           env: dict[str, str]) -> tuple[float, int]:
    """Seconds and freeBusy requests of a team of ``members`` through the fake server."""
    with FakeGoogle() as fake:
        fake.freebusy_delay = latency
        for member in members:
            fake.add_calendar(member.address)
            for event in member.google():
                fake.put_event(member.address, **event)
        top = f'[google]\napi_endpoint = "{fake.url}"\ncredentials = "anonymous"\n'
        config = team_config(folder / "google.toml", "google-freebusy",
                             [m.address for m in members], top=top)
        rows = folder / "google-rows.csv"
        elapsed, doc = focuscal_team(config, weeks, rows, env)
        requests = len(fake.requests_to("POST", "freeBusy"))
    checked(doc, rows, len(members), weeks)
    return elapsed, requests


def ics_folder(members: list, weeks: int, folder: Path, env: dict[str, str]) -> tuple[float, int]:
    """Seconds and files read of a team of ``members`` from a folder of exports."""
    exports = write_folder(members, folder / "exports")
    config = team_config(folder / "ics.toml", str(exports), [m.address for m in members])
    rows = folder / "ics-rows.csv"
    elapsed, doc = focuscal_team(config, weeks, rows, env)
    checked(doc, rows, len(members), weeks)
    return elapsed, len(list(exports.glob("*.ics")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="1000,10000",
                        help="comma-separated team sizes (default 1000,10000)")
    parser.add_argument("--weeks", type=int, default=1, help="weeks of the window (trend)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the fake server takes per freeBusy request")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    sizes = [int(n) for n in args.members.split(",")]
    print(f"# {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; {args.weeks} week(s), "
          f"freeBusy latency {args.latency:g} s", file=sys.stderr)
    rows = []
    for size in sizes:
        members = generate(size, seed=1, weeks=args.weeks)
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            env = {**os.environ, "XDG_DATA_HOME": str(folder / "data"),
                   "XDG_CACHE_HOME": str(folder / "cache"), "PYTHONPATH": str(ROOT)}
            seconds, requests = google(members, args.weeks, args.latency, folder, env)
            rows.append(("google-freebusy", size, requests, seconds))
            seconds, files = ics_folder(members, args.weeks, folder, env)
            rows.append(("ics folder", size, files, seconds))
    if args.markdown:
        print("| route | members | requests (files) | wall time | per 1,000 members |")
        print("|---|---:|---:|---:|---:|")
    for route, size, requests, seconds in rows:
        per = seconds / size * 1000
        if args.markdown:
            print(f"| {route} | {size:,} | {requests:,} | {seconds:.1f} s | {per:.2f} s |")
        else:
            print(f"{route:<16} {size:>6} members  {requests:>6} requests  {seconds:7.1f} s  "
                  f"({per:.2f} s per 1,000)")


if __name__ == "__main__":
    main()
