"""Tables that fit the terminal: numbers and times stay whole, text folds, and the columns a
table can do without are left out, in order of need, when the width is short."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class Column:
    """A column with every cell it will show (of every table drawn with it, so they line up).

    ``fixed``: a number or a time, never wrapped or cut; other columns fold down to
    ``min_width``."""

    header: str
    cells: list[str]
    fixed: bool
    right: bool = False
    min_width: int = 8

    @property
    def width(self) -> int:
        return max(len(c) for c in [self.header, *self.cells])


def need(columns: Sequence[Column]) -> int:
    """The narrowest width ``columns`` take, one space between them."""
    return (sum(c.width if c.fixed else min(c.width, c.min_width) for c in columns)
            + len(columns) - 1)


def fit(columns: Sequence[Column], optional: Sequence[Column], width: int) -> list[Column] | None:
    """``columns`` plus as many ``optional`` ones (by priority) as fit ``width`` with every
    fixed column whole; None when even ``columns`` do not fit."""
    if need(columns) > width:
        return None
    chosen = list(columns)
    for col in optional:
        if need([*chosen, col]) <= width:
            chosen.append(col)
    return chosen


def widths(cols: Sequence[Column], width: int) -> list[int]:
    """The width of each column: fixed ones whole, text ones sharing what is left (one space
    between columns). Given to rich as is: left to itself, rich narrows every column, numbers
    too, before it folds a long word."""
    out = [c.width if c.fixed else min(c.width, c.min_width) for c in cols]
    spare = width - sum(out) - (len(cols) - 1)
    while spare > 0:
        growable = [i for i, c in enumerate(cols) if not c.fixed and out[i] < c.width]
        if not growable:
            break
        for i in growable[:spare]:
            out[i] += 1
        spare -= min(spare, len(growable))
    return out


def table(cols: Sequence[Column], width: int, rows: Sequence[Sequence[str]],
          order: Sequence[str], styles: Sequence[str | None] | None = None, *,
          section_at: int | None = None) -> Table:
    """A rich Table of ``cols`` (as ``fit`` chose them, shown in the order of the headers in
    ``order``) sized for ``width``; each row's cells are in the order of ``order``. A line
    is drawn before row ``section_at`` (a total)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    shown = sorted(cols, key=lambda c: list(order).index(c.header))
    out = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=0,
                header_style="bold")
    for col, size in zip(shown, widths(shown, width), strict=True):
        out.add_column(col.header, width=size, no_wrap=col.fixed, overflow="fold",
                       justify="right" if col.right else "left")
    for n, row in enumerate(rows):
        if n == section_at:
            out.add_section()
        # Text, not markup: a title such as "Budget [/bold]" is shown as typed, never styled,
        # linked or refused by rich.
        out.add_row(*(Text(row[list(order).index(c.header)]) for c in shown),
                    style=styles[n] if styles else None)
    return out
