from __future__ import annotations

import pytest

from tests.radicale import Radicale


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    """One Radicale server for the whole session; tests make their own calendars."""
    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    yield server
    server.stop()
