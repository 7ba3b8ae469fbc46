"""Benchmark the whole `focuscal audit` process against a naive parse-and-expand process.

    python benchmarks/run.py [--runs N] [--sizes small,medium,large,heavy] [--no-plain]
                             [--growth] [--markdown]

For each generated calendar (benchmarks/generate.py, written to benchmarks/data/) and for a
one-week and a one-year window, it runs, one after the other:

- naive: a fresh interpreter that parses the file with icalendar and expands the window with
  recurring-ical-events (nothing else: no metrics, no output);
- focuscal, first run: ``python -m focuscal audit FILE --from .. --to .. --format json`` with a
  fresh, empty cache directory for every run, so nothing is reused;
- focuscal, again: the same audit with the file unchanged (the cache is warm);
- focuscal, plain (once, unless ``--no-plain``): the first run with FOCUSCAL_NO_FASTPATH=1 (no
  light reader, no scan, no cache); its JSON must equal the others'.

Each figure is the median wall time of ``--runs`` runs of the whole process; peak memory is the
child's ru_maxrss (os.wait4), the worst of its runs. Start-up: ``focuscal --help`` and an audit
of a one-event calendar against ``python -c pass``. ``--growth`` adds the first-run times of
1, 5 and 10-year windows on every calendar. Every target of issue 13 is printed as the ratio
measured in this run, met or NOT met; the exit status is 1 when one is not met.
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
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import SIZES, write  # noqa: E402

NAIVE = """
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

