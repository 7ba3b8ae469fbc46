"""The source contract (tests/contract/source_contract.py) for CalDAV: the real Radicale of
tests/radicale.py behind the fault-injecting proxy (tests/fakes/fault_proxy.py), which forwards
everything unless a test asks it to answer 500/503, stall or cut the connection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from tests.contract.source_contract import Scene, SourceContract, scene_requests
from tests.fakes.contract_data import Dataset, caldav_objects, datasets
from tests.fakes.fault_proxy import FaultProxy
from tests.radicale import PASSWORD, USER, Radicale

PASSWORD_ENV = "FOCUSCAL_TEST_CALDAV_PASSWORD"


@dataclass
class CalDAVBackend:
    proxy: FaultProxy
    urls: dict[str, str]  # dataset name -> the calendar's path on the server
    env: dict[str, str] = field(default_factory=lambda: {PASSWORD_ENV: PASSWORD})

    def uri(self, dataset: Dataset) -> str:
        return f"caldav+{self.proxy.url}{self.urls[dataset.name]}"

    def config(self) -> str:
        # One entry serves every calendar of the server: the others borrow its login.
        return (f"[[calendars]]\nuri = {json.dumps(self.uri(datasets()['sales-week']))}\n"
                f"username = {json.dumps(USER)}\npassword_env = {json.dumps(PASSWORD_ENV)}\n")

    def missing(self) -> str:
        return f"caldav+{self.proxy.url}/{USER}/no-such-calendar/"

    @contextmanager
    def fault(self, kind: str) -> Iterator[Scene]:
        env = {}
        if kind == "auth":
            env = {PASSWORD_ENV: "not the password"}  # Radicale itself refuses it
        elif kind in ("500", "503"):
            self.proxy.answer(int(kind))
        elif kind == "stall":
            self.proxy.stall()
        else:
            self.proxy.cut(half=kind == "half")
        try:
            yield Scene(self.uri(datasets()["sales-week"]), env=env,
                        requests=scene_requests(self.proxy.seen))
        finally:
            self.proxy.clear()


@pytest.fixture(scope="module")
def caldav(tmp_path_factory) -> Iterator[CalDAVBackend]:
    from urllib.parse import urlsplit

    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    try:
        urls = {}
        for dataset in datasets().values():
            url = server.make_calendar(dataset.owner)  # the display name: the user's address
            for name, data in caldav_objects(dataset.ics).items():
                assert server.put(url + name, data) == 201, name
            urls[dataset.name] = urlsplit(url).path
        with FaultProxy(server.base) as proxy:
            yield CalDAVBackend(proxy, urls)
    finally:
        server.stop()


class TestCalDAVSource(SourceContract):
    disagrees: ClassVar[dict[str, str]] = {
    }

    @pytest.fixture
    def backend(self, caldav):
        caldav.proxy.clear()
        return caldav
