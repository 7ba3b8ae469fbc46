"""Booking targets. Each backend lists focuscal's own blocks and applies planned changes.

Targets are URIs: ``ics:PATH`` (a file or a vdir folder), ``google:CALENDAR_ID``,
``outlook:me`` (or ``outlook:me/CALENDAR_ID``), ``caldav+https://...``.
Backends are imported only when their target is used.

Every sink is a ``base.Sink`` and obeys the same contract (tests/contract): it only ever deletes
events that carry focuscal's mark, it creates each block under ``model.block_id(target, start,
end)`` so a repeated or retried ``apply`` creates nothing twice, and a block whose span no
longer matches its id (moved or resized by hand) is reported as ``moved`` and never touched.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from focuscal import schemes
from focuscal.errors import InputError
from focuscal.planner import Changes
from focuscal.results import Applied
from focuscal.sinks.base import Sink

if TYPE_CHECKING:
    from focuscal.config import Settings

__all__ = ["Applied", "Changes", "Sink", "open_sink", "scheme"]


def scheme(target: str) -> str:
    """The backend of a booking target (``schemes.PREFIXES``); anything else is bad input."""
    kind = schemes.scheme(target)
    if kind is None:
        raise InputError(
            f"unknown booking target {target!r}",
            hint="use ics:PATH, google:CALENDAR_ID, outlook:me or caldav+https://...",
        )
    return kind


def open_sink(target: str, settings: Settings) -> Sink[Any]:
    """The sink for ``target`` (its backend module imported now, not before)."""
    backend = import_module(f"focuscal.sinks.{scheme(target)}")
    sink: Sink[Any] = backend.open_sink(target, settings)
    return sink
