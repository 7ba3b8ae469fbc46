"""focuscal events and free: the events and the free blocks behind the audit's numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from focuscal.cli import options as o
from focuscal.cli.output import emit, render, status, warn
from focuscal.cli.run import Run, prepare, stdin
from focuscal.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("table", "json", "csv", "markdown")
WINDOW = (*o.CHOOSE_WEEK, o.FROM, o.UNTIL, o.DAYS)
FORMAT = o.fmt(FORMATS, None, "Output format (default: table, or the config's format).")


def prepare_days(days: Sequence[date], options: dict[str, Any]) -> Run:
    """The Run of ``options``; ``--day`` alone makes the window its first to its last day, and
    a day outside the window given is bad input."""
    if days and not any(options.get(key) for key in o.WINDOW_KEYS):
        options["start"], options["end"] = min(days), max(days)
    run = prepare(options)
    for day in days:
        if not run.window.first <= day <= run.window.last:
            raise InputError(f"{day} is outside the window {run.window.label}", where="--day")
    return run


def show(fmt: str, output: str | None, draw: Callable[[Console], None],
         writers: Mapping[str, Callable[[], str]], warnings: Sequence[str]) -> None:
    """Draw the table, or write the document of ``fmt``; CSV has no room for warnings, so
    they go to standard error."""
    if fmt == "table":
        render(draw, output)
        return
    emit(writers[fmt](), output)
    if fmt == "csv":
        warn(warnings)


@click.command()
@o.options(o.SOURCES, *WINDOW,
           click.option("--kind", "kinds", metavar="KINDS",
                        help="Only events of these kinds: meeting,focus,ooo,ignored."),
           *o.POLICY, o.NOW, FORMAT, o.OUTPUT, o.DEBUG)
def events(sources: tuple[str, ...], days: tuple[date, ...], kinds: str | None,
           fmt: str | None, output: str | None, **options: Any) -> None:
    """Every event of each day: its kind, the rule that decided it and its meeting time."""
    from focuscal import app
    from focuscal.explain import parse_kinds
    from focuscal.report import explain as r

    try:
        chosen = parse_kinds(kinds) if kinds is not None else None
    except ValueError as exc:
        raise InputError(str(exc), where="--kind") from None
    run = prepare_days(days, options)
    with status() as progress:
        result = app.events(run.settings, sources, run.window, run.tz, kinds=chosen,
                            dates=days or None, stdin=stdin(), progress=progress)
    args = (result.period, result.analysis.classified, result.policy)
    shown: dict[str, Any] = {"warnings": result.warnings, "kinds": result.kinds,
                             "dates": result.dates}
    show(fmt or run.settings.format, output,
         lambda console: r.print_events(*args, console, **shown),
         {"json": lambda: r.events_json(*args, **shown),
          "csv": lambda: r.events_csv(*args, **shown),
          "markdown": lambda: r.events_markdown(*args, **shown)},
         result.warnings)


@click.command()
@o.options(o.SOURCES, *WINDOW,
           click.option("--min", "min_length", metavar="DURATION",
                        help="List only blocks at least this long, e.g. 30m (the day's "
                        "numbers still count the others)."),
           *o.POLICY, o.NOW, FORMAT, o.OUTPUT, o.DEBUG)
def free(sources: tuple[str, ...], days: tuple[date, ...], min_length: str | None,
         fmt: str | None, output: str | None, **options: Any) -> None:
    """The uninterrupted blocks of each working day, exactly those the audit measured."""
    from focuscal import app
    from focuscal.config import BadValue, parse_duration
    from focuscal.report import explain as r

    try:
        min_minutes = parse_duration(min_length) if min_length is not None else 0
    except BadValue as exc:
        raise InputError(str(exc), where="--min") from None
    run = prepare_days(days, options)
    with status() as progress:
        result = app.free(run.settings, sources, run.window, run.tz, min_minutes=min_minutes,
                          dates=days or None, stdin=stdin(), progress=progress)
    shown: dict[str, Any] = {"warnings": result.warnings, "min_minutes": result.min_minutes,
                             "dates": result.dates}
    show(fmt or run.settings.format, output,
         lambda console: r.print_free(result.period, result.policy, console, **shown),
         {"json": lambda: r.free_json(result.period, result.policy, **shown),
          "csv": lambda: r.free_csv(result.period, result.policy, **shown),
          "markdown": lambda: r.free_markdown(result.period, result.policy, **shown)},
         result.warnings)
