"""The audit as data: the JSON document of DESIGN.md section 4, CSV rows and Markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_text  # C-accelerated where available
from typing import TYPE_CHECKING, Any, Literal

from focuscal.metrics import DAY_NUMBERS, SUMMED, DayMetrics, PeriodMetrics
from focuscal.model import WEEKDAY_CODES
from focuscal.report import hm, pct
from focuscal.report.markdown import md_escape

if TYPE_CHECKING:
    from focuscal.results import AuditResult


@dataclass(frozen=True)
class Field:
    """A number the audit tables show: its header in the terminal table and in Markdown, its
    key in ``day_dict`` and ``PeriodMetrics.totals()``, and how it is written."""

    short: str
    long: str
    key: str
    unit: Literal["duration", "count", "percent"]

    def cell(self, values: Mapping[str, Any], duration: Callable[[int], str]) -> str:
        value = values[self.key]
        if self.unit == "duration":
            return duration(int(value))
        if self.unit == "percent":
            return pct(float(value))
        return str(value)


# The columns of a day (after Day and Status), in the terminal table and in Markdown alike.
DAY_FIELDS = (
    Field("Work", "Work", "working_minutes", "duration"),
    Field("Meet", "Meetings", "meeting_minutes", "duration"),
    Field("#", "#", "meeting_count", "count"),
    Field("Focus", "Focus", "focus_minutes", "duration"),
    Field("Frag'd", "Fragmented", "fragmented_minutes", "duration"),
    Field("Longest", "Longest", "longest_block_minutes", "duration"),
    Field("Frag.", "Frag.", "fragmentation", "percent"),
    Field("B2B", "B2B", "back_to_back", "count"),
    Field("Cust.", "Customers", "external_meeting_minutes", "duration"),
    Field("After", "After hours", "after_hours_meeting_minutes", "duration"),
    Field("Booked", "Booked focus", "focus_booked_minutes", "duration"),
)
# The columns of a week of the trend (after Week), in both formats.
TREND_FIELDS = (
    Field("Focus", "Focus", "focus_minutes", "duration"),
    Field("Meetings", "Meetings", "meeting_minutes", "duration"),
    Field("Fragmentation", "Fragmentation", "fragmentation", "percent"),
    Field("Longest", "Longest", "longest_block_minutes", "duration"),
    Field("Meeting-free days", "Meeting-free days", "meeting_free_days", "count"),
)


def zone_name(tz: Any) -> str:
    return getattr(tz, "key", None) or str(tz)


def day_dict(day: DayMetrics) -> dict[str, Any]:
    out: dict[str, Any] = {"date": day.date.isoformat(), "status": day.status}
    out.update({key: getattr(day, key) for key in DAY_NUMBERS})
    out["blocks"] = [
        {"start": b.start.isoformat(), "end": b.end.isoformat(), "minutes": b.minutes}
        for b in day.blocks
    ]
    return out


def totals_dict(period: PeriodMetrics) -> dict[str, Any]:
    totals = period.totals()
    return {key: totals[key] for key in (*SUMMED, "longest_block_minutes", "meeting_free_days",
                                         "fragmentation")}


def audit_dict(result: AuditResult) -> dict[str, Any]:
    """The ``focuscal.audit/1`` document."""
    policy = result.policy
    doc: dict[str, Any] = {
        "schema": "focuscal.audit/1",
        "timezone": zone_name(result.tz),
        "window": {"start": result.window.first.isoformat(), "end": result.window.last.isoformat()},
        "policy": {
            "workdays": [WEEKDAY_CODES[d] for d in sorted(policy.workdays)],
            "work_start": policy.work_start.strftime("%H:%M"),
            "work_end": policy.work_end.strftime("%H:%M"),
            "focus_min_minutes": policy.focus_min,
            "b2b_gap_minutes": policy.b2b_gap,
        },
        "days": [day_dict(d) for d in result.period.days],
        "totals": totals_dict(result.period),
        "warnings": list(result.warnings),
    }
    if result.weeks:
        doc["weeks"] = [week_dict(w) for w in result.weeks]
    return doc


def week_dict(week: PeriodMetrics) -> dict[str, Any]:
    year, number, _ = week.first.isocalendar()
    return {
        "week": f"{year}-W{number:02d}",
        "start": week.first.isoformat(),
        "end": week.last.isoformat(),
        **totals_dict(week),
    }


def to_json(result: AuditResult) -> str:
    return dumps_indented(audit_dict(result)) + "\n"


class _Unusual(Exception):
    """A value dumps_indented leaves to json.dumps."""


def dumps_indented(value: Any) -> str:
    """Exactly ``json.dumps(value, indent=2, ensure_ascii=False)``, several times faster.

    With ``indent``, json falls back from its C encoder to a generator-based Python one; a
    year-long audit has thousands of small dicts. Values other than dicts with text keys,
    lists, tuples, text, numbers, booleans and None go to json.dumps itself.
    """
    out: list[str] = []
    try:
        _emit(value, out, "\n")
    except _Unusual:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(out)


def _emit(value: Any, out: list[str], newline: str) -> None:
    kind = type(value)
    if kind is str:
        out.append(_encode_text(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _Unusual
        out.append(float.__repr__(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            out.append(separator)
            out.append(_encode_text(key))
            out.append(": ")
            _emit(item, out, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _emit(item, out, inner)
            separator = "," + inner
        out.append(newline + "]")
    else:
        raise _Unusual


CSV_COLUMNS = ("date", "weekday", "status", *DAY_NUMBERS)


def to_csv(result: AuditResult) -> str:
    """One row per day, then a TOTAL row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for day in result.period.days:
        writer.writerow(
            [day.date.isoformat(), day.date.strftime("%a"), day.status,
             *(getattr(day, k) for k in DAY_NUMBERS)]
        )
    totals = result.period.totals()
    writer.writerow(["TOTAL", "", "", *(totals[k] for k in DAY_NUMBERS)])
    return buffer.getvalue()


