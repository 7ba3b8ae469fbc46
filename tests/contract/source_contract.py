"""The contract every calendar source obeys, written once and run against each backend.

The same events, wherever they are kept, give the same numbers: a backend's test module
subclasses ``SourceContract`` (as vdirsyncer's storage tests subclass ``StorageTests``) and
overrides one fixture, ``backend``. It returns an object with:

- ``uri(dataset) -> str``: a source holding ``dataset`` (see ``tests/fakes/contract_data.py``)
  in the backend's native form: a file, a folder, a URL, Google items, CalDAV resources. Load
  every dataset once (a module-scoped server); ``dataset.google`` is the Google form,
  ``dataset.ics`` the ICS form, ``dataset.owner`` the user's address to name the calendar by.
- ``config() -> str``: the TOML *tables* the CLI and the app need to read the source (an
  ``[outlook]`` or ``[google]`` endpoint, ``[[calendars]]`` credentials); "" for none. The
  contract adds the top-level keys itself (``timeout``).
- ``env: dict[str, str]``: environment variables the backend reads (a password variable).
- ``missing() -> str``: the URI of a calendar that is not there.
- ``fault(kind) -> context manager`` yielding a ``Scene`` (the URI to read, extra environment,
  TOML to use instead of ``config()``, and ``requests()``: how many requests the server got in
  the scene) for each kind of ``FAULTS`` the backend has a notion of:
  ``auth`` (the server refuses the credentials: 401, a wrong password), ``500`` and ``503``
  (answered to every request), ``stall`` (the connection is accepted, no answer ever comes),
  ``cut`` (closed without an answer) and ``half`` (half an answer, then closed).

And class attributes:

- ``missing_exit``: 2 for a missing file or folder (bad input), 1 for a server's 404;
- ``lacks``: notion -> reason, for what the backend cannot have (``floating`` times, ``auth``,
  ``server`` errors, ``timeout``, a ``cut`` connection); those tests are skipped with the reason;
- ``lists_cancelled``: False when the backend never lists cancelled events (Google's
  ``events.list`` leaves them out), so they are not expected among its instances;
- ``disagrees``: test name with parameters (``"test_server_error[503]"``) -> the exact way the
  backend disagrees today; that test is marked ``xfail(strict=True)`` with it.

The reference is always focuscal reading ``dataset.ics`` as a plain file with the shortcuts off
(``FOCUSCAL_NO_FASTPATH=1``: no scan, no cache). Backend waits between retries are patched away
(``googleapi.sleep``, ``dav._pause``, ``transport.sleep``).

The Microsoft Graph backend (tests/contract/test_source_outlook.py) is one more small class,
as the Google one is: a module-scoped fixture starts the fake Graph server, loads every dataset
into the calendar of its ``owner`` (converted from ``dataset.ics`` by
``tests/fakes/graph_week.py``; a dataset with ``floating`` times is left out) and puts a TLS
``FaultProxy`` in front of the Graph API for ``stall``/``cut``/``half``.
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from focuscal import app
from focuscal.cli import cli
from focuscal.config import Settings, settings_from_mapping
from focuscal.model import EventKind
from tests.fakes.contract_data import FIRST, LAST, WEEK, ZONES, Dataset, datasets

FAULTS = ("auth", "500", "503", "stall", "cut", "half")
PREFIX = "focuscal: error: "
# An exception class in a message: HttpError, OSError, DAVError, RemoteDisconnected, ReadTimeout
CLASS_NAME = re.compile(r"\b\w+(?:Error|Exception)\b|\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b")
TIMEOUT = 5  # seconds, for the runs that expect an answer (every server is on this machine)


@dataclass
class Scene:
    """A source read while a fault is in place."""

    uri: str
    env: dict[str, str] = field(default_factory=dict)
    config: str | None = None  # TOML instead of the backend's config()
    requests: Callable[[], int] | None = None


class Backend(Protocol):
    env: dict[str, str]

    def uri(self, dataset: Dataset) -> str: ...
    def config(self) -> str: ...
    def missing(self) -> str: ...
    def fault(self, kind: str) -> AbstractContextManager[Scene]: ...


def instances(loaded: app.Loaded) -> list[tuple[Any, ...]]:
    """What the contract compares of each classified instance: summary, start and end as UTC
    instants, kind, reason, external."""
    return sorted(
        (c.event.summary, c.event.start.astimezone(UTC), c.event.end.astimezone(UTC),
         c.kind.value, c.reason, c.external)
        for c in loaded.classified
    )


class Reference:
    """focuscal reading each dataset's ICS form as a plain file, computed once per session."""

    def __init__(self, folder: Any) -> None:
        self.folder = folder
        self.memo: dict[tuple[str, ...], Any] = {}

    def path(self, dataset: Dataset) -> str:
        path = self.folder / f"{dataset.name}.ics"
        if not path.exists():
            path.write_bytes(dataset.ics)
        return str(path)

    def load(self, dataset: Dataset, zone: str) -> app.Loaded:
        key = ("load", dataset.name, zone)
        if key not in self.memo:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("FOCUSCAL_NO_FASTPATH", "1")
                self.memo[key] = app.load(Settings(cache=False), [self.path(dataset)],
                                          app.Window(FIRST, LAST), ZoneInfo(zone))
        return self.memo[key]

    def audit(self, dataset: Dataset, zone: str) -> dict[str, Any]:
        key = ("audit", dataset.name, zone)
        if key not in self.memo:
            result = CliRunner().invoke(cli, ["audit", self.path(dataset), *audit_args(zone)],
                                        env={"FOCUSCAL_NO_FASTPATH": "1"})
            assert result.exit_code == 0, result.output
            self.memo[key] = json.loads(result.stdout)
        return self.memo[key]


