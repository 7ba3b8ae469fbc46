"""focuscal report and email: the weekly report as a file, or as a message."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import click

from focuscal.cli import options as o
from focuscal.cli.output import emit, status, warn, write
from focuscal.cli.run import Run, prepare, stdin
from focuscal.errors import InputError

if TYPE_CHECKING:
    from email.message import EmailMessage

    from focuscal.config import Settings
    from focuscal.results import ReportResult

FORMATS = ("html", "text", "markdown")


def load_report(sources: tuple[str, ...], options: dict[str, Any]) -> tuple[Run, ReportResult]:
    """What report and email share: the Run of ``options`` and the report, with a trend of
    --weeks weeks, else the config's ``[report] weeks``."""
    from focuscal import app

    weeks = options.get("weeks")
    run = prepare(options)
    with status() as progress:
        result = app.report(run.settings, sources, run.window, run.tz,
                            trend=weeks or run.settings.report.weeks, stdin=stdin(),
                            progress=progress)
    return run, result


@click.command()
@o.options(o.SOURCES, *o.WINDOW, *o.POLICY, o.NOW,
           o.fmt(FORMATS, "html", "Output format."), o.OUTPUT, o.DEBUG)
def report(sources: tuple[str, ...], fmt: str, output: str | None, **options: Any) -> None:
    """The weekly fragmentation report: headline, timeline, trend and costliest meetings."""
    from focuscal.report import html, text, weekly

    _, result = load_report(sources, options)
    render = {"html": html.to_html, "text": text.to_text, "markdown": text.to_markdown}[fmt]
    emit(render(weekly.build(result)), output)


@click.command()
@o.options(o.SOURCES,
           click.option("--to", "recipients", multiple=True, metavar="ADDRESS",
                        help="A recipient (repeatable; default: the config's [report] to)."),
           click.option("--dry-run", is_flag=True,
                        help="Print the message instead of sending it (no recipient or "
                        "sender needed)."),
           click.option("--save", metavar="FILE.eml",
                        help="Write the message to FILE.eml instead (its folder must exist)."),
           *o.CHOOSE_WEEK, o.WEEKS, *o.POLICY, o.NOW, o.DEBUG)
def email(sources: tuple[str, ...], recipients: tuple[str, ...], dry_run: bool,
          save: str | None, **options: Any) -> None:
    """Email the weekly report (text and HTML) through the config's [smtp] server.

    Takes --week, --this-week or --last-week (here --to names recipients, not a date).
    """
    from focuscal import app

    if dry_run and save:
        raise InputError("choose one of --dry-run and --save")
    run, result = load_report(sources, options)
    message = app.email_message(run.settings, result, recipients, run.now, preview=dry_run)
    deliver(run.settings, message, dry_run=dry_run, save=save)


def deliver(settings: Settings, message: EmailMessage, *, dry_run: bool,
            save: str | None) -> None:
    """Send ``message``, or print it (``--dry-run``), or write it to ``save``."""
    from focuscal import app

    if dry_run:
        click.echo(preview(message), nl=False)
        for header, placeholder, how in (
            ("To", app.PREVIEW_TO, "give --to ADDRESS or set to in [report]"),
            ("From", app.PREVIEW_FROM, "set from in [smtp] or give --me"),
        ):
            if message[header] == placeholder:
                warn([f"preview: {header} is a placeholder ({how} to send it)"])
        return
    if save:
        write(save, message.as_bytes())
        click.echo(f"saved {message['Subject']!r} to {save}")
        return
    app.send_email(settings, message)
    click.echo(f"sent {message['Subject']!r} to {message['To']}")


def preview(message: EmailMessage) -> str:
    """``message`` as it would be sent, with its text part readable (8bit, not
    quoted-printable) so a dry run can be read in the terminal; it stays a valid message."""
    shown = copy.deepcopy(message)
    for part in shown.walk():
        if part.get_content_type() == "text/plain":
            part.set_content(part.get_content(), cte="8bit")
    # as_string() would re-encode the 8bit part as base64; the bytes keep it as it is.
    return shown.as_bytes().decode("utf-8", "replace")
