"""focuscal team email through a real SMTP server (aiosmtpd on 127.0.0.1): one message, text
and HTML, the team's aggregates and nobody's calendar; --save writes the same message."""

from __future__ import annotations

import email
import email.policy
import json
import socket

from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.report import hm
from tests.team.conftest import WEEK, team_config


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_team_report_is_sent(tmp_path, team_folder):
    from aiosmtpd.controller import Controller

    members, folder = team_folder
    inbox, port = Inbox(), free_port()
    smtp = (f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            'from = "reports@acme.com"\n')
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"', top=smtp)
    runner = CliRunner()
    doc = json.loads(runner.invoke(cli, ["--config", str(config), "team", "--week", WEEK,
                                         "--format", "json"]).stdout)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = runner.invoke(cli, ["--config", str(config), "team", "email", "--week", WEEK,
                                     "--to", "lead@acme.com"])
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    envelope, = inbox.envelopes
    assert envelope.rcpt_tos == ["lead@acme.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    median = doc["week"]["figures"]["focus_minutes"]["median"]
    assert message["Subject"] == (f"Team sales, week 11: median focus {hm(round(median))}, "
                                  f"{round(doc['week']['under_focus_goal'] * 100)}% under 10h")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Median focus time {hm(round(median))} a member" in text
    assert f"Median focus time {hm(round(median))} a member" in html
    assert "<svg" not in html
    assert "<script" not in html
    for member in members:
        assert member.address not in text
        assert member.address not in html
    saved = tmp_path / "team.eml"
    result = runner.invoke(cli, ["--config", str(config), "team", "email", "--week", WEEK,
                                 "--to", "lead@acme.com", "--save", str(saved)])
    assert result.exit_code == 0, result.output
    again = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
    assert again["Subject"] == message["Subject"]
