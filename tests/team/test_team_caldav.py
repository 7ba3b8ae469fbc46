"""focuscal team over CalDAV, against a real Radicale with several users: every member's
calendar at ``/MEMBER/work/``, a team lead who may read only their free/busy (Radicale's
``f`` right). At the freebusy level each member is one free-busy-query REPORT (RFC 4791
section 7.10) and the aggregates equal the members' own audits combined by hand; the lead
cannot read a single event; the ``{member}`` template reads whole calendars at the full level;
and a server without free-busy-query is read whole and cut down to the same numbers."""

from __future__ import annotations

import http.client
import json
import threading
from datetime import timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.teamstats import FIGURES, NOT_AVAILABLE
from tests.radicale import PASSWORD, USER, Radicale, upload
from tests.team.conftest import (
    WEEK,
    Meeting,
    audits,
    generate,
    quartiles,
    team_config,
    write_folder,
)

LEAD, LEAD_PASSWORD = "lead", "lead password"
# alex (the tests' admin) writes everywhere; everyone owns their own collections; the lead
# may see the free/busy of every member's work calendar and nothing more.
RIGHTS = f"""
[admin]
user: {USER}
collection: .*
permissions: RrWw

[owner]
user: .+
collection: {{user}}(/.*)?
permissions: RrWw

[root]
user: .+
collection:
permissions: R

[lead-freebusy]
user: {LEAD}
collection: [^/]+/work
permissions: f
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    radicale = Radicale(tmp_path_factory.mktemp("radicale-team"), users={LEAD: LEAD_PASSWORD},
                        rights=RIGHTS).start()
    yield radicale
    radicale.stop()


def busy_only_members(count: int, seed: int):
    """Generated members whose calendars free/busy tells exactly: no out-of-office and no
    declined or tentatively answered invitations (a free/busy server shows all three as
    plain busy time, the audit does not), but events with STATUS:TENTATIVE, which the server
    marks BUSY-TENTATIVE, and cancelled ones, which it leaves out."""
    members = generate(count, seed=seed)
    for n, member in enumerate(members):
        member.meetings = [m for m in member.meetings
                           if not (m.ooo or m.declined or m.tentative)]
        first = member.meetings[0].start.replace(hour=9, minute=0) + timedelta(days=n % 5)
        member.meetings += [
            Meeting(first + timedelta(hours=1), first + timedelta(hours=2), status="TENTATIVE"),
            Meeting(first + timedelta(hours=4), first + timedelta(hours=5), status="CANCELLED"),
        ]
    return members


def store(server, members, folder, calendar="work"):
    """Every member's exported week as the new calendar ``/MEMBER/CALENDAR/`` on the
    server, one resource per event, written by the admin."""
    dav = server.client()
    for member in members:
        home = f"{server.base}/{member.address}/"
        if dav.request(home, "PROPFIND", "", {"Depth": "0"}).status == 404:
            assert dav.mkcol(home, "").status == 201
        assert dav.mkcalendar(f"{home}{calendar}/").status == 201
        upload(server, f"{home}{calendar}/", folder / f"{member.address}.ics")


def lead_config(path, base, members, *, user=LEAD, calendar="work", team="", top=""):
    """A team read as ``user`` (the password in FOCUSCAL_TEST_DAV), with the members'
    calendars as the template ``caldav+http://.../{member}/CALENDAR/``."""
    host = urlsplit(base).netloc
    login = (f'[[calendars]]\nuri = "caldav+http://{host}/{user}/"\nusername = "{user}"\n'
             'password_env = "FOCUSCAL_TEST_DAV"\n')
    return team_config(path, f"caldav+http://{host}/{{member}}/{calendar}/",
                       [m.address for m in members], team=team, top=top + login)


def run(config, *extra):
    return CliRunner().invoke(cli, ["--config", str(config), "team", "--week", WEEK,
                                    "--format", "json", *extra])


def expected_figures(totals, privacy):
    out = {}
    for key in FIGURES:
        if key in NOT_AVAILABLE[privacy]:
            continue
        q1, median, q3 = quartiles([float(t[key]) for t in totals])
        digits = 4 if key == "fragmentation" else 1
        out[key] = {"q1": round(q1, digits), "median": round(median, digits),
                    "q3": round(q3, digits)}
    return out


