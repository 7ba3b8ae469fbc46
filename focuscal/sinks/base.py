"""What every booking target shares, so the ICS, Google, CalDAV and Outlook sinks agree.

A backend says how to list focuscal's marked blocks around a window (``marked``), how to open
a writing session (a lock and the file's text, a login, a connection) and how to remove and
add blocks in it. The rules are here, once:

- ``booked``: only blocks touching the window (``Interval.overlaps``: half-open, so a block
  ending at the window's start is outside), sorted by UTC start, end and uid;
- ``apply``: no changes, no session (no login, no lock, no file touched); removals before
  additions, in one session;
- already booked: a block the target holds already (an earlier or a concurrent run booked it)
  is reported in ``Applied.already``, neither added nor failed;
- failed and go on: one block's failure (a server's refusal, a read-only file) is recorded in
  ``Applied.failed`` with the reason and the next block goes on; a refused login or a bad
  target (AuthError, InputError) would fail every block alike and stops the run.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC
from typing import Generic, TypeVar

from focuscal.errors import AuthError, FocuscalError, InputError
from focuscal.model import Block, Interval
from focuscal.planner import Changes
from focuscal.results import Applied

Session = TypeVar("Session")


class Sink(ABC, Generic[Session]):
    """A booking target. ``target`` is the canonical target string block ids derive from."""

    target: str

    # ------------------------------------------------------------ reading

    def booked(self, window: Interval) -> list[Block]:
        """focuscal's own blocks that touch ``window`` (uid set, aware datetimes)."""
        return touching(self.marked(window), window)

    @abstractmethod
    def marked(self, window: Interval) -> Iterable[Block]:
        """focuscal's marked blocks in (or around) ``window``, as the backend lists them."""

    # ------------------------------------------------------------ writing

    def apply(self, changes: Changes, summary: str) -> Applied:
        """Remove ``changes.remove`` then add ``changes.add``; never touch anything else."""
        applied = Applied()
        if changes.empty:
            return applied
        with self.writing(applied) as session:
            if changes.remove:
                self.remove(session, changes.remove, applied)
            if changes.add:
                self.add(session, changes.add, summary, applied)
        return applied

    @abstractmethod
    def writing(self, applied: Applied) -> AbstractContextManager[Session]:
        """The session that ``remove`` and ``add`` write in; it may correct ``applied`` when
        it ends (the ICS sink reads its file back)."""

    @abstractmethod
    def remove(self, session: Session, blocks: Sequence[Block], applied: Applied) -> None:
        """Delete ``blocks``, only those still marked as focuscal's and unchanged."""

    @abstractmethod
    def add(self, session: Session, blocks: Sequence[Block], summary: str,
            applied: Applied) -> None:
        """Create ``blocks`` under their ids; one the target holds already is ``already``."""


def touching(blocks: Iterable[Block], window: Interval) -> list[Block]:
    """The ``blocks`` that touch ``window``, in the order every sink returns them."""
    return sorted((b for b in blocks if b.interval.overlaps(window)), key=order)


def order(block: Block) -> tuple:
    return (block.start.astimezone(UTC), block.end.astimezone(UTC), block.uid)


def each(applied: Applied, block: Block, step: Callable[[], None]) -> None:
    """One block's change: its failure is that block's (``fail``), and the next goes on."""
    try:
        step()
    except FocuscalError as exc:
        fail(applied, block, exc)


def fail(applied: Applied, block: Block, error: FocuscalError) -> None:
    """Record that ``block`` could not be written, and why (the target is the run's, so the
    error's message alone). A refused login or a bad target would fail every block alike: it
    is raised instead, one clear error for the run."""
    if isinstance(error, AuthError | InputError):
        raise error
    applied.failed.append((block, error.message))
