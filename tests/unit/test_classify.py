"""One test per rule of DESIGN.md section 2, in order, plus rule precedence."""

from datetime import UTC, datetime

import pytest

from focuscal.classify import RULES, classify, is_external
from focuscal.model import ClassifyRules, Event, EventKind
from tests.helpers import attendee

START = datetime(2026, 3, 9, 14, tzinfo=UTC)
END = datetime(2026, 3, 9, 15, tzinfo=UTC)
ME = ClassifyRules(me=frozenset({"me@acme.com"}))


def ev(**kw) -> Event:
    kw.setdefault("summary", "Sync")
    return Event(start=START, end=END, **kw)


@pytest.mark.parametrize(
    ("event", "kind", "reason"),
    [
    (ev(status="CANCELLED"), EventKind.IGNORED, "cancelled"),
    (ev(status="CANCELLED", summary="Out of office"), EventKind.IGNORED, "cancelled"),
    (ev(attendees=(attendee("me@acme.com", "DECLINED"),)), EventKind.IGNORED, "declined"),
    (ev(attendees=(attendee("other@acme.com", "DECLINED"), attendee("me@acme.com"))),
         EventKind.MEETING, "meeting"),
    (ev(attendees=(attendee("x@gmail.com", "DECLINED", is_self=True),)),
         EventKind.IGNORED, "declined"),
    (ev(transparent=True), EventKind.IGNORED, "transparent (free)"),
    (ev(transparent=True, summary="Vacation"), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(event_type="outOfOffice", summary="Away"), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(busy_status="OOF", summary="Dentist"), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(summary="OOO - school run"), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(summary="PTO"), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(summary="Public holiday"), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(event_type="focusTime", summary="Heads down"), EventKind.FOCUS, "focus time"),
    (ev(focuscal_block=True, summary="Protected"), EventKind.FOCUS, "focus time"),
    (ev(summary="Focus: Q3 plan"), EventKind.FOCUS, "focus time"),
    (ev(summary="Deep work"), EventKind.FOCUS, "focus time"),
    (ev(summary="Unfocused chat"), EventKind.MEETING, "meeting"),
    (ev(summary="Team offsite", all_day=True), EventKind.IGNORED, "all-day event"),
    (ev(summary="Vacation", all_day=True), EventKind.OUT_OF_OFFICE, "out of office"),
    (ev(status="TENTATIVE"), EventKind.MEETING, "meeting"),
    (ev(attendees=(attendee("me@acme.com", "NEEDS-ACTION"),)), EventKind.MEETING, "meeting"),
    (ev(event_type="workingLocation", transparent=False), EventKind.IGNORED,
     "Google workingLocation event"),
    (ev(summary="Leaves of absence review", transparent=False), EventKind.MEETING, "meeting"),
    ],
)
def test_rules(event, kind, reason):
    result = classify(event, ME)
    assert (result.kind, result.reason) == (kind, reason)


def test_tentative_free():
    rules = ClassifyRules(me=frozenset({"me@acme.com"}), tentative_free=True)
    assert classify(ev(status="TENTATIVE"), rules).kind is EventKind.IGNORED
    pending = ev(attendees=(attendee("me@acme.com", "NEEDS-ACTION"),))
    assert classify(pending, rules).kind is EventKind.IGNORED
    accepted = ev(attendees=(attendee("me@acme.com", "ACCEPTED"),))
    assert classify(accepted, rules).kind is EventKind.MEETING


def test_external_uses_internal_domains_and_skips_rooms():
    inside = ev(attendees=(attendee("a@acme.com"), attendee("room@rooms.example", resource=True)))
    outside = ev(attendees=(attendee("a@acme.com"),), organizer="boss@customer.io")
    assert not is_external(inside, ME)
    assert is_external(outside, ME)
    assert classify(outside, ME).external
    assert not is_external(outside, ClassifyRules())  # no known domain: nothing is external
    both = ClassifyRules(internal_domains=frozenset({"acme.com", "customer.io"}))
    assert not is_external(outside, both)


def test_custom_patterns():
    rules = ClassifyRules(ooo_pattern=r"^away", focus_pattern=r"maker time")
    assert classify(ev(summary="Away: doctor"), rules).kind is EventKind.OUT_OF_OFFICE
    assert classify(ev(summary="OOO"), rules).kind is EventKind.MEETING
    assert classify(ev(summary="Maker time"), rules).kind is EventKind.FOCUS


