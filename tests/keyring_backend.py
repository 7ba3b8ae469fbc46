"""A real keyring backend for the tests (``PYTHON_KEYRING_BACKEND=tests.keyring_backend.
FileKeyring``): passwords from the JSON file named by $FOCUSCAL_TEST_KEYRING,
{"service": {"key": "password"}}. The system keyring is never touched."""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordSetError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _load(self) -> dict:
        with open(os.environ["FOCUSCAL_TEST_KEYRING"], encoding="utf-8") as handle:
            return json.load(handle)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("read-only test keyring")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordSetError("read-only test keyring")
