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
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from focuscal import files
from focuscal.errors import InputError, RunError
from focuscal.ical.booked import marked_blocks
from focuscal.ical.splice import cut, has_content, splice
from focuscal.ical.write import calendar, new_calendar, vevent
from focuscal.model import Block, Interval
from focuscal.results import Applied
from focuscal.sinks.base import Sink

if TYPE_CHECKING:
    from focuscal.config import Settings

VDIR_NAMES = r".+\.ics(?:\.bak)?"  # the files of a vdir focuscal writes (for stale temporaries)
LOST = "not in the calendar after writing (another program changed it at the same time)"
STILL = "still in the calendar after writing (another program changed it at the same time)"

S = TypeVar("S")


def open_sink(target: str, settings: Settings) -> IcsFile | Vdir:
    """The sink for ``ics:PATH``: a vdir when PATH is a folder (or ends in ``/``)."""
    raw = target[4:] if target.lower().startswith("ics:") else target
    raw = raw.removeprefix("file://")
    if not raw.strip():
        raise InputError("ics: needs a path, e.g. ics:~/calendars/work.ics", where=target)
    path = Path(raw).expanduser().resolve()
    if path.suffix.lower() == ".bak":
        raise InputError("refusing to book into a .bak file", where=str(path))
    kind = Vdir if path.is_dir() or raw.endswith(("/", os.sep)) else IcsFile
    return kind(f"ics:{path}", path, settings.timezone or UTC)


@dataclass
class IcsTarget(Sink[S]):
    """A calendar file or vdir. ``tz`` reads floating times of blocks edited by hand."""

    target: str
    path: Path
    tz: tzinfo = UTC

    @property
    def folder(self) -> Path:
        """The folder focuscal writes in."""
        return self.path.parent

    @property
    @abstractmethod
    def lock_path(self) -> Path:
        """The lock file while a run writes (``files.locked``)."""

    @abstractmethod
    def files(self) -> list[Path]:
        """The files that hold the target's events."""

    # ------------------------------------------------------------ reading

    def marked(self, window: Interval) -> Iterable[Block]:
        """focuscal's own blocks in the files (``ical.booked.marked_blocks``); UTC."""
        for file in self.files():
            yield from marked_blocks(_read(file), str(file), self.tz)

    # ------------------------------------------------------------ writing

    @contextmanager
    def locked(self, applied: Applied) -> Iterator[None]:
        """The frame of every write: a read-only target is refused; the target's lock is held
        from reading it again to the rename, so two runs booking into one calendar at once
        both keep their blocks; at the end the files are read once more and a block that is
        not as reported (another program replaced a file at that moment) is failed."""
        files.require_folder(self.folder, str(self.path))
        for path in dict.fromkeys((self.path, self.folder)):
            files.refuse_read_only(path)
        with files.locked(self.lock_path):
            yield
            self._verify(applied)

    def _verify(self, applied: Applied) -> None:
        there: set[str] = set()
        for file in self.files():
            there |= _marked_uids(file)
        applied.failed.extend((b, LOST) for b in applied.added if b.uid not in there)
        applied.failed.extend((b, STILL) for b in applied.removed if b.uid in there)
        applied.added[:] = [b for b in applied.added if b.uid in there]
        applied.removed[:] = [b for b in applied.removed if b.uid not in there]

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


@dataclass
class Draft:
    """A calendar file's text while a run edits it: focuscal's VEVENTs cut out of its lines,
    new ones to splice in, in the file's own line endings."""

    where: str
    old: bytes | None  # the file as it was; None when it is new
    lines: list[str]
    present: set[str]  # focuscal's blocks in it, by uid
    newline: str
    events: list[str] = field(default_factory=list)
    changed: bool = False

    @classmethod
    def read(cls, path: Path) -> Draft:
        old = _read(path) if path.exists() else None
        text = old.decode("utf-8", "surrogateescape") if old is not None else new_calendar()
        lines, _, present = cut(text, set(), str(path))
        newline = "\r\n" if "\r\n" in text or old is None else "\n"
        return cls(str(path), old, lines, present, newline)

    def cut(self, uids: set[str]) -> set[str]:
        """Take focuscal's VEVENTs of ``uids`` out; the uids that were there."""
        self.lines, removed, self.present = cut("".join(self.lines), uids, self.where)
        self.changed |= bool(removed)
        return removed

    def data(self) -> bytes:
        return splice(self.lines, "".join(self.events), self.where).encode(
            "utf-8", "surrogateescape")


class IcsFile(IcsTarget[Draft]):
    """One calendar file (created when missing); the run's changes are one write."""

    @property
    def lock_path(self) -> Path:
        """``.NAME.lock`` next to the file."""
        return self.path.with_name(f".{self.path.name}.lock")

    def files(self) -> list[Path]:
        return [self.path] if self.path.is_file() else []

    @contextmanager
    def writing(self, applied: Applied) -> Iterator[Draft]:
        with self.locked(applied):
            draft = Draft.read(self.path)
            yield draft
            if draft.changed:  # unchanged: not even the file's timestamp moves
                self._write(self.path, draft.data(), draft.old)

    def remove(self, session: Draft, blocks: Sequence[Block], applied: Applied) -> None:
        removed = session.cut({b.uid for b in blocks})
        applied.removed.extend(b for b in blocks if b.uid in removed)

    def add(self, session: Draft, blocks: Sequence[Block], summary: str,
            applied: Applied) -> None:
        for block in blocks:
            if block.uid in session.present:
                applied.already.append(block)
                continue
            session.events.append(vevent(block, summary, self.target, session.newline))
            session.present.add(block.uid)
            session.changed = True
            applied.added.append(block)


class Vdir(IcsTarget[None]):
    """A folder of calendar files: one ``<uid>.ics`` per block focuscal books."""

    @property
    def folder(self) -> Path:
        return self.path

    @property
    def lock_path(self) -> Path:
        """``.focuscal.lock`` in the folder (readers of a vdir look only at ``.ics`` files)."""
        return self.path / ".focuscal.lock"

    def files(self) -> list[Path]:
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.iterdir() if p.suffix.lower() == ".ics" and p.is_file())

    @contextmanager
    def writing(self, applied: Applied) -> Iterator[None]:
        with self.locked(applied):
            files.clean_stale(self.path, VDIR_NAMES)
            yield None

    def _present(self) -> dict[str, Path]:
        """The file of each of focuscal's blocks, by uid."""
        present: dict[str, Path] = {}
        for file in self.files():
            for uid in _marked_uids(file):
                present.setdefault(uid, file)
        return present

    def remove(self, session: None, blocks: Sequence[Block], applied: Applied) -> None:
        remove = {b.uid: b for b in blocks}
        for file in self.files():
            old = _read(file)
            lines, removed, _ = cut(old.decode("utf-8", "surrogateescape"), set(remove),
                                    str(file))
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
                _unlink(file)
            applied.removed.extend(remove[uid] for uid in sorted(removed))

    def add(self, session: None, blocks: Sequence[Block], summary: str,
            applied: Applied) -> None:
        present = self._present()
        for block in blocks:
            file = self.path / f"{block.uid}.ics"
            if block.uid in present:  # booked already, perhaps in a file of another name
                applied.already.append(block)
            elif file.exists():
                applied.failed.append((block, f"{file.name} exists and is not a block "
                                              "focuscal booked: left alone"))
            else:
                self._write(file, calendar([block], summary, self.target).encode("utf-8"), None)
                applied.added.append(block)


# ---------------------------------------------------------------- files


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from exc


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise RunError(f"cannot remove: {exc.strerror or exc}", where=str(path)) from exc


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
