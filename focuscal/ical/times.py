"""The one conversion of iCalendar date and time values to aware datetimes.

Every reader (the ICS source, the ICS and CalDAV sinks) goes through it, so a floating time
reads the same everywhere.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from focuscal.timeline import local_instant


def aware(value: date | datetime, tz: tzinfo) -> datetime:
    """``value`` as an aware datetime.

    An aware value is returned as it is (its own zone). A floating time (naive) is that wall
    time in ``tz``, resolved as ``timeline.local_instant`` does: a wall time skipped by a DST
    jump is the instant after the jump, a repeated one its first occurrence. A date is local
    midnight in ``tz`` (the same rule on a day whose midnight is skipped).
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value
        return local_instant(value.date(), value.time(), tz)
    return local_instant(value, time(0), tz)

