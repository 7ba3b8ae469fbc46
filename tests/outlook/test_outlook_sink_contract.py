"""The sink contract (tests/contract/test_sink_contract.py) for Outlook, against the fake Graph
server: the default calendar and a named one."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from focuscal.sinks import open_sink
from tests.contract.test_sink_contract import SinkContract
from tests.fakes.graph_server import FakeGraph, when
from tests.fakes.graph_week import MARK


class OutlookCalendar:
    """The user's side of an Outlook calendar: events made by others, blocks dragged by hand."""

    def __init__(self, fake: FakeGraph, calendar: str | None = None) -> None:
        self.fake, self.cal = fake, calendar

    def add_foreign(self, uid: str, start: datetime, end: datetime, summary: str) -> None:
        self.fake.put_event(cal_id=self.cal, iCalUId=uid, subject=summary, start=when(start),
                            end=when(end), showAs="busy")

    def foreign(self) -> list[str]:
        return sorted(json.dumps(e, sort_keys=True) for e in self.fake.events(cal_id=self.cal)
                      if not any(p["id"] == MARK
                                 for p in e.get("singleValueExtendedProperties", [])))

    def move(self, uid: str, start: datetime, end: datetime) -> None:
        for event in self.fake.events(cal_id=self.cal):
            if any(p["value"] == uid for p in event.get("singleValueExtendedProperties", [])):
                self.fake.move(event["id"], start, end)
                return
        raise AssertionError(f"no block {uid}")


class TestOutlookDefaultCalendar(SinkContract):
    @pytest.fixture
    def sink(self, settings, signed_in):
        return open_sink("outlook:me", settings)

    @pytest.fixture
    def calendar(self, fake_graph):
        return OutlookCalendar(fake_graph)


class TestOutlookNamedCalendar(SinkContract):
    @pytest.fixture
    def sink(self, fake_graph, settings, signed_in):
        fake_graph.add_calendar(fake_graph.user, "AAMkfocus-calendar=", "Focus")
        return open_sink("outlook:me/AAMkfocus-calendar=", settings)

    @pytest.fixture
    def calendar(self, fake_graph, sink):
        return OutlookCalendar(fake_graph, "AAMkfocus-calendar=")
