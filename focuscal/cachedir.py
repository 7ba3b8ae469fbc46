"""focuscal's folders in the user cache directory, readable only by the user.

Caches hold what calendars hold (bodies of subscriptions, Google events) and secret
subscription URLs: every folder is 0700 and every file 0600, whatever the umask, and a folder
an older version made with looser permissions is tightened when it is used.

``write_entry`` and ``read_entry`` are the format of the events cache and of the cache of
audits: a JSON header line (format, key, SHA-256 of the payload), then the payload; an entry
that is foreign, for another key or altered is refused, never trusted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def folder(*parts: str) -> Path:
    """``user_cache_path("focuscal") / parts``, each level made (or tightened) to 0700."""
    from platformdirs import user_cache_path

    path = user_cache_path("focuscal")
    private_folder(path)
    for part in parts:
        path = path / part
        private_folder(path)
    return path


def private_folder(path: Path) -> None:
    """Make ``path`` (and missing parents) a folder only the user may enter."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != FOLDER_MODE:
        os.chmod(path, FOLDER_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty if missing, and make it readable and writable by the user only
    (before a library such as sqlite3 opens it with the umask's mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    if path.stat().st_mode & 0o777 != FILE_MODE:
        os.chmod(path, FILE_MODE)


def write_entry(folder_path: Path, key: str, fmt: str, doc: Any, keep: int) -> None:
    """Write ``doc`` (JSON) as the entry ``key`` of format ``fmt`` atomically (mode 0600) into
    ``folder_path`` and keep its newest ``keep`` entries; a cache that cannot be written is no
    error."""
    import hashlib
    import json

    from focuscal.files import write_atomic

    payload = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = json.dumps({"format": fmt, "key": key,
                         "sha256": hashlib.sha256(payload).hexdigest()}).encode()
    try:
        write_atomic(folder_path / f"{key}.json", header + b"\n" + payload, mode=FILE_MODE)
        entries = list(folder_path.glob("*.json"))
        if len(entries) > keep:
            entries.sort(key=lambda p: p.stat().st_mtime_ns)
            for old in entries[: len(entries) - keep]:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def read_entry(folder_path: Path, key: str, fmt: str, decode: Callable[[Any], T]) -> T | None:
    """``decode`` of the document of the entry ``key`` of format ``fmt`` in ``folder_path``;
    None when it is missing, unreadable, foreign, for another key, altered, or ``decode``
    refuses it in any way."""
    import hashlib
    import json

    try:
        head, sep, payload = (folder_path / f"{key}.json").read_bytes().partition(b"\n")
        header = json.loads(head)
        if (not sep or not isinstance(header, dict) or header.get("format") != fmt
                or header.get("key") != key
                or header.get("sha256") != hashlib.sha256(payload).hexdigest()):
            return None
        return decode(json.loads(payload))
    except Exception:  # whatever is wrong with it, it is rebuilt, never trusted
        return None
