"""One tree of errors. Only the CLI turns them into a message and an exit code."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import ClassVar

# The userinfo of a URL: everything between "scheme://" and the last "@" of the authority (a
# password may hold a raw "@"); the authority ends at the first "/", "?", "#" or blank, so an
# address in the path (Fastmail's .../user/me@fastmail.com/...) is kept.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s@]*(?:@[^/?#\s@]*)*@")


def redact(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it removed."""
    return _USERINFO.sub(r"\1", text)


# Control characters a terminal acts on (ESC starts a colour, a title change, a clipboard
# write...): C0 but tab and line feed, DEL and C1. Text from a calendar or a server is data.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_REPLACEMENT = "\ufffd"


def printable(text: str) -> str:
    """``text`` with every control character a terminal would act on replaced by U+FFFD;
    tabs and line breaks stay."""
    return _CONTROL.sub(_REPLACEMENT, text) if _CONTROL.search(text) else text


def one_line(text: str) -> str:
    """``printable`` text on one line: line breaks and tabs become spaces (a message or a
    warning is one line, whatever a calendar put in it)."""
    return printable(text).replace("\n", " ").replace("\t", " ")


class FocuscalError(Exception):
    """Base of every error focuscal reports to the user.

    ``where`` names the file, URL, key or server; ``line`` the line in a file when known;
    ``hint`` a next step for the user. Credentials in URLs are removed from all three here,
    once for every error, so no message, warning or report can show them.
    """

    exit_code: ClassVar[ExitStatus]  # set below ExitStatus, at the end of this module

    def __init__(
        self, message: str, *, where: str | None = None, line: int | None = None,
        hint: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.where = redact(where) if where is not None else None
        self.line = line
        self.hint = redact(hint) if hint is not None else None

    def __str__(self) -> str:
        place = self.where or ""
        if place and self.line is not None:
            place = f"{place}:{self.line}"
        text = f"{place}: {self.message}" if place else self.message
        return f"{text} ({self.hint})" if self.hint else text


class InputError(FocuscalError):
    """Bad input: an unreadable or malformed calendar, a bad option value (exit 2)."""


class ConfigError(InputError):
    """An invalid configuration file or value (exit 2)."""


class RunError(FocuscalError):
    """A failure at run time: network, authentication, a server's refusal (exit 1)."""


class FetchError(RunError):
    """A calendar could not be fetched from a server."""


class AuthError(RunError):
    """Missing, expired or insufficient credentials."""


class ExitStatus(IntEnum):
    """focuscal's exit codes (README, "Exit codes"); every exit code comes from here."""

    OK = 0
    FAILURE = 1  # at run time: network, authentication, a server's refusal, a focuscal bug
    BAD_INPUT = 2  # bad usage or bad input: an option, a calendar, the config
    THRESHOLD = 3  # a --fail-under / --fail-over threshold was crossed
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it


FocuscalError.exit_code = ExitStatus.FAILURE
InputError.exit_code = ExitStatus.BAD_INPUT
RunError.exit_code = ExitStatus.FAILURE
