"""Immutable value types shared by every layer.

Every datetime held by these types is timezone-aware. Intervals are half-open ``[start, end)``
and their lengths are elapsed time (computed in UTC), never wall-clock differences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_OOO_PATTERN = r"\b(out[ -]of[ -](the[ -])?office|ooo|vacation|pto|holidays?|leave)\b"
DEFAULT_FOCUS_PATTERN = r"^\s*(focus|deep[ -]work)"


class EventKind(StrEnum):
    MEETING = "meeting"
    FOCUS = "focus"
    OUT_OF_OFFICE = "out_of_office"
    IGNORED = "ignored"


@dataclass(frozen=True)
class WorkPolicy:
    """When the user works, and the thresholds that turn a day's events into its numbers.

    ``work_start``/``work_end`` (and ``lunch``) are wall-clock times of ``tz``; an end of 00:00
    or before the start means the next day. Durations are minutes.
    """

    tz: tzinfo
    workdays: frozenset[int] = frozenset(range(5))  # 0 = Monday
    work_start: time = time(9)
    work_end: time = time(17)
    focus_min: int = 120  # the shortest block that counts as focus time
    b2b_gap: int = 5  # the largest gap that still counts as back-to-back
    lunch: tuple[time, time] | None = None


@dataclass(frozen=True)
class ClassifyRules:
    """What the classification rules need to know about the user. Addresses are lower-case."""

    me: frozenset[str] = frozenset()
    internal_domains: frozenset[str] = frozenset()
    ooo_pattern: str = DEFAULT_OOO_PATTERN
    focus_pattern: str = DEFAULT_FOCUS_PATTERN
    tentative_free: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ooo", re.compile(self.ooo_pattern, re.IGNORECASE))
        object.__setattr__(self, "_focus", re.compile(self.focus_pattern, re.IGNORECASE))

    @property
    def domains(self) -> frozenset[str]:
        """Internal domains: configured ones, else the domains of the user's addresses."""
        if self.internal_domains:
            return self.internal_domains
        return frozenset(a.rpartition("@")[2] for a in self.me if "@" in a)

    def ooo_match(self, summary: str) -> str | None:
        """The part of ``summary`` the out-of-office pattern matched, or None."""
        found = self._ooo.search(summary)  # type: ignore[attr-defined]
        return found[0] if found else None

    def focus_match(self, summary: str) -> str | None:
        """The part of ``summary`` the focus pattern matched, or None."""
        found = self._focus.search(summary)  # type: ignore[attr-defined]
        return found[0] if found else None

    def is_ooo_summary(self, summary: str) -> bool:
        return self.ooo_match(summary) is not None

    def is_focus_summary(self, summary: str) -> bool:
        return self.focus_match(summary) is not None


@dataclass(frozen=True)
class FocusPolicy:
    """How the planner proposes focus blocks (config ``[focus]``). Durations in minutes."""

    target: int = 600  # protected focus time a week; booked focus counts towards it
    min_block: int = 120
    max_block: int = 180
    max_per_day: int = 1
    prefer: str = "morning"  # morning | afternoon | none | HH:MM-HH:MM
    buffer: int = 10  # free minutes kept between a meeting and a block
    summary: str = "Focus time"  # the title of booked blocks


# What focuscal reads of each member of a team, from least to most (README, "Teams").
PRIVACY_LEVELS = ("freebusy", "metadata", "full")
MIN_GROUP_FLOOR = 3  # no team smaller than this is ever shown, whatever the config says


