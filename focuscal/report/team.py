"""``focuscal team`` rendered: the ``focuscal.team/1`` document, and the table, text,
Markdown, CSV and HTML drawn from it, and the per-member-week rows for a warehouse.

Every format is drawn from ``team_dict``, the one place that decides what is shown: the
team's aggregates, and each member's own figures only when the result is marked individual
(``--individual``), with that mark in the output. Member identities never appear otherwise.
Times are wall-clock times of the analysis zone.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from focuscal.model import WEEKDAY_CODES, WEEKDAY_NAMES
from focuscal.report import hm, pct
from focuscal.report.audit import dumps_indented, zone_name
from focuscal.teamstats import HISTOGRAM, WeekStats, rows, week_label

if TYPE_CHECKING:
    from rich.console import Console

    from focuscal.results import TeamResult
    from focuscal.teamstats import CommonDay, MemberWeeks, Slot, Spread

SCHEMA = "focuscal.team/1"
LABELS = {
    "focus_minutes": "Focus time",
    "meeting_minutes": "Meetings",
    "fragmented_minutes": "Fragmented time",
    "fragmentation": "Fragmentation",
    "longest_block_minutes": "Longest block",
    "after_hours_meeting_minutes": "After-hours meetings",
    "focus_booked_minutes": "Booked focus",
    "external_meeting_minutes": "With customers",
    "meeting_count": "Meetings (count)",
    "back_to_back": "Back-to-back",
    "working_minutes": "Working time",
}
INDIVIDUAL = ("INDIVIDUAL FIGURES (--individual): each member's own numbers are shown; "
              "do not share this output")


# ---------------------------------------------------------------- the document


def team_dict(result: TeamResult) -> dict[str, Any]:
    """The ``focuscal.team/1`` document (README, "Teams")."""
    stats = result.stats
    work = stats.work
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "team": result.name,
        "timezone": zone_name(result.tz),
        "window": {"start": result.window.first.isoformat(),
                   "end": result.window.last.isoformat()},
        "privacy": stats.privacy,
        "individual": bool(result.individual),
        "policy": {
            "workdays": [WEEKDAY_CODES[d] for d in sorted(work.workdays)],
            "work_start": work.work_start.strftime("%H:%M"),
            "work_end": work.work_end.strftime("%H:%M"),
            "focus_min_minutes": work.focus_min,
            "focus_goal_minutes": stats.policy.focus_goal,
            "min_group_size": stats.policy.min_group_size,
        },
        "members": {"read": result.read, "left_out": result.failed},
        "not_available": dict(stats.not_available),
        "notes": list(stats.notes),
        "week": week_dict(stats.week),
        "weeks": [week_dict(w) for w in stats.weeks],
        "common_free": [common_dict(d) for d in stats.common],
        "best_slots": [slot_dict(s) for s in stats.slots],
    }
    if result.individual:
        doc["individual_members"] = [member_dict(m, result.individual == "named", stats.privacy)
                                     for m in stats.members]
    return doc


def spread_dict(key: str, spread: Spread) -> dict[str, float]:
    digits = 4 if key == "fragmentation" else 1
    return {"q1": round(spread.q1, digits), "median": round(spread.median, digits),
            "q3": round(spread.q3, digits)}


def week_dict(week: WeekStats) -> dict[str, Any]:
    edges = (0.0, *HISTOGRAM, 1.0)
    return {
        "week": week.label,
        "start": week.first.isoformat(),
        "end": week.last.isoformat(),
        "members": week.members,
        "figures": {k: spread_dict(k, s) for k, s in week.spreads.items()},
        "under_focus_goal": week.under_goal,
        "with_after_hours": week.after_hours_share,
        "fragmentation_histogram": [
            {"from": edges[n], "to": edges[n + 1], "members": count}
            for n, count in enumerate(week.fragmentation_histogram)],
    }


def common_dict(day: CommonDay) -> dict[str, Any]:
    """A day of ``common_free``; ``free`` and ``focus_minutes`` are null on a withheld day
    (fewer members working than the minimum group size)."""
    if day.withheld:
        return {"date": day.date.isoformat(), "working_members": day.working, "free": None,
                "focus_minutes": None}
    return {"date": day.date.isoformat(), "working_members": day.working,
            "free": [{"start": i.start.isoformat(), "end": i.end.isoformat(),
                      "minutes": i.minutes} for i in day.free],
            "focus_minutes": day.focus_minutes}


def slot_dict(slot: Slot) -> dict[str, Any]:
    return {"weekday": WEEKDAY_CODES[slot.weekday], "start": slot.start.strftime("%H:%M"),
            "minutes": slot.minutes, "free_share": slot.free_share}


def member_dict(member: MemberWeeks, named: bool, privacy: str) -> dict[str, Any]:
    from focuscal.teamstats import available

    keys = available(privacy)
    return {"member": member.label if named else member.id,
            "weeks": [{"week": week_label(w.first), **{k: w.totals()[k] for k in keys}}
                      for w in member.weeks]}


def to_json(result: TeamResult) -> str:
    return dumps_indented(team_dict(result)) + "\n"


# ---------------------------------------------------------------- values as text


def value(key: str, number: float) -> str:
    if key == "fragmentation":
        return pct(number)
    if key.endswith("_minutes"):
        return hm(round(number))
    return f"{number:.1f}".removesuffix(".0")


def span_text(entry: dict[str, Any]) -> str:
    return f"{entry['start'][11:16]}-{entry['end'][11:16]}"


def free_text(day: dict[str, Any]) -> str:
    """A day's common free stretches as text ("never" when there are none)."""
    if day["free"] is None:
        return "not shown: too few working"
    return ", ".join(span_text(f) for f in day["free"]) or "never"


