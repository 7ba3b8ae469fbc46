"""The README's command lines are real: every command it shows exists, and so does every option
it gives that command (a renamed or dropped option fails here, not in a user's terminal)."""

from __future__ import annotations

import re

import click
import pytest

from focuscal.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
# Indented command lines (code blocks), with their continuation lines ("    [--opt ...]").
LINE = re.compile(r"^ {4}(?:\$ )?(focuscal [^\n]*(?:\n {8,}\S[^\n]*)*)", re.M)
# Where a line leaves focuscal: a shell comment, or a pipe into another program.
BEYOND = re.compile(r"\s#\s|\s\|\s*(?=(?:jq|head|less|grep|tee)\b)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z])\b")


def command_lines() -> list[str]:
    return [" ".join(m[1].split()) for m in LINE.finditer(README)]


def resolve(words: list[str]) -> tuple[click.Command, str]:
    """The (sub)command a line names, and its path."""
    command: click.Command = cli
    path = ["focuscal"]
    for word in words[1:]:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        command = command.commands[word]
        path.append(word)
    return command, " ".join(path)


def usage_section() -> str:
    return README.split("## Usage", 1)[1].split("\n## ", 1)[0]


def test_the_usage_lists_every_command():
    usage = usage_section()
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            for sub in command.commands:
                assert f"focuscal {name} {sub}" in usage, (name, sub)
        else:
            assert re.search(rf"^ {{4}}focuscal {name}\b", usage, re.M), name


@pytest.mark.parametrize("line", command_lines())
def test_every_command_and_option_shown_exists(line):
    # Stop at a shell comment or a pipe: what follows is not focuscal's.
    text = BEYOND.split(line)[0]
    command, path = resolve(text.split())
    assert command is not cli, f"no command in {line!r}"
    assert not isinstance(command, click.Group) or command.invoke_without_command, (
        f"{path} needs a subcommand: {line!r}")
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    known |= {"--help", "-h", "--debug", "--config", "--version"}
    for option in OPTION.findall(text):
        assert option in known, f"{path} has no {option} (README: {line!r})"
