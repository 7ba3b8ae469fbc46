"""focuscal team: a team's focus time as aggregates only, and its report and email.

``--individual`` shows each member's own figures, marked so; members are named on the
terminal and standard output, hashed in anything written to a file or sent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from focuscal.cli import options as o
from focuscal.cli.output import emit, render, to_file, warn, write
from focuscal.cli.run import Run, prepare
from focuscal.errors import InputError

if TYPE_CHECKING:
    from focuscal.results import TeamResult

FORMATS = ("table", "json", "csv", "markdown")
REPORT_FORMATS = ("html", "text", "markdown")
ROWS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

TEAM = click.option("--team", "team_name", metavar="NAME",
                    help="The [[teams]] entry to read (default: the only one).")
INDIVIDUAL = click.option(
    "--individual", is_flag=True,
    help="Also show each member's own figures (for auditing your own data set); the output "
         "says so, and files get hashed ids.")
SHARED = (TEAM, *o.CHOOSE_WEEK, o.WEEKS, *o.POLICY, o.NOW)


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar of the team's requests (or members) on stderr, on a terminal only."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(TextColumn("reading the team's calendars"), BarColumn(),
                   MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task: TaskID | None = None

    def show(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task("", total=total)
            bar.start()
        bar.update(task, completed=done, total=total)

    try:
        yield show
    finally:
        if task is not None:
            bar.stop()


def measure(options: dict[str, Any], *, individual: bool,
            named: bool) -> tuple[Run, TeamResult]:
    """The Run of ``options`` and the team's result; ``named`` shows members by name in an
    individual result (else by hashed id)."""
    from focuscal import app

    name = options.pop("team_name", None)
    run = prepare(options)
    with progress_bar() as progress:
        result = app.team(run.settings, name, run.window, run.tz, progress=progress, warn=warn)
    if individual:
        result = replace(result, individual="named" if named else "hashed")
    return run, result


def rows_format(path: str | None) -> str | None:
    if path is None:
        return None
    for suffix, fmt in ROWS.items():
        if path.lower().endswith(suffix):
            return fmt
    raise InputError("--rows: expected a file ending in .csv or .jsonl", where=path)


@click.group(invoke_without_command=True)
@o.options(*SHARED, o.fmt(FORMATS, "table", "Output format."), o.OUTPUT,
           click.option("--rows", "rows_file", metavar="FILE",
                        help="Also write one row per member and week, with hashed ids, to "
                             "FILE.csv or FILE.jsonl (for a warehouse)."),
           INDIVIDUAL, o.DEBUG)
@click.pass_context
def team(ctx: click.Context, fmt: str, output: str | None, rows_file: str | None,
         individual: bool, **options: Any) -> None:
    """A team's focus time, meetings and fragmentation: aggregates only, never one member's
    calendar ([[teams]] in the config; README: Teams).

    Below the team's minimum group size nothing is shown (exit 2). Members whose calendar
    cannot be read are named in a warning and left out; exit 1 when none could be read.
    """
    if ctx.invoked_subcommand is not None:
        given = [k for k, v in options.items() if v not in (None, False, ())]
        if given or output or rows_file or individual or fmt != "table":
            raise InputError(f"options of focuscal team go after {ctx.invoked_subcommand}",
                             hint=f"focuscal team {ctx.invoked_subcommand} --help")
        return
    rows = rows_format(rows_file)
    _, result = measure(options, individual=individual, named=not to_file(output))
    if rows_file and rows:
        from focuscal.report.team import rows_text

        write(rows_file, rows_text(result, rows).encode("utf-8"), private=True)
    from focuscal.report import team as rendered

    if fmt == "table":
        render(lambda console: rendered.print_team(result, console), output,
               private=individual)
        return
    writer = {"json": rendered.to_json, "csv": rendered.to_csv,
              "markdown": rendered.to_markdown}[fmt]
    emit(writer(result), output, private=individual)


@team.command("report")
@o.options(*SHARED, o.fmt(REPORT_FORMATS, "html", "Output format."), o.OUTPUT, INDIVIDUAL,
           o.DEBUG)
def report(fmt: str, output: str | None, individual: bool, **options: Any) -> None:
    """The team's weekly report: headline, figures across members, when everyone is free,
    the best slot for a no-meeting block, and the trend over --weeks."""
    from focuscal.report import team as rendered

    _, result = measure(options, individual=individual, named=not to_file(output))
    render_report = {"html": rendered.to_html, "text": rendered.to_text,
                     "markdown": rendered.to_markdown}[fmt]
    emit(render_report(result), output, private=individual)


@team.command("email")
@o.options(click.option("--to", "recipients", multiple=True, metavar="ADDRESS",
                        help="A recipient (repeatable; default: the config's [report] to)."),
           click.option("--dry-run", is_flag=True,
                        help="Print the message instead of sending it."),
           click.option("--save", metavar="FILE.eml", help="Write the message to FILE.eml."),
           *SHARED, INDIVIDUAL, o.DEBUG)
def email(recipients: tuple[str, ...], dry_run: bool, save: str | None, individual: bool,
          **options: Any) -> None:
    """Email the team's report (text and HTML) through the config's [smtp] server; members
    of an --individual report are shown by hashed id only."""
    from focuscal import app
    from focuscal.cli.reports import deliver

    if dry_run and save:
        raise InputError("choose one of --dry-run and --save")
    run, result = measure(options, individual=individual, named=False)
    message = app.team_email_message(run.settings, result, recipients, run.now,
                                     preview=dry_run)
    deliver(run.settings, message, dry_run=dry_run, save=save)
