"""focuscal's folders in the user cache directory, readable only by the user.

Caches hold what calendars hold (bodies of subscriptions, Google events) and secret
subscription URLs: every folder is 0700 and every file 0600, whatever the umask, and a folder
an older version made with looser permissions is tightened when it is used.
"""

from __future__ import annotations

import os
from pathlib import Path

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
