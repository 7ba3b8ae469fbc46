"""The audit as rich tables for the terminal, fitted to its width: every number whole; the
columns least needed are left out (and named) when the terminal is narrow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from focuscal.report import hmm
from focuscal.report.audit import (
    DAY_FIELDS,
    TREND_FIELDS,
    Field,
    day_dict,
    verdict,
    week_dict,
    zone_name,
)
from focuscal.report.columns import Column, fit, table

if TYPE_CHECKING:
    from focuscal.results import AuditResult

# The day table's columns, most needed first: Day, Meet and Focus are always shown.
DAY_PRIORITY = ("Day", "Meet", "Focus", "Status", "Longest", "Frag.", "Work", "Frag'd", "#",
                "Booked", "B2B", "Cust.", "After")
TREND_PRIORITY = ("Week", "Focus", "Meetings", "Fragmentation", "Longest", "Meeting-free days")


def _columns(rows: Sequence[Sequence[str]], headers: Sequence[str],
             priority: Sequence[str], required: int) -> tuple[list[Column], list[Column]]:
    """The required and the optional columns of ``rows`` (cells in the order of ``headers``),
    each list in the order of ``priority``. Every cell is a number, a date or a word: fixed."""
    cols = {h: Column(h, [row[n] for row in rows], fixed=True, right=n > 0 and h != "Status")
            for n, h in enumerate(headers)}
    ordered = [cols[h] for h in priority]
    return ordered[:required], ordered[required:]


def _print_fitted(console: Console, rows: Sequence[Sequence[str]], headers: Sequence[str],
                  priority: Sequence[str], required: int, styles: Sequence[str | None],
                  section_at: int | None = None) -> None:
    """The rows as a table as wide as fits; narrower than its required columns, one wrapped
    line per row ("Meet 2:30 Focus 4:00 ..."), which breaks only at spaces."""
    columns, optional = _columns(rows, headers, priority, required)
    chosen = fit(columns, optional, console.width)
    if chosen is None:
        for row, style in zip(rows, styles, strict=True):
            words = [row[0], *(f"{h} {cell}" for h, cell in zip(headers[1:], row[1:],
                                                                  strict=True) if cell)]
            console.print(Text("  ".join(words), style=style or ""), overflow="fold")
        return
    console.print(table(chosen, console.width, rows, headers, styles, section_at=section_at))
    left_out = [h for h in headers if h not in {c.header for c in chosen}]
    if left_out:
        console.print(Text(f"not shown at this width: {', '.join(left_out)} "
                           "(--format csv has every column)", style="dim"))


def _cells(values: dict[str, object], fields: Sequence[Field]) -> list[str]:
    return [f.cell(values, hmm) for f in fields]


def print_audit(result: AuditResult, console: Console) -> None:
    """The days and the total (and a trend of weeks), durations as h:mm."""
    headers = ["Day", "Status", *(f.short for f in DAY_FIELDS)]
    rows = [[f"{d.date:%a %d}", d.status, *_cells(day_dict(d), DAY_FIELDS)]
            for d in result.period.days]
    rows.append(["Total", "", *_cells(dict(result.period.totals()), DAY_FIELDS)])
    styles = [None if d.status == "workday" else "dim" for d in result.period.days] + ["bold"]
    console.print(Text(f"Focus audit {result.window.label} ({zone_name(result.tz)})",
                       style="bold"))
    _print_fitted(console, rows, headers, DAY_PRIORITY, 3, styles, section_at=len(rows) - 1)
    console.print(Text("times in h:mm; Frag. = share of free time in pieces shorter than "
                       f"{hmm(result.policy.focus_min)}", style="dim"))
    if result.weeks:
        console.print()
        console.print(Text("Trend", style="bold"))
        weeks = [[week_dict(w)["week"], *_cells(dict(w.totals()), TREND_FIELDS)]
                 for w in result.weeks]
        _print_fitted(console, weeks, ["Week", *(f.short for f in TREND_FIELDS)],
                      TREND_PRIORITY, 2, [None] * len(weeks))
    console.print(Text(verdict(result.period, hmm), style="bold"))