def audit_args(zone: str) -> list[str]:
    return ["--week", WEEK, "--tz", zone, "--format", "json"]


class SourceContract:
    """Subclass and override ``backend``; see the module docstring for what it provides."""

    missing_exit = 1
    lacks: ClassVar[dict[str, str]] = {}  # notion -> why the backend has none
    lists_cancelled = True
    # test name with its parameters ("test_server_error[503]", or an fnmatch pattern) -> the
    # exact disagreement: marked xfail(strict=True), so the day it is fixed the mark must go
    disagrees: ClassVar[dict[str, str]] = {}

    @pytest.fixture
    def backend(self) -> Backend:
        raise NotImplementedError("override the backend fixture")

    @pytest.fixture(autouse=True)
    def _known_disagreements(self, request) -> None:
        for pattern, reason in self.disagrees.items():
            if request.node.name == pattern or fnmatch.fnmatchcase(request.node.name, pattern):
                request.node.add_marker(pytest.mark.xfail(strict=True, reason=reason))

    # ------------------------------------------------------------ fixtures and helpers

    @pytest.fixture(scope="session")
    @classmethod
    def reference(cls, tmp_path_factory) -> Reference:
        return Reference(tmp_path_factory.mktemp("reference"))

    @pytest.fixture(params=list(datasets()))
    def dataset(self, request) -> Dataset:
        found = datasets()[request.param]
        if found.floating:
            self.require("floating")
        return found

    @pytest.fixture(params=ZONES)
    def zone(self, request) -> str:
        return request.param

    @pytest.fixture(autouse=True)
    def _no_backoff_waits(self, monkeypatch) -> None:
        """Retries happen at once: the transport's waits between tries are patched away."""
        from focuscal import transport

        monkeypatch.setattr(transport, "sleep", lambda seconds: None)

    def require(self, notion: str) -> None:
        if notion in self.lacks:
            pytest.skip(f"{type(self).__name__} has no notion of {notion}: {self.lacks[notion]}")

    def load(self, backend: Backend, uri: str, zone: str, monkeypatch) -> app.Loaded:
        for key, value in backend.env.items():
            monkeypatch.setenv(key, value)
        settings = settings_from_mapping(_toml(f"timeout = {TIMEOUT}\n" + backend.config()),
                                         "backend config")
        return app.load(settings, [uri], app.Window(FIRST, LAST), ZoneInfo(zone))

    def run(self, backend: Backend, tmp_path, uri: str, *args: str, timeout: int = TIMEOUT,
            config: str | None = None, env: dict[str, str] | None = None) -> Result:
        """``focuscal --config FILE audit URI ARGS`` through click's runner."""
        path = tmp_path / "config.toml"
        path.write_text(f"timeout = {timeout}\n" + (backend.config() if config is None
                                                     else config))
        return CliRunner().invoke(cli, ["--config", str(path), "audit", uri, *args],
                                  env={**backend.env, **(env or {})})

    def expect_error(self, result: Result, where: str, exit_code: int) -> str:
        """One line on stderr, ``focuscal: error: `` naming ``where``; no traceback, no
        exception class name; ``exit_code``. Returns the line."""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        line = lines[0]
        assert line.startswith(PREFIX), line
        assert where in line, line
        assert "Traceback" not in result.stderr + result.stdout
        assert not CLASS_NAME.search(line.removeprefix(PREFIX)), line
        assert result.exit_code == exit_code, (result.exit_code, line)
        return line

    # ------------------------------------------------------------ (1) the same events

    def test_same_events(self, backend, reference, dataset, zone, monkeypatch):
        expected = reference.load(dataset, zone)
        wanted = instances(expected)
        if not self.lists_cancelled:
            wanted = [i for i in wanted if i[4] != "cancelled"]
        assert len(wanted) >= 5  # a real week, not an empty calendar
        loaded = self.load(backend, backend.uri(dataset), zone, monkeypatch)
        assert instances(loaded) == wanted
        assert loaded.me == expected.me == (dataset.owner,)

    # ------------------------------------------------------------ (2) the same audit

    def test_same_audit(self, backend, reference, dataset, zone, tmp_path):
        result = self.run(backend, tmp_path, backend.uri(dataset), *audit_args(zone))
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
        document = json.loads(result.stdout)
        expected = reference.audit(dataset, zone)
        assert expected["totals"]["working_minutes"] > 0
        assert document == expected

    # ------------------------------------------------------------ (3) window filtering

    @pytest.mark.parametrize("name", ["edges", "floating"])
    def test_window_edges(self, backend, name, zone, monkeypatch):
        """Instances just outside the window are not there; one across an edge is."""
        dataset = datasets()[name]
        if dataset.floating:
            self.require("floating")
        loaded = self.load(backend, backend.uri(dataset), zone, monkeypatch)
        present = {c.event.summary for c in loaded.classified}
        wanted = dataset.expected_in[zone]
        assert {s: s in present for s in wanted} == wanted

    # ------------------------------------------------------------ (4) floating and all-day

    def test_floating_times_are_read_in_the_analysis_zone(self, backend, zone, monkeypatch):
        self.require("floating")
        tz = ZoneInfo(zone)
        loaded = self.load(backend, backend.uri(datasets()["floating"]), zone, monkeypatch)
        review = [c.event for c in loaded.classified if c.event.summary == "Floating review"]
        assert [(e.start, e.end) for e in review] == [
            (datetime(2026, 3, 10, 10, tzinfo=tz), datetime(2026, 3, 10, 11, tzinfo=tz))]
        standups = sorted(c.event.start for c in loaded.classified
                          if c.event.summary == "Floating standup")
        assert standups == [datetime(2026, 3, d, 8, 30, tzinfo=tz) for d in range(9, 14)]
        assert {c.kind for c in loaded.classified if c.event.summary.startswith("Floating")} == {
            EventKind.MEETING}

    def test_all_day_dates_are_read_in_the_analysis_zone(self, backend, zone, monkeypatch):
        tz = ZoneInfo(zone)
        loaded = self.load(backend, backend.uri(datasets()["edges"]), zone, monkeypatch)
        by_summary = {c.event.summary: c for c in loaded.classified}
        holiday = by_summary["Holiday"]
        assert holiday.kind is EventKind.OUT_OF_OFFICE
        assert holiday.event.all_day
        midnight = datetime.combine(date(2026, 3, 13), clock(0), tz)
        assert (holiday.event.start, holiday.event.end) == (midnight, midnight + timedelta(1))
        assert by_summary["Label on the first Monday"].reason == "all-day event"
        days = {d.date: d for d in app.measure(loaded).period.days}
        assert days[date(2026, 3, 13)].status == "off"
        assert days[date(2026, 3, 12)].status == "workday"

    # ------------------------------------------------------------ (5) the same errors

    def test_missing_calendar(self, backend, tmp_path):
        uri = backend.missing()
        result = self.run(backend, tmp_path, uri, "--week", WEEK)
        self.expect_error(result, uri, self.missing_exit)

    def test_auth_refused(self, backend, tmp_path):
        self.require("auth")
        with backend.fault("auth") as scene:
            result = self.run(backend, tmp_path, scene.uri, "--week", WEEK, env=scene.env,
                              config=scene.config)
        self.expect_error(result, scene.uri, 1)
        for secret in scene.env.values():
            assert secret not in result.output

    @pytest.mark.parametrize("status", ["500", "503"])
    def test_server_error(self, backend, tmp_path, status):
        """Answered to every request: one line naming the status, exit 1; a 503 (the server
        says it is unavailable for now) is tried again before giving up."""
        self.require("server")
        with backend.fault(status) as scene:
            result = self.run(backend, tmp_path, scene.uri, "--week", WEEK, env=scene.env,
                              config=scene.config)
            tries = scene.requests() if scene.requests else None
        line = self.expect_error(result, scene.uri, 1)
        assert status in line
        if status == "503":
            assert tries is not None
            assert tries > 1, f"a 503 was not tried again ({tries} request)"

    def test_timeout(self, backend, tmp_path):
        self.require("timeout")
        with backend.fault("stall") as scene:
            started = time.monotonic()
            result = self.run(backend, tmp_path, scene.uri, "--week", WEEK, timeout=1,
                              env=scene.env, config=scene.config)
            elapsed = time.monotonic() - started
        line = self.expect_error(result, scene.uri, 1)
        assert "1 s" in line
        assert elapsed < 15

    @pytest.mark.parametrize("kind", ["cut", "half"])
    def test_connection_cut(self, backend, tmp_path, kind):
        """The connection closes before the answer (cut) or half-way through it (half)."""
        self.require("cut")
        with backend.fault(kind) as scene:
            result = self.run(backend, tmp_path, scene.uri, "--week", WEEK, env=scene.env,
                              config=scene.config)
        self.expect_error(result, scene.uri, 1)


def _toml(text: str) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(text)


def scene_requests(counter: Callable[[], int]) -> Callable[[], int]:
    """A ``Scene.requests`` that counts from now on."""
    start = counter()
    return lambda: counter() - start


