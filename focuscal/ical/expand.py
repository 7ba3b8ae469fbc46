"""Recurrences expanded with bounded work: at most ``limit`` instances of one event for the
dates asked about, computed lazily, in seconds whatever the rule says.

recurring-ical-events expands a rule through dateutil, which computes every instance from
DTSTART on (a ``FREQ=SECONDLY`` series from 1970 is 1.7 billion of them before 2026), builds a
list of all the instances of the window and caches them all: a subscribed calendar could stall
a cron run for minutes at gigabytes. Here a series is expanded through recurring-ical-events'
public extension point (a ``Series`` subclass; the library is pinned to the major version it
was tested with), with its rules read lazily:

- the rule restarts near the window: whole periods (RFC 5545's grid of DTSTART plus INTERVAL
  times FREQ) are skipped where that cannot change an instance, so the instances computed
  before the window are at most about a day's worth (``restart``);
- at most ``limit`` instances of one event for the dates asked about are taken; the rest are
  skipped and the event is marked (``Bounded.capped``), for one warning naming it;
- at most ``steps_allowed(limit)`` instances are computed before the window (a rule that
  cannot restart and needs more is skipped and marked ``Bounded.costly``);
- a rule whose day filters no date satisfies (``BYMONTH=2;BYMONTHDAY=30``) has no instances:
  dateutil would search for one until the year 9999 (``any_day``).

The limits count the starts the rules give, before EXDATE and overrides are applied, so they
are the same whatever else a file holds; RDATEs and overrides (each written in the file) are
never cut. A series gives the same instances as recurring-ical-events' own expansion whenever
no limit is reached.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from dateutil.rrule import rrule, rruleset
from recurring_ical_events import EventAdapter, Series
from recurring_ical_events.util import compare_greater, convert_to_datetime

from focuscal.ical import MAX_INSTANCES

STEPS_PER_INSTANCE = 100  # instances a rule may compute before the window, per instance allowed

# Wall times of one zone and instants differ by at most a UTC offset change (Samoa skipped a
# whole day in 2011): a restart this far before the window never loses an instance.
_MARGIN = timedelta(hours=26)
_UNIT = {"SECONDLY": timedelta(seconds=1), "MINUTELY": timedelta(minutes=1),
         "HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1), "WEEKLY": timedelta(weeks=1)}
_DATE_FILTERS = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY")
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


def _probe() -> None:
    """Fail at import, with a clear message, on a recurring-ical-events without the extension
    point this module relies on (its 3.x series)."""
    rules = getattr(Series, "RecurrenceRules", None)
    if rules is None or not all(hasattr(rules, name) for name in ("rrule_between", "__init__")):
        raise ImportError("focuscal needs recurring-ical-events 3.x (Series.RecurrenceRules)")


_probe()


class _Rules(Series.RecurrenceRules):
    """A series' rules read lazily and within the limits (see the module's docstring)."""

    limit = MAX_INSTANCES  # the instance's own value is set by ``Bounded.bound``
    capped = False
    costly = False

    def rrule_between(self, span_start: Any, span_stop: Any) -> Iterator[Any]:
        """The starts the rules give in ``[span_start, span_stop]``, at most ``limit``."""
        start = convert_to_datetime(span_start, self.tzinfo)
        stop = convert_to_datetime(span_stop, self.tzinfo)
        given: set[Any] = set()  # DTSTART comes from its RDATE set and from the rule
        for rule in self.rrules:
            for when in self._between(rule, start, stop):
                if when in given or (rule.until is not None
                                     and compare_greater(when, rule.until)):
                    continue
                if len(given) == self.limit:
                    self.capped = True
                    return
                given.add(when)
                yield when

    def _between(self, rule: Any, start: datetime, stop: datetime) -> Iterator[datetime]:
        if isinstance(rule, rruleset):  # the RDATEs and DTSTART: as many as the file holds
            yield from rule.between(start, stop, inc=True)
            return
        lazy = restart(rule, self.start, start)
        if lazy is None:
            return
        before = 0
        for when in lazy:
            if when > stop:
                return
            if when >= start:
                yield when
            else:
                before += 1
                if before > steps_allowed(self.limit):
                    self.costly = True
                    return


def steps_allowed(limit: int) -> int:
    """The instances a rule may compute before the window: ``STEPS_PER_INSTANCE`` per
    instance allowed, and the margin a restart leaves (a second's step for 26 hours)."""
    return STEPS_PER_INSTANCE * limit + int(_MARGIN.total_seconds())


class Bounded(Series):
    """A recurring-ical-events series whose rules are read with :class:`_Rules`."""

    RecurrenceRules = _Rules

    def bound(self, limit: int) -> Bounded:
        """Set the series' limit of instances (see the module's docstring); returns itself."""
        if isinstance(self.recurrence, _Rules):
            self.recurrence.limit = limit
        return self

    @property
    def capped(self) -> bool:
        """Whether instances beyond the limit were skipped."""
        return bool(getattr(self.recurrence, "capped", False))

    @property
    def costly(self) -> bool:
        """Whether a rule was skipped for needing too many instances before the window."""
        return bool(getattr(self.recurrence, "costly", False))


def parts(rule: rrule) -> dict[str, str]:
    """The rule's parts as written (dateutil's own RFC 5545 text of it: FREQ, INTERVAL, COUNT,
    UNTIL, WKST and the BYxxx parts given)."""
    text = str(rule).rpartition("RRULE:")[2]
    return dict(part.partition("=")[::2] for part in text.split(";") if part)


def restart(rule: rrule, dtstart: datetime, start: datetime) -> rrule | None:
    """``rule`` (without dateutil's cache) started on the last instant of its grid at least
    ``_MARGIN`` before ``start``, where that gives the same instances from there on; None
    when the rule has no instance from there on (its COUNT is spent, or no day passes its
    filters). ``dtstart`` is the rule's DTSTART; both are naive or aware alike."""
    p = parts(rule)
    if not any_day(tuple(sorted((k, v) for k, v in p.items() if k in _DATE_FILTERS)),
                   p.get("WKST", "MO")) or not _weekday_reachable(p, dtstart):
        return None
    zone = dtstart.tzinfo
    wall = (start.astimezone(zone) if zone is not None else start).replace(tzinfo=None)
    target = wall - _MARGIN
    origin = dtstart.replace(tzinfo=None)
    if target <= origin or ("COUNT" in p and "UNTIL" in p):
        return rule.replace(cache=False)
    interval = int(p.get("INTERVAL", "1"))
    plain = not (set(p) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"})
    freq = p["FREQ"]
    if freq in _UNIT:
        if "COUNT" in p and not plain:  # instances per period vary: the count cannot follow
            return rule.replace(cache=False)
        period = _UNIT[freq] * interval
        periods = (target - origin) // period
        new = origin + period * periods
        if "COUNT" in p:  # exactly one instance per period
            left = int(p["COUNT"]) - periods
            if left <= 0:
                return None
            return rule.replace(dtstart=new.replace(tzinfo=zone), count=left, cache=False)
    elif "COUNT" in p:
        return rule.replace(cache=False)
    else:
        new = _calendar_restart(freq, interval, origin, target) or origin
    return rule.replace(dtstart=new.replace(tzinfo=zone), cache=False)


def _calendar_restart(freq: str, interval: int, origin: datetime,
                      target: datetime) -> datetime | None:
    """The last MONTHLY or YEARLY grid point at or before ``target`` (a month early, at
    least) on which DTSTART's day exists, or None."""
    step = interval if freq == "MONTHLY" else 12 * interval
    index = origin.year * 12 + origin.month - 1
    k = (target.year * 12 + target.month - 2 - index) // step
    for _ in range(400):  # DTSTART on 29 February: a leap year is at most 400 years away
        if k <= 0:
            return None
        year, month = divmod(index + k * step, 12)
        try:
            return origin.replace(year=year, month=month + 1)
        except ValueError:
            k -= 1
    return None


def _weekday_reachable(p: dict[str, str], dtstart: datetime) -> bool:
    """False when every instant of the rule's grid falls on DTSTART's weekday (a period of
    whole weeks) and BYDAY excludes that weekday."""
    freq = p["FREQ"]
    if freq not in _UNIT or freq == "WEEKLY" or "BYDAY" not in p:
        return True
    period = _UNIT[freq] * int(p.get("INTERVAL", "1"))
    if period % timedelta(weeks=1):
        return True
    days = {_WEEKDAYS.get(d[-2:], -1) for d in p["BYDAY"].split(",")}
    return dtstart.weekday() in days


@lru_cache(maxsize=256)
def any_day(filters: tuple[tuple[str, str], ...], wkst: str = "MO") -> bool:
    """Whether any date passes the day filters (BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO and
    BYDAY's weekdays, their ordinals left out, so the answer may be yes for a rule that has
    none, never no for one that has some).

    Whether a date passes depends only on its year's kind (leap or not, the weekday of
    1 January, the kinds of the years around it) and its day of the year; the 28 years from
    2000 hold every kind.
    """
    given = dict(filters)
    if len(given) < 2:  # one filter alone always leaves a day (dateutil checks the ranges)
        return True
    try:
        wanted = {k: _numbers(k, v) for k, v in given.items()}
    except ValueError:
        return True  # dateutil judges what this cannot read
    start = _WEEKDAYS.get(wkst, 0)
    day = date(2000, 1, 1)
    while day.year < 2028:
        if _passes(day, wanted, start):
            return True
        day += timedelta(days=1)
    return False


def _numbers(key: str, value: str) -> set[int]:
    if key == "BYDAY":
        return {_WEEKDAYS[v[-2:]] for v in value.split(",")}
    return {int(v) for v in value.split(",")}


def _passes(day: date, wanted: dict[str, set[int]], wkst: int) -> bool:
    for key, numbers in wanted.items():
        if key == "BYMONTH":
            ok = day.month in numbers
        elif key == "BYDAY":
            ok = day.weekday() in numbers
        elif key == "BYMONTHDAY":
            last = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            ok = day.day in numbers or day.day - last.day - 1 in numbers
        elif key == "BYYEARDAY":
            number = day.timetuple().tm_yday
            length = 366 if _leap(day.year) else 365
            ok = number in numbers or number - length - 1 in numbers
        else:  # BYWEEKNO: the week of the week-numbering year the date is in (RFC 5545)
            number, weeks = _week(day, wkst)
            ok = number in numbers or number - weeks - 1 in numbers
        if not ok:
            return False
    return True


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _week_one(year: int, wkst: int) -> date:
    """The first day of week 1 of ``year``: the week (starting on ``wkst``) holding 4 January,
    the first with at least four days of the year."""
    fourth = date(year, 1, 4)
    return fourth - timedelta(days=(fourth.weekday() - wkst) % 7)


def _week(day: date, wkst: int) -> tuple[int, int]:
    """The week number of ``day`` and the number of weeks of its week-numbering year."""
    year = day.year
    if day < _week_one(year, wkst):
        year -= 1
    elif day >= _week_one(year + 1, wkst):
        year += 1
    first = _week_one(year, wkst)
    return (day - first).days // 7 + 1, (_week_one(year + 1, wkst) - first).days // 7


def groups(calendar: Any) -> list[list[Any]]:
    """The VEVENTs of ``calendar`` by event: the components that share a UID (a recurring
    master, its overrides, older copies), in the order their UIDs first appear. A VEVENT
    without a UID is an event of its own, as recurring-ical-events has it."""
    found: dict[Any, list[Any]] = {}
    for component in calendar.walk("VEVENT"):
        found.setdefault(EventAdapter(component).uid, []).append(component)
    return list(found.values())


def series(components: list[Any], limit: int = MAX_INSTANCES) -> Bounded:
    """The bounded series of one event's components (from :func:`groups`)."""
    return Bounded([EventAdapter(c) for c in components]).bound(limit)
