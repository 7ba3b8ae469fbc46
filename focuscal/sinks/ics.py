"""ICS sink: focuscal's blocks in an ``.ics`` file or in a folder of ``.ics`` files (a vdir).

``ics:PATH`` names the target; an existing folder (or a path ending in ``/``) is a vdir that
gets one file per block, ``<uid>.ics``, anything else a single calendar file (created when
missing). The canonical target, from which block ids are derived, is ``ics:`` and the absolute
path.

Writing never re-serialises anything focuscal did not create: the file's own bytes are kept and
only focuscal's VEVENTs are cut out or spliced in before the last ``END:VCALENDAR``, in the
file's own line endings. Every write is atomic (temporary file, then rename) and the previous
version is kept as ``PATH.bak``. Booked VEVENTs hold UTC times, ``X-FOCUSCAL-BLOCK:1`` and a
DTSTAMP derived from the block, so booking the same blocks twice gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from focuscal.errors import InputError, RunError
from focuscal.model import Block, Interval, block_id
from focuscal.results import Applied
from focuscal.sinks import Changes

if TYPE_CHECKING:
    from focuscal.config import Settings

PRODID = "-//focuscal//focus blocks//EN"
MARK = "X-FOCUSCAL-BLOCK"
CONTENT = ("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY")


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
        """focuscal's own blocks (marked VEVENTs with a timed start) touching ``window``."""
        out = []
        for file in self._files():
            for block in marked_blocks(_read(file), str(file), self.tz):
                if block.start < window.end and block.end > window.start:
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
        """Remove ``changes.remove`` then add ``changes.add``; nothing else is touched."""
        applied = Applied()
        if self.folder:
            self._apply_folder(changes, summary, applied)
        else:
            self._apply_file(changes, summary, applied)
        return applied

    def _apply_file(self, changes: Changes, summary: str, applied: Applied) -> None:
        old = _read(self.path) if self.path.exists() else None
        text = (
            old.decode("utf-8", "surrogateescape") if old is not None else new_calendar("\r\n")
        )
        where = str(self.path)
        newline = "\r\n" if "\r\n" in text or old is None else "\n"
        lines, removed, present = cut(text, {b.uid for b in changes.remove}, where)
        applied.removed.extend(b for b in changes.remove if b.uid in removed)
        adding = [b for b in changes.add if b.uid not in present]
        applied.notes.extend(
            f"{b.uid} is already in the file" for b in changes.add if b.uid in present
        )
        if not removed and not adding:
            return  # unchanged: not even the file's timestamp moves
        events = "".join(vevent(b, summary, self.target, newline) for b in adding)
        result = splice(lines, events, where)
        self._write(self.path, result.encode("utf-8", "surrogateescape"), old)
        applied.added.extend(adding)

    def _apply_folder(self, changes: Changes, summary: str, applied: Applied) -> None:
        remove = {b.uid: b for b in changes.remove}
        for file in self._files():
            old = _read(file)
            text = old.decode("utf-8", "surrogateescape")
            lines, removed, _ = cut(text, set(remove), str(file))
            if not removed:
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
                                   where=str(file)) from None
            applied.removed.extend(remove[uid] for uid in sorted(removed))
        for block in changes.add:
            file = self.path / f"{block.uid}.ics"
            if file.exists():
                applied.notes.append(f"{file.name} already exists")
                continue
            text = splice(physical(new_calendar("\r\n")),
                          vevent(block, summary, self.target, "\r\n"), str(file))
            self._write(file, text.encode("utf-8"), None)
            applied.added.append(block)

    def _write(self, path: Path, data: bytes, old: bytes | None) -> None:
        from focuscal.files import write_atomic

        try:
            if old is not None:
                write_atomic(path.with_name(path.name + ".bak"), old)
            write_atomic(path, data)
        except OSError as exc:
            raise RunError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None


# ---------------------------------------------------------------- raw ICS text


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None