# ------------------------------------------------------------------ rule ids and details

FREE = ClassifyRules(me=frozenset({"me@acme.com"}), tentative_free=True)


RULE_CASES = [
    (ev(status="CANCELLED"), ME, "cancelled", "the event is cancelled"),
    (ev(attendees=(attendee("me@acme.com", "DECLINED"),)), ME, "declined",
     "declined by me@acme.com"),
    (ev(attendees=(attendee("me@acme.com"), attendee("alt@acme.com", "DECLINED"))),
         ClassifyRules(me=frozenset({"me@acme.com", "alt@acme.com"})), "declined",
     "declined by alt@acme.com"),
    (ev(attendees=(attendee("x@gmail.com", "DECLINED", is_self=True),)), ME, "declined",
     "declined by x@gmail.com"),
    (ev(transparent=True), ME, "transparent", "shown as free (transparent)"),
    (ev(event_type="outOfOffice", summary="Away"), ME, "out_of_office.event_type",
     "Google out-of-office event"),
    (ev(busy_status="OOF", summary="Dentist"), ME, "out_of_office.busy_status",
     "busy status OOF (X-MICROSOFT-CDO-BUSYSTATUS)"),
    (ev(summary="Dentist - OOO", transparent=True), ME, "out_of_office.title",
     "title matches the out-of-office pattern ('OOO')"),
    (ev(event_type="workingLocation", summary="Home"), ME, "google.working_location",
     "Google workingLocation event"),
    (ev(event_type="birthday", summary="Ana", all_day=True), ME, "google.birthday",
     "Google birthday event"),
    (ev(event_type="focusTime", summary="Heads down"), ME, "focus.event_type",
     "Google Focus Time event"),
    (ev(focuscal_block=True, summary="Protected"), ME, "focus.block_mark",
     "a block booked by focuscal (its mark)"),
    (ev(summary="Deep work: Q3"), ME, "focus.title",
     "title matches the focus pattern ('Deep work')"),
    (ev(summary="Team offsite", all_day=True), ME, "all_day",
     "all-day event: a label, not busy time"),
    (ev(status="TENTATIVE"), FREE, "tentative", "the event is tentative: counted as free"),
    (ev(attendees=(attendee("me@acme.com", "TENTATIVE"),)), FREE, "tentative",
     "you answered tentative: counted as free"),
    (ev(attendees=(attendee("me@acme.com", "NEEDS-ACTION"),)), FREE, "tentative",
     "you have not answered: counted as free"),
    (ev(attendees=(attendee("me@acme.com", "NEEDS-ACTION"),)), ME, "meeting",
     "you have not answered: counted as busy"),
    (ev(), ME, "meeting", "busy time"),
    (ev(attendees=(attendee("me@acme.com"), attendee("a@customer.io"),
                   attendee("room@rooms.example", resource=True)),
        organizer="b@partner.org"), ME, "meeting",
     "busy time; external: customer.io, partner.org"),
]


@pytest.mark.parametrize(("event", "rules", "rule", "detail"), RULE_CASES)
def test_every_rule_names_its_id_and_detail(event, rules, rule, detail):
    result = classify(event, rules)
    assert (result.rule, result.detail) == (rule, detail)
    assert result.reason == RULES[rule]
    assert result.external is bool(result.external_domains)


def test_every_rule_id_is_covered():
    """The table above reaches every id of RULES, so none is documented but dead."""
    assert {case[2] for case in RULE_CASES} == set(RULES)


def test_external_domains_name_the_outsiders_in_order():
    event = ev(attendees=(attendee("a@z.com"), attendee("b@acme.com"), attendee("c@y.com"),
                          attendee("d@z.com")))
    result = classify(event, ME)
    assert result.external_domains == ("z.com", "y.com")
    assert not classify(event, ClassifyRules()).external_domains  # no internal domain: no outsider
    ignored = classify(ev(status="CANCELLED", attendees=event.attendees), ME)
    assert (ignored.external, ignored.external_domains) == (False, ())


def test_readme_documents_every_rule_id():
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    for rule in RULES:
        assert f"`{rule}`" in readme, rule
