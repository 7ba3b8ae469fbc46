"""The source contract (tests/contract/source_contract.py) for ICS over HTTP: a real
ThreadingHTTPServer on 127.0.0.1 serving the files, behind the fault-injecting proxy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.contract.source_contract import Scene, SourceContract, scene_requests
from tests.fakes.contract_data import Dataset, datasets
from tests.fakes.fault_proxy import FaultProxy


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Served:
    proxy: FaultProxy
    env: dict[str, str] = field(default_factory=dict)

    def uri(self, dataset: Dataset) -> str:
        return f"{self.proxy.url}/{dataset.name}.ics"

    def config(self) -> str:
        return ""

    def missing(self) -> str:
        return f"{self.proxy.url}/no-such-calendar.ics"

    @contextmanager
    def fault(self, kind: str) -> Iterator[Scene]:
        if kind == "auth":
            self.proxy.answer(401)
        elif kind in ("500", "503"):
            self.proxy.answer(int(kind))
        elif kind == "stall":
            self.proxy.stall()
        else:
            self.proxy.cut(half=kind == "half")
        try:
            yield Scene(self.uri(datasets()["sales-week"]),
                        requests=scene_requests(self.proxy.seen))
        finally:
            self.proxy.clear()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    for dataset in datasets().values():
        (folder / f"{dataset.name}.ics").write_bytes(dataset.ics)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    with FaultProxy(f"http://127.0.0.1:{httpd.server_address[1]}") as proxy:
        yield Served(proxy)
    httpd.shutdown()
    httpd.server_close()


class TestHttpSource(SourceContract):
    disagrees: ClassVar[dict[str, str]] = {
    }

    @pytest.fixture
    def backend(self, served):
        served.proxy.clear()
        return served