def usable_text(day: dict[str, Any]) -> str:
    return "-" if day["focus_minutes"] is None else hm(day["focus_minutes"])


def slot_text(slot: dict[str, Any]) -> str:
    day = WEEKDAY_NAMES[WEEKDAY_CODES.index(slot["weekday"])]
    return (f"{day} {slot['start']} for {hm(slot['minutes'])}: {pct(slot['free_share'])} of "
            f"working members free")


def headline(doc: dict[str, Any]) -> list[str]:
    """The reported week in a few sentences."""
    week = doc["week"]
    goal = hm(doc["policy"]["focus_goal_minutes"])
    focus = week["figures"]["focus_minutes"]
    lines = [
        f"Median focus time {value('focus_minutes', focus['median'])} a member (middle half "
        f"{value('focus_minutes', focus['q1'])} to {value('focus_minutes', focus['q3'])}).",
        f"{pct(week['under_focus_goal'])} of members had less than {goal} of focus time "
        f"(blocks of {hm(doc['policy']['focus_min_minutes'])} or more).",
        f"{pct(week['with_after_hours'])} of members had meetings after hours.",
    ]
    best = doc["best_slots"]
    if best:
        lines.append(f"Best time for a team-wide no-meeting block: {slot_text(best[0])}.")
    return lines


def title(doc: dict[str, Any]) -> str:
    return (f"Team {doc['team']}, {doc['week']['week']} ({doc['timezone']}): "
            f"{doc['members']['read']} members, {doc['privacy']}")


def _individual_lines(doc: dict[str, Any], markdown: bool) -> list[str]:
    if not doc["individual"]:
        return []
    lines = ["", f"## {INDIVIDUAL}" if markdown else INDIVIDUAL, ""]
    for member in doc["individual_members"]:
        for week in member["weeks"]:
            figures = ", ".join(f"{LABELS[k]} {value(k, v)}" for k, v in week.items()
                                if k != "week")
            lines.append(f"- {member['member']} {week['week']}: {figures}")
    return lines


def _lines(doc: dict[str, Any], markdown: bool) -> list[str]:
    h2 = "## " if markdown else ""
    lines = [f"# {title(doc)}" if markdown else title(doc)]
    if doc["individual"]:
        lines.append(INDIVIDUAL)
    lines += ["", *headline(doc), ""]
    lines += [f"{h2}Across members", ""]
    if markdown:
        lines += ["| Figure | Lower quartile | Median | Upper quartile |", "|---|---:|---:|---:|"]
    for key, spread in doc["week"]["figures"].items():
        cells = [value(key, spread[p]) for p in ("q1", "median", "q3")]
        if markdown:
            lines.append(f"| {LABELS[key]} | {' | '.join(cells)} |")
        else:
            lines.append(f"{LABELS[key]:<22} {cells[0]:>9} {cells[1]:>9} {cells[2]:>9}")
    histogram = ", ".join(f"{pct(b['from'])}-{pct(b['to'])}: {b['members']}"
                          for b in doc["week"]["fragmentation_histogram"])
    lines += ["", f"Members by fragmentation: {histogram}", ""]
    lines += [f"{h2}When everyone is free", ""]
    for day in doc["common_free"]:
        lines.append(f"- {day['date']}: {free_text(day)} ({usable_text(day)} usable for deep "
                     f"work; {day['working_members']} members working)")
    lines += ["", f"{h2}Best slots for a no-meeting block", ""]
    lines += [f"- {slot_text(s)}" for s in doc["best_slots"]] or ["- none"]
    lines += ["", f"{h2}Trend", ""]
    if markdown:
        lines += ["| Week | Median focus | Under goal | Median meetings | Median fragmentation |",
                  "|---|---:|---:|---:|---:|"]
    for week in doc["weeks"]:
        f = week["figures"]
        cells = [week["week"], value("focus_minutes", f["focus_minutes"]["median"]),
                 pct(week["under_focus_goal"]),
                 value("meeting_minutes", f["meeting_minutes"]["median"]),
                 pct(f["fragmentation"]["median"])]
        lines.append("| " + " | ".join(cells) + " |" if markdown else
                     f"{cells[0]:<10} focus {cells[1]:>8}  under goal {cells[2]:>4}  "
                     f"meetings {cells[3]:>8}  fragmentation {cells[4]:>4}")
    if doc["not_available"]:
        lines += ["", f"{h2}Not available at the {doc['privacy']} level", ""]
        lines += [f"- {LABELS[k]}: {why}" for k, why in doc["not_available"].items()]
    lines += ["", *doc["notes"]]
    if doc["members"]["left_out"]:
        lines.append(f"{doc['members']['left_out']} members could not be read and are left out.")
    lines += _individual_lines(doc, markdown)
    return lines


