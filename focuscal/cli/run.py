"""What a command derives from its options: settings, the analysis zone, now and the window.

This is focuscal's only reader of the clock, the system's time zone and standard input.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from focuscal.cli.options import FOCUS_KEYS, POLICY_KEYS
from focuscal.errors import InputError

if TYPE_CHECKING:
    from focuscal.config import Settings
    from focuscal.window import Window


def system_zone() -> tzinfo:
    """The user's zone: $TZ, /etc/localtime, /etc/timezone, else UTC."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return ZoneInfo("UTC")


def now_in(tz: tzinfo, override: str | None = None) -> datetime:
    """The current instant (or ``--now``, read in ``tz`` when it has no offset) in ``tz``."""
    if override:
        try:
            value = datetime.fromisoformat(override)
        except ValueError:
            raise InputError(f"--now: expected an ISO timestamp, got {override!r}") from None
        return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(tz)
    return datetime.now(tz)


def stdin() -> BinaryIO | None:
    """Standard input as bytes, for the ``-`` source (None when there is none)."""
    buffer: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    return buffer


def option_names() -> dict[str, str]:
    """The current command's parameter names -> the option a user types (timezone -> --tz)."""
    command = click.get_current_context().command
    return {p.name: max(p.opts, key=len) for p in command.params
            if isinstance(p, click.Option) and p.name}


def load_settings(config_file: str | None) -> Settings:
    """The config of ``--config`` (the command's, else the root's), else the default path."""
    from focuscal import config

    root = click.get_current_context().find_root().params
    return config.load_settings(config_file or root.get("config"))


@dataclass(frozen=True)
class Run:
    """Settings with the command line applied, the analysis zone, now (in that zone) and the
    window (local dates of that zone)."""

    settings: Settings
    tz: tzinfo
    now: datetime
    window: Window


def prepare(options: dict[str, Any]) -> Run:
    """Take the shared options (config, policy, focus, --now, the window) out of ``options``
    and derive the Run; what is left is the command's own."""
    from focuscal import config
    from focuscal.window import make_window

    names = option_names()
    settings = load_settings(options.pop("config_file", None))
    settings = config.override(settings, {k: options.pop(k, None) for k in POLICY_KEYS},
                               names=names)
    focus = {k: options.pop(k) for k in FOCUS_KEYS if k in options}
    if focus:
        settings = config.override(settings, focus, section="focus", names=names)
    tz = settings.zone(system_zone())
    now = now_in(tz, options.pop("now", None))
    chosen = [options.get("week"), options.get("last_week"),
              options.get("start") or options.get("end")]
    if options.pop("this_week", False) and any(chosen):
        raise InputError("choose one of --week, --this-week, --last-week and --from/--to")
    window = make_window(
        now.date(),
        week=options.pop("week", None),
        last_week=options.pop("last_week", False),
        start=options.pop("start", None),
        end=options.pop("end", None),
        weeks=options.pop("weeks", None) or 1,
    )
    return Run(settings, tz, now, window)
