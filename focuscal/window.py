"""The window a command analyses: inclusive local dates, and their instants in UTC.

Core: no clock (``today`` is passed in), no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, time, timedelta, tzinfo

from focuscal.errors import InputError
from focuscal.model import Interval
from focuscal.timeline import local_instant


@dataclass(frozen=True)
class Window:
    """Inclusive local dates; ``weeks`` > 1 marks a trend of whole weeks."""

    first: date
    last: date
    weeks: int = 1

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InputError(f"the window ends ({self.last}) before it starts ({self.first})")
        if (self.last - self.first).days > 366 * 50:
            raise InputError("the window is longer than fifty years")

    @property
    def is_week(self) -> bool:
        """One whole ISO week, Monday to Sunday."""
        return (self.weeks == 1 and self.first.weekday() == 0
                and self.last == self.first + timedelta(6))

    @property
    def label(self) -> str:
        if self.is_week:
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first} to {self.last}"

    def week_starts(self) -> list[date]:
        monday = self.first - timedelta(days=self.first.weekday())
        out = []
        while monday <= self.last:
            out.append(monday)
            monday += timedelta(days=7)
        return out


def parse_iso_week(text: str) -> date:
    """'2026-W11' (or '2026W11') -> the Monday of that ISO week."""
    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", text.strip(), re.IGNORECASE)
    if not m:
        raise InputError(f"--week: expected a week such as 2026-W11, got {text!r}")
    try:
        return date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise InputError(f"--week: {text!r} is not a week of {m[1]}") from None


def make_window(
    today: date,
    *,
    week: str | None = None,
    last_week: bool = False,
    start: date | None = None,
    end: date | None = None,
    weeks: int = 1,
) -> Window:
    """The window the options ask for; ``today`` is the local date (the CLI reads the clock).

    A trend (``weeks`` > 1) is whole ISO weeks ending with the chosen week, so it does not
    combine with ``--from/--to``: a range of days cut into weeks would label partial weeks as
    whole ones.
    """
    if weeks < 1:
        raise InputError("--weeks must be at least 1")
    chosen = sum(bool(x) for x in (week, last_week, start or end))
    if chosen > 1:
        raise InputError("choose one of --week, --this-week, --last-week and --from/--to")
    if start or end:
        if not (start and end):
            raise InputError("--from and --to go together")
        if weeks > 1:
            raise InputError(
                "--weeks makes a trend of whole weeks and does not go with --from/--to",
                hint="use --week, --this-week or --last-week with --weeks",
            )
        return Window(start, end)
    if week:
        monday = parse_iso_week(week)
    else:
        monday = today - timedelta(days=today.weekday())
        if last_week:
            monday -= timedelta(days=7)
    return Window(monday - timedelta(days=7 * (weeks - 1)), monday + timedelta(days=6), weeks)


def utc_window(first: date, last: date, tz: tzinfo) -> Interval:
    """The instants of local dates ``first`` to ``last`` inclusive (in ``tz``), in UTC."""
    start = local_instant(first, time(0), tz).astimezone(UTC)
    end = local_instant(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return Interval(start, end)
