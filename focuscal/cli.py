"""The command line: parse options into settings, call app, render, map errors to exit codes.

This is the only module that reads the clock, the environment's time zone and standard input.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import traceback
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from focuscal import __version__
from focuscal.errors import FocuscalError, InputError

ERROR_PREFIX = "focuscal: error: "


# ---------------------------------------------------------------- error handling


class FocuscalGroup(click.Group):
    """Turns every exception into one line on stderr and the exit code of DESIGN.md."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv or bool(os.environ.get("FOCUSCAL_DEBUG"))
        try:
            return super().main(argv, prog_name or "focuscal", complete_var,
                                standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo(f"{ERROR_PREFIX}interrupted", err=True)
            sys.exit(130)
        except click.UsageError as exc:
            if debug:
                traceback.print_exc()
            hint = f" (see focuscal {exc.ctx.info_name} --help)" if exc.ctx else ""
            if exc.ctx and exc.ctx.parent is None:
                hint = " (see focuscal --help)"
            click.echo(f"{ERROR_PREFIX}{exc.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"{ERROR_PREFIX}{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except FocuscalError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"{ERROR_PREFIX}{exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(f"{ERROR_PREFIX}interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except Exception as exc:  # the last line of defence: one line, not a traceback
            if debug:
                traceback.print_exc()
            name = type(exc).__name__
            click.echo(f"{ERROR_PREFIX}unexpected {name}: {exc} (run with --debug for details)",
                       err=True)
            sys.exit(1)


# ---------------------------------------------------------------- environment


def system_zone() -> tzinfo:
    """The user's zone: $TZ, /etc/localtime, /etc/timezone, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return ZoneInfo("UTC")


def now_in(tz: tzinfo, override: str | None = None) -> datetime:
    """The current instant (or ``--now``) in ``tz``."""
    if override:
        try:
            value = datetime.fromisoformat(override)
        except ValueError:
            raise InputError(f"--now: expected an ISO timestamp, got {override!r}") from None
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(tz)
    return datetime.now(tz)


# ---------------------------------------------------------------- shared options


def _date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date such as 2026-03-02, got {value!r}") from None


def window_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--week", metavar="YYYY-Www", help="An ISO week, e.g. 2026-W11."),
        click.option("--this-week", is_flag=True, help="The current week (the default)."),
        click.option("--last-week", is_flag=True, help="The week before this one."),
        click.option("--from", "start", metavar="DATE", callback=_date,
                     help="First day (with --to)."),
        click.option("--to", "end", metavar="DATE", callback=_date,
                     help="Last day, inclusive (with --from)."),
        click.option("--weeks", type=click.IntRange(1, 520), default=None,
                     help="A trend of N weeks ending with the chosen week."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def policy_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--tz", "timezone", metavar="ZONE", help="Analysis time zone (IANA name)."),
        click.option("--me", multiple=True, metavar="EMAIL",
                     help="Your address (repeatable): for declines and internal domains."),
        click.option("--internal-domain", "internal_domains", multiple=True, metavar="DOMAIN",
                     help="A domain whose attendees are colleagues (repeatable)."),
        click.option("--work-hours", metavar="HH:MM-HH:MM",
                     help="Working hours, e.g. 09:00-17:00."),
        click.option("--workdays", metavar="DAYS", help="Workdays, e.g. MO-FR or MO,TU,TH."),
        click.option("--focus-min", metavar="DURATION",
                     help="Shortest block that counts as focus time (default 2h)."),
        click.option("--b2b-gap", metavar="DURATION",
                     help="Largest gap that still counts as back-to-back (default 5m)."),
        click.option("--lunch", metavar="HH:MM-HH:MM", help="Remove lunch from working time."),
        click.option("--tentative", type=click.Choice(["busy", "free"]),
                     help="Count tentative and unanswered invitations as busy or free."),
        click.option("--config", "config_file", metavar="FILE", help="Config file to read."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


POLICY_KEYS = ("timezone", "me", "internal_domains", "work_hours", "workdays", "focus_min",
               "b2b_gap", "lunch", "tentative")


class Run:
    """What every analysing command derives from its options."""

    def __init__(self, ctx: click.Context, options: dict[str, Any]) -> None:
        from focuscal import app, config

        root = ctx.find_root().params
        settings = config.load_settings(options.pop("config_file", None) or root.get("config"))
        settings = config.override(settings, {k: options.pop(k, None) for k in POLICY_KEYS})
        self.settings = settings
        self.tz = settings.zone(system_zone())
        self.now = now_in(self.tz, options.pop("now", None))
        if options.pop("this_week", False) and (options.get("week") or options.get("last_week")):
            raise InputError("choose one of --week, --this-week, --last-week and --from/--to")
        weeks = options.pop("weeks", None)
        self.window = app.make_window(
            self.now.date(),
            week=options.pop("week", None),
            last_week=options.pop("last_week", False),
            start=options.pop("start", None),
            end=options.pop("end", None),
            weeks=weeks or 1,
        )
        self.progress = sys.stderr.isatty()

    @property
    def stdin(self) -> Any:
        return getattr(sys.stdin, "buffer", sys.stdin)


def analysing(func: Callable[..., Any]) -> Callable[..., Any]:
    """Adds the sources argument, window and policy options, and builds a Run."""

    @functools.wraps(func)
    def wrapper(**options: Any) -> Any:
        ctx = click.get_current_context()
        sources = options.pop("sources")
        run = Run(ctx, options)
        return func(run, sources, **options)

    command = policy_options(window_options(wrapper))
    return click.argument("sources", nargs=-1, metavar="[SOURCES]...")(command)


# ---------------------------------------------------------------- commands


@click.group(cls=FocuscalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="focuscal")
@click.option("--config", metavar="FILE", help="Config file (default: the user config path).")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
def cli(config: str | None, debug: bool) -> None:
    """Measure how meetings fragment your working day, and protect focus time.

    SOURCES are .ics files, folders of .ics files, - for stdin, http(s):// or webcal:// URLs,
    google:CALENDAR_ID, outlook:me (outlook:USER@DOMAIN, outlook:me/CALENDAR_ID) and
    caldav+https:// URLs. With none, the config's [[calendars]] are read.
    """


@cli.command()
@analysing
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]),
              default=None, help="Output format (default: table, or the config's format).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
def audit(run: Run, sources: tuple[str, ...], fmt: str | None, output: str | None) -> None:
    """Measure focus time, fragmentation and meetings, day by day."""
    from focuscal import app

    result = app.audit(run.settings, sources, run.window, run.tz, stdin=run.stdin,
                       progress=run.progress)
    fmt = fmt or run.settings.format
    if fmt == "table":
        from rich.console import Console

        from focuscal.report.terminal import print_audit

        if output:
            with open(output, "w", encoding="utf-8") as handle:
                print_audit(result, Console(file=handle, width=120, color_system=None))
        else:
            print_audit(result, Console())
        return
    from focuscal.report import audit as render

    text = {"json": render.to_json, "csv": render.to_csv, "markdown": render.to_markdown}[fmt](
        result
    )
    emit(text, output)


# ---------------------------------------------------------------- plan, book, unbook (issue 3)

FOCUS_KEYS = ("target", "min_block", "max_block", "max_per_day", "prefer", "buffer")


def focus_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The [focus] policy as options, and --now for reproducible runs."""
    options = [
        click.option("--target", metavar="DURATION",
                     help="Protected focus time per week (default 10h); booked focus counts."),
        click.option("--min-block", metavar="DURATION", help="Shortest block (default 2h)."),
        click.option("--max-block", metavar="DURATION", help="Longest block (default 3h)."),
        click.option("--max-per-day", metavar="N", help="Most blocks on one day (default 1)."),
        click.option("--prefer", metavar="WHEN",
                     help="morning, afternoon or a range such as 13:00-16:00."),
        click.option("--buffer", metavar="DURATION",
                     help="Free time kept between a meeting and a block (default 10m)."),
        click.option("--now", metavar="ISO",
                     help="Plan as if it were this instant (default: the clock)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def with_focus(run: Run, options: dict[str, Any]) -> None:
    """Apply the focus options to ``run.settings`` (through the config parsers)."""
    from focuscal import config

    focus = {k: options.pop(k, None) for k in FOCUS_KEYS}
    run.settings = config.override(run.settings, focus, section="focus")


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


def _without(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Drops the option ``name`` a shared decorator added (unbook's --to is the target)."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        params = getattr(func, "__click_params__", [])
        func.__click_params__ = [p for p in params if p.name != name]  # type: ignore[attr-defined]
        return func

    return decorator


TO_OPTION = click.option(
    "--to", "to", multiple=True, metavar="TARGET",
    help="Where to book: ics:PATH (a file or a folder), google:CALENDAR_ID, outlook:me or "
    "caldav+https://... A date here ends a --from window.",
)


def booking(func: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``analysing``, with --to as the booking target (``dest``)."""
    inner = analysing(func)

    @functools.wraps(inner)
    def wrapper(**options: Any) -> Any:
        command = click.get_current_context().info_name or "book"
        options["dest"], options["end"] = split_to(options.pop("to"), command)
        return inner(**options)

    wrapper.__click_params__ = list(getattr(inner, "__click_params__", []))  # type: ignore[attr-defined]
    return TO_OPTION(_without("end")(wrapper))


@cli.command()
@analysing
@focus_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table",
              show_default=True, help="Output format; ics is a calendar to import anywhere.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
def plan(run: Run, sources: tuple[str, ...], fmt: str, output: str | None,
         **options: Any) -> None:
    """Propose focus blocks in the free time of the week (changes nothing)."""
    from focuscal import app
    from focuscal.report import plan as render

    with_focus(run, options)
    result = app.plan(run.settings, sources, run.window, run.tz, run.now, stdin=run.stdin,
                      progress=run.progress)
    if fmt == "json":
        text = render.to_json(result)
    elif fmt == "ics":
        target = f"ics:{Path(output).expanduser().resolve()}" if output and output != "-" else (
            "ics:-")
        text = render.to_ics(result, target)
    else:
        text = render.to_text(result)
    emit(text, output)
    for warning in result.loaded.warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@booking
@focus_options
@click.option("--apply", is_flag=True, help="Write the changes (default: a dry run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format (json: focuscal.book/1).")
def book(run: Run, sources: tuple[str, ...], dest: str, apply: bool, fmt: str,
         **options: Any) -> None:
    """Book the planned focus blocks into a calendar (a dry run unless --apply)."""
    from focuscal import app
    from focuscal.report import plan as render

    with_focus(run, options)
    result = app.book(run.settings, sources, run.window, run.tz, run.now, dest, apply=apply,
                      stdin=run.stdin, progress=run.progress)
    if fmt == "json":
        click.echo(render.dumps(render.book_dict(result)), nl=False)
    else:
        click.echo(render.book_text(result), nl=False)
    for warning in result.loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    fail_if_incomplete(result.applied, result.target or dest)


def fail_if_incomplete(applied: Any, target: str) -> None:
    """A partial failure is a run-time failure (exit 1); the next run finishes the job."""
    if applied is not None and applied.failed:
        from focuscal.errors import RunError

        raise RunError(
            f"{len(applied.failed)} change(s) failed; run the same command again to finish",
            where=target,
        )


@cli.command()
@TO_OPTION
@_without("end")
@window_options
@click.option("--tz", "timezone", metavar="ZONE", help="Time zone of the window's dates.")
@click.option("--config", "config_file", metavar="FILE", help="Config file to read.")
@click.option("--now", metavar="ISO", help="Take this instant as now (for --this-week).")
@click.option("--apply", is_flag=True, help="Remove the blocks (default: a dry run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format (json: focuscal.unbook/1).")
def unbook(to: tuple[str, ...], apply: bool, fmt: str, **options: Any) -> None:
    """Remove focuscal's own focus blocks from a calendar (a dry run unless --apply)."""
    from focuscal import app
    from focuscal.report import plan as render

    dest, options["end"] = split_to(to, "unbook")
    run = Run(click.get_current_context(), options)
    result = app.unbook(run.settings, run.window, run.tz, dest, apply=apply)
    if fmt == "json":
        click.echo(render.dumps(render.unbook_dict(result)), nl=False)
    else:
        click.echo(render.unbook_text(result), nl=False)
    fail_if_incomplete(result.applied, result.target)


# ---------------------------------------------------------------- report, email (issue 5)


REPORT_FORMATS = ("html", "text", "markdown")


def _report(run: Run, sources: tuple[str, ...]) -> Any:
    """The report use case with the trend length of --weeks, else the config's [report] weeks."""
    from focuscal import app
    from focuscal.report import weekly

    weeks = click.get_current_context().params.get("weeks")
    result = app.report(run.settings, sources, run.window, run.tz,
                        trend=weeks or run.settings.report.weeks, stdin=run.stdin,
                        progress=run.progress)
    return weekly.build(result)


@cli.command()
@analysing
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="html",
              show_default=True, help="Output format.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
def report(run: Run, sources: tuple[str, ...], fmt: str, output: str | None) -> None:
    """The weekly fragmentation report: headline, timeline, trend and costliest meetings."""
    from focuscal.report import html, text

    view = _report(run, sources)
    render = {"html": html.to_html, "text": text.to_text, "markdown": text.to_markdown}[fmt]
    emit(render(view), output)


def _without_date_range(func: Callable[..., Any]) -> Callable[..., Any]:
    """Drops --from/--to DATE from an analysing command whose --to names something else."""
    params = getattr(func, "__click_params__", [])
    func.__click_params__ = [p for p in params if p.name not in ("start", "end")]  # type: ignore[attr-defined]
    return func


@cli.command()
@click.option("--to", "recipients", multiple=True, metavar="ADDRESS",
              help="A recipient (repeatable; default: the config's [report] to).")
@click.option("--dry-run", is_flag=True, help="Print the message instead of sending it.")
@click.option("--save", metavar="FILE.eml", help="Write the message to FILE.eml instead.")
@_without_date_range
@analysing
def email(run: Run, sources: tuple[str, ...], recipients: tuple[str, ...], dry_run: bool,
          save: str | None) -> None:
    """Email the weekly report (text and HTML) through the config's [smtp] server.

    Takes --week, --this-week or --last-week (here --to names recipients, not a date).
    """
    from focuscal import app

    if dry_run and save:
        raise InputError("choose one of --dry-run and --save")
    weeks = click.get_current_context().params.get("weeks")
    result = app.report(run.settings, sources, run.window, run.tz,
                        trend=weeks or run.settings.report.weeks, stdin=run.stdin,
                        progress=run.progress)
    message = app.email_message(run.settings, result, recipients, run.now)
    if dry_run:
        click.echo(message.as_string(), nl=False)
        return
    if save:
        from focuscal.files import write_atomic

        write_atomic(Path(save), message.as_bytes())
        click.echo(f"saved {message['Subject']!r} to {save}")
        return
    app.send_email(run.settings, message)
    click.echo(f"sent {message['Subject']!r} to {message['To']}")



# ---------------------------------------------------------------- google: auth (issue 4)


def _command_settings(config_file: str | None) -> Any:
    from focuscal import config

    root = click.get_current_context().find_root().params
    return config.load_settings(config_file or root.get("config"))


@cli.group()
def auth() -> None:
    """Sign in to a calendar service: focuscal auth google, focuscal auth outlook."""


@auth.command("google")
@click.option("--client-secrets", metavar="FILE",
              help="The OAuth client JSON of a Desktop app (default: google.client_secrets).")
@click.option("--write", is_flag=True,
              help="Also allow booking focus blocks (the calendar.events scope).")
@click.option("--no-browser", is_flag=True,
              help="Print the sign-in URL instead of opening a browser.")
@click.option("--config", "config_file", metavar="FILE", help="Config file to read.")
def auth_google(client_secrets: str | None, write: bool, no_browser: bool,
                config_file: str | None) -> None:
    """Sign in to Google Calendar; the token is kept with mode 0600."""
    from focuscal import app

    done = app.google_sign_in(_command_settings(config_file), client_secrets, write=write,
                              open_browser=not no_browser,
                              announce=lambda text: click.echo(text, err=True))
    access = "read and book" if write else "read only"
    click.echo(f"Signed in to Google ({access}); token saved to {done.path}")


# ---------------------------------------------------------------- outlook: auth (issue 14)


@auth.command("outlook")
@click.option("--write", is_flag=True,
              help="Also allow booking focus blocks (the Calendars.ReadWrite scope).")
@click.option("--browser", is_flag=True,
              help="Sign in with a browser on this machine instead of a device code.")
@click.option("--config", "config_file", metavar="FILE", help="Config file to read.")
def auth_outlook(write: bool, browser: bool, config_file: str | None) -> None:
    """Sign in to Microsoft 365 / Outlook; the token cache is kept with mode 0600."""
    from focuscal import app

    done = app.outlook_sign_in(_command_settings(config_file), write=write, browser=browser,
                               announce=lambda text: click.echo(text, err=True))
    access = "read and book" if write else "read only"
    who = f" as {done.account}" if done.account else ""
    click.echo(f"Signed in to Microsoft 365{who} ({access}); token cache saved to {done.path}")


# ---------------------------------------------------------------- calendars (issues 4 and 6)


@cli.command()
@click.argument("target", metavar="TARGET")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="Output format.")
@click.option("--config", "config_file", metavar="FILE", help="Config file to read.")
def calendars(target: str, fmt: str, config_file: str | None) -> None:
    """List an account's calendars: TARGET is google, outlook (outlook:USER@DOMAIN) or a
    caldav+https:// URL."""
    settings = _command_settings(config_file)
    lowered = target.lower()
    if lowered in ("google", "google:"):
        from focuscal.sources import google

        rows = google.list_calendars(settings)
    elif lowered == "outlook" or lowered.startswith("outlook:"):
        from focuscal import app

        rows = app.outlook_calendars(settings, target.partition(":")[2] or "me")
    elif lowered.startswith(("caldav+https://", "caldav+http://")):
        from focuscal.sources import caldav

        rows = caldav.list_calendars(target, settings)
    else:
        raise InputError(f"unknown account {target!r}",
                         hint="use google, outlook or a caldav+https:// URL")
    print_rows(rows, fmt)


def print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    """Rows of plain values as a table (rich) or as a JSON array."""
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    headers = list(rows[0].keys()) if rows else ["calendars"]
    cells = [["yes" if v is True else "" if v is False else str(v) for v in row.values()]
             for row in rows]
    table = Table(*headers, box=None)
    for line in cells:
        table.add_row(*line)
    # Ids and URLs are copied from here: never cut them to the terminal's width.
    needed = sum(max(len(c) for c in column) + 2 for column in zip(headers, *cells,
                                                                   strict=False))
    console = Console()
    console.width = max(console.width, needed)
    console.print(table)


# ---------------------------------------------------------------- output helpers


def emit(text: str, output: str | None) -> None:
    """Print ``text``, or write it atomically to ``output``."""
    if output and output != "-":
        from focuscal.files import write_atomic

        write_atomic(Path(output), text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


def main() -> None:
    cli.main()


if __name__ == "__main__":
    main()