def verdict(period: PeriodMetrics, duration: Callable[[int], str] = hm) -> str:
    """One line a person remembers: the longest block and where it was (durations written by
    ``duration``, the style of the format it ends)."""
    best = period.best_day
    if best is None:
        return "no uninterrupted time in working hours"
    text = (f"longest uninterrupted block: {duration(best.longest_block_minutes)} on "
            f"{best.date:%a}")
    if period.first != period.last and (period.last - period.first).days >= 7:
        text += f" {best.date.isoformat()}"
    totals = period.totals()
    return (
        f"{text}; focus time {duration(int(totals['focus_minutes']))}, "
        f"{pct(float(totals['fragmentation']))} of free time fragmented"
    )


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def to_markdown(result: AuditResult) -> str:
    """The table of the terminal, with the same columns (long headers, durations as 2h 30m)."""
    head = ["Day", "Status", *(f.long for f in DAY_FIELDS)]
    lines = [
        f"# Focus audit {result.window.label} ({zone_name(result.tz)})",
        "",
        _md_row(head),
        "|" + "|".join(["---", "---"] + ["---:"] * len(DAY_FIELDS)) + "|",
    ]
    for day in result.period.days:
        values = day_dict(day)
        lines.append(_md_row([f"{day.date:%a %Y-%m-%d}", day.status,
                              *(f.cell(values, hm) for f in DAY_FIELDS)]))
    totals = result.period.totals()
    lines.append(_md_row(["**Total**", "", *(f.cell(totals, hm) for f in DAY_FIELDS)]))
    lines += ["", f"**Verdict:** {verdict(result.period)}"]
    if result.weeks:
        lines += ["", "## Trend", "", _md_row(["Week", *(f.long for f in TREND_FIELDS)]),
                  "|" + "|".join(["---"] + ["---:"] * len(TREND_FIELDS)) + "|"]
        for w in result.weeks:
            t = w.totals()
            lines.append(_md_row([week_dict(w)["week"], *(f.cell(t, hm) for f in TREND_FIELDS)]))
    for warning in result.warnings:
        lines.append(f"\n> warning: {md_escape(warning)}")
    return "\n".join(lines) + "\n"
