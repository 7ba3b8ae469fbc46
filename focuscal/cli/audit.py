"""focuscal audit: the metrics of every day, as a table, JSON, CSV or Markdown."""

from __future__ import annotations

from typing import Any

import click

from focuscal.cli import options as o
from focuscal.cli.output import emit, render, status
from focuscal.cli.run import prepare, stdin

FORMATS = ("table", "json", "csv", "markdown")


@click.command()
@o.options(o.SOURCES, *o.WINDOW, *o.POLICY, o.NOW,
           o.fmt(FORMATS, None, "Output format (default: table, or the config's format)."),
           o.OUTPUT, o.DEBUG)
def audit(sources: tuple[str, ...], fmt: str | None, output: str | None,
          **options: Any) -> None:
    """Measure focus time, fragmentation and meetings, day by day."""
    from focuscal import app

    run = prepare(options)
    with status() as progress:
        result = app.audit(run.settings, sources, run.window, run.tz, stdin=stdin(),
                           progress=progress, reuse=True)
    fmt = fmt or run.settings.format
    if fmt == "table":
        from focuscal.report.terminal import print_audit

        render(lambda console: print_audit(result, console), output)
        return
    from focuscal.report import audit as formats

    writer = {"json": formats.to_json, "csv": formats.to_csv, "markdown": formats.to_markdown}
    emit(writer[fmt](result), output)
