"""focuscal's events in iCalendar: reading, writing, and focuscal's own mark.

- ``read``: ICS bytes -> event instances for a window (the fast path: ``scan``, ``cache``;
  ``expand`` bounds the work of recurrences, ``prune`` what icalendar parses, ``skipped`` the
  events that cannot be read);
- ``component``: one VEVENT -> an ``Event``;
- ``booked``: focuscal's booked blocks in ICS bytes (the ICS and CalDAV sinks);
- ``write``: the one writer of a block's VEVENT and of a VCALENDAR of blocks;
- ``splice``: cut and splice VEVENTs in raw text, keeping every other byte of the user's file;
- ``times``: the one conversion of floating and all-day values to aware datetimes.

Below the sources and sinks, above the core: imports only model, timeline and errors (and,
lazily, icalendar and friends; the cache also ``files`` and platformdirs).
"""

from __future__ import annotations

import os
from typing import Any

MARK = "X-FOCUSCAL-BLOCK"  # the property every block focuscal books carries
# The default limit of instances one event may give for the dates asked about (``expand``;
# config ``max_instances``).
MAX_INSTANCES = 10_000


def is_marked(value: Any) -> bool:
    """Whether a value of the ``X-FOCUSCAL-BLOCK`` property (None when absent) marks the
    event as focuscal's: any value but empty, ``0`` or ``FALSE`` (any case) does."""
    return value is not None and str(value).strip().upper() not in ("", "0", "FALSE")


def fast_path() -> bool:
    """Whether the shortcuts (the pre-scan and the cache) are on; FOCUSCAL_NO_FASTPATH=1 turns
    them off, to compare or to rule them out."""
    return _on("FOCUSCAL_NO_FASTPATH")


def light_reader() -> bool:
    """Whether the light reader comes first on the fast path; FOCUSCAL_NO_LIGHT=1 turns it
    off."""
    return _on("FOCUSCAL_NO_LIGHT")


def _on(off_switch: str) -> bool:
    # A switch is off only when its variable is set to something other than 0.
    return os.environ.get(off_switch, "") in ("", "0")
