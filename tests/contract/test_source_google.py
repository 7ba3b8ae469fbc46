"""The source contract (tests/contract/source_contract.py) for Google: the real
google-api-python-client against the fake Calendar v3 server (tests/fakes/google_server.py),
``credentials = "anonymous"`` with ``api_endpoint`` on loopback. Refused credentials and server
errors come from the fake itself; a stalled or cut connection from the fault proxy in front."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from tests.contract.source_contract import Scene, SourceContract, scene_requests
from tests.fakes.contract_data import Dataset, datasets
from tests.fakes.fault_proxy import FaultProxy
from tests.fakes.google_server import FakeGoogle


@dataclass
class GoogleBackend:
    fake: FakeGoogle
    proxy: FaultProxy
    env: dict[str, str] = field(default_factory=dict)

    def uri(self, dataset: Dataset) -> str:
        return f"google:{dataset.owner}"

    def config(self, endpoint: str | None = None) -> str:
        # One retry instead of five keeps the stalled-server test at two timeouts.
        return (f"[google]\napi_endpoint = {json.dumps(endpoint or self.fake.url)}\n"
                'credentials = "anonymous"\nretries = 1\n')

    def missing(self) -> str:
        return "google:nobody@example.com"

    @contextmanager
    def fault(self, kind: str) -> Iterator[Scene]:
        config = None
        if kind == "auth":
            self.fake.require_auth = True  # anonymous credentials carry no token: 401
        elif kind in ("500", "503"):
            self.fake.fail(int(kind), times=None)
        else:
            config = self.config(self.proxy.url + "/")
            if kind == "stall":
                self.proxy.stall()
            else:
                self.proxy.cut(half=kind == "half")
        try:
            yield Scene(self.uri(datasets()["sales-week"]), config=config,
                        requests=scene_requests(lambda: len(self.fake.log)))
        finally:
            self.fake.require_auth = False
            self.fake.faults.clear()
            self.proxy.clear()


@pytest.fixture(scope="module")
def google() -> Iterator[GoogleBackend]:
    with FakeGoogle() as fake, FaultProxy(fake.url) as proxy:
        for dataset in datasets().values():
            if dataset.google is None:
                continue
            if dataset.owner not in fake.calendars:
                fake.add_calendar(dataset.owner)
            for item in dataset.google:
                fake.put_event(dataset.owner, **item)
        yield GoogleBackend(fake, proxy)


class TestGoogleSource(SourceContract):
    lacks: ClassVar[dict[str, str]] = {
        "floating": "Google Calendar keeps every timed event in a zone"}
    lists_cancelled = False  # events.list leaves cancelled events out (without showDeleted)
    disagrees: ClassVar[dict[str, str]] = {
    }

    @pytest.fixture
    def backend(self, google):
        return google
