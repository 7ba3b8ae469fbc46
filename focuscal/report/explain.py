"""``focuscal events`` and ``focuscal free``: the rows behind the audit, in four formats.

Each renderer takes plain inputs: the period's metrics, the classified events they were measured
from, the policy (its zone is the analysis zone) and the warnings. Times are shown, and written
to JSON as ISO 8601, with the local offset of ``WorkPolicy.tz``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from focuscal.explain import DayEvents, DayFree, EventRow, explain_events, explain_free, select
from focuscal.metrics import DAY_NUMBERS, DayMetrics, PeriodMetrics
from focuscal.model import WEEKDAY_CODES, Classified, EventKind, WorkPolicy
from focuscal.report import hm, hmm, pct
from focuscal.report.audit import dumps_indented, totals_dict, zone_name
from focuscal.report.columns import Column, fit, table
from focuscal.report.markdown import md_escape

if TYPE_CHECKING:
    from rich.console import Console

KIND_LABELS = {EventKind.MEETING: "meeting", EventKind.FOCUS: "focus",
               EventKind.OUT_OF_OFFICE: "ooo", EventKind.IGNORED: "ignored"}


# ---------------------------------------------------------------- shared pieces


def window_label(first: date, last: date) -> str:
    """'2026-W11' for one ISO week, else '2026-03-02 to 2026-03-12'."""
    if first.weekday() == 0 and last == first + timedelta(days=6):
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first} to {last}"


def policy_dict(policy: WorkPolicy) -> dict[str, Any]:
    """The ``policy`` object of every focuscal JSON document."""
    return {
        "workdays": [WEEKDAY_CODES[d] for d in sorted(policy.workdays)],
        "work_start": policy.work_start.strftime("%H:%M"),
        "work_end": policy.work_end.strftime("%H:%M"),
        "focus_min_minutes": policy.focus_min,
        "b2b_gap_minutes": policy.b2b_gap,
    }


def _header(schema: str, period: PeriodMetrics, policy: WorkPolicy) -> dict[str, Any]:
    return {
        "schema": schema,
        "timezone": zone_name(policy.tz),
        "window": {"start": period.first.isoformat(), "end": period.last.isoformat()},
        "policy": policy_dict(policy),
    }


def _day_numbers(day: DayMetrics) -> dict[str, Any]:
    out: dict[str, Any] = {"date": day.date.isoformat(), "status": day.status}
    out.update({key: getattr(day, key) for key in DAY_NUMBERS})
    return out


def audit_line(day: DayMetrics, duration: Any = hm) -> str:
    """The day's audit numbers in one line, durations written by ``duration``."""
    if day.status == "weekend":
        head = "weekend"
    elif day.status == "off":
        head = "off (out of office)"
    else:
        head = f"working {duration(day.working_minutes)}"
    parts = [
        head,
        f"meetings {duration(day.meeting_minutes)} ({day.meeting_count})",
        f"focus {duration(day.focus_minutes)}",
        f"fragmented {duration(day.fragmented_minutes)}",
        f"longest {duration(day.longest_block_minutes)}",
        f"fragmentation {pct(day.fragmentation)}",
        f"back-to-back {day.back_to_back}",
        f"customers {duration(day.external_meeting_minutes)}",
        f"after hours {duration(day.after_hours_meeting_minutes)}",
        f"booked focus {duration(day.focus_booked_minutes)}",
    ]
    return " · ".join(parts)


def _clock(at: datetime, day: date) -> str:
    """'09:30' on ``day``, 'Sun 23:00' on another date (``at`` is already local)."""
    text = at.strftime("%H:%M")
    return text if at.date() == day else f"{at:%a} {text}"


def span_text(start: datetime, end: datetime, day: date, all_day: bool = False) -> str:
    """An event's or a block's local times as shown on ``day``."""
    if all_day:
        return "all day"
    return f"{_clock(start, day)}-{_clock(end, day)}"


def _day_title(day: DayMetrics) -> str:
    return f"{day.date:%a %Y-%m-%d} ({day.status})"


def _kinds_note(kinds: Collection[EventKind] | None) -> str | None:
    if kinds is None or set(kinds) >= set(EventKind):
        return None
    shown = ", ".join(KIND_LABELS[k] for k in EventKind if k in kinds)
    return f"only {shown} events shown; each day's numbers are the whole day's"


