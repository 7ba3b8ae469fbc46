"""The occurrences of one UID group, as recurring-ical-events (3.x) computes them.

This follows ``recurring_ical_events.series.Series`` step by step (the same sets of recurrence
ids, the same EXDATE checks, the same dateutil rules, the same span test), for the groups the
light reader accepts: at most one master, overrides without recurrence properties or RANGE, no
two overrides for one recurrence id, and DTSTART, DTEND, EXDATE and RDATE values all of one
kind (all dates, all floating, or all aware). Anything else raises ``Unsupported`` and the group
goes to recurring-ical-events itself.

Times are as icalendar gives them: dates, naive (floating) datetimes, aware datetimes. The span
asked for is naive (local dates of the analysis zone, as read.py asks recurring-ical-events).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from focuscal.ical.light_values import Unsupported, moment

Time = date | datetime
RecurrenceId = datetime


class TooMany(Unsupported):
    """A series with more occurrences in the window than the limit allows."""


@dataclass(slots=True, eq=False)
class Timing:
    """The times of one VEVENT: DTSTART, the end as recurring-ical-events derives it (DTEND,
    else DTSTART + DURATION, else a day or nothing), RECURRENCE-ID, RRULE, EXDATE, RDATE.
    ``source`` is whatever the reader needs to build the event later."""

    start: Time
    end: Time
    rid: Time | None = None
    rule: str | None = None
    exdates: list[Time] = field(default_factory=list)
    rdates: list[Time] = field(default_factory=list)
    source: Any = None

    def __post_init__(self) -> None:
        kind = _kind(self.start)
        if _kind(self.end) != kind or ((self.exdates or self.rdates) and any(
                _kind(t) != kind for t in (*self.exdates, *self.rdates))):
            raise Unsupported("mixed kinds of time")
        if self.rid is not None and (self.rule or self.exdates or self.rdates):
            raise Unsupported("an override with recurrence properties")

    @property
    def span(self) -> tuple[Time, Time]:
        """(start, end), swapped when the end comes first (ComponentAdapter.span)."""
        if self.start > self.end:
            return self.end, self.start
        return self.start, self.end

    @property
    def duration(self) -> timedelta:
        start, end = self.span
        return end - start  # type: ignore[operator]  # of one kind (__post_init__)


def _kind(value: Time) -> int:
    if not isinstance(value, datetime):
        return 0
    return 1 if value.tzinfo is None else 2


def end_of(start: Time, end: Time | None, duration: timedelta | None) -> Time:
    """The raw end recurring-ical-events' EventAdapter derives."""
    if end is not None:
        return end
    if duration is not None:
        if duration.seconds != 0 and not isinstance(start, datetime):
            raise Unsupported("a date with a duration of hours")  # mixed kinds
        return start + duration
    return start if isinstance(start, datetime) else start + timedelta(days=1)


# ---------------------------------------------------------------- recurring_ical_events.util