def physical(text: str) -> list[str]:
    """The lines of ``text`` with their endings; only LF ends a line (CR LF included), so
    joining them gives back ``text`` exactly."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def new_calendar(newline: str) -> str:
    return newline.join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
         "END:VCALENDAR", ""]
    )


def _logical(lines: Sequence[str]) -> Iterable[tuple[int, str]]:
    """(index of the first physical line, unfolded content) of each content line."""
    current: list[str] = []
    start = 0
    for n, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if body[:1] in (" ", "\t") and current:
            current.append(body[1:])
            continue
        if current:
            yield start, "".join(current)
        current, start = [body], n
    if current:
        yield start, "".join(current)


def _name_value(content: str) -> tuple[str, str]:
    head, _, value = content.partition(":")
    return head.split(";", 1)[0].strip().upper(), value


@dataclass(frozen=True)
class _Component:
    first: int  # index of its BEGIN line
    last: int  # index of the line after its END line
    uid: str
    marked: bool


def components(lines: Sequence[str], where: str) -> tuple[list[_Component], int]:
    """The VEVENTs directly inside a VCALENDAR, and the index of the last END:VCALENDAR."""
    stack: list[str] = []
    found: list[_Component] = []
    end_calendar = -1
    begin = 0
    uid, marked = "", False
    logical = list(_logical(lines))
    for pos, (n, content) in enumerate(logical):
        name, value = _name_value(content)
        if name == "BEGIN":
            stack.append(value.strip().upper())
            if stack == ["VCALENDAR", "VEVENT"]:
                begin, uid, marked = n, "", False
        elif name == "END":
            kind = value.strip().upper()
            if not stack or stack[-1] != kind:
                raise InputError(f"END:{kind} does not close BEGIN:{stack[-1] if stack else '-'}",
                                 where=where, line=n + 1)
            if stack == ["VCALENDAR", "VEVENT"]:
                after = logical[pos + 1][0] if pos + 1 < len(logical) else len(lines)
                found.append(_Component(begin, after, uid, marked))
            if stack == ["VCALENDAR"]:
                end_calendar = n
            stack.pop()
        elif stack == ["VCALENDAR", "VEVENT"]:
            if name == "UID":
                uid = value.strip()
            elif name == MARK:
                marked = value.strip().upper() not in ("", "0", "FALSE")
    if stack:
        raise InputError(f"BEGIN:{stack[-1]} is never closed", where=where)
    if end_calendar < 0:
        raise InputError("no VCALENDAR found, not an iCalendar file", where=where)
    return found, end_calendar


def cut(text: str, uids: set[str], where: str) -> tuple[list[str], set[str], set[str]]:
    """Physical lines of ``text`` without the marked VEVENTs whose UID is in ``uids``.

    Returns the lines, the uids removed and the uids of the marked VEVENTs that remain.
    """
    lines = physical(text)
    found, _ = components(lines, where)
    drop: set[int] = set()
    removed: set[str] = set()
    present: set[str] = set()
    for c in found:
        if c.marked and c.uid in uids:
            drop.update(range(c.first, c.last))
            removed.add(c.uid)
        elif c.marked:
            present.add(c.uid)
    return [line for n, line in enumerate(lines) if n not in drop], removed, present


def splice(lines: list[str], events: str, where: str) -> str:
    """``events`` inserted before the last END:VCALENDAR of ``lines``."""
    _, end = components(lines, where)
    return "".join(lines[:end]) + events + "".join(lines[end:])


def has_content(text: str) -> bool:
    """Whether a calendar still holds an event, task, journal or free/busy component."""
    for _, content in _logical(physical(text)):
        name, value = _name_value(content)
        if name == "BEGIN" and value.strip().upper() in CONTENT:
            return True
    return False


def vevent(block: Block, summary: str, target: str, newline: str = "\r\n") -> str:
    """The VEVENT of a booked block (UTC times; DTSTAMP derived from the block, so the same
    block always gives the same bytes)."""
    import icalendar

    start = block.start.astimezone(UTC)
    end = block.end.astimezone(UTC)
    event = icalendar.Event()
    event.add("UID", block.uid or block_id(target, start, end))
    event.add("DTSTAMP", start)
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("SUMMARY", summary)
    event.add("TRANSP", "OPAQUE")
    event.add("CATEGORIES", ["Focus"])
    event.add(MARK, "1")
    text = event.to_ical().decode("utf-8")
    return text.replace("\r\n", newline) if newline != "\r\n" else text


def calendar(blocks: Iterable[Block], summary: str, target: str) -> str:
    """A whole VCALENDAR of ``blocks`` (``focuscal plan --format ics``)."""
    events = "".join(vevent(b, summary, target) for b in blocks)
    return splice(physical(new_calendar("\r\n")), events, target)


def marked_blocks(data: bytes, where: str, tz: tzinfo) -> list[Block]:
    """focuscal's blocks in ICS ``data``: VEVENTs marked X-FOCUSCAL-BLOCK with timed starts."""
    import icalendar

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as exc:  # icalendar raises ValueError and a few others on bad input
        raise InputError(f"not a valid calendar: {str(exc).splitlines()[0][:200]}",
                         where=where) from None
    out = []
    for cal in calendars:
        for event in cal.walk("VEVENT"):
            mark = event.get(MARK)
            if mark is None or str(mark).strip().upper() in ("", "0", "FALSE"):
                continue
            if event.get("RRULE") is not None or event.get("RECURRENCE-ID") is not None:
                continue  # focuscal never books recurring blocks
            block = _block(event, tz, where)
            if block is not None:
                out.append(block)
    return out


def _block(event: Any, tz: tzinfo, where: str) -> Block | None:
    start = event.get("DTSTART")
    if start is None or not isinstance(start.dt, datetime):
        return None
    begin = _aware(start.dt, tz)
    if event.get("DTEND") is not None:
        finish = _aware(event.get("DTEND").dt, tz)
    elif event.get("DURATION") is not None:
        finish = begin + event.get("DURATION").dt
    else:
        finish = begin
    if not isinstance(finish, datetime) or finish <= begin:
        return None
    return Block(begin, finish, uid=str(event.get("UID", "")).strip(),
                 extra={"file": where, "summary": str(event.get("SUMMARY", ""))})


def _aware(value: date | datetime, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    return datetime.combine(value, datetime.min.time(), tz) + timedelta(0)
