"""google-freebusy: the real google-api-python-client asks the fake Calendar server's
freeBusy.query for 50 calendars a request, paced and a few at a time; errors of one calendar
leave out that member only; the aggregates equal the audits of the same events as ICS files
for every figure free/busy can tell; a service account asks for the calendar.freebusy scope
alone; 1,000 members take 20 requests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.sources import team as team_source
from focuscal.teamstats import FIGURES, NOT_AVAILABLE
from tests.helpers import service_account_file
from tests.team.conftest import (
    MONDAY,
    WEEK,
    audits,
    generate,
    quartiles,
    team_config,
    write_folder,
)


def google(fake, **extra) -> str:
    lines = [f"api_endpoint = {json.dumps(fake.url)}", 'credentials = "anonymous"', "retries = 1"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    return "[google]\n" + "\n".join(lines) + "\n"


def store(fake, members) -> None:
    for member in members:
        fake.add_calendar(member.address)
        for event in member.google():
            fake.put_event(member.address, **event)


def run(config, *extra):
    return CliRunner().invoke(cli, ["--config", str(config), "team", "--week", WEEK,
                                    "--format", "json", *extra])


def test_freebusy_aggregates_equal_the_audits(fake_google, tmp_path, no_backoff):
    members = generate(120, seed=5)
    for member in members:  # free/busy shows out of office as busy: not the same numbers
        member.meetings = [m for m in member.meetings if not m.ooo]
    store(fake_google, members)
    fake_google.freebusy_errors["member0003@acme.com"] = "internalError"
    addresses = [m.address for m in members] + ["stranger@acme.com"]
    config = team_config(tmp_path / "c.toml", "google-freebusy", addresses,
                         top=google(fake_google))
    result = run(config)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    asked = fake_google.requests_to("POST", "freeBusy")
    assert sorted(len(r.body["items"]) for r in asked) == [21, 50, 50]
    assert sorted(i["id"] for r in asked for i in r.body["items"]) == sorted(addresses)
    warning, = (line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "2 of 121 members could not be read" in warning
    assert "member0003@acme.com (Google could not read its free/busy (internalError))" in warning
    assert "stranger@acme.com (no such calendar, or its free/busy is not shared)" in warning
    assert doc["privacy"] == "freebusy"
    assert doc["members"] == {"read": 119, "left_out": 2}
    assert doc["not_available"] == NOT_AVAILABLE["freebusy"]
    read = [m for m in members if m.address != "member0003@acme.com"]
    folder = write_folder(read, tmp_path / "ics")
    totals = [a.period.totals() for a in audits(read, folder)]
    for key in FIGURES:
        if key in NOT_AVAILABLE["freebusy"]:
            assert key not in doc["week"]["figures"]
            continue
        q1, median, q3 = quartiles([float(t[key]) for t in totals])
        digits = 4 if key == "fragmentation" else 1
        assert doc["week"]["figures"][key] == {
            "q1": round(q1, digits), "median": round(median, digits), "q3": round(q3, digits)}
    assert doc["week"]["under_focus_goal"] == round(
        sum(t["focus_minutes"] < 600 for t in totals) / len(totals), 4)
    # paced: at most GOOGLE_PER_MINUTE requests a minute, at most GOOGLE_WORKERS at once
    assert fake_google.freebusy_peak <= team_source.GOOGLE_WORKERS


def test_a_failing_request_leaves_out_its_members_only(fake_google, tmp_path, no_backoff):
    members = generate(60, seed=2, simple=True)
    store(fake_google, members)
    fake_google.freebusy_refusals["member0055@acme.com"] = 500  # the second request, always
    config = team_config(tmp_path / "c.toml", "google-freebusy", [m.address for m in members],
                         top=google(fake_google))
    result = run(config)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["members"] == {"read": 50, "left_out": 10}
    assert "10 of 60 members could not be read" in result.stderr
    assert "member0050@acme.com (Google answered 500: Backend Error)" in result.stderr
    assert len(fake_google.requests_to("POST", "freeBusy")) == 1 + 2  # tried twice (retries 1)


def test_nothing_read_is_exit_1(fake_google, tmp_path, no_backoff):
    members = generate(6, simple=True)
    store(fake_google, members)
    fake_google.fail(503, path="freeBusy", times=None)
    config = team_config(tmp_path / "c.toml", "google-freebusy", [m.address for m in members],
                         top=google(fake_google))
    result = run(config)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "focuscal: error: no member of team 'sales' could be read" in result.stderr


def test_a_refused_credential_stops_at_once(fake_google, tmp_path, no_backoff):
    members = generate(120, simple=True)
    store(fake_google, members)
    fake_google.require_auth = True  # anonymous credentials carry no token: 401
    config = team_config(tmp_path / "c.toml", "google-freebusy", [m.address for m in members],
                         top=google(fake_google))
    result = run(config)
    assert result.exit_code == 1
    assert "Google did not accept the credentials" in result.stderr
    assert len(fake_google.requests_to("POST", "freeBusy")) < 3 * 2  # not every request


def test_members_must_be_addresses(fake_google, tmp_path):
    config = team_config(tmp_path / "c.toml", "google-freebusy",
                         ["ana", *(f"m{n}@acme.com" for n in range(5))], top=google(fake_google))
    result = run(config)
    assert result.exit_code == 2
    assert "google-freebusy reads members by their address; not addresses: ana" in result.stderr


def test_a_service_account_asks_for_free_busy_only(fake_google, tmp_path):
    account = service_account_file(tmp_path / "sa.json", fake_google.url + "token")
    members = generate(5, simple=True)
    store(fake_google, members)
    fake_google.require_auth = True
    top = ("[google]\n" f"api_endpoint = {json.dumps(fake_google.url)}\n"
           'credentials = "service_account"\n'
           f"service_account_file = {json.dumps(str(account))}\n"
           'subject = "admin@acme.com"\n')
    config = team_config(tmp_path / "c.toml", "google-freebusy", [m.address for m in members],
                         top=top)
    result = run(config)
    assert result.exit_code == 0, result.output
    claims = fake_google.service_account_claims
    assert claims["scope"] == "https://www.googleapis.com/auth/calendar.freebusy"
    assert claims["sub"] == "admin@acme.com"


def focus_by_hand(member, goal_days=5) -> int:
    """Weekly focus minutes of a member of simple meetings (inside 09:00-17:00 only): the
    free stretches of 120 minutes or more, minute by minute."""
    total = 0
    for d in range(goal_days):
        day = datetime(MONDAY.year, MONDAY.month, MONDAY.day, 9, tzinfo=UTC) + timedelta(days=d)
        busy = [False] * 480
        for m in member.meetings:
            first = int((m.start - day).total_seconds() // 60)
            last = int((m.end - day).total_seconds() // 60)
            for minute in range(max(0, first), min(480, last)):
                busy[minute] = True
        run_length = 0
        for minute in [*busy, True]:
            if minute:
                total += run_length if run_length >= 120 else 0
                run_length = 0
            else:
                run_length += 1
    return total


@pytest.mark.slow
def test_a_thousand_members_take_twenty_requests(fake_google, tmp_path, no_backoff):
    members = generate(1000, seed=9, simple=True)
    store(fake_google, members)
    config = team_config(tmp_path / "c.toml", "google-freebusy", [m.address for m in members],
                         top=google(fake_google))
    result = run(config, "--rows", str(tmp_path / "rows.jsonl"))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(fake_google.requests_to("POST", "freeBusy")) == 20
    assert doc["members"] == {"read": 1000, "left_out": 0}
    q1, median, q3 = quartiles([float(focus_by_hand(m)) for m in members])
    assert doc["week"]["figures"]["focus_minutes"] == {
        "q1": round(q1, 1), "median": round(median, 1), "q3": round(q3, 1)}
    assert len((tmp_path / "rows.jsonl").read_text().splitlines()) == 1000
    # the pacer spaced the 20 requests by 60/600 s (the waits were recorded, not slept)
    assert no_backoff
    assert max(no_backoff) <= 20 * 60 / team_source.GOOGLE_PER_MINUTE
