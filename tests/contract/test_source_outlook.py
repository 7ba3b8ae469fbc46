"""The source contract (tests/contract/source_contract.py) for Microsoft 365: focuscal's Graph
client with the real msal, app-only credentials (a client secret), against the fake Graph and
identity platform of tests/fakes/graph_server.py over TLS. Every dataset lives in the default
calendar of its owner's mailbox, converted from its ICS form by tests/fakes/graph_week.py
(which expands with icalendar and recurring-ical-events, not with focuscal's reader). Refused
credentials and server errors come from the fake itself; a stalled or cut connection from the
fault proxy, serving TLS, in front of the Graph API (sign-in goes straight to the fake)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from tests.contract.source_contract import Scene, SourceContract, scene_requests
from tests.fakes.contract_data import FIRST, LAST, Dataset, datasets
from tests.fakes.fault_proxy import FaultProxy
from tests.fakes.graph_server import CLIENT_ID, TENANT_ID, FakeGraph
from tests.fakes.graph_week import events_from_ics
from tests.outlook.conftest import make_certificate

SECRET_ENV = "FOCUSCAL_TEST_OUTLOOK_SECRET"


@dataclass
class OutlookBackend:
    fake: FakeGraph
    proxy: FaultProxy
    cafile: str
    env: dict[str, str] = field(default_factory=dict)

    def uri(self, dataset: Dataset) -> str:
        return f"outlook:{dataset.owner}"

    def config(self, graph: str | None = None) -> str:
        # One retry instead of five keeps the stalled-server test at two timeouts.
        return ("[outlook]\n"
                f"client_id = {json.dumps(CLIENT_ID)}\ntenant = {json.dumps(TENANT_ID)}\n"
                f'credentials = "app"\nclient_secret_env = {json.dumps(SECRET_ENV)}\n'
                f"graph_endpoint = {json.dumps(graph or self.fake.graph)}\n"
                f"login_endpoint = {json.dumps(self.fake.origin)}\n"
                f"cafile = {json.dumps(self.cafile)}\nretries = 1\n")

    def missing(self) -> str:
        return "outlook:nobody@acme-sales.com"

    @contextmanager
    def fault(self, kind: str) -> Iterator[Scene]:
        env, config = {}, None
        if kind == "auth":
            env = {SECRET_ENV: "not the secret"}  # the identity platform refuses it
        elif kind in ("500", "503"):
            self.fake.fail(int(kind), path="/calendarView", times=None)
        else:
            config = self.config(self.proxy.url + "/v1.0")
            if kind == "stall":
                self.proxy.stall()
            else:
                self.proxy.cut(half=kind == "half")
        try:
            yield Scene(self.uri(datasets()["sales-week"]), env=env, config=config,
                        requests=scene_requests(lambda: len(self.fake.requests_to(
                            "GET", "/calendarView"))))
        finally:
            self.fake.faults.clear()
            self.proxy.clear()


@pytest.fixture(scope="module")
def outlook(tmp_path_factory) -> Iterator[OutlookBackend]:
    cert, key = make_certificate(tmp_path_factory.mktemp("graph-tls"))
    with FakeGraph(cert, key) as fake, FaultProxy(fake.origin, tls=(cert, key)) as proxy:
        for dataset in datasets().values():
            if dataset.floating:
                continue  # Graph answers every time in a zone: it cannot hold floating times
            owner, items = events_from_ics(dataset.ics, FIRST, LAST)
            assert owner == dataset.owner
            if owner not in fake.mailboxes:
                fake.add_mailbox(owner)
            for item in items:
                fake.put_event(owner, **item)
        yield OutlookBackend(fake, proxy, str(cert), env={SECRET_ENV: fake.client_secret})


class TestOutlookSource(SourceContract):
    lacks: ClassVar[dict[str, str]] = {
        "floating": "Graph answers every time in a zone (outlook.timezone)"}
    disagrees: ClassVar[dict[str, str]] = {
    }

    @pytest.fixture
    def backend(self, outlook):
        outlook.fake.faults.clear()
        outlook.proxy.clear()
        return outlook