@pytest.fixture(scope="module")
def busy_team(server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    members = busy_only_members(9, seed=21)
    write_folder(members, folder)
    store(server, members, folder)
    return members, folder


def test_free_busy_aggregates_equal_the_audits(server, busy_team, tmp_path, monkeypatch):
    members, folder = busy_team
    monkeypatch.setenv("FOCUSCAL_TEST_DAV", LEAD_PASSWORD)
    config = lead_config(tmp_path / "c.toml", server.base, members, top='tentative = "free"\n')
    result = run(config)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["privacy"] == "freebusy"
    assert doc["members"] == {"read": 9, "left_out": 0}
    assert doc["not_available"] == NOT_AVAILABLE["freebusy"]
    totals = [a.period.totals() for a in audits(members, folder, tentative="free")]
    assert doc["week"]["figures"] == expected_figures(totals, "freebusy")
    assert doc["week"]["under_focus_goal"] == round(
        sum(t["focus_minutes"] < 600 for t in totals) / len(totals), 4)
    # the tentative events were told apart: counted as busy, the numbers differ
    busy = json.loads(run(lead_config(tmp_path / "d.toml", server.base, members)).stdout)
    assert busy["week"]["figures"]["meeting_minutes"] != doc["week"]["figures"][
        "meeting_minutes"]


def test_the_lead_cannot_read_an_event(server, busy_team, tmp_path, monkeypatch):
    """The same lead at the full level: every calendar-query is refused (the f right shows
    free/busy only), so each member is named in the warning and nothing is shown."""
    members, _ = busy_team
    monkeypatch.setenv("FOCUSCAL_TEST_DAV", LEAD_PASSWORD)
    config = lead_config(tmp_path / "c.toml", server.base, members, team='privacy = "full"')
    result = run(config)
    assert result.exit_code == 1
    assert result.stdout == ""
    warning, = (line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert "9 of 9 members could not be read" in warning
    assert f"{members[0].address}/work/: the server refused access (HTTP 403)" in warning
    assert "no member of team 'sales' could be read" in result.stderr


def test_the_member_template_reads_whole_calendars(server, tmp_path, monkeypatch):
    """privacy = "full" over CalDAV: every figure, customers and counts included, equals the
    members' own audits (declined, tentative, transparent and out-of-office events too)."""
    members = generate(7, seed=23)
    folder = write_folder(members, tmp_path / "exports")
    store(server, members, folder, calendar="full")
    monkeypatch.setenv("FOCUSCAL_TEST_DAV", PASSWORD)
    config = lead_config(tmp_path / "c.toml", server.base, members, user=USER,
                         calendar="full", team='privacy = "full"')
    result = run(config)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["privacy"] == "full"
    totals = [a.period.totals() for a in audits(members, folder)]
    assert doc["week"]["figures"] == expected_figures(totals, "full")
    assert doc["week"]["figures"]["external_meeting_minutes"]["q3"] > 0


class NoFreeBusyProxy(BaseHTTPRequestHandler):
    """Forwards every request to Radicale, but answers a free-busy-query REPORT 501 Not
    Implemented: a CalDAV server without free-busy-query."""

    protocol_version = "HTTP/1.1"

    def __init__(self, *args, upstream: str, **kwargs):
        self.upstream = upstream
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "REPORT" and b"free-busy-query" in body:
            self.send_response(501)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        connection = http.client.HTTPConnection(self.upstream, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        connection.request(self.command, self.path, body, headers)
        answer = connection.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        connection.close()

    do_GET = do_PUT = do_PROPFIND = do_REPORT = do_OPTIONS = forward


@pytest.fixture
def no_free_busy(server):
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), partial(
        NoFreeBusyProxy, upstream=urlsplit(server.base).netloc))
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{proxy.server_address[1]}"
    proxy.shutdown()
    proxy.server_close()


def test_without_free_busy_query_the_calendar_is_read_and_cut_down(
        server, busy_team, no_free_busy, tmp_path, monkeypatch):
    members, _ = busy_team
    monkeypatch.setenv("FOCUSCAL_TEST_DAV", PASSWORD)
    direct = run(lead_config(tmp_path / "c.toml", server.base, members, user=USER))
    assert direct.exit_code == 0, direct.output
    result = run(lead_config(tmp_path / "d.toml", no_free_busy, members, user=USER))
    assert result.exit_code == 0, result.output
    warning, = (line for line in result.stderr.splitlines() if line.startswith("warning:"))
    assert warning == ("warning: the CalDAV server of 9 of 9 members offers no "
                       "free-busy-query: their calendars were read and cut down to free/busy")
    doc = json.loads(result.stdout)
    assert doc["privacy"] == "freebusy"
    assert doc["week"] == json.loads(direct.stdout)["week"]
