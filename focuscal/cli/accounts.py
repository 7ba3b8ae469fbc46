"""focuscal auth and calendars: sign in to a calendar service, list an account's calendars."""

from __future__ import annotations

import click

from focuscal.cli import options as o
from focuscal.cli.output import print_rows
from focuscal.cli.run import load_settings
from focuscal.errors import InputError


@click.group()
def auth() -> None:
    """Sign in to a calendar service: focuscal auth google, focuscal auth outlook."""


@auth.command("google")
@o.options(
    click.option("--client-secrets", metavar="FILE",
                 help="The OAuth client JSON of a Desktop app (default: google.client_secrets)."),
    click.option("--write", is_flag=True,
                 help="Also allow booking focus blocks (the calendar.events scope)."),
    click.option("--freebusy", is_flag=True,
                 help="Allow reading free/busy only (the calendar.freebusy scope), for "
                      "focuscal team; kept apart from the ordinary sign-in."),
    click.option("--no-browser", is_flag=True,
                 help="Print the sign-in URL instead of opening a browser."),
    o.CONFIG, o.DEBUG,
)
def auth_google(client_secrets: str | None, write: bool, freebusy: bool, no_browser: bool,
                config_file: str | None) -> None:
    """Sign in to Google Calendar; the token is kept with mode 0600."""
    from focuscal import app

    done = app.google_sign_in(load_settings(config_file), client_secrets, write=write,
                              open_browser=not no_browser,
                              announce=lambda text: click.echo(text, err=True),
                              freebusy=freebusy)
    access = "read and book" if write else "free/busy only" if freebusy else "read only"
    click.echo(f"Signed in to Google ({access}); token saved to {done.path}")


@auth.command("outlook")
@o.options(
    click.option("--write", is_flag=True,
                 help="Also allow booking focus blocks (the Calendars.ReadWrite scope)."),
    click.option("--browser", is_flag=True,
                 help="Sign in with a browser on this machine instead of a device code."),
    o.CONFIG, o.DEBUG,
)
def auth_outlook(write: bool, browser: bool, config_file: str | None) -> None:
    """Sign in to Microsoft 365 / Outlook; the token cache is kept with mode 0600."""
    from focuscal import app

    done = app.outlook_sign_in(load_settings(config_file), write=write, browser=browser,
                               announce=lambda text: click.echo(text, err=True))
    access = "read and book" if write else "read only"
    who = f" as {done.account}" if done.account else ""
    click.echo(f"Signed in to Microsoft 365{who} ({access}); token cache saved to {done.path}")


@click.command()
@o.options(
    click.argument("target", metavar="TARGET"),
    o.fmt(("table", "json"), "table", "Output format."),
    o.CONFIG, o.DEBUG,
)
def calendars(target: str, fmt: str, config_file: str | None) -> None:
    """List an account's calendars: TARGET is google, outlook (outlook:USER@DOMAIN) or a
    caldav+https:// URL."""
    from focuscal.schemes import scheme

    settings = load_settings(config_file)
    lowered = target.lower()
    kind = lowered if lowered in ("google", "outlook") else scheme(target)
    if kind == "google" and lowered in ("google", "google:"):
        from focuscal.sources import google

        rows = google.list_calendars(settings)
    elif kind == "outlook":
        from focuscal import app

        rows = app.outlook_calendars(settings, target.partition(":")[2] or "me")
    elif kind == "caldav":
        from focuscal.sources import caldav

        rows = caldav.list_calendars(target, settings)
    else:
        raise InputError(f"unknown account {target!r}",
                         hint="use google, outlook or a caldav+https:// URL")
    print_rows(rows, fmt)
