"""outlook-schedule: the real msal and requests ask the fake Graph's getSchedule for 20
mailboxes a call, at most 4 calls at once (Graph's limit per mailbox); a mailbox Graph cannot
read leaves out that member only; the aggregates equal the audits of the same meetings as ICS
files for every figure free/busy can tell (out of office included: Graph says oof)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from focuscal import graph
from focuscal.cli import cli
from focuscal.sources import team as team_source
from focuscal.teamstats import FIGURES, NOT_AVAILABLE
from tests.fakes.graph_server import CLIENT_ID, FakeGraph, when
from tests.outlook.conftest import make_certificate, outlook_settings
from tests.team.conftest import WEEK, audits, generate, quartiles, team_config, write_folder


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def fake(tls):
    with FakeGraph(*tls, user="lead@acme.com") as server:
        yield server


def outlook(fake, tls) -> str:
    return (f'[outlook]\nclient_id = "{CLIENT_ID}"\n'
            f"graph_endpoint = {json.dumps(fake.graph)}\n"
            f"login_endpoint = {json.dumps(fake.origin)}\n"
            f"cafile = {json.dumps(str(tls[0]))}\nretries = 1\n")


def store(fake, members) -> None:
    for member in members:
        fake.add_mailbox(member.address)
        for m in member.meetings:
            show = ("oof" if m.ooo else "free" if m.declined or m.transparent
                    else "tentative" if m.tentative else "busy")
            fake.put_event(member.address, subject="Sync", start=when(m.start),
                           end=when(m.end), showAs=show)


def test_schedules_aggregate_like_the_audits(fake, tls, tmp_path, no_backoff):
    graph.sign_in(outlook_settings(fake, tls[0]), write=False, browser=False,
                  announce=lambda text: None)
    members = generate(45, seed=4)
    store(fake, members)
    fake.schedule_errors["member0007@acme.com"] = "The mailbox is hidden."
    fake.schedule_delay = 0.05
    addresses = [m.address for m in members] + ["stranger@acme.com"]
    config = team_config(tmp_path / "c.toml", "outlook-schedule", addresses,
                         top=outlook(fake, tls))
    result = CliRunner().invoke(cli, ["--config", str(config), "team", "--week", WEEK,
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    calls = fake.requests_to("POST", "getSchedule")
    assert sorted(len(c.body["schedules"]) for c in calls) == [6, 20, 20]
    assert all(c.path == "/v1.0/me/calendar/getSchedule" for c in calls)
    assert fake.schedule_peak <= team_source.GRAPH_WORKERS
    warning, = (line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "2 of 46 members could not be read" in warning
    assert "member0007@acme.com (Microsoft Graph could not read its schedule: The mailbox " \
           "is hidden.)" in warning
    assert "stranger@acme.com" in warning
    read = [m for m in members if m.address != "member0007@acme.com"]
    folder = write_folder(read, tmp_path / "ics")
    totals = [a.period.totals() for a in audits(read, folder)]
    assert doc["members"] == {"read": len(read), "left_out": 2}
    assert doc["privacy"] == "freebusy"
    for key in FIGURES:
        if key in NOT_AVAILABLE["freebusy"]:
            continue
        q1, median, q3 = quartiles([float(t[key]) for t in totals])
        digits = 4 if key == "fragmentation" else 1
        assert doc["week"]["figures"][key] == {
            "q1": round(q1, digits), "median": round(median, digits), "q3": round(q3, digits)}, key


def test_app_credentials_need_an_organizer(fake, tls, tmp_path):
    members = generate(5, simple=True)
    store(fake, members)
    top = outlook(fake, tls) + 'credentials = "app"\ntenant = "acme.onmicrosoft.com"\n'
    config = team_config(tmp_path / "c.toml", "outlook-schedule", [m.address for m in members],
                         top=top)
    env = {"FOCUSCAL_OUTLOOK_CLIENT_SECRET": fake.client_secret}
    result = CliRunner(env=env).invoke(cli, ["--config", str(config), "team", "--week", WEEK])
    assert result.exit_code == 2
    assert "needs the mailbox that asks: organizer in [[teams]]" in result.stderr
    with_organizer = team_config(tmp_path / "d.toml", "outlook-schedule",
                                 [m.address for m in members], top=top,
                                 team='organizer = "lead@acme.com"')
    result = CliRunner(env=env).invoke(cli, ["--config", str(with_organizer), "team", "--week",
                                             WEEK, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert {c.path for c in fake.requests_to("POST", "getSchedule")} == {
        "/v1.0/users/lead@acme.com/calendar/getSchedule"}
