"""The sink contract (tests/contract/test_sink_contract.py) against a real CalDAV server."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest

from focuscal import sinks
from focuscal.config import CalendarEntry, Settings
from tests.contract.test_sink_contract import SinkContract
from tests.radicale import PASSWORD, USER

PASSWORD_ENV = "FOCUSCAL_TEST_CALDAV_PASSWORD"
MARK = "X-FOCUSCAL-BLOCK:1"


class RadicaleCalendar:
    """The user's side of a CalDAV target: events other clients wrote, blocks dragged in an app."""

    def __init__(self, server, url: str) -> None:
        self.server, self.url = server, url

    def add_foreign(self, uid: str, start: datetime, end: datetime, summary: str) -> None:
        text = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another app//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20260301T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        assert self.server.put(self.url + quote(uid, safe="") + ".ics", text.encode()) == 201

    def foreign(self) -> dict[str, str]:
        return {h: t for h, t in self.server.resources(self.url).items()
                if MARK not in t.splitlines()}

    def move(self, uid: str, start: datetime, end: datetime) -> None:
        from datetime import UTC

        for href, text in self.server.resources(self.url).items():
            lines = text.splitlines()
            if f"UID:{uid}" not in lines:
                continue
            moved = [
                f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}" if x.startswith("DTSTART")
                else f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}" if x.startswith("DTEND")
                else x
                for x in lines
            ]
            assert self.server.put(self.server.base + href,
                                   ("\r\n".join(moved) + "\r\n").encode()) == 204
            return
        raise AssertionError(f"no event {uid}")


class TestCalDAVSink(SinkContract):
    @pytest.fixture
    def sink(self, radicale, monkeypatch):
        monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
        url = radicale.make_calendar()
        settings = Settings(calendars=(CalendarEntry(uri="caldav+" + url, username=USER,
                                                     password_env=PASSWORD_ENV),))
        return sinks.open_sink("caldav+" + url, settings)

    @pytest.fixture
    def calendar(self, sink, radicale):
        return RadicaleCalendar(radicale, sink.account.url)
