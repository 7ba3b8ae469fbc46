"""The command line: parse options into settings, call app, render, map errors to exit codes.

One module per command group; ``options`` holds the options they share, ``run`` what they
derive from them (the only reader of the clock), ``output`` where results go, ``funnel`` the
one place errors become a line and an exit code. A new command is a module here and one line
in COMMANDS: where it is and its short help, so that a run imports only its own command's
module and ``focuscal --help`` none (``lazy``).
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

import click

from focuscal import __version__
from focuscal.cli import options
from focuscal.cli.funnel import FocuscalGroup

# name: ("module:attribute", its short help: the first sentence of its help, which
# tests/cli/test_lazy.py checks).
COMMANDS = {
    "audit": ("focuscal.cli.audit:audit",
              "Measure focus time, fragmentation and meetings, day by day."),
    "events": ("focuscal.cli.explain:events",
               "Every event of each day: its kind, the rule that decided it and its meeting "
               "time."),
    "free": ("focuscal.cli.explain:free",
             "The uninterrupted blocks of each working day, exactly those the audit measured."),
    "plan": ("focuscal.cli.booking:plan",
             "Propose focus blocks in the free time of the week (changes nothing)."),
    "book": ("focuscal.cli.booking:book",
             "Book the planned focus blocks into a calendar (a dry run unless --apply)."),
    "unbook": ("focuscal.cli.booking:unbook",
               "Remove focuscal's own focus blocks from a calendar (a dry run unless --apply)."),
    "report": ("focuscal.cli.reports:report",
               "The weekly fragmentation report: headline, timeline, trend and costliest "
               "meetings."),
    "email": ("focuscal.cli.reports:email",
              "Email the weekly report (text and HTML) through the config's [smtp] server."),
    "auth": ("focuscal.cli.accounts:auth",
             "Sign in to a calendar service: focuscal auth google, focuscal auth outlook."),
    "calendars": ("focuscal.cli.accounts:calendars",
                  "List an account's calendars: TARGET is google, outlook (outlook:USER@DOMAIN) "
                  "or a caldav+https:// URL."),
    "team": ("focuscal.cli.team:team",
             "A team's focus time, meetings and fragmentation: aggregates only, never one "
             "member's calendar ([[teams]] in the config; README: Teams)."),
}


@click.group("focuscal", cls=FocuscalGroup, known=COMMANDS,
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


def main() -> None:
    """The ``focuscal`` console script.

    A run builds large graphs of short-lived objects and then ends: the cyclic garbage
    collector is off (it would walk them again and again and free nothing), and once the
    output is flushed the process leaves with ``os._exit`` after the exit handlers, instead of
    spending a second or more freeing every object. When the output cannot be flushed, Python
    exits the usual way and reports it. (Tests through click's runner call ``cli`` itself.)
    """
    gc.disable()
    try:
        cli.main()
    except SystemExit as exc:
        leave(exc.code)
    leave(0)


def leave(code: object) -> None:
    """Exit with ``code`` (as ``sys.exit`` takes it) quickly, when stdout and stderr flush."""
    if code is not None and not isinstance(code, int):
        raise SystemExit(code)  # a message: Python prints it
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # a closed or broken stream: the normal exit reports what it can
        raise SystemExit(code) from None
    atexit._run_exitfuncs()
    os._exit(code or 0)
