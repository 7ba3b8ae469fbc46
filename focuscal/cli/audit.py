"""focuscal audit: the metrics of every day, as a table, JSON, CSV or Markdown, and the
thresholds a script alerts on (exit code 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from focuscal.cli import options as o
from focuscal.cli.output import emit, render, status, warn
from focuscal.cli.run import prepare, stdin
from focuscal.errors import ExitStatus

if TYPE_CHECKING:
    from focuscal.config import Settings
    from focuscal.metrics import PeriodMetrics
    from focuscal.thresholds import Threshold

FORMATS = ("table", "json", "csv", "markdown")


def given_thresholds(under: Sequence[str], over: Sequence[str]) -> tuple[Threshold, ...]:
    """The thresholds of ``--fail-under`` and ``--fail-over`` (each value may hold several);
    a bad one is bad input naming the option."""
    from focuscal.thresholds import parse

    return (*(t for text in under for t in parse(text, "under", "--fail-under")),
            *(t for text in over for t in parse(text, "over", "--fail-over")))


def check_thresholds(settings: Settings, given: Sequence[Threshold],
                     period: PeriodMetrics) -> None:
    """Exit 3 with one line on stderr naming every threshold ``period``'s totals cross (the
    config's ``[thresholds]``, replaced metric by metric by ``given``)."""
    from focuscal.thresholds import combine, crossed

    breaches = crossed(combine(settings.thresholds, given), period.totals())
    if breaches:
        click.echo("focuscal: threshold crossed: "
                   + "; ".join(b.description for b in breaches), err=True)
        click.get_current_context().exit(ExitStatus.THRESHOLD)


@click.command()
@o.options(o.SOURCES, *o.WINDOW, *o.POLICY, o.NOW,
           o.fmt(FORMATS, None, "Output format (default: table, or the config's format)."),
           o.OUTPUT, *o.THRESHOLDS, o.DEBUG)
def audit(sources: tuple[str, ...], fmt: str | None, output: str | None,
          fail_under: tuple[str, ...], fail_over: tuple[str, ...], **options: Any) -> None:
    """Measure focus time, fragmentation and meetings, day by day.

    With --fail-under / --fail-over (or [thresholds] in the config) the exit code is 3 when
    the period's totals cross a threshold.
    """
    from focuscal import app

    thresholds = given_thresholds(fail_under, fail_over)
    run = prepare(options)
    with status() as progress:
        result = app.audit(run.settings, sources, run.window, run.tz, stdin=stdin(),
                           progress=progress, reuse=True)
    fmt = fmt or run.settings.format
    if fmt == "table":
        from focuscal.report.terminal import print_audit

        render(lambda console: print_audit(result, console), output)
    else:
        from focuscal.report import audit as formats

        writer = {"json": formats.to_json, "csv": formats.to_csv,
                  "markdown": formats.to_markdown}
        emit(writer[fmt](result), output)
    # On standard error in every format too (a JSON or Markdown document keeps them as well):
    # a cron job's log shows a skipped file or event however the output is used.
    warn(result.warnings)
    check_thresholds(run.settings, thresholds, result.period)
