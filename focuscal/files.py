"""Atomic file writes: a temporary file in the same folder, fsync, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from focuscal.errors import InputError


def write_atomic(path: Path, data: bytes, *, mode: int | None = None,
                 parents: bool = False) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new file, never a mix.

    ``mode`` sets the permissions before the rename (0o600 for secrets). Only the file is
    created: a missing folder is an InputError naming the path, unless ``parents`` (for
    focuscal's own cache and data folders, never for a path the user gave).
    """
    folder = path.parent
    if parents:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"cannot write: the folder {folder} {problem}", where=str(path),
                         hint="focuscal creates the file, not its folder")
    if path.is_dir():
        raise InputError("cannot write: this is a folder; name a file in it", where=str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
