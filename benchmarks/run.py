"""Benchmark the whole `focuscal audit` process against a naive parse-and-expand baseline.

    python benchmarks/run.py [--runs N] [--sizes small,medium,large] [--markdown]

For each generated calendar (benchmarks/generate.py, written to benchmarks/data/) and for a
one-week and a one-year window, it runs, one after the other on an otherwise idle machine:

- baseline: a fresh interpreter that parses the file with icalendar and expands the window with
  recurring-ical-events (nothing else: no metrics, no output);
- focuscal, first run: ``python -m focuscal audit FILE --from .. --to .. --format json`` with an
  empty cache directory, so nothing is reused;
- focuscal, again: the same audit a second time with the file unchanged (the cache is warm);
- focuscal, plain: the first run with FOCUSCAL_NO_FASTPATH=1 (no scan, no cache), for reference.

Each figure is the median wall time of ``--runs`` runs of the whole process; peak memory is the
child's ru_maxrss (os.wait4). It also times ``focuscal --help`` against ``python -c pass``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import SIZES, write  # noqa: E402

BASELINE = """
import sys
from datetime import date, timedelta
import icalendar, recurring_ical_events
path, first, last = sys.argv[1:4]
with open(path, "rb") as handle:
    calendar = icalendar.Calendar.from_ical(handle.read())