def subject(result: TeamResult) -> str:
    """The email subject: the team, the week and its two headline numbers."""
    week = result.stats.week
    return (f"Team {result.name}, week {week.first.isocalendar()[1]}: median focus "
            f"{value('focus_minutes', week.spreads['focus_minutes'].median)}, "
            f"{pct(week.under_goal)} under {hm(result.stats.policy.focus_goal)}")


def to_text(result: TeamResult) -> str:
    return "\n".join(_lines(team_dict(result), markdown=False)) + "\n"


def to_markdown(result: TeamResult) -> str:
    return "\n".join(_lines(team_dict(result), markdown=True)) + "\n"


def to_csv(result: TeamResult) -> str:
    """One row per week and figure: the quartiles across members."""
    doc = team_dict(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["team", "week", "figure", "q1", "median", "q3", "members"])
    for week in doc["weeks"]:
        for key, spread in week["figures"].items():
            writer.writerow([doc["team"], week["week"], key, spread["q1"], spread["median"],
                             spread["q3"], week["members"]])
        for key in ("under_focus_goal", "with_after_hours"):
            writer.writerow([doc["team"], week["week"], f"share_{key}", "", week[key], "",
                             week["members"]])
    if doc["individual"]:
        writer.writerow([f"# {INDIVIDUAL}"])
        for member in doc["individual_members"]:
            for row in member["weeks"]:
                for key, number in row.items():
                    if key != "week":
                        writer.writerow([doc["team"], row["week"], f"member {member['member']} "
                                         f"{key}", "", number, "", 1])
    return buffer.getvalue()


# ---------------------------------------------------------------- the terminal


def print_team(result: TeamResult, console: Console) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # Every line is Text, never markup: team and member names are shown as typed.
    doc = team_dict(result)
    console.print(Text(title(doc), style="bold"))
    if doc["individual"]:
        console.print(Text(INDIVIDUAL, style="bold red"))
    for line in headline(doc):
        console.print(Text(line))
    figures = Table(title="Across members", header_style="bold", box=box.SIMPLE_HEAD)
    for name in ("Figure", "Lower quartile", "Median", "Upper quartile"):
        figures.add_column(name, justify="left" if name == "Figure" else "right")
    for key, spread in doc["week"]["figures"].items():
        figures.add_row(LABELS[key], *(value(key, spread[p]) for p in ("q1", "median", "q3")))
    console.print(figures)
    common = Table(title="When everyone is free", header_style="bold", box=box.SIMPLE_HEAD)
    for name in ("Day", "Free for all", "Usable for deep work", "Working"):
        common.add_column(name, justify="left" if name in ("Day", "Free for all") else "right")
    for day in doc["common_free"]:
        common.add_row(day["date"], free_text(day), usable_text(day),
                       str(day["working_members"]))
    console.print(common)
    for slot in doc["best_slots"]:
        console.print(Text(f"Slot: {slot_text(slot)}"))
    if len(doc["weeks"]) > 1:
        trend = Table(title="Trend", header_style="bold", box=box.SIMPLE_HEAD)
        for name in ("Week", "Median focus", "Under goal", "Median meetings"):
            trend.add_column(name, justify="left" if name == "Week" else "right")
        for week in doc["weeks"]:
            f = week["figures"]
            trend.add_row(week["week"], value("focus_minutes", f["focus_minutes"]["median"]),
                          pct(week["under_focus_goal"]),
                          value("meeting_minutes", f["meeting_minutes"]["median"]))
        console.print(trend)
    for key, why in doc["not_available"].items():
        console.print(Text(f"not available: {LABELS[key]} ({why})", style="dim"))
    for note in doc["notes"]:
        console.print(Text(note, style="dim"))
    for line in _individual_lines(doc, markdown=False)[1:]:
        console.print(Text(line))


# ---------------------------------------------------------------- rows for a warehouse


def rows_text(result: TeamResult, fmt: str) -> str:
    """The per-member-week rows (hashed ids) as CSV or JSON Lines."""
    found = rows(result.name, result.stats)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in found)
    buffer = io.StringIO()
    if found:
        writer = csv.DictWriter(buffer, fieldnames=list(found[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(found)
    return buffer.getvalue()


# ---------------------------------------------------------------- HTML (page and email)


def to_html(result: TeamResult) -> str:
    """The team report as HTML: tables and inline styles only, so the same page reads in a
    browser and in Gmail or Outlook; jinja2 escapes every value."""
    from focuscal.report.html import environment

    doc = team_dict(result)
    env = environment(labels=LABELS, value=value, free_text=free_text,
                      usable_text=usable_text, slot_text=slot_text)
    return env.get_template("team.html.j2").render(
        doc=doc, title=title(doc), headline=headline(doc), individual=INDIVIDUAL,
        individual_lines=_individual_lines(doc, markdown=False)[3:])
