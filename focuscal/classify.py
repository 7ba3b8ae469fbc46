"""The classification rules of DESIGN.md section 2: one event instance -> its kind and why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from focuscal.model import Classified, Event, EventKind

DEFAULT_OOO_PATTERN = r"\b(out[ -]of[ -](the[ -])?office|ooo|vacation|pto|holidays?|leave)\b"
DEFAULT_FOCUS_PATTERN = r"^\s*(focus|deep[ -]work)"


@dataclass(frozen=True)
class Rules:
    """What classification needs to know about the user. Addresses are lower-case."""

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

    def is_ooo_summary(self, summary: str) -> bool:
        return bool(self._ooo.search(summary))  # type: ignore[attr-defined]

    def is_focus_summary(self, summary: str) -> bool:
        return bool(self._focus.search(summary))  # type: ignore[attr-defined]


def _declined(event: Event, rules: Rules) -> bool:
    return any(
        a.partstat == "DECLINED" and (a.is_self or a.email in rules.me) for a in event.attendees
    )


def _my_partstat(event: Event, rules: Rules) -> str | None:
    for a in event.attendees:
        if a.is_self or a.email in rules.me:
            return a.partstat
    return None


def is_external(event: Event, rules: Rules) -> bool:
    """True when a person among the attendees or the organizer is outside the internal domains.

    Without any known internal domain nothing is external.
    """
    domains = rules.domains
    if not domains:
        return False
    people = [a.email for a in event.attendees if not a.resource]
    if event.organizer:
        people.append(event.organizer)
    return any(
        "@" in email and email.rpartition("@")[2] not in domains for email in people
    )


def classify(event: Event, rules: Rules) -> Classified:
    """Apply the rules in order; the first that matches decides."""

    def result(kind: EventKind, reason: str) -> Classified:
        external = kind is EventKind.MEETING and is_external(event, rules)
        return Classified(event, kind, reason, external)

    if event.status == "CANCELLED":
        return result(EventKind.IGNORED, "cancelled")
    if _declined(event, rules):
        return result(EventKind.IGNORED, "declined")
    ooo = (
        event.event_type == "outOfOffice"
        or event.busy_status == "OOF"
        or rules.is_ooo_summary(event.summary)
    )
    if event.transparent and not ooo:
        return result(EventKind.IGNORED, "transparent (free)")
    if ooo:
        return result(EventKind.OUT_OF_OFFICE, "out of office")
    if event.event_type in ("workingLocation", "birthday"):
        return result(EventKind.IGNORED, f"Google {event.event_type} event")
    if (
        event.event_type == "focusTime"
        or event.focuscal_block
        or rules.is_focus_summary(event.summary)
    ):
        return result(EventKind.FOCUS, "focus time")
    if event.all_day:
        return result(EventKind.IGNORED, "all-day event")
    if rules.tentative_free and (
        event.status == "TENTATIVE" or _my_partstat(event, rules) in ("TENTATIVE", "NEEDS-ACTION")
    ):
        return result(EventKind.IGNORED, "tentative (counted as free)")
    return result(EventKind.MEETING, "meeting")
