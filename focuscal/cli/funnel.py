"""The one place that turns an exception into a line on stderr and an exit code.

A FocuscalError is the user's to fix (or the server's): its message, and its exit code. A click
error is bad usage (exit 2). Anything else is a bug in focuscal and is reported as one, never
blamed on the user's calendar. ``--debug`` (anywhere on the command line) or FOCUSCAL_DEBUG adds
the traceback. No message names an exception class.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from focuscal.cli.lazy import LazyGroup
from focuscal.errors import ExitStatus, FocuscalError, one_line

PREFIX = "focuscal: error: "
BUG = "(this is a bug in focuscal; please report it, with the output of --debug)"
# click >= 8.2 raises this for a group called without a command; 8.1 prints the help itself.
NoArgsIsHelp: type[click.UsageError] | None = getattr(click.exceptions, "NoArgsIsHelpError", None)


def wants_debug(argv: Sequence[str]) -> bool:
    """--debug before or after the command (not after a ``--``), or FOCUSCAL_DEBUG set."""
    options = argv[: list(argv).index("--")] if "--" in argv else argv
    return "--debug" in options or bool(os.environ.get("FOCUSCAL_DEBUG"))


def say(message: str) -> None:
    """The error line: a message quoting a calendar or a server never moves the terminal."""
    click.echo(f"{PREFIX}{one_line(message)}", err=True)


def handle(exc: BaseException, debug: bool) -> ExitStatus:
    """Print the one line for ``exc`` (and the traceback when ``debug``); its exit status."""
    if isinstance(exc, KeyboardInterrupt | click.exceptions.Abort):
        say("interrupted")
        return ExitStatus.INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        # The reader went away (`| head`): nothing to say, and nobody to say it to.
        sys.stderr.close()
        return ExitStatus.FAILURE
    if debug:
        import traceback

        traceback.print_exception(exc)
    if NoArgsIsHelp is not None and isinstance(exc, NoArgsIsHelp):
        exc.show()  # the help, once, as click shows it
        return status(exc.exit_code)
    if isinstance(exc, click.UsageError):
        ctx = exc.ctx
        command = "focuscal" if ctx is None or ctx.parent is None else ctx.command_path
        say(f"{exc.format_message()} (see {command} --help)")
        return ExitStatus.BAD_INPUT
    if isinstance(exc, click.ClickException):
        say(exc.format_message())
        return status(exc.exit_code)
    if isinstance(exc, FocuscalError):
        say(str(exc))
        return exc.exit_code
    say(f"internal error: {bug_summary(exc)} {BUG}")
    return ExitStatus.FAILURE


def status(code: int) -> ExitStatus:
    """``code`` as an ExitStatus; a code focuscal does not know is a failure."""
    try:
        return ExitStatus(code)
    except ValueError:
        return ExitStatus.FAILURE


def bug_summary(exc: BaseException) -> str:
    """What went wrong and where in focuscal, without the exception's class name."""
    import traceback

    from focuscal.transport import redact

    # The innermost frame of focuscal's own code (the funnel, which only called, aside).
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f"{os.sep}focuscal{os.sep}" in f.filename and f.filename != __file__]
    where = ""
    if frames:
        frame = frames[-1]
        path = frame.filename.rsplit(f"{os.sep}focuscal{os.sep}", 1)[1]
        where = f" in focuscal/{path}:{frame.lineno}"
    text = redact(str(exc).strip()) or "an unexpected failure"
    return f"{text}{where}"


class FocuscalGroup(LazyGroup):
    """The root group: runs click without its own error handling and funnels every exception
    through ``handle``; its commands are imported when run (``LazyGroup``)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(argv, prog_name or "focuscal", complete_var,
                                  standalone_mode=False, **extra)
        except Exception as exc:  # the funnel: every error ends here, as one line
            sys.exit(handle(exc, wants_debug(argv)))
        except KeyboardInterrupt as exc:
            sys.exit(handle(exc, False))
        # --help, --version and ctx.exit(code) come back as their exit code.
        sys.exit(status(code) if isinstance(code, int) else ExitStatus.OK)