def to_datetime(value: Time, tz: tzinfo | None) -> datetime:
    """util.convert_to_datetime."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)  # noqa: DTZ001
    if value.tzinfo is None:
        return value.replace(tzinfo=tz) if tz is not None else value
    if tz is None:
        return value.replace(tzinfo=None)
    return value


def comparable(values: tuple[Time, ...]) -> tuple[Time, ...]:
    """util.make_comparable."""
    tz = None
    all_dates = True
    for value in values:
        if isinstance(value, datetime):
            all_dates = False
            if value.tzinfo is not None:
                tz = value.tzinfo
                break
    if all_dates:
        return values
    return tuple(to_datetime(v, tz) for v in values)


def in_span(span_start: Time, span_stop: Time, start: Time, stop: Time) -> bool:
    """util.time_span_contains_event (an event's start never follows its end here)."""
    span_start, span_stop, start, stop = comparable((span_start, span_stop, start, stop))
    return _in_span((span_start, span_stop), start, stop)  # type: ignore[arg-type]


def _in_span(span: tuple[datetime, datetime], start: datetime, stop: datetime) -> bool:
    """in_span with the span already converted to the zone (or naivety) of ``start``, which
    ``stop`` shares (or all four dates); for all-day occurrences too, whose dates compare as
    their midnights."""
    span_start, span_stop = span
    if start == stop:
        if span_start == span_stop:
            return start == span_start
        return span_start <= start < span_stop
    if span_start == span_stop:
        return start <= span_start < stop
    return start < span_stop and span_start < stop


def recurrence_ids(value: Time) -> tuple[RecurrenceId, ...]:
    """util.to_recurrence_ids."""
    if not isinstance(value, datetime):
        return (to_datetime(value, None),)
    if value.tzinfo is None:
        return (value,)
    return (value.astimezone(UTC).replace(tzinfo=None), value.replace(tzinfo=None))


def _greater(a: Time, b: Time) -> bool:
    a, b = comparable((a, b))
    return a > b


def _to_date(value: Time) -> date:
    return date(value.year, value.month, value.day)

# ---------------------------------------------------------------- series.Series


class Series:
    """The master (``core``) and the overrides of one UID."""

    def __init__(self, core: Timing | None, overrides: list[Timing],
                 limit: int | None = None) -> None:
        self.overrides: dict[RecurrenceId, Timing] = {}
        for override in overrides:
            assert override.rid is not None
            for rid in recurrence_ids(override.rid):
                if self.overrides.get(rid, override) is not override:
                    raise Unsupported("two overrides of one instance")  # SEQUENCE decides
                self.overrides[rid] = override
        self.core = core
        self.limit = limit
        if core is not None:
            self._rules(core)

    def _rules(self, core: Timing) -> None:
        """RecurrenceRules.__init__ for the supported subset."""
        self.check_datetime: set[Any] = set()
        self.check_date: set[date] = set()
        start, end = core.span
        self.original = (start, end)
        # make_all_dates_comparable: every value is of one kind, so the zone is the start's
        tz = start.tzinfo if isinstance(start, datetime) else None
        self.tz = tz
        self.start = to_datetime(start, tz)
        for exdate in core.exdates:
            self.check_datetime.update(recurrence_ids(exdate))
            self.check_datetime.add(to_datetime(exdate, tz))
            if not isinstance(exdate, datetime):
                self.check_date.add(exdate)
        rdates = {to_datetime(r, tz) for r in core.rdates}
        if len(rdates) != len(core.rdates) or self.start in rdates:
            raise Unsupported("an RDATE given twice")  # dateutil would keep either one
        self.duration = core.duration
        self.rule = core.rule
        self.until = _until(core.rule) if core.rule is not None else None
        self.candidates = sorted(rdates) if rdates else []
        if self.until is None or not _greater(self.start, self.until):
            self.candidates = sorted([*rdates, self.start]) if rdates else [self.start]

    def _starts(self, span_start: datetime, span_stop: datetime) -> Iterator[datetime]:
        """Series.rrule_between: the rule set's dates, then the rule's, in the span widened by
        the master's duration."""
        lo = to_datetime(span_start - self.duration, self.tz)
        hi = to_datetime(span_stop, self.tz)
        for start in self.candidates:
            if lo <= start <= hi:
                yield start
        if self.rule is None or (self.until is not None and _greater(lo, self.until)):
            return  # dateutil ends the rule at UNTIL: nothing from lo on
        for start in _rrule(self.rule, _jumped(self.rule, self.start, lo)).xafter(lo, inc=True):
            if start > hi:
                return
            if self.until is None or not _greater(start, self.until):
                yield start

    def between(self, span_start: datetime, span_stop: datetime
                ) -> list[tuple[Timing, Time, Time]]:
        """Series.between: (component, start, end) of every occurrence in the span."""
        out: list[tuple[Timing, Time, Time]] = []
        returned: set[datetime] = set()
        returned_overrides: set[int] = set()
        core = self.core
        if core is not None:
            # in_span for the master's own occurrences: the span in the master's zone, once
            span = (to_datetime(span_start, self.tz), to_datetime(span_stop, self.tz))
            look_up = bool(self.overrides or self.check_datetime)
            for start in self._starts(span_start, span_stop):
                ids = recurrence_ids(start) if look_up else ()
                if (start in returned or (self.check_date and _to_date(start) in self.check_date)
                        or self.check_datetime.intersection(ids)):
                    continue
                found: Timing = core
                for rid in ids:
                    found = self.overrides.get(rid, found)
                if found is core:
                    returned.add(start)
                    occurrence = self._occurrence(start)
                    inside = (_in_span(span, start, start + self.duration)
                              if start.tzinfo is self.tz else
                              in_span(span_start, span_stop, occurrence[1], occurrence[2]))
                else:
                    if id(found) in returned_overrides:
                        continue
                    returned_overrides.add(id(found))
                    occurrence = (found, *found.span)
                    inside = in_span(span_start, span_stop, occurrence[1], occurrence[2])
                if inside:
                    out.append(occurrence)
                    if self.limit is not None and len(out) > self.limit:
                        raise TooMany(str(self.limit))
        check = self.check_datetime if core is not None else set()
        for override in dict.fromkeys(self.overrides.values()):
            if id(override) in returned_overrides or check.intersection(
                    recurrence_ids(override.rid)):  # type: ignore[arg-type]
                continue
            if in_span(span_start, span_stop, *override.span):
                returned_overrides.add(id(override))
                out.append((override, *override.span))
        return out

    def _occurrence(self, start: datetime) -> tuple[Timing, Time, Time]:
        """RecurrenceRules.as_occurrence: back to dates when the master is all-day."""
        assert self.core is not None
        end = start + self.duration
        if not isinstance(self.original[0], datetime) and not isinstance(self.original[1],
                                                                          datetime):
            return self.core, _to_date(start), _to_date(end)
        return self.core, start, end


def _until(text: str) -> Time | None:
    """The UNTIL value recurring-ical-events filters a rule's dates by (as icalendar reads it:
    a date, a floating time, or UTC)."""
    for part in text.split(";"):
        if part.startswith("UNTIL="):
            return moment(part[6:], None, None)
    return None


def _rrule(text: str, start: datetime) -> Any:
    """The dateutil rule recurring-ical-events makes of ``text`` (its create_rule_with_start
    without the fallbacks it applies to an UNTIL dateutil refuses: those are unsupported)."""
    from dateutil.rrule import rrulestr

    try:
        return rrulestr(text, dtstart=start, cache=False)
    except (ValueError, TypeError) as exc:
        raise Unsupported(text) from exc


_PERIOD_DAYS = {"FREQ=DAILY": 1, "FREQ=WEEKLY": 7}


def _jumped(text: str, start: datetime, lo: datetime) -> datetime:
    """A later DTSTART that gives the rule the same dates from ``lo`` on, so that dateutil
    does not walk years of them first: a whole number of periods (days, or weeks counted from
    the start's own week) later, at the same wall time. Only for daily and weekly rules
    without COUNT (which counts from the first date) or BYSETPOS; else ``start``."""
    parts = text.split(";")
    period = next((_PERIOD_DAYS[p] for p in parts if p in _PERIOD_DAYS), 0)
    if not period or any(p.startswith(("COUNT=", "BYSETPOS=")) for p in parts):
        return start
    interval = next((int(p[9:]) for p in parts if p.startswith("INTERVAL=")), 1)
    step = period * interval
    periods = ((lo.date() - start.date()).days - 7) // step
    if periods <= 0:
        return start
    return start + timedelta(days=periods * step)
