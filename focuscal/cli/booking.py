"""focuscal plan, book and unbook: propose focus blocks, write them into a calendar, take
them out again. Writes are dry runs unless --apply."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from focuscal.cli import options as o
from focuscal.cli.output import emit, status, warn
from focuscal.cli.run import prepare, stdin
from focuscal.errors import InputError

if TYPE_CHECKING:
    from focuscal.results import Applied


def split_to(values: tuple[str, ...], command: str) -> tuple[str, date | None]:
    """``--to`` names the booking target; a date value ends a --from/--to window instead."""
    targets, dates = [], []
    for value in values:
        try:
            dates.append(date.fromisoformat(value))
        except ValueError:
            targets.append(value)
    if not targets:
        raise InputError(f"{command} needs --to TARGET, e.g. --to ics:~/calendars/focus.ics")
    if len(targets) > 1 or len(dates) > 1:
        raise InputError("--to: give one booking target (and at most one date ending --from)")
    return targets[0], (dates[0] if dates else None)


def fail_if_incomplete(applied: Applied | None, target: str) -> None:
    """A partial failure is a run-time failure (exit 1); the next run finishes the job."""
    if applied is not None and applied.failed:
        from focuscal.errors import RunError

        raise RunError(
            f"{len(applied.failed)} change(s) failed; run the same command again to finish",
            where=target,
        )


@click.command()
@o.options(o.SOURCES, *o.WINDOW, *o.POLICY, *o.FOCUS, o.NOW,
           o.fmt(("table", "json", "ics"), "table",
                 "Output format; ics is a calendar to import anywhere."),
           o.OUTPUT, o.DEBUG)
def plan(sources: tuple[str, ...], fmt: str, output: str | None, **options: Any) -> None:
    """Propose focus blocks in the free time of the week (changes nothing)."""
    from focuscal import app
    from focuscal.report import plan as render

    run = prepare(options)
    with status() as progress:
        result = app.plan(run.settings, sources, run.window, run.tz, run.now, stdin=stdin(),
                          progress=progress)
    if fmt == "json":
        text = render.to_json(result)
    elif fmt == "ics":
        # Block ids derive from the file the plan is written to, as book's do from its target.
        where = f"ics:{Path(output).expanduser().resolve()}" if output and output != "-" else (
            "ics:-")
        text = render.to_ics(result, where)
    else:
        text = render.to_text(result)
    emit(text, output)
    warn(result.warnings)


@click.command()
@o.options(o.SOURCES, o.TARGET, *o.CHOOSE_WEEK, o.FROM, o.WEEKS, *o.POLICY, *o.FOCUS, o.NOW,
           o.APPLY, o.fmt(("text", "json"), "text", "Output format (json: focuscal.book/1)."),
           o.DEBUG)
def book(sources: tuple[str, ...], to: tuple[str, ...], apply: bool, fmt: str,
         **options: Any) -> None:
    """Book the planned focus blocks into a calendar (a dry run unless --apply)."""
    from focuscal import app
    from focuscal.report import plan as render

    target, options["end"] = split_to(to, "book")
    run = prepare(options)
    with status() as progress:
        result = app.book(run.settings, sources, run.window, run.tz, run.now, target,
                          apply=apply, stdin=stdin(), progress=progress)
    if fmt == "json":
        click.echo(render.dumps(render.book_dict(result)), nl=False)
    else:
        click.echo(render.book_text(result), nl=False)
    warn(result.warnings)
    fail_if_incomplete(result.applied, result.target or target)


@click.command()
@o.options(o.TARGET, *o.CHOOSE_WEEK, o.FROM, o.WEEKS,
           click.option("--tz", "timezone", metavar="ZONE",
                        help="Time zone of the window's dates."),
           o.CONFIG, o.NOW,
           click.option("--apply", is_flag=True, help="Remove the blocks (default: a dry run)."),
           o.fmt(("text", "json"), "text", "Output format (json: focuscal.unbook/1)."),
           o.DEBUG)
def unbook(to: tuple[str, ...], apply: bool, fmt: str, **options: Any) -> None:
    """Remove focuscal's own focus blocks from a calendar (a dry run unless --apply)."""
    from focuscal import app
    from focuscal.report import plan as render

    target, options["end"] = split_to(to, "unbook")
    run = prepare(options)
    result = app.unbook(run.settings, run.window, run.tz, target, apply=apply)
    if fmt == "json":
        click.echo(render.dumps(render.unbook_dict(result)), nl=False)
    else:
        click.echo(render.unbook_text(result), nl=False)
    fail_if_incomplete(result.applied, result.target)
