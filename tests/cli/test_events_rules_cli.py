"""`focuscal events` names the rule of DESIGN.md section 2 that decided each event, for every
rule: those an ICS file can express through a file, Google's own through the fake server."""

from __future__ import annotations

import json

from click.testing import CliRunner

from focuscal.classify import RULES
from focuscal.cli import cli
from tests.helpers import ics

ME = "me@example.com"
WEEK = ["--week", "2026-W11", "--tz", "America/New_York", "--format", "json"]
TUESDAY = "20260310"


def timed(uid, summary, hour, *extra):
    return "\n".join([f"UID:{uid}", f"SUMMARY:{summary}",
                      f"DTSTART;TZID=America/New_York:{TUESDAY}T{hour:02d}0000",
                      f"DTEND;TZID=America/New_York:{TUESDAY}T{hour:02d}3000", *extra])


# summary -> (ICS lines, expected kind, expected rule, a word the detail must hold)
ICS_CASES = {
    "Sync": (timed("c", "Sync", 9, "STATUS:CANCELLED"), "ignored", "cancelled", "cancel"),
    "Review": (timed("d", "Review", 10, f"ATTENDEE;PARTSTAT=DECLINED:mailto:{ME}"),
               "ignored", "declined", ME),
    "Lunch": (timed("t", "Lunch", 11, "TRANSP:TRANSPARENT"), "ignored", "transparent", ""),
    "Dentist": (timed("b", "Dentist", 12, "X-MICROSOFT-CDO-BUSYSTATUS:OOF"),
                "out_of_office", "out_of_office.busy_status", "OOF"),
    "PTO afternoon": (timed("o", "PTO afternoon", 16), "out_of_office", "out_of_office.title",
                      "PTO"),
    "Booked": (timed("m", "Booked", 13, "X-FOCUSCAL-BLOCK:1"), "focus", "focus.block_mark", ""),
    "Deep work": (timed("f", "Deep work", 14), "focus", "focus.title", "Deep work"),
    "Birthday of Ann": ("UID:a\nSUMMARY:Birthday of Ann\nDTSTART;VALUE=DATE:20260311\n"
                        "DTEND;VALUE=DATE:20260312", "ignored", "all_day", ""),
    "Maybe": (timed("n", "Maybe", 15, f"ATTENDEE;PARTSTAT=TENTATIVE:mailto:{ME}"),
              "ignored", "tentative", "tentative"),
    "Customer call": (timed("e", "Customer call", 17, f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ME}",
                            "ATTENDEE:mailto:buyer@customer.com"),
                      "meeting", "meeting", "customer.com"),
}
GOOGLE_CASES = {
    "Away": ({"eventType": "outOfOffice"}, "out_of_office", "out_of_office.event_type"),
    "Heads down": ({"eventType": "focusTime"}, "focus", "focus.event_type"),
    # (Google serves these as transparent, and then rule 3 names them first.)
    "Home": ({"eventType": "workingLocation"}, "ignored", "google.working_location"),
    "Ann's birthday": ({"eventType": "birthday"}, "ignored", "google.birthday"),
}


def events_by_summary(document):
    return {e["summary"]: e for day in document["days"] for e in day["events"]}


def test_every_rule_an_ics_file_expresses(tmp_path):
    path = tmp_path / "rules.ics"
    path.write_bytes(ics(*(lines for lines, *_ in ICS_CASES.values())))
    result = CliRunner().invoke(cli, ["events", str(path), *WEEK, "--me", ME,
                                      "--tentative", "free"])
    assert result.exit_code == 0, result.output
    shown = events_by_summary(json.loads(result.stdout))
    assert set(shown) == set(ICS_CASES)
    for summary, (_, kind, rule, word) in ICS_CASES.items():
        assert (shown[summary]["kind"], shown[summary]["rule"]) == (kind, rule), summary
        assert word in shown[summary]["detail"], (summary, shown[summary]["detail"])
    assert shown["Customer call"]["external_domains"] == ["customer.com"]


def test_googles_own_rules(fake_google, tmp_path):
    for n, (summary, (fields, _, _)) in enumerate(GOOGLE_CASES.items()):
        when = ({"start": {"date": "2026-03-11"}, "end": {"date": "2026-03-12"}}
                if fields["eventType"] in ("workingLocation", "birthday") else
                {"start": {"dateTime": f"2026-03-10T{10 + n:02d}:00:00-04:00"},
                 "end": {"dateTime": f"2026-03-10T{10 + n:02d}:30:00-04:00"}})
        fake_google.put_event(id=f"rule{n:06d}", summary=summary, **fields, **when)
    config = tmp_path / "config.toml"
    config.write_text(f'timeout = 5\n[google]\napi_endpoint = "{fake_google.url}"\n'
                      'credentials = "anonymous"\n')
    result = CliRunner().invoke(cli, ["events", "google:primary", *WEEK, "--config",
                                      str(config)])
    assert result.exit_code == 0, result.output
    shown = events_by_summary(json.loads(result.stdout))
    for summary, (_, kind, rule) in GOOGLE_CASES.items():
        assert summary in shown, (summary, sorted(shown))
        assert (shown[summary]["kind"], shown[summary]["rule"]) == (kind, rule), summary


def test_the_cases_cover_every_rule():
    covered = {rule for *_, rule, _ in ICS_CASES.values()} | {
        rule for *_, rule in GOOGLE_CASES.values()}
    assert covered == set(RULES)
