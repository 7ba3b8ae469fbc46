"""Calendar sources. Each backend turns a URI into event instances for a window.

Backends are imported only when a URI of theirs is used, so an ICS audit never loads the
Google or CalDAV client.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from importlib import import_module
from typing import TYPE_CHECKING, BinaryIO

from focuscal import schemes
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
    """The backend that serves ``uri`` (``schemes.PREFIXES``): google, outlook, caldav, or ics
    for everything else (paths, ``-``, http(s) and webcal URLs)."""
    return schemes.scheme(uri) or "ics"


def fetch(entry: CalendarEntry, request: Request) -> Fetched:
    """Events of one calendar for ``request.window``. Its warnings never show credentials of
    a URL (errors remove them themselves)."""
    fetched = _fetch(entry, request)
    fetched.warnings[:] = [redact(w) for w in fetched.warnings]
    return fetched


def _fetch(entry: CalendarEntry, request: Request) -> Fetched:
    kind = scheme(entry.uri)
    if kind == "ics":  # the ICS reader takes the URI alone: it needs no account
        from focuscal.sources import ics

        return ics.fetch(entry.uri, request)
    backend = import_module(f"focuscal.sources.{kind}")
    fetched: Fetched = backend.fetch(entry, request)
    return fetched


def check_uri(uri: str) -> None:
    """Refuse what no backend reads: an empty source, or a URL of an unknown scheme (which
    would otherwise be looked for as a file, its ``//`` folded into ``/``)."""
    if not uri.strip():
        raise InputError("empty calendar source")
    url = _URL_SCHEME.match(uri)
    if url and scheme(uri) == "ics":
        from focuscal.sources.ics import URL_PREFIXES

        if not uri.lower().startswith(URL_PREFIXES):
            raise InputError(
                f"{url[1]}:// is not a calendar source focuscal reads",
                where=redact(uri),
                hint="use a file or folder path, -, http(s)://, webcal://, google:, outlook: "
                     "or caldav+https://",
            )


_URL_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*)://", re.IGNORECASE)
