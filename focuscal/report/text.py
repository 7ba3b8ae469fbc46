"""The weekly report as plain text (also the text part of the email) and as Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from focuscal.report import hm, pct
from focuscal.report.markdown import md_escape
from focuscal.report.weekly import KINDS, Weekly, when

if TYPE_CHECKING:
    from focuscal.report.weekly import DayRow

CELL = 15  # minutes per character of the text timeline
CHARS = {"meeting": "#", "booked": "+", "focus": "=", "fragment": "-", "away": "."}


def strip(row: DayRow, axis_minutes: int) -> str:
    """The day as one character per quarter hour: the kind at the middle of each quarter."""
    out = []
    for n in range(axis_minutes // CELL):
        middle = n * CELL + CELL // 2
        kind = next((s.kind for s in row.segments
                     if s.offset <= middle < s.offset + s.minutes), "away")
        out.append(CHARS[kind])
    return "".join(out)


def legend() -> str:
    return ", ".join(f"{CHARS[k]} {label.lower()}" for k, (label, _) in KINDS.items())


def _lines(w: Weekly, markdown: bool) -> list[str]:
    h2 = "## " if markdown else ""
    lines = [f"# {w.title}" if markdown else w.title, w.subtitle, ""]
    width = max(len(m.label) for m in w.headline)
    if markdown:
        lines += [f"| | This period | Change vs {w.previous_label} |", "|---|---:|---:|"]
        lines += [f"| {m.label} | {m.text} | {m.delta_text} |" for m in w.headline]
    else:
        lines += [f"{m.label:<{width}}  {m.text:>8}  ({m.delta_text} vs {w.previous_label})"
                  for m in w.headline]
    lines += ["", w.verdict, ""]

    lines.append(f"{h2}Suggestions" if markdown else "What to change")
    if markdown:
        lines.append("")
    if w.suggestions:
        lines += [f"- {md_escape(s) if markdown else s}" for s in w.suggestions]
        if len(w.suggestions) > 1:
            lines.append(f"- All together: +{hm(w.suggestions_gain)} focus")
    else:
        lines.append("- Nothing: no meeting costs focus time this period.")
    lines.append("")

    ticks = "".join(label[:2].ljust(60 // CELL) for _, label in w.axis_ticks)
    lines += [f"{h2}Day by day", ""] if markdown else ["Day by day"]
    if markdown:
        lines.append("```")
    lines.append(f"{'':10}{ticks[: w.axis_minutes // CELL + 2]}")
    for row in w.days:
        d = row.metrics
        extra = " off" if d.status == "off" else ""
        lines.append(f"{row.label:<10}{strip(row, w.axis_minutes)}  focus {hm(d.focus_minutes)}, "
                     f"fragmented {hm(d.fragmented_minutes)}, meetings "
                     f"{hm(d.meeting_minutes)}{extra}")
    lines.append(f"{'':10}{legend()}")
    if markdown:
        lines.append("```")
    lines.append("")

    lines.append(f"{h2}Costliest meetings" if markdown else "Costliest meetings")
    if markdown:
        lines += ["", "| Meeting | When | Length | Focus it costs |", "|---|---|---:|---:|"]
    for c in w.costliest:
        customer = " (customer)" if c.external else ""
        if markdown:
            lines.append(f"| {md_escape(c.summary)}{customer} | {when(c)} | {hm(c.minutes)} | "
                         f"{hm(c.gain)} |")
        else:
            lines.append(f"- {c.summary}{customer}, {when(c)}: costs {hm(c.gain)} of focus time")
    if not w.costliest:
        lines.append("None: no meeting costs focus time this period.")
    lines.append("")

    lines.append(f"{h2}Trend" if markdown else "Trend")
    if markdown:
        lines += ["", "| Week | Focus | Meetings | Fragmented | Longest |",
                  "|---|---:|---:|---:|---:|"]
    for t in w.trend:
        cells = (t.label, hm(t.total("focus_minutes")), hm(t.total("meeting_minutes")),
                 pct(t.period.fragmentation), hm(t.period.longest_block_minutes))
        if markdown:
            lines.append("| " + " | ".join(cells) + " |")
        else:
            lines.append(f"{cells[0]:<10}  focus {cells[1]:>8}  meetings {cells[2]:>8}  "
                         f"fragmented {cells[3]:>4}  longest {cells[4]:>7}")
    lines.append("")
    lines.append(f"Focus time counts blocks of {hm(w.focus_min)} or more without a meeting.")
    for warning in w.warnings:
        lines.append(f"Warning: {md_escape(warning) if markdown else warning}")
    return lines


def to_text(w: Weekly) -> str:
    return "\n".join(_lines(w, markdown=False)) + "\n"


def to_markdown(w: Weekly) -> str:
    return "\n".join(_lines(w, markdown=True)) + "\n"
