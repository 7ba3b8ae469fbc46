"""Where a command's output goes: standard output or a file, tables, and the progress line."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from focuscal.errors import InputError, one_line

if TYPE_CHECKING:
    from rich.console import Console


def to_file(output: str | None) -> bool:
    """Whether ``-o`` names a file (``-`` is standard output)."""
    return bool(output) and output != "-"


def write(path: str, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to the user's ``path`` atomically; only the file is created, never its
    folder. A path that cannot be written is bad input naming the path. ``private`` (one
    person's figures): readable by the user alone (0600)."""
    from focuscal.files import write_atomic

    target = Path(path).expanduser()
    try:
        write_atomic(target, data, mode=0o600 if private else None)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", where=str(target)) from None


def emit(text: str, output: str | None, *, private: bool = False) -> None:
    """Print ``text``, or write it to the file ``output`` (``private`` as for ``write``)."""
    if to_file(output):
        assert output is not None
        write(output, text.encode("utf-8"), private=private)
    else:
        click.echo(text, nl=False)


def render(draw: Callable[[Console], None], output: str | None, *,
           private: bool = False) -> None:
    """Draw with rich on the terminal, or into the file ``output`` (plain text, 120 columns;
    ``private`` as for ``write``)."""
    from rich.console import Console

    if not to_file(output):
        draw(Console())
        return
    buffer = io.StringIO()
    draw(Console(file=buffer, width=120, color_system=None))
    emit(buffer.getvalue(), output, private=private)


def warn(warnings: Iterable[str]) -> None:
    """One ``warning:`` line on stderr for each of ``warnings``."""
    for warning in warnings:
        click.echo(f"warning: {one_line(warning)}", err=True)


@contextmanager
def status() -> Iterator[Callable[[str], None] | None]:
    """A progress callback for long fetches: a transient spinner on stderr showing the latest
    status line, on a terminal only (None elsewhere, so pipes and logs stay clean). The spinner
    appears with the first line, so a quick run shows nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                   console=Console(stderr=True), transient=True)
    task: TaskID | None = None

    def show(line: str) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task(line, total=None)
            bar.start()
        else:
            bar.update(task, description=line)

    try:
        yield show
    finally:
        if task is not None:
            bar.stop()


def print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    """Rows of plain values as a table (rich) or as a JSON array."""
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    headers = list(rows[0].keys()) if rows else ["calendars"]
    cells = [["yes" if v is True else "" if v is False else str(v) for v in row.values()]
             for row in rows]
    table = Table(*headers, box=None)
    for line in cells:
        table.add_row(*map(Text, line))  # names from a server are text, never markup
    # Ids and URLs are copied from here: never cut them to the terminal's width.
    needed = sum(max(len(c) for c in column) + 2 for column in zip(headers, *cells,
                                                                   strict=False))
    console = Console()
    console.width = max(console.width, needed)
    console.print(table)
