"""The classification rules of DESIGN.md section 2: one event instance -> its kind and why."""

from __future__ import annotations

from focuscal.model import Classified, ClassifyRules, Event, EventKind


def _declined(event: Event, rules: ClassifyRules) -> bool:
    return any(
        a.partstat == "DECLINED" and (a.is_self or a.email in rules.me) for a in event.attendees
    )


def _my_partstat(event: Event, rules: ClassifyRules) -> str | None:
    for a in event.attendees:
        if a.is_self or a.email in rules.me:
            return a.partstat
    return None


def is_external(event: Event, rules: ClassifyRules) -> bool:
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


def classify(event: Event, rules: ClassifyRules) -> Classified:
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