end = date.fromisoformat(last) + timedelta(days=1)
events = recurring_ical_events.of(calendar).between(date.fromisoformat(first), end)
print(len(events))
"""

TZ = "Europe/Berlin"
TARGETS = {"week_first": 0.4, "week_again": 0.15, "year_first": 0.8}
HELP_MARGIN = 0.080


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS in KiB and stdout of one process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr = proc.stderr.read() if proc.stderr else b""
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {stderr.decode()}")
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read()


def median_of(runs: int, argv: list[str], env: dict[str, str],
              fresh_cache: bool = False) -> tuple[float, int, bytes]:
    times, peaks, output = [], [], b""
    for _ in range(runs):
        if fresh_cache:
            with tempfile.TemporaryDirectory() as cache:
                elapsed, peak, output = run(argv, {**env, "XDG_CACHE_HOME": cache})
        else:
            elapsed, peak, output = run(argv, env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks), output


def windows(size: str) -> dict[str, tuple[date, date]]:
    """A one-week window in the middle of the calendar and the year around it."""
    s = SIZES[size]
    monday = s.start + timedelta(weeks=s.weeks // 2)
    return {
        "week": (monday, monday + timedelta(days=6)),
        "year": (monday - timedelta(weeks=26), monday + timedelta(weeks=26, days=-1)),
    }


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {model}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--sizes", default="small,medium,large")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="focuscal-bench-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache"), "PYTHONDONTWRITEBYTECODE": "0"}
    env.pop("FOCUSCAL_NO_FASTPATH", None)
    env.pop("FOCUSCAL_CONFIG", None)
    py = sys.executable

    print(f"machine: {machine()}")
    rows = []
    for size in args.sizes.split(","):
        path = args.data / f"{size}.ics"
        if not path.exists():
            write(size, args.data)
        text = path.read_bytes()
        print(f"{size}: {path} {len(text) / 1e6:.2f} MB, {text.count(b'BEGIN:VEVENT')} VEVENTs",
              flush=True)
        for label, (first, last) in windows(size).items():
            base_t, base_m, base_out = median_of(
                args.runs, [py, "-c", BASELINE, str(path), str(first), str(last)], env)
            audit = [py, "-m", "focuscal", "audit", str(path), "--from", str(first), "--to",
                     str(last), "--tz", TZ, "--format", "json"]
            first_t, first_m, out = median_of(args.runs, audit, env, fresh_cache=True)
            with tempfile.TemporaryDirectory() as cache:
                warm = {**env, "XDG_CACHE_HOME": cache}
                run(audit, warm)
                again_t, again_m, again_out = median_of(args.runs, audit, warm)
            plain_t, plain_m, plain_out = median_of(
                args.runs, audit, {**env, "FOCUSCAL_NO_FASTPATH": "1"}, fresh_cache=True)
            same = json.loads(out) == json.loads(plain_out) == json.loads(again_out)
            rows.append({
                "size": size, "window": label, "instances": int(base_out),
                "baseline": base_t, "first": first_t, "again": again_t, "plain": plain_t,
                "base_mem": base_m, "first_mem": first_m, "again_mem": again_m,
                "plain_mem": plain_m, "same": same,
            })
            r = rows[-1]
            print(f"  {label}: baseline {base_t:.3f}s  focuscal {first_t:.3f}s "
                  f"({first_t / base_t:.2f})  again {again_t:.3f}s ({again_t / base_t:.2f})  "
                  f"plain {plain_t:.3f}s ({plain_t / base_t:.2f})  peak MB baseline "
                  f"{base_m / 1024:.0f} focuscal {first_m / 1024:.0f}/{again_m / 1024:.0f}  "
                  f"same JSON: {same}", flush=True)

    help_runs = max(11, args.runs * 3)
    bare_t, _, _ = median_of(help_runs, [py, "-c", "pass"], env)
    help_t, help_m, _ = median_of(help_runs, [py, "-m", "focuscal", "--help"], env)
    print(f"focuscal --help {help_t * 1000:.0f} ms, python -c pass {bare_t * 1000:.0f} ms "
          f"(+{(help_t - bare_t) * 1000:.0f} ms)")

    checks = []
    by = {(r["size"], r["window"]): r for r in rows}
    if ("large", "week") in by and ("large", "year") in by:
        week, year = by["large", "week"], by["large", "year"]
        checks = [
            ("large one-week audit, first run", week["first"] / week["baseline"],
             TARGETS["week_first"]),
            ("large one-week audit, again", week["again"] / week["baseline"],
             TARGETS["week_again"]),
            ("large one-year audit, first run", year["first"] / year["baseline"],
             TARGETS["year_first"]),
            ("large peak memory / baseline's (worst of all runs)",
             max(max(r["first_mem"], r["again_mem"]) / r["base_mem"] for r in (week, year)),
             1.0),
        ]
    checks.append(("focuscal --help minus python -c pass (s)", help_t - bare_t, HELP_MARGIN))
    print()
    for name, value, limit in checks:
        print(f"{'met ' if value <= limit else 'MISSED'} {name}: {value:.3f} (target <= {limit})")
    if args.markdown:
        print()
        print(f"Machine: {machine()}  ")
        print(f"Median of {args.runs} runs; time zone {TZ}.")
        print()
        print("| calendar | window | instances | baseline | focuscal first run | again "
              "(cached) | plain path | peak MB baseline / first / again |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            b = r["baseline"]
            print(f"| {r['size']} | {r['window']} | {r['instances']} | {b:.3f} s | "
                  f"{r['first']:.3f} s ({r['first'] / b:.2f}) | "
                  f"{r['again']:.3f} s ({r['again'] / b:.2f}) | "
                  f"{r['plain']:.3f} s ({r['plain'] / b:.2f}) | "
                  f"{r['base_mem'] / 1024:.0f} / {r['first_mem'] / 1024:.0f} / "
                  f"{r['again_mem'] / 1024:.0f} |")
        print()
        print(f"`focuscal --help`: {help_t * 1000:.0f} ms; "
              f"`python -c pass`: {bare_t * 1000:.0f} ms "
              f"(+{(help_t - bare_t) * 1000:.0f} ms; peak {help_m / 1024:.0f} MB).")
        print()
        for name, value, limit in checks:
            print(f"- {'met' if value <= limit else '**missed**'}: {name}: {value:.3f} "
                  f"(target <= {limit})")
    if not all(r["same"] for r in rows):
        raise SystemExit("the fast path and the plain path gave different JSON")


if __name__ == "__main__":
    main()
