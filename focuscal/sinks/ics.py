"""ICS sink: focuscal's blocks in an ``.ics`` file or in a folder of ``.ics`` files (a vdir).

``ics:PATH`` names the target; an existing folder (or a path ending in ``/``) is a vdir that
gets one file per block, ``<uid>.ics``, anything else a single calendar file (created when
missing). The canonical target, from which block ids are derived, is ``ics:`` and the absolute
path.

Writing never re-serialises anything focuscal did not create: ``focuscal.ical.splice`` keeps
the file's own bytes and only cuts focuscal's VEVENTs out or splices them in, in the file's own
line endings; the VEVENTs are ``focuscal.ical.write``'s (UTC times, ``X-FOCUSCAL-BLOCK:1``, a
DTSTAMP derived from the block, so booking the same blocks twice gives the same bytes). Every
write is atomic (temporary file, then rename) and the previous version is kept as
``PATH.bak``, both with the mode of the original (``focuscal.files``). A read-only target is
refused; an advisory lock serialises runs that book into one target at once, and what a run
reports as applied has been read back from the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from focuscal import files
from focuscal.errors import InputError, RunError
from focuscal.ical.booked import marked_blocks
from focuscal.ical.splice import cut, has_content, splice
from focuscal.ical.write import calendar, new_calendar, vevent
from focuscal.model import Block, Interval
from focuscal.results import Applied
from focuscal.sinks import Changes

if TYPE_CHECKING:
    from focuscal.config import Settings

VDIR_NAMES = r".+\.ics(?:\.bak)?"  # the files of a vdir focuscal writes (for stale temporaries)


def open_sink(target: str, settings: Settings) -> IcsSink:
    """The sink for ``ics:PATH``."""
    raw = target[4:] if target.lower().startswith("ics:") else target
    raw = raw.removeprefix("file://")
    if not raw.strip():
        raise InputError("ics: needs a path, e.g. ics:~/calendars/work.ics", where=target)
    path = Path(raw).expanduser().resolve()
    folder = path.is_dir() or raw.endswith(("/", os.sep))
    if path.suffix.lower() == ".bak":
        raise InputError("refusing to book into a .bak file", where=str(path))
    return IcsSink(f"ics:{path}", path, folder, settings.timezone or UTC)


@dataclass
class IcsSink:
    """A calendar file or vdir. ``tz`` reads floating times of blocks edited by hand."""

    target: str
    path: Path
    folder: bool
    tz: tzinfo = UTC

    # ------------------------------------------------------------ reading

    def booked(self, window: Interval) -> list[Block]:
        """focuscal's own blocks (``ical.booked.marked_blocks``) overlapping ``window``; UTC."""
        out = []
        for file in self._files():
            for block in marked_blocks(_read(file), str(file), self.tz):
                if block.interval.overlaps(window):
                    out.append(block)
        return sorted(out, key=lambda b: (b.start, b.end, b.uid))

    def _files(self) -> list[Path]:
        if self.folder:
            if not self.path.is_dir():
                return []
            return sorted(p for p in self.path.iterdir()
                          if p.suffix.lower() == ".ics" and p.is_file())
        return [self.path] if self.path.is_file() else []

    # ------------------------------------------------------------ writing

    def apply(self, changes: Changes, summary: str) -> Applied:
        """Remove ``changes.remove`` then add ``changes.add``; nothing else is touched.

        A read-only target is refused. The target's lock is held from reading it again to the
        rename, so two runs booking into one calendar at once both keep their blocks; after
        writing, the file is read once more and a block that is not there (another program
        replaced the file at that moment) is reported as failed, never as applied."""
        applied = Applied()
        if changes.empty:
            return applied
        folder = self.path if self.folder else self.path.parent
        files.require_folder(folder, str(self.path))
        for path in dict.fromkeys((self.path, folder)):
            files.refuse_read_only(path)
        with files.locked(self.lock_path):
            if self.folder:
                files.clean_stale(self.path, VDIR_NAMES)
                self._apply_folder(changes, summary, applied)
            else:
                self._apply_file(changes, summary, applied)
        return applied

    @property
    def lock_path(self) -> Path:
        """The lock file while a run writes (``files.locked``): ``.NAME.lock`` next to a
        calendar file, ``.focuscal.lock`` in a vdir."""
        if self.folder:
            return self.path / ".focuscal.lock"
        return self.path.with_name(f".{self.path.name}.lock")

    def _apply_file(self, changes: Changes, summary: str, applied: Applied) -> None:
        old = _read(self.path) if self.path.exists() else None
        text = old.decode("utf-8", "surrogateescape") if old is not None else new_calendar()
        where = str(self.path)
        newline = "\r\n" if "\r\n" in text or old is None else "\n"
        lines, removed, present = cut(text, {b.uid for b in changes.remove}, where)
        adding = [b for b in changes.add if b.uid not in present]
        applied.notes.extend(
            f"{b.uid} is already in the file" for b in changes.add if b.uid in present
        )
        if not removed and not adding:
            return  # unchanged: not even the file's timestamp moves
        events = "".join(vevent(b, summary, self.target, newline) for b in adding)
        result = splice(lines, events, where)
        self._write(self.path, result.encode("utf-8", "surrogateescape"), old)
        there = _marked_uids(self.path)
        _verify(applied, [b for b in changes.remove if b.uid in removed], adding,
                lambda b: b.uid in there)

    def _apply_folder(self, changes: Changes, summary: str, applied: Applied) -> None:
        remove = {b.uid: b for b in changes.remove}
        present: dict[str, Path] = {}  # focuscal's blocks that stay, by uid, wherever they are
        removed_from: dict[str, Path] = {}
        for file in self._files():
            old = _read(file)
            text = old.decode("utf-8", "surrogateescape")
            lines, removed, kept = cut(text, set(remove), str(file))
            present.update((uid, file) for uid in kept if uid not in present)
            if not removed:
                continue
            if not _writable(file):
                applied.failed.extend((remove[uid], f"{file.name} is read-only: left alone")
                                      for uid in sorted(removed))
                continue
            rest = "".join(lines)
            if has_content(rest):
                self._write(file, rest.encode("utf-8", "surrogateescape"), old)
            else:
                try:
                    file.unlink()
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise RunError(f"cannot remove: {exc.strerror or exc}",
                                   where=str(file)) from exc
            removed_from.update((uid, file) for uid in removed)
        adding = []
        for block in changes.add:
            file = self.path / f"{block.uid}.ics"
            if file.exists():
                applied.notes.append(f"{file.name} already exists")
                continue
            if block.uid in present:  # already booked, in a file of another name
                applied.notes.append(f"{block.uid} is already in {present[block.uid].name}")
                continue
            text = calendar([block], summary, self.target)
            self._write(file, text.encode("utf-8"), None)
            adding.append(block)
        _verify(applied, [remove[uid] for uid in sorted(removed_from)], adding,
                lambda b: b.uid in _marked_uids(removed_from.get(b.uid)
                                                or self.path / f"{b.uid}.ics"))

    def _write(self, path: Path, data: bytes, old: bytes | None) -> None:
        """``data`` into ``path`` atomically, the previous version kept as ``NAME.bak``; both
        keep the mode of the original."""
        try:
            if old is not None:
                files.write_atomic(path.with_name(path.name + ".bak"), old,
                                   mode=files.file_mode(path))
            files.write_atomic(path, data)
        except OSError as exc:
            raise RunError(f"cannot write: {exc.strerror or exc}", where=str(path)) from exc


def _verify(applied: Applied, removed: list[Block], added: list[Block],
            there: Callable[[Block], bool]) -> None:
    """Report what the files now hold: a removed block still ``there``, or an added one not
    ``there``, failed (another program replaced the file at the same moment)."""
    lost = "not in the calendar after writing (another program changed it at the same time)"
    for block in removed:
        if there(block):
            applied.failed.append((block, "still in the calendar after writing (another "
                                          "program changed it at the same time)"))
        else:
            applied.removed.append(block)
    for block in added:
        if there(block):
            applied.added.append(block)
        else:
            applied.failed.append((block, lost))


# ---------------------------------------------------------------- files


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from exc


def _marked_uids(path: Path) -> set[str]:
    """The uids of focuscal's VEVENTs in ``path`` as it is now; none when it is gone."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise RunError(f"cannot read it back: {exc.strerror or exc}", where=str(path)) from exc
    return cut(data.decode("utf-8", "surrogateescape"), set(), str(path))[2]


def _writable(path: Path) -> bool:
    try:
        files.refuse_read_only(path)
    except RunError:
        return False
    return True
