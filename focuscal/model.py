"""Immutable value types shared by every layer.

Every datetime held by these types is timezone-aware. Intervals are half-open ``[start, end)``
and their lengths are elapsed time (computed in UTC), never wall-clock differences.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class EventKind(StrEnum):
    MEETING = "meeting"
    FOCUS = "focus"
    OUT_OF_OFFICE = "out_of_office"
    IGNORED = "ignored"


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
class Block:
    """A focus block: proposed by the planner or already booked in a calendar."""

    start: datetime
    end: datetime
    reason: str = ""
    uid: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

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