# ---------------------------------------------------------------- events


def event_days(
    period: PeriodMetrics,
    events: Iterable[Classified],
    policy: WorkPolicy,
    *,
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
) -> tuple[DayEvents, ...]:
    """The days (``dates``, default all of ``period``) with their rows of ``kinds``."""
    return select(explain_events(period, events, policy), kinds=kinds, dates=dates)


def _event_dict(row: EventRow) -> dict[str, Any]:
    return {
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        "all_day": row.all_day,
        "summary": row.summary,
        "source": row.source,
        "uid": row.uid,
        "kind": row.kind.value,
        "rule": row.rule,
        "detail": row.detail,
        "external": row.external,
        "external_domains": list(row.external_domains),
        "in_window": row.in_window,
        "meeting_minutes": row.meeting_minutes,
    }


def events_dict(
    period: PeriodMetrics,
    events: Iterable[Classified],
    policy: WorkPolicy,
    *,
    warnings: Sequence[str] = (),
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
) -> dict[str, Any]:
    """The ``focuscal.events/1`` document."""
    days = event_days(period, events, policy, kinds=kinds, dates=dates)
    doc = _header("focuscal.events/1", period, policy)
    doc["kinds"] = [k.value for k in EventKind if kinds is None or k in kinds]
    doc["days"] = [
        {**_day_numbers(d.metrics), "events": [_event_dict(r) for r in d.events]} for d in days
    ]
    doc["totals"] = totals_dict(period)
    doc["warnings"] = list(warnings)
    return doc


def events_json(period: PeriodMetrics, events: Iterable[Classified], policy: WorkPolicy,
                **options: Any) -> str:
    """``events_dict`` as indented JSON. ``options``: warnings, kinds, dates."""
    return dumps_indented(events_dict(period, events, policy, **options)) + "\n"


EVENTS_CSV_COLUMNS = ("date", "weekday", "start", "end", "all_day", "summary", "source", "uid",
                      "kind", "rule", "detail", "external", "external_domains", "in_window",
                      "meeting_minutes")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def events_csv(
    period: PeriodMetrics,
    events: Iterable[Classified],
    policy: WorkPolicy,
    *,
    warnings: Sequence[str] = (),
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
) -> str:
    """One row per event and day; ``meeting_minutes`` of a date sum to its meeting time.

    Warnings are not part of the CSV (the CLI prints them on standard error)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EVENTS_CSV_COLUMNS)
    for day in event_days(period, events, policy, kinds=kinds, dates=dates):
        for r in day.events:
            writer.writerow([
                day.date.isoformat(), f"{day.date:%a}", r.start.isoformat(), r.end.isoformat(),
                _flag(r.all_day), r.summary, r.source, r.uid, r.kind.value, r.rule, r.detail,
                _flag(r.external), " ".join(r.external_domains), _flag(r.in_window),
                r.meeting_minutes,
            ])
    return buffer.getvalue()


def events_markdown(
    period: PeriodMetrics,
    events: Iterable[Classified],
    policy: WorkPolicy,
    *,
    warnings: Sequence[str] = (),
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
) -> str:
    """A section per day: a table of its events, then the day's audit line."""
    tz = zone_name(policy.tz)
    lines = [f"# Events {window_label(period.first, period.last)} ({tz})", ""]
    if note := _kinds_note(kinds):
        lines += [f"*{note}*", ""]
    sections = [(day.metrics, [
        [span_text(r.start, r.end, day.date, r.all_day), md_escape(r.summary),
         KIND_LABELS[r.kind], md_escape(r.rule), md_escape(r.detail), md_escape(r.source),
         hm(r.meeting_minutes)] for r in day.events], "No events.")
        for day in event_days(period, events, policy, kinds=kinds, dates=dates)]
    return _markdown_days(lines, "| Time | Event | Kind | Rule | Why | Calendar | Meeting time |",
                          "|---|---|---|---|---|---|---:|", sections, warnings)