ONE_EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//focuscal//benchmark//EN\r
BEGIN:VEVENT\r
UID:one@example.com\r
DTSTAMP:20260101T000000Z\r
SUMMARY:Planning\r
DTSTART;TZID=Europe/Berlin:20260303T100000\r
DTEND;TZID=Europe/Berlin:20260303T110000\r
END:VEVENT\r
END:VCALENDAR\r
"""

TZ = "Europe/Berlin"
STARTUP_MARGIN = 0.080  # seconds over a bare interpreter


@dataclass(frozen=True)
class Target:
    """One target of issue 13: ``value`` (a ratio, or seconds) must be at most ``limit``."""

    name: str
    value: float
    limit: float

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def run(argv: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS in KiB and stdout of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): "
                             f"{err.read().decode()}")
        out.seek(0)
        return elapsed, usage.ru_maxrss, out.read()


def median_of(runs: int, argv: list[str], env: dict[str, str],
              fresh_cache: bool = False) -> tuple[float, int, bytes]:
    """Median wall time, worst peak RSS and the last output of ``runs`` runs (each with an
    empty cache directory when ``fresh_cache``)."""
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


def audit_argv(path: Path, first: date, last: date) -> list[str]:
    return [sys.executable, "-m", "focuscal", "audit", str(path), "--from", str(first),
            "--to", str(last), "--tz", TZ, "--format", "json"]


def measure_sizes(args: argparse.Namespace, env: dict[str, str]) -> list[dict]:
    """The naive process and focuscal (first, again, plain) on every size and window."""
    rows = []
    for size in args.sizes.split(","):
        path = args.data / f"{size}.ics"
        if not path.exists():
            write(size, args.data)
        text = path.read_bytes()
        print(f"{size}: {path} {len(text) / 1e6:.2f} MB, {text.count(b'BEGIN:VEVENT')} VEVENTs",
              flush=True)
        for label, (first, last) in windows(size).items():
            naive_t, naive_m, naive_out = median_of(
                args.runs, [sys.executable, "-c", NAIVE, str(path), str(first), str(last)], env)
            audit = audit_argv(path, first, last)
            first_t, first_m, out = median_of(args.runs, audit, env, fresh_cache=True)
            with tempfile.TemporaryDirectory() as cache:
                warm = {**env, "XDG_CACHE_HOME": cache}
                run(audit, warm)
                again_t, again_m, again_out = median_of(args.runs, audit, warm)
            same = json.loads(out) == json.loads(again_out)
            plain_t = None
            if args.plain:
                plain_t, _, plain_out = median_of(
                    1, audit, {**env, "FOCUSCAL_NO_FASTPATH": "1"}, fresh_cache=True)
                same = same and json.loads(out) == json.loads(plain_out)
            row = {"size": size, "window": label, "instances": int(naive_out),
                   "naive": naive_t, "first": first_t, "again": again_t, "plain": plain_t,
                   "naive_mem": naive_m, "first_mem": first_m, "again_mem": again_m,
                   "same": same}
            rows.append(row)
            plain = f"  plain {plain_t:.3f}s" if plain_t is not None else ""
            print(f"  {label}: naive {naive_t:.3f}s  focuscal {first_t:.3f}s "
                  f"({first_t / naive_t:.3f})  again {again_t:.3f}s ({again_t / naive_t:.3f})"
                  f"{plain}  peak MB naive {naive_m / 1024:.0f} focuscal "
                  f"{first_m / 1024:.0f}/{again_m / 1024:.0f}  same JSON: {same}", flush=True)
    return rows


def measure_startup(args: argparse.Namespace, env: dict[str, str]) -> dict[str, float]:
    """Median seconds of ``python -c pass``, ``focuscal --help`` and a one-event audit."""
    runs = max(11, args.runs * 3)
    with tempfile.TemporaryDirectory() as folder:
        one = Path(folder) / "one.ics"
        one.write_text(ONE_EVENT, newline="")
        bare, _, _ = median_of(runs, [sys.executable, "-c", "pass"], env)
        help_t, _, _ = median_of(runs, [sys.executable, "-m", "focuscal", "--help"], env)
        audit_t, _, _ = median_of(runs, audit_argv(one, date(2026, 3, 2), date(2026, 3, 8)),
                                  env, fresh_cache=True)
    print(f"start-up: python -c pass {bare * 1000:.0f} ms, focuscal --help "
          f"{help_t * 1000:.0f} ms, one-event audit {audit_t * 1000:.0f} ms", flush=True)
    return {"bare": bare, "help": help_t, "audit": audit_t}


def measure_growth(args: argparse.Namespace, env: dict[str, str]) -> list[dict]:
    """First-run seconds of 1, 5 and 10-year windows from the start of every calendar."""
    rows = []
    for size in args.sizes.split(","):
        path = args.data / f"{size}.ics"
        start = SIZES[size].start
        for years in (1, 5, 10):
            last = start + timedelta(weeks=52 * years, days=-1)
            elapsed, peak, out = median_of(args.runs, audit_argv(path, start, last), env,
                                           fresh_cache=True)
            totals = json.loads(out)["totals"]
            rows.append({"size": size, "years": years, "seconds": elapsed, "peak": peak,
                         "meetings": totals["meeting_count"]})
            print(f"  growth {size} {years}y: {elapsed:.3f}s, {totals['meeting_count']} "
                  f"meetings, peak {peak / 1024:.0f} MB", flush=True)
    return rows


def targets(rows: list[dict], startup: dict[str, float]) -> list[Target]:
    """Every target of issue 13 that this run measured."""
    by = {(r["size"], r["window"]): r for r in rows}
    out = []
    for label in ("week", "year"):
        if (r := by.get(("heavy", label))) is not None:
            out.append(Target(f"heavy one-{label} audit, first run / naive",
                              r["first"] / r["naive"], 0.10))
    for label in ("week", "year"):
        if (r := by.get(("heavy", label))) is not None:
            out.append(Target(f"heavy one-{label} audit, repeated / naive",
                              r["again"] / r["naive"], 0.02))
    for size in ("small", "medium"):
        for label in ("week", "year"):
            if (r := by.get((size, label))) is not None:
                out.append(Target(f"{size} one-{label} audit, first run / naive",
                                  r["first"] / r["naive"], 1.0))
    for size in dict.fromkeys(r["size"] for r in rows):
        mine = [r for r in rows if r["size"] == size]
        worst = max(max(r["first_mem"], r["again_mem"]) / r["naive_mem"] for r in mine)
        out.append(Target(f"{size} peak memory / naive's (worst window and run)", worst, 1.0))
    out.append(Target("focuscal --help minus python -c pass (s)",
                      startup["help"] - startup["bare"], STARTUP_MARGIN))
    out.append(Target("one-event audit minus python -c pass (s)",
                      startup["audit"] - startup["bare"], STARTUP_MARGIN))
    return out


def markdown(args: argparse.Namespace, rows: list[dict], startup: dict[str, float],
             growth: list[dict], checks: list[Target]) -> None:
    print()
    print(f"Machine: {machine()}  ")
    print(f"Median of {args.runs} runs; time zone {TZ}; ratios to the naive process.")
    print()
    print("| calendar | window | instances | naive | focuscal first run | repeated "
          "| peak MB naive / first / repeated |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        n = r["naive"]
        print(f"| {r['size']} | {r['window']} | {r['instances']} | {n:.3f} s | "
              f"{r['first']:.3f} s ({r['first'] / n:.3f}) | "
              f"{r['again']:.3f} s ({r['again'] / n:.3f}) | "
              f"{r['naive_mem'] / 1024:.0f} / {r['first_mem'] / 1024:.0f} / "
              f"{r['again_mem'] / 1024:.0f} |")
    print()
    print(f"Start-up: `python -c pass` {startup['bare'] * 1000:.0f} ms, `focuscal --help` "
          f"{startup['help'] * 1000:.0f} ms, a one-event audit {startup['audit'] * 1000:.0f} ms.")
    if growth:
        print()
        print("| calendar | 1 year | 5 years | 10 years |")
        print("|---|---:|---:|---:|")
        for size in dict.fromkeys(g["size"] for g in growth):
            cells = [f"{g['seconds']:.3f} s ({g['meetings']})" for g in growth
                     if g["size"] == size]
            print(f"| {size} | {' | '.join(cells)} |")
    print()
    for t in checks:
        print(f"- {'met' if t.met else '**NOT met**'}: {t.name}: {t.value:.3f} "
              f"(target <= {t.limit})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--sizes", default="small,medium,large,heavy")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--no-plain", dest="plain", action="store_false",
                        help="skip the plain path (no comparison of its JSON)")
    parser.add_argument("--growth", action="store_true",
                        help="also time 1, 5 and 10-year windows")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="focuscal-bench-"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache")}
    # Byte-code caches as an installed package has them (the libraries already do).
    for name in ("FOCUSCAL_NO_FASTPATH", "FOCUSCAL_NO_LIGHT", "FOCUSCAL_CONFIG", "FOCUSCAL_DEBUG",
                 "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "focuscal")], env=env,
                   check=True)

    print(f"machine: {machine()}")
    rows = measure_sizes(args, env)
    startup = measure_startup(args, env)
    growth = measure_growth(args, env) if args.growth else []
    checks = targets(rows, startup)
    print()
    for t in checks:
        print(f"{'met    ' if t.met else 'NOT met'} {t.name}: {t.value:.3f} "
              f"(target <= {t.limit})")
    if args.markdown:
        markdown(args, rows, startup, growth, checks)
    if not all(r["same"] for r in rows):
        raise SystemExit("the first run, the repeated run and the plain path gave different JSON")
    if not all(t.met for t in checks):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
