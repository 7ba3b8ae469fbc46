"""Booking targets. Each backend lists focuscal's own blocks and applies planned changes.

Targets are URIs: ``ics:PATH`` (a file or a vdir folder), ``google:CALENDAR_ID``,
``outlook:me`` (or ``outlook:me/CALENDAR_ID``), ``caldav+https://...``.
Backends are imported only when their target is used.

Every sink obeys the same contract (tests/contract): it only ever deletes events that carry
focuscal's mark, it creates each block under ``model.block_id(target, start, end)`` so a
repeated or retried ``apply`` creates nothing twice, and a block whose span no longer matches
its id (moved or resized by hand) is reported as ``moved`` and never touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from focuscal.errors import InputError
from focuscal.model import Block, Interval
from focuscal.planner import Changes
from focuscal.results import Applied

if TYPE_CHECKING:
    from focuscal.config import Settings

__all__ = ["Applied", "Changes", "Sink", "open_sink", "scheme"]


class Sink(Protocol):
    target: str  # the canonical target string that block ids are derived from

    def booked(self, window: Interval) -> list[Block]:
        """focuscal's own blocks that touch ``window`` (uid set, aware datetimes)."""
        ...

    def apply(self, changes: Changes, summary: str) -> Applied:
        """Remove ``changes.remove`` then add ``changes.add``; never touch anything else."""
        ...


def scheme(target: str) -> str:
    lowered = target.lower()
    if lowered.startswith("ics:"):
        return "ics"
    if lowered.startswith("google:"):
        return "google"
    if lowered.startswith("outlook:"):
        return "outlook"
    if lowered.startswith(("caldav+https://", "caldav+http://")):
        return "caldav"
    raise InputError(
        f"unknown booking target {target!r}",
        hint="use ics:PATH, google:CALENDAR_ID, outlook:me or caldav+https://...",
    )


def open_sink(target: str, settings: Settings) -> Sink:
    """The sink for ``target``."""
    kind = scheme(target)
    if kind == "ics":
        from focuscal.sinks import ics

        return ics.open_sink(target, settings)
    if kind == "google":
        from focuscal.sinks import google

        return google.open_sink(target, settings)
    if kind == "outlook":
        from focuscal.sinks import outlook

        return outlook.open_sink(target, settings)
    from focuscal.sinks import caldav

    return caldav.open_sink(target, settings)
