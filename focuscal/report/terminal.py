"""The audit as a rich table for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table

from focuscal.report import hm, pct
from focuscal.report.audit import verdict, week_dict, zone_name

if TYPE_CHECKING:
    from focuscal.results import AuditResult


def hmm(minutes: int) -> str:
    """Minutes as h:mm, the compact form for table cells."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}:{rest:02d}"


def print_audit(result: AuditResult, console: Console) -> None:
    table = Table(
        title=f"Focus audit {result.window.label} ({zone_name(result.tz)})",
        caption="times in h:mm; Frag. = share of free time in pieces shorter than "
        f"{hm(result.policy.focus_min)}",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    for name in ("Day", "Work", "Meet", "#", "Focus", "Frag'd", "Longest", "Frag.", "B2B",
                 "Cust.", "After"):
        if name == "Day":
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, justify="right")
    for day in result.period.days:
        style = "dim" if day.status != "workday" else None
        label = f"{day.date:%a %d}" + {"workday": "", "weekend": "", "off": " off"}[day.status]
        table.add_row(
            label, hmm(day.working_minutes), hmm(day.meeting_minutes), str(day.meeting_count),
            hmm(day.focus_minutes), hmm(day.fragmented_minutes), hmm(day.longest_block_minutes),
            pct(day.fragmentation), str(day.back_to_back), hmm(day.external_meeting_minutes),
            hmm(day.after_hours_meeting_minutes), style=style,
        )
    t = result.period.totals()
    table.add_section()
    table.add_row(
        "Total", hmm(int(t["working_minutes"])), hmm(int(t["meeting_minutes"])),
        str(t["meeting_count"]), hmm(int(t["focus_minutes"])), hmm(int(t["fragmented_minutes"])),
        hmm(int(t["longest_block_minutes"])), pct(float(t["fragmentation"])),
        str(t["back_to_back"]), hmm(int(t["external_meeting_minutes"])),
        hmm(int(t["after_hours_meeting_minutes"])), style="bold",
    )
    console.print(table)
    if result.weeks:
        trend = Table(title="Trend", header_style="bold")
        for name in ("Week", "Focus", "Meetings", "Fragmentation", "Longest", "Meeting-free days"):
            trend.add_column(name, justify="left" if name == "Week" else "right")
        for week in result.weeks:
            w = week.totals()
            trend.add_row(
                week_dict(week)["week"], hm(int(w["focus_minutes"])), hm(int(w["meeting_minutes"])),
                pct(float(w["fragmentation"])), hm(int(w["longest_block_minutes"])),
                str(w["meeting_free_days"]),
            )
        console.print(trend)
    console.print(f"[bold]{verdict(result.period)}[/bold]")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
