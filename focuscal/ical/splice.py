"""Cut and splice focuscal's VEVENTs in raw ICS text, keeping every other byte.

Nothing focuscal did not create is ever re-serialised: the text's own bytes are kept, only
focuscal's marked VEVENTs are cut out, and new ones are spliced in before the last
``END:VCALENDAR``. Only LF ends a line (a CR before it stays part of the line), so joining the
lines gives the text back exactly, in the file's own line endings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from focuscal.errors import InputError
from focuscal.ical import MARK, is_marked

CONTENT = ("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY")


def physical(text: str) -> list[str]:
    """The lines of ``text`` with their endings; only LF ends a line (CR LF included), so
    joining them gives back ``text`` exactly."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


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
class Component:
    """A VEVENT directly inside a VCALENDAR, by physical line indexes."""

    first: int  # index of its BEGIN line
    last: int  # index of the line after its END line
    uid: str
    marked: bool


def components(lines: Sequence[str], where: str) -> tuple[list[Component], int]:
    """The VEVENTs directly inside a VCALENDAR, and the index of the last END:VCALENDAR."""
    stack: list[str] = []
    found: list[Component] = []
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
                found.append(Component(begin, after, uid, marked))
            if stack == ["VCALENDAR"]:
                end_calendar = n
            stack.pop()
        elif stack == ["VCALENDAR", "VEVENT"]:
            if name == "UID":
                uid = value.strip()
            elif name == MARK:
                marked = is_marked(value)
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
