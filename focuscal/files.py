"""Files focuscal writes: atomic replacement, modes that keep private files private, stale
temporary files cleaned, an advisory lock for read-modify-write, and read-only files refused.

An atomic write goes to a temporary file ``.NAME.PID.XXXXXXXX.tmp`` in the same folder (fsync,
then a rename), so a reader sees the old or the new file, never a mix. A writer killed in
between (kill -9, power loss) leaves that file behind; the next write of the same name removes
it once it is stale: its writer's process is gone, or it is older than ``STALE_AFTER``.
"""

from __future__ import annotations

import fcntl
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from focuscal.errors import InputError, RunError

LOCK_WAIT = 60.0  # seconds to wait for another focuscal writing the same target
STALE_AFTER = 600.0  # seconds after which a temporary file is stale whoever wrote it
_RANDOM = r"[a-z0-9_]{8}"  # tempfile's random part


def write_atomic(path: Path, data: bytes, *, mode: int | None = None,
                 parents: bool = False) -> None:
    """Replace ``path`` with ``data`` so a reader sees the old or the new file, never a mix.

    ``mode`` sets the permissions before the rename (0o600 for secrets); without it an
    existing file keeps its mode and a new one gets ``new_file_mode``. Only the file is
    created: a missing folder is an InputError naming the path, unless ``parents`` (for
    focuscal's own cache and data folders, never for a path the user gave). Stale temporary
    files of earlier writes of ``path`` are removed first.
    """
    folder = path.parent
    if parents:
        folder.mkdir(parents=True, exist_ok=True)
    else:
        require_folder(folder, str(path))
    if path.is_dir():
        raise InputError("cannot write: this is a folder; name a file in it", where=str(path))
    clean_stale(folder, re.escape(path.name))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            mode = file_mode(path) if path.exists() else new_file_mode(folder)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def require_folder(folder: Path, where: str) -> None:
    """An InputError naming ``where`` unless ``folder`` is an existing folder: focuscal
    creates files, never the folders the user names."""
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"cannot write: the folder {folder} {problem}", where=where,
                         hint="focuscal creates the file, not its folder")


def file_mode(path: Path) -> int:
    """The permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


def new_file_mode(folder: Path) -> int:
    """The mode of a new file in ``folder``: the umask's, giving no class of users (owner,
    group, others) access that the folder does not give them already (a calendar in a 0700
    folder is 0600, in a 0755 folder 0644 under the usual umask)."""
    umask = os.umask(0)
    os.umask(umask)
    mode = 0o666 & ~umask
    folder_mode = file_mode(folder)
    for shift in (6, 3, 0):  # owner, group, others: no way in without the folder's x bit
        if not folder_mode & (0o1 << shift):
            mode &= ~(0o7 << shift)
    return mode


def clean_stale(folder: Path, name: str) -> list[Path]:
    """Remove focuscal's stale temporary files in ``folder`` for the file names matching the
    regular expression ``name``; returns what was removed. Only focuscal's own pattern
    (``.NAME.PID.XXXXXXXX.tmp``, or ``.NAME.XXXXXXXX.tmp`` of older versions) is ever touched,
    and only when stale (``is_stale``); a file that cannot be removed is left."""
    pattern = re.compile(rf"\.(?:{name})\.(?:(\d+)\.)?{_RANDOM}\.tmp", re.IGNORECASE)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = int(match.group(1)) if match.group(1) else None
        try:
            if is_stale(pid, entry.stat(follow_symlinks=False).st_mtime):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def is_stale(pid: int | None, mtime: float) -> bool:
    """Whether a temporary file written by ``pid`` (None: not recorded) at ``mtime`` is
    abandoned: its writer is gone, or it is older than any write takes (``STALE_AFTER``,
    which also covers a reused pid)."""
    if time.time() - mtime > STALE_AFTER:
        return True
    return pid is not None and not _running(pid)


def _running(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or a number no pid can be
        return False
    except PermissionError:  # another user's process
        return True
    return True


def refuse_read_only(path: Path) -> None:
    """A RunError when ``path`` exists and is read-only: no write bit at all (root included,
    who could write anyway), or not writable by this user. focuscal never replaces what the
    user protected."""
    try:
        mode = file_mode(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RunError(f"cannot write: {exc.strerror or exc}", where=str(path)) from exc
    need = os.W_OK | os.X_OK if path.is_dir() else os.W_OK
    if not mode & 0o222 or not os.access(path, need):
        kind = "folder" if path.is_dir() else "file"
        raise RunError(f"the {kind} is read-only: focuscal will not replace it",
                       where=str(path),
                       hint="make it writable (chmod u+w) or book into another calendar")


@contextmanager
def locked(path: Path, *, wait: float | None = None) -> Iterator[None]:
    """Hold an exclusive advisory lock (``flock``) on the lock file ``path`` for the block.

    The file is created when missing and removed when the block ends, so no lock file stays
    next to the user's calendar: a waiter that gets the lock of a file already removed (or
    replaced) by the holder before it starts again with the file now there. Another focuscal
    holding the lock is waited for up to ``wait`` seconds (``LOCK_WAIT``), then a RunError.
    A lock ends with its process however it dies."""
    wait = LOCK_WAIT if wait is None else wait
    give_up = time.monotonic() + wait
    while True:
        fd = _lock_once(path, give_up, wait)
        try:
            if _same_file(fd, path):
                try:
                    yield
                finally:
                    with suppress(OSError):
                        os.unlink(path)
                return
        finally:
            os.close(fd)


def _lock_once(path: Path, give_up: float, wait: float) -> int:
    """A descriptor of ``path`` (created) holding its flock."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, new_file_mode(path.parent))
    except OSError as exc:
        raise RunError(f"cannot lock: {exc.strerror or exc}", where=str(path)) from exc
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= give_up:
                os.close(fd)
                raise RunError(f"another focuscal has been writing here for {wait:g} s",
                               where=str(path), hint="try again when it has finished") from None
            time.sleep(0.01)


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