@dataclass(frozen=True)
class TeamPolicy:
    """How a team is measured and what may be shown of it (config ``[[teams]]``).

    ``privacy`` is the most focuscal reads of a member (a source that gives more is cut down
    to it); below ``min_group_size`` members read, nothing is shown. ``focus_goal`` is the
    weekly focus time (minutes) under which a member counts as short of focus.
    """

    privacy: str = "freebusy"
    min_group_size: int = 5
    focus_goal: int = 600


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open span ``[start, end)`` of aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval needs timezone-aware datetimes")

    @property
    def seconds(self) -> int:
        return int((self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds())

    @property
    def minutes(self) -> int:
        return max(0, self.seconds) // 60

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


def touches(span: Interval | Event, window: Interval) -> bool:
    """Whether ``span`` (an interval or an event) touches ``window``: it overlaps it, or it has
    no length and starts in it (a zero-length event counts at its instant). The one cut every
    source and the metrics make."""
    if span.start == span.end:
        return window.start <= span.start < window.end
    return span.start < window.end and span.end > window.start


@dataclass(frozen=True, slots=True)
class Attendee:
    """One attendee (or the organizer) of an event. ``email`` is lower-case, without mailto:."""

    email: str
    partstat: str | None = None  # NEEDS-ACTION, ACCEPTED, DECLINED, TENTATIVE (upper-case)
    is_self: bool = False  # Google's attendees[].self
    resource: bool = False  # a room or other resource, never a person


@dataclass(frozen=True, slots=True)
class Event:
    """One event instance (recurrences already expanded), as a source delivered it.

    ``start``/``end`` are aware; all-day events have ``all_day=True`` and span local midnights
    of the analysis zone.
    """

    start: datetime
    end: datetime
    summary: str = ""
    uid: str = ""
    all_day: bool = False
    status: str | None = None  # CONFIRMED, TENTATIVE, CANCELLED (upper-case)
    transparent: bool = False
    attendees: tuple[Attendee, ...] = ()
    organizer: str | None = None
    event_type: str | None = None  # Google eventType: default, focusTime, outOfOffice, ...
    busy_status: str | None = None  # X-MICROSOFT-CDO-BUSYSTATUS (upper-case)
    focuscal_block: bool = False  # booked by focuscal (X-FOCUSCAL-BLOCK, Google private prop)
    source: str = ""
    recurrence_id: str | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"event {self.uid or self.summary!r} has a naive datetime")

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Classified:
    """An event with the kind the rules gave it and the rule that decided.

    ``reason`` is the short label of the rule ("declined", "out of office"); ``rule`` its stable
    id (``classify.RULES``: "declined", "out_of_office.title", ...) and ``detail`` the human
    account of this event ("declined by me@acme.com"). ``external_domains`` are the attendee
    domains outside the internal ones that made a meeting external, in attendee order.
    Classified values built outside ``classify`` (the planner's own blocks) may leave ``rule``
    and ``detail`` empty.
    """

    event: Event
    kind: EventKind
    reason: str
    external: bool = False
    rule: str = ""
    detail: str = ""
    external_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a booked block is kept in its target, as the sink found it."""

    location: str = ""  # the file, resource URL or event id that holds it
    version: str | None = None  # the server's ETag (CalDAV) when it has one
    summary: str = ""  # its title as found


@dataclass(frozen=True, slots=True)
class Block:
    """A focus block: proposed by the planner or already booked in a calendar.

    ``stored`` is set on blocks a sink found in its target (None on proposals); it takes no
    part in equality, so a booked block equals the proposal of the same span and id.
    """

    start: datetime
    end: datetime
    reason: str = ""
    uid: str = ""
    stored: Stored | None = field(default=None, compare=False, hash=False)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def minutes(self) -> int:
        return self.interval.minutes


def floor_minute(value: datetime) -> datetime:
    """Truncate an aware datetime to the whole minute, keeping its zone."""
    return value.replace(second=0, microsecond=0)


ZERO = timedelta(0)


def block_id(target: str, start: datetime, end: datetime) -> str:
    """The deterministic id of a focus block booked into ``target`` for ``[start, end)``.

    Lower-case hex (a subset of Google's base32hex alphabet), so one id serves as ICS UID,
    CalDAV resource name and Google event id. A repeated or retried booking of the same span
    gets the same id and so can never create a second event.
    """
    import hashlib

    key = f"{target}|{start.astimezone(UTC).isoformat()}|{end.astimezone(UTC).isoformat()}"
    return "fc" + hashlib.sha256(key.encode()).hexdigest()[:30]