def _markdown_days(
    lines: list[str],
    header: str,
    rule: str,
    sections: Iterable[tuple[DayMetrics, list[list[str]], str]],
    warnings: Sequence[str],
) -> str:
    """Markdown after the title ``lines``: a section per day (its table, or the text for a day
    without rows, then its audit line), and the warnings."""
    for metrics, rows, empty in sections:
        lines += [f"## {_day_title(metrics)}", ""]
        if rows:
            lines += [header, rule, *("| " + " | ".join(cells) + " |" for cells in rows), ""]
        else:
            lines += [empty, ""]
        lines += [f"**Day:** {audit_line(metrics)}", ""]
    lines += [f"> warning: {md_escape(w)}\n" for w in warnings]
    return "\n".join(lines).rstrip("\n") + "\n"


# ---------------------------------------------------------------- terminal tables


def _print_days(
    console: Console,
    title: str,
    days: Sequence[tuple[DayMetrics, list[list[str]]]],
    columns: list[Column],
    optional: list[Column],
    order: list[str],
    notes: Sequence[str],
    warnings: Sequence[str],
) -> None:
    """Per day: a heading, a table of its rows and its audit line. Each row's cells are in
    the order of the headers in ``order``."""
    from rich.text import Text

    console.print(Text(title, style="bold"))
    for note in notes:
        console.print(Text(note, style="dim"))
    chosen = fit(columns, optional, console.width)
    for day, rows in days:
        console.print()
        console.print(Text(_day_title(day), style="bold"))
        if rows and chosen is None:
            # Narrower than the narrowest table: one wrapped line per row. Wrapping happens
            # at spaces, and no number or time holds one, so none is ever cut.
            for row in rows:
                console.print(Text("  ".join(cell for cell in row if cell)), overflow="fold")
        elif rows and chosen is not None:
            console.print(table(chosen, console.width, rows, order))
        console.print(Text(audit_line(day, hmm), style="dim"))
    for warning in warnings:
        console.print(Text.assemble(("warning:", "yellow"), f" {warning}"))


def print_events(
    period: PeriodMetrics,
    events: Iterable[Classified],
    policy: WorkPolicy,
    console: Console,
    *,
    warnings: Sequence[str] = (),
    kinds: Collection[EventKind] | None = None,
    dates: Collection[date] | None = None,
) -> None:
    """The events as rich tables, grouped by day, each with the day's audit line.

    On a narrow terminal columns are folded (text) or dropped (calendar, why, kind), never a
    number cut."""
    days = event_days(period, events, policy, kinds=kinds, dates=dates)
    grid = [
        (d.metrics, [[span_text(r.start, r.end, d.date, r.all_day), r.summary,
                      KIND_LABELS[r.kind], r.detail, r.source, hmm(r.meeting_minutes)]
                     for r in d.events])
        for d in days
    ]

    def cells(n: int) -> list[str]:
        return [row[n] for _, rows in grid for row in rows]

    time, event, kind, why, calendar, meet = (
        Column("Time", cells(0), fixed=True), Column("Event", cells(1), fixed=False, min_width=14),
        Column("Kind", cells(2), fixed=True), Column("Why", cells(3), fixed=False, min_width=16),
        Column("Calendar", cells(4), fixed=False, min_width=12),
        Column("Meet", cells(5), fixed=True, right=True),
    )
    notes = ["times in h:mm; Meet = what the event adds to the day's meeting time, overlaps "
             "counted once"]
    optional = [kind, why, calendar]
    sources = set(calendar.cells)
    if len(sources) == 1:  # one calendar: say so once instead of on every row
        optional.remove(calendar)
        notes.append(f"calendar: {sources.pop() or '(unnamed)'}")
    if note := _kinds_note(kinds):
        notes.append(note)
    _print_days(
        console, f"Events {window_label(period.first, period.last)} ({zone_name(policy.tz)})",
        grid, [time, event, meet], optional,
        ["Time", "Event", "Kind", "Why", "Calendar", "Meet"], notes, warnings,
    )


# ---------------------------------------------------------------- free


def free_days(
    period: PeriodMetrics,
    policy: WorkPolicy,
    *,
    min_minutes: int = 0,
    dates: Collection[date] | None = None,
) -> tuple[DayFree, ...]:
    """The days (``dates``, default all) with their free blocks at least ``min_minutes`` long."""
    days = explain_free(period, policy, min_minutes=min_minutes)
    return tuple(d for d in days if dates is None or d.date in dates)


