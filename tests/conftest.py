from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "ics"

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Keep config, cache and data of the user's real home out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("FOCUSCAL_CONFIG", raising=False)
    monkeypatch.delenv("FOCUSCAL_DEBUG", raising=False)


@pytest.fixture(params=ZONES)
def tz(request) -> ZoneInfo:
    return ZoneInfo(request.param)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 3, 9, 8, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.fixture
def fake_google():
    """A fake Google Calendar v3 server on 127.0.0.1 (tests/fakes/google_server.py)."""
    from tests.fakes.google_server import FakeGoogle

    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def no_backoff(monkeypatch):
    """Retries (of every backend, through focuscal.transport) happen at once; the waits are
    recorded."""
    from focuscal import transport

    waits: list[float] = []
    monkeypatch.setattr(transport, "sleep", waits.append)
    return waits
