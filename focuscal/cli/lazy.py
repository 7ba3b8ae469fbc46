"""A click group that imports a command's module only when that command is looked up.

An audit should not pay for the modules (and the libraries they import) of plan, email, auth
or team. The group knows each command by name, where it is defined and its short help, so that
``focuscal --help`` lists every command without importing any of them; a command's module is
imported when the command is run, or looked up by name (``group.commands[name]``).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import click

# A command known but not yet imported: "module:attribute" and its short help (the first
# sentence of its help, as ``focuscal --help`` shows it).
Known = tuple[str, str]


class Commands(MutableMapping[str, click.Command]):
    """A group's commands by name; a known command is imported the first time it is read.

    Iterating (the names, for ``list_commands``) imports nothing; reading one
    (``get_command``, ``items()``) imports its module once.
    """

    def __init__(self, known: Mapping[str, Known]) -> None:
        self.known = dict(known)
        self.loaded: dict[str, click.Command] = {}

    def short_help(self, name: str) -> str | None:
        """The short help of a known command that is not imported yet, else None."""
        if name in self.loaded or name not in self.known:
            return None
        return self.known[name][1]

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded:
            module, attribute = self.known[name][0].split(":")  # KeyError: no such command
            self.loaded[name] = getattr(importlib.import_module(module), attribute)
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if self.known.pop(name, None) is None:
            del self.loaded[name]
        else:
            self.loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self.known), **dict.fromkeys(self.loaded)})

    def __len__(self) -> int:
        return len(self.known.keys() | self.loaded.keys())


class LazyGroup(click.Group):
    """A group whose ``commands`` is a ``Commands`` of the ``known`` ones; its help lists a
    command not yet imported with the short help it was given."""

    def __init__(self, *args: Any, known: Mapping[str, Known] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = Commands(known or {})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click's, with the known short help of a command that is not imported."""
        assert isinstance(self.commands, Commands)
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            text = self.commands.short_help(name)
            if text is not None:  # shortened as click shortens a command's own help
                rows.append((name, click.Command(name, help=text).get_short_help_str(limit)))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
