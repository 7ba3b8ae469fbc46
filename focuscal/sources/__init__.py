"""Calendar sources. Each backend turns a URI into event instances for a window.

Backends are imported only when a URI of theirs is used, so an ICS audit never loads the
Google or CalDAV client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, BinaryIO

from focuscal.errors import InputError, redact
from focuscal.model import Event, Interval

if TYPE_CHECKING:
    from focuscal.config import CalendarEntry, Settings


@dataclass
class Fetched:
    """What a source delivered: event instances that may touch the window, the user's
    addresses the calendar revealed (X-WR-CALNAME, Google's calendar id), the time zones the
    calendars say they are in (X-WR-TIMEZONE, Google's calendar zone), and warnings."""

    events: list[Event] = field(default_factory=list)
    me: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    zones: tuple[str, ...] = ()

    def extend(self, other: Fetched) -> None:
        self.events.extend(other.events)
        self.me = tuple(dict.fromkeys(self.me + other.me))
        self.warnings.extend(other.warnings)
        self.zones = tuple(dict.fromkeys(self.zones + other.zones))


@dataclass(frozen=True)
class Request:
    """Everything a source needs besides its URI. ``window`` is in UTC; ``tz`` is the analysis
    zone for floating and all-day values. ``progress`` takes a status line for a long fetch
    (such as "google:primary: page 3"); None shows nothing."""

    window: Interval
    tz: tzinfo
    settings: Settings
    stdin: BinaryIO | None = None
    progress: Callable[[str], None] | None = None


def scheme(uri: str) -> str:
    """The backend that serves ``uri``: ics, google, outlook or caldav."""
    lowered = uri.lower()
    if lowered.startswith("google:"):
        return "google"
    if lowered.startswith("outlook:"):
        return "outlook"
    if lowered.startswith(("caldav+https://", "caldav+http://")):
        return "caldav"
    return "ics"


def fetch(entry: CalendarEntry, request: Request) -> Fetched:
    """Events of one calendar for ``request.window``. Its warnings never show credentials of
    a URL (errors remove them themselves)."""
    fetched = _fetch(entry, request)
    fetched.warnings[:] = [redact(w) for w in fetched.warnings]
    return fetched


def _fetch(entry: CalendarEntry, request: Request) -> Fetched:
    kind = scheme(entry.uri)
    if kind == "google":
        from focuscal.sources import google

        return google.fetch(entry, request)
    if kind == "outlook":
        from focuscal.sources import outlook

        return outlook.fetch(entry, request)
    if kind == "caldav":
        from focuscal.sources import caldav

        return caldav.fetch(entry, request)
    from focuscal.sources import ics

    return ics.fetch(entry.uri, request)


def check_uri(uri: str) -> None:
    if not uri.strip():
        raise InputError("empty calendar source")
