"""The command line: parse options into settings, call app, render, map errors to exit codes.

One module per command group; ``options`` holds the options they share, ``run`` what they
derive from them (the only reader of the clock), ``output`` where results go, ``funnel`` the
one place errors become a line and an exit code. A new command is a module here and one line
in COMMANDS.
"""

from __future__ import annotations

import click

from focuscal import __version__
from focuscal.cli import accounts, audit, booking, explain, options, reports, team
from focuscal.cli.funnel import FocuscalGroup


@click.group("focuscal", cls=FocuscalGroup,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="focuscal")
@click.option("--config", metavar="FILE", help="Config file (default: the user config path).")
@options.DEBUG
def cli(config: str | None) -> None:
    """Measure how meetings fragment your working day, and protect focus time.

    SOURCES are .ics files, folders of .ics files, - for stdin, http(s):// or webcal:// URLs,
    google:CALENDAR_ID, outlook:me (outlook:USER@DOMAIN, outlook:me/CALENDAR_ID) and
    caldav+https:// URLs. With none, the config's [[calendars]] are read.
    """


COMMANDS = (audit.audit, explain.events, explain.free, booking.plan, booking.book,
            booking.unbook, reports.report, reports.email, accounts.auth, accounts.calendars,
            team.team)
for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    """The ``focuscal`` console script."""
    cli.main()
