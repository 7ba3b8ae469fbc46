"""The sink contract (tests/contract/test_sink_contract.py) for Google, against the fake server:
the primary calendar (Focus Time events) and a calendar that refuses them (ordinary events)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from focuscal.config import GoogleSettings, Settings
from focuscal.sinks import open_sink
from tests.contract.test_sink_contract import SinkContract

TEAM = "team@group.calendar.google.com"


class GoogleCalendar:
    """The user's side of a Google calendar: events made by others, blocks dragged by hand."""

    def __init__(self, fake, calendar: str) -> None:
        self.fake, self.calendar = fake, calendar

    def add_foreign(self, uid: str, start: datetime, end: datetime, summary: str) -> None:
        self.fake.put_event(self.calendar, id=uid, summary=summary,
                            start={"dateTime": start.isoformat()},
                            end={"dateTime": end.isoformat()})

    def foreign(self) -> list[str]:
        return sorted(json.dumps(e, sort_keys=True)
                      for e in self.fake.events(self.calendar, deleted=True)
                      if "focuscal" not in e.get("extendedProperties", {}).get("private", {}))

    def move(self, uid: str, start: datetime, end: datetime) -> None:
        with self.fake.lock:
            event = self.fake.calendar(self.calendar).events[uid]
            event["start"] = {"dateTime": start.isoformat()}
            event["end"] = {"dateTime": end.isoformat()}
            event["_seq"] = self.fake._next_seq()


def settings_for(fake) -> Settings:
    return Settings(timeout=5, google=GoogleSettings(api_endpoint=fake.url,
                                                     credentials="anonymous"))


class TestGooglePrimary(SinkContract):
    @pytest.fixture
    def sink(self, fake_google):
        return open_sink("google:primary", settings_for(fake_google))

    @pytest.fixture
    def calendar(self, fake_google):
        return GoogleCalendar(fake_google, "primary")


class TestGoogleWithoutFocusTime(SinkContract):
    @pytest.fixture
    def sink(self, fake_google):
        fake_google.add_calendar(TEAM, focus_time=False)
        return open_sink(f"google:{TEAM}", settings_for(fake_google))

    @pytest.fixture
    def calendar(self, fake_google, sink):
        return GoogleCalendar(fake_google, TEAM)
