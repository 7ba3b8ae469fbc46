"""The options commands share, as small lists each command combines explicitly.

Every item is a click decorator; ``options(*items)`` applies them so that --help lists them in
the order given. A command that needs another meaning for a flag (``book --to TARGET``,
``email --to ADDRESS``) simply leaves the shared one out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def options(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """Apply ``decorators`` so that --help shows them in the order given."""

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def _date(_ctx: Any, _param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date such as 2026-03-02, got {value!r}") from None


def _dates(ctx: Any, param: Any, values: tuple[str, ...]) -> tuple[date, ...]:
    return tuple(d for d in (_date(ctx, param, v) for v in values) if d is not None)


SOURCES = click.argument("sources", nargs=-1, metavar="[SOURCES]...")

# ---------------------------------------------------------------- the window

WEEK = click.option("--week", metavar="YYYY-Www", help="An ISO week, e.g. 2026-W11.")
THIS_WEEK = click.option("--this-week", is_flag=True, help="The current week (the default).")
LAST_WEEK = click.option("--last-week", is_flag=True, help="The week before this one.")
FROM = click.option("--from", "start", metavar="DATE", callback=_date,
                    help="First day (with --to).")
UNTIL = click.option("--to", "end", metavar="DATE", callback=_date,
                     help="Last day, inclusive (with --from).")
WEEKS = click.option("--weeks", type=click.IntRange(1, 520), default=None,
                     help="A trend of N whole weeks ending with the chosen week "
                     "(not with --from/--to).")
NOW = click.option("--now", metavar="ISO",
                   help="Take this instant as now, e.g. 2026-03-11T09:00-05:00 "
                   "(default: the clock).")

CHOOSE_WEEK = (WEEK, THIS_WEEK, LAST_WEEK)
WINDOW = (*CHOOSE_WEEK, FROM, UNTIL, WEEKS)
# The window options that say which days (--weeks only lengthens the chosen week).
WINDOW_KEYS = ("week", "this_week", "last_week", "start", "end")
DAYS = click.option("--day", "days", multiple=True, metavar="DATE", callback=_dates,
                    help="Only this day (repeatable); without another window option the "
                    "window is these days.")

# ---------------------------------------------------------------- the policy (config keys)

TZ = click.option("--tz", "timezone", metavar="ZONE", help="Analysis time zone (IANA name).")
CONFIG = click.option("--config", "config_file", metavar="FILE", help="Config file to read.")
POLICY = (
    TZ,
    click.option("--me", multiple=True, metavar="EMAIL",
                 help="Your address (repeatable): for declines and internal domains."),
    click.option("--internal-domain", "internal_domains", multiple=True, metavar="DOMAIN",
                 help="A domain whose attendees are colleagues (repeatable)."),
    click.option("--work-hours", metavar="HH:MM-HH:MM", help="Working hours, e.g. 09:00-17:00."),
    click.option("--workdays", metavar="DAYS", help="Workdays, e.g. MO-FR, Mon-Fri or MO,TU,TH."),
    click.option("--focus-min", metavar="DURATION",
                 help="Shortest block that counts as focus time (default 2h)."),
    click.option("--b2b-gap", metavar="DURATION",
                 help="Largest gap that still counts as back-to-back (default 5m)."),
    click.option("--lunch", metavar="HH:MM-HH:MM", help="Remove lunch from working time."),
    click.option("--tentative", type=click.Choice(["busy", "free"]),
                 help="Count tentative and unanswered invitations as busy or free."),
    click.option("--strict", is_flag=True, default=None,
                 help="A file of a folder source that cannot be read is an error, not a "
                 "warning that skips it."),
    CONFIG,
)
POLICY_KEYS = ("timezone", "me", "internal_domains", "work_hours", "workdays", "focus_min",
               "b2b_gap", "lunch", "tentative", "strict")

# The [focus] section: what plan and book aim for.
FOCUS = (
    click.option("--target", metavar="DURATION",
                 help="Protected focus time per week (default 10h); booked focus counts."),
    click.option("--min-block", metavar="DURATION", help="Shortest block (default 2h)."),
    click.option("--max-block", metavar="DURATION", help="Longest block (default 3h)."),
    click.option("--max-per-day", metavar="N", help="Most blocks on one day (default 1)."),
    click.option("--prefer", metavar="WHEN",
                 help="morning, afternoon or a range such as 13:00-16:00."),
    click.option("--buffer", metavar="DURATION",
                 help="Free time kept between a meeting and a block (default 10m)."),
)
FOCUS_KEYS = ("target", "min_block", "max_block", "max_per_day", "prefer", "buffer")

# ---------------------------------------------------------------- output and the rest

THRESHOLDS = (
    click.option("--fail-under", multiple=True, metavar="METRIC=VALUE,...",
                 help="Exit 3 when a total is under this, e.g. focus=10h (repeatable)."),
    click.option("--fail-over", multiple=True, metavar="METRIC=VALUE,...",
                 help="Exit 3 when a total is over this, e.g. meetings=20h,fragmentation=50%."),
)
OUTPUT = click.option("-o", "--output", metavar="FILE",
                      help="Write to FILE instead of standard output (its folder must exist).")
APPLY = click.option("--apply", is_flag=True, help="Write the changes (default: a dry run).")
TARGET = click.option(
    "--to", "to", multiple=True, metavar="TARGET",
    help="Where to book: ics:PATH (a file or a folder), google:CALENDAR_ID, outlook:me or "
    "caldav+https://... A date here ends a --from window.",
)
# Read by the funnel from the command line itself, so it works before any parsing succeeds.
DEBUG = click.option("--debug", is_flag=True, expose_value=False,
                     help="Show the traceback of an error.")


def fmt(choices: tuple[str, ...], default: str | None, help: str) -> Callable[[F], F]:
    """A --format option with these choices (None default: the command decides)."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                        show_default=default is not None, help=help)
