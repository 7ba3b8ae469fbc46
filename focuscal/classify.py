"""The classification rules of DESIGN.md section 2: one event instance -> its kind and why.

Every result names its rule with a stable id (``RULES``) and says in words what in the event
made it match (``Classified.detail``), so ``focuscal events`` can explain every number.
"""

from __future__ import annotations

from focuscal.model import Attendee, Classified, ClassifyRules, Event, EventKind

# Stable rule ids, in the order the rules are tried, with the short label kept in
# ``Classified.reason`` (older users read that label). The ids are part of focuscal.events/1.
RULES: dict[str, str] = {
    "cancelled": "cancelled",
    "declined": "declined",
    "transparent": "transparent (free)",
    "out_of_office.event_type": "out of office",
    "out_of_office.busy_status": "out of office",
    "out_of_office.title": "out of office",
    "google.working_location": "Google workingLocation event",
    "google.birthday": "Google birthday event",
    "focus.event_type": "focus time",
    "focus.block_mark": "focus time",
    "focus.title": "focus time",
    "all_day": "all-day event",
    "tentative": "tentative (counted as free)",
    "meeting": "meeting",
}
_GOOGLE_IGNORED = {"workingLocation": "google.working_location", "birthday": "google.birthday"}



def _mine(attendee: Attendee, rules: ClassifyRules) -> bool:
    return attendee.is_self or attendee.email in rules.me


def _decliner(event: Event, rules: ClassifyRules) -> Attendee | None:
    for a in event.attendees:
        if a.partstat == "DECLINED" and _mine(a, rules):
            return a
    return None


def _my_partstat(event: Event, rules: ClassifyRules) -> str | None:
    for a in event.attendees:
        if _mine(a, rules):
            return a.partstat
    return None


def external_domains(event: Event, rules: ClassifyRules) -> tuple[str, ...]:
    """The domains of the people (attendees, then the organizer; never rooms) outside the
    internal domains, each once, in the order they appear. Empty without any internal domain."""
    domains = rules.domains
    if not domains:
        return ()
    people = [a.email for a in event.attendees if not a.resource]
    if event.organizer:
        people.append(event.organizer)
    found = (e.rpartition("@")[2] for e in people if "@" in e)
    return tuple(dict.fromkeys(d for d in found if d not in domains))


def is_external(event: Event, rules: ClassifyRules) -> bool:
    """True when a person among the attendees or the organizer is outside the internal domains.

    Without any known internal domain nothing is external.
    """
    return bool(external_domains(event, rules))


def _tentative(event: Event, rules: ClassifyRules) -> str | None:
    """Why the event is tentative or unanswered, or None when it is neither."""
    if event.status == "TENTATIVE":
        return "the event is tentative"
    mine = _my_partstat(event, rules)
    if mine == "TENTATIVE":
        return "you answered tentative"
    if mine == "NEEDS-ACTION":
        return "you have not answered"
    return None


def _decide(event: Event, rules: ClassifyRules) -> tuple[EventKind, str, str]:
    """The kind, the rule id and the detail of the first rule that matches."""
    if event.status == "CANCELLED":
        return EventKind.IGNORED, "cancelled", "the event is cancelled"
    decliner = _decliner(event, rules)
    if decliner is not None:
        return EventKind.IGNORED, "declined", f"declined by {decliner.email or 'you'}"
    ooo: tuple[str, str] | None = None
    if event.event_type == "outOfOffice":
        ooo = "out_of_office.event_type", "Google out-of-office event"
    elif event.busy_status == "OOF":
        ooo = "out_of_office.busy_status", "busy status OOF (X-MICROSOFT-CDO-BUSYSTATUS)"
    elif (text := rules.ooo_match(event.summary)) is not None:
        ooo = "out_of_office.title", f"title matches the out-of-office pattern ({text!r})"
    if ooo is None and event.transparent:
        return EventKind.IGNORED, "transparent", "shown as free (transparent)"
    if ooo is not None:
        return EventKind.OUT_OF_OFFICE, *ooo
    if event.event_type in _GOOGLE_IGNORED:
        return (EventKind.IGNORED, _GOOGLE_IGNORED[event.event_type],
                f"Google {event.event_type} event")
    if event.event_type == "focusTime":
        return EventKind.FOCUS, "focus.event_type", "Google Focus Time event"
    if event.focuscal_block:
        return EventKind.FOCUS, "focus.block_mark", "a block booked by focuscal (its mark)"
    if (text := rules.focus_match(event.summary)) is not None:
        return EventKind.FOCUS, "focus.title", f"title matches the focus pattern ({text!r})"
    if event.all_day:
        return EventKind.IGNORED, "all_day", "all-day event: a label, not busy time"
    tentative = _tentative(event, rules)
    if tentative and rules.tentative_free:
        return EventKind.IGNORED, "tentative", f"{tentative}: counted as free"
    detail = f"{tentative}: counted as busy" if tentative else "busy time"
    return EventKind.MEETING, "meeting", detail


def classify(event: Event, rules: ClassifyRules) -> Classified:
    """Apply the rules in order; the first that matches decides."""
    kind, rule, detail = _decide(event, rules)
    domains = external_domains(event, rules) if kind is EventKind.MEETING else ()
    if domains:
        detail = f"{detail}; external: {', '.join(domains)}"
    return Classified(event, kind, RULES[rule], bool(domains), rule, detail, domains)
