"""Plans and bookings as text, the ``focuscal.plan/1`` JSON document, and an ICS calendar.

Times are shown, and written to JSON as ISO 8601, in the analysis zone with its local offset
(as in ``focuscal.events/1`` and ``focuscal.free/1``), whatever zone a target stored them in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from focuscal.report import hm
from focuscal.report.audit import zone_name

if TYPE_CHECKING:
    from focuscal.model import Block
    from focuscal.results import Applied, PlanResult, UnbookResult


def plan_dict(result: PlanResult) -> dict[str, Any]:
    """The ``focuscal.plan/1`` document (DESIGN.md section 4), with a reason per block."""
    plan = result.plan
    return {
        "schema": "focuscal.plan/1",
        "target_minutes": plan.target_minutes,
        "existing_focus_minutes": plan.existing_focus_minutes,
        "planned_minutes": plan.planned_minutes,
        "blocks": [
            {"start": local(b.start, result.tz), "end": local(b.end, result.tz),
             "minutes": b.minutes, "reason": b.reason}
            for b in plan.blocks
        ],
    }


def to_json(result: PlanResult) -> str:
    return json.dumps(plan_dict(result), indent=2, ensure_ascii=False) + "\n"


def to_ics(result: PlanResult, target: str) -> str:
    """The proposals as a VCALENDAR to import into any calendar app (marked as focuscal's)."""
    from focuscal.ical.write import calendar
    from focuscal.model import block_id

    blocks = [b if b.uid else _with_uid(b, block_id(target, b.start, b.end))
              for b in result.plan.blocks]
    return calendar(blocks, result.settings.focus.summary, target)


def _with_uid(block: Block, uid: str) -> Block:
    from dataclasses import replace

    return replace(block, uid=uid)


def line(block: Block, tz: tzinfo, *, reason: bool = True) -> str:
    start, end = block.start.astimezone(tz), block.end.astimezone(tz)
    text = f"{start:%a %d %b} {start:%H:%M}-{end:%H:%M}  {hm(block.minutes):>7}"
    return f"{text}  {block.reason}" if reason and block.reason else text


def _policy(result: PlanResult) -> str:
    f = result.settings.focus
    per_day = "1 block" if f.max_per_day == 1 else f"{f.max_per_day} blocks"
    return (f"target {hm(f.target)} a week, blocks of {hm(f.min_block)} to {hm(f.max_block)}, "
            f"at most {per_day} a day, prefer {f.prefer}, buffer {hm(f.buffer)}")


def _summary(result: PlanResult, *, planned: str = "with this plan") -> str:
    plan = result.plan
    text = (f"Protected focus: {hm(plan.existing_focus_minutes)} booked, "
            f"{hm(plan.after_minutes)} {planned} (target {hm(plan.target_minutes)})")
    short = plan.short_minutes
    if short > 0 and result.over:
        period = "the week" if result.window.is_week else "this period"
        text += f"; {hm(short)} short: {period} is over, nothing more can be planned in it"
    elif short > 0:
        f = result.settings.focus
        text += f"; {hm(short)} short: no room left for another {hm(f.min_block)} block"
    return text


def to_text(result: PlanResult) -> str:
    """The plan for the terminal: one line per proposed block, and focus before and after."""
    out = [f"Focus plan {result.window.label} ({zone_name(result.tz)}): {_policy(result)}"]
    if result.plan.blocks:
        out.extend(f"  {line(b, result.tz)}" for b in result.plan.blocks)
    else:
        out.append("  no new blocks")
    out.append(_summary(result))
    return "\n".join(out) + "\n"


def _section(title: str, blocks: Sequence[Block], tz: tzinfo, *, reason: bool) -> list[str]:
    lines = [f"{title} ({len(blocks)}):"]
    lines.extend(f"  {line(b, tz, reason=reason)}" for b in blocks)
    return lines


def book_text(result: PlanResult) -> str:
    """The dry run's three lists (and blocks moved by hand), or what was written."""
    changes = result.changes
    assert changes is not None
    tz = result.tz
    mode = "writing" if result.applied is not None else (
        "dry run, --apply writes" if not changes.empty else "nothing to change")
    out = [f"Booking focus blocks into {result.target} for {result.window.label} "
           f"({zone_name(tz)}; {mode})"]
    out += _section("keep", changes.keep, tz, reason=False)
    out += _section("remove", changes.remove, tz, reason=True)
    out += _section("add", changes.add, tz, reason=True)
    if changes.moved:
        out += _section("moved or resized by hand, left alone", changes.moved, tz, reason=False)
    out.append(_summary(result, planned="after booking"))
    if result.applied is not None:
        out += applied_lines(result.applied)
    return "\n".join(out) + "\n"


def applied_lines(applied: Applied) -> list[str]:
    out = [f"Applied: {len(applied.added)} added, {len(applied.removed)} removed."]
    out += [f"  failed: {b.uid}: {why}" for b, why in applied.failed]
    out += [f"  already booked: {b.uid}" for b in applied.already]
    out += [f"  note: {note}" for note in applied.notes]
    return out


def unbook_text(result: UnbookResult) -> str:
    changes = result.changes
    mode = "writing" if result.applied is not None else (
        "dry run, --apply writes" if changes.remove else "nothing to change")
    out = [f"Removing focuscal's blocks from {result.target} for {result.window.label} "
           f"({zone_name(result.tz)}; {mode})"]
    out += _section("remove", changes.remove, result.tz, reason=False)
    if changes.moved:
        out += _section("moved or resized by hand, left alone", changes.moved, result.tz,
                        reason=False)
    if result.applied is not None:
        out += applied_lines(result.applied)
    return "\n".join(out) + "\n"


def local(at: datetime, tz: tzinfo) -> str:
    """An instant as ISO 8601 with the offset of ``tz`` there: the one JSON time format."""
    return at.astimezone(tz).isoformat()


def _blocks(blocks: Sequence[Block], tz: tzinfo) -> list[dict[str, Any]]:
    return [{"uid": b.uid, "start": local(b.start, tz), "end": local(b.end, tz),
             "minutes": b.minutes, "reason": b.reason} for b in blocks]


def _applied_dict(applied: Applied | None, tz: tzinfo) -> dict[str, Any] | None:
    if applied is None:
        return None
    return {
        "added": _blocks(applied.added, tz),
        "removed": _blocks(applied.removed, tz),
        "failed": [{**_blocks([b], tz)[0], "error": why} for b, why in applied.failed],
        "already": _blocks(applied.already, tz),
        "notes": list(applied.notes),
    }


def _changes_dict(changes: Any, tz: tzinfo) -> dict[str, Any]:
    return {key: _blocks(getattr(changes, key), tz)
            for key in ("keep", "remove", "add", "moved")}


def _head(schema: str, result: PlanResult | UnbookResult) -> dict[str, Any]:
    """The keys that book and unbook documents share."""
    return {
        "schema": schema,
        "target": result.target,
        "timezone": zone_name(result.tz),
        "window": {"start": result.window.first.isoformat(),
                   "end": result.window.last.isoformat()},
        "dry_run": result.applied is None,
    }


def book_dict(result: PlanResult) -> dict[str, Any]:
    """The ``focuscal.book/1`` document: the three lists, and what was written (or null)."""
    assert result.changes is not None
    plan = result.plan
    return {
        **_head("focuscal.book/1", result),
        "target_minutes": plan.target_minutes,
        "existing_focus_minutes": plan.existing_focus_minutes,
        "after_minutes": plan.after_minutes,
        **_changes_dict(result.changes, result.tz),
        "applied": _applied_dict(result.applied, result.tz),
    }


def unbook_dict(result: UnbookResult) -> dict[str, Any]:
    """The ``focuscal.unbook/1`` document."""
    return {
        **_head("focuscal.unbook/1", result),
        "remove": _blocks(result.changes.remove, result.tz),
        "moved": _blocks(result.changes.moved, result.tz),
        "applied": _applied_dict(result.applied, result.tz),
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