def free_dict(
    period: PeriodMetrics,
    policy: WorkPolicy,
    *,
    warnings: Sequence[str] = (),
    min_minutes: int = 0,
    dates: Collection[date] | None = None,
) -> dict[str, Any]:
    """The ``focuscal.free/1`` document."""
    doc = _header("focuscal.free/1", period, policy)
    doc["min_minutes"] = min_minutes
    doc["days"] = [
        {**_day_numbers(d.metrics), "blocks": [
            {"start": b.start.isoformat(), "end": b.end.isoformat(), "minutes": b.minutes,
             "kind": b.kind, "booked_focus_minutes": b.booked_focus_minutes}
            for b in d.blocks]}
        for d in free_days(period, policy, min_minutes=min_minutes, dates=dates)
    ]
    doc["totals"] = totals_dict(period)
    doc["warnings"] = list(warnings)
    return doc


def free_json(period: PeriodMetrics, policy: WorkPolicy, **options: Any) -> str:
    """``free_dict`` as indented JSON. ``options``: warnings, min_minutes, dates."""
    return dumps_indented(free_dict(period, policy, **options)) + "\n"


FREE_CSV_COLUMNS = ("date", "weekday", "status", "start", "end", "minutes", "kind",
                    "booked_focus_minutes")


def free_csv(
    period: PeriodMetrics,
    policy: WorkPolicy,
    *,
    warnings: Sequence[str] = (),
    min_minutes: int = 0,
    dates: Collection[date] | None = None,
) -> str:
    """One row per free block (days without working time have none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FREE_CSV_COLUMNS)
    for day in free_days(period, policy, min_minutes=min_minutes, dates=dates):
        for b in day.blocks:
            writer.writerow([day.date.isoformat(), f"{day.date:%a}", day.metrics.status,
                             b.start.isoformat(), b.end.isoformat(), b.minutes, b.kind,
                             b.booked_focus_minutes])
    return buffer.getvalue()


def _free_note(policy: WorkPolicy, min_minutes: int) -> str:
    text = (f"focus = blocks of at least {hm(policy.focus_min)}; fragmented = shorter ones; "
            "booked = protected focus time inside the block")
    if min_minutes:
        text += f"; blocks shorter than {hm(min_minutes)} not listed (the day's numbers count them)"
    return text


def free_markdown(
    period: PeriodMetrics,
    policy: WorkPolicy,
    *,
    warnings: Sequence[str] = (),
    min_minutes: int = 0,
    dates: Collection[date] | None = None,
) -> str:
    """A section per day: a table of its free blocks, then the day's audit line."""
    lines = [f"# Free time {window_label(period.first, period.last)} ({zone_name(policy.tz)})",
             "", f"*{_free_note(policy, min_minutes)}*", ""]
    sections = [(day.metrics, [
        [span_text(b.start, b.end, day.date), hm(b.minutes), b.kind, hm(b.booked_focus_minutes)]
        for b in day.blocks],
        "No free block." if day.metrics.status == "workday" else "No working time.")
        for day in free_days(period, policy, min_minutes=min_minutes, dates=dates)]
    return _markdown_days(lines, "| Time | Length | Kind | Booked focus |", "|---|---:|---|---:|",
                          sections, warnings)


def print_free(
    period: PeriodMetrics,
    policy: WorkPolicy,
    console: Console,
    *,
    warnings: Sequence[str] = (),
    min_minutes: int = 0,
    dates: Collection[date] | None = None,
) -> None:
    """The free blocks as rich tables, grouped by day, each with the day's audit line."""
    days = free_days(period, policy, min_minutes=min_minutes, dates=dates)
    grid = [
        (d.metrics, [[span_text(b.start, b.end, d.date), hmm(b.minutes), b.kind,
                      hmm(b.booked_focus_minutes)] for b in d.blocks])
        for d in days
    ]

    def cells(n: int) -> list[str]:
        return [row[n] for _, rows in grid for row in rows]

    time, length, kind, booked = (
        Column("Time", cells(0), fixed=True), Column("Length", cells(1), fixed=True, right=True),
        Column("Kind", cells(2), fixed=True), Column("Booked", cells(3), fixed=True, right=True),
    )
    _print_days(
        console, f"Free time {window_label(period.first, period.last)} ({zone_name(policy.tz)})",
        grid, [time, length, kind], [booked], ["Time", "Length", "Kind", "Booked"],
        ["times in h:mm; " + _free_note(policy, min_minutes)], warnings,
    )
