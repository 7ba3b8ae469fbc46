"""Renderers: terminal tables, JSON, CSV, Markdown (and HTML reports)."""

from __future__ import annotations


def hm(minutes: int) -> str:
    """Minutes as '2h 30m', '45m', '3h', '0m'."""
    minutes = int(minutes)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours}h {rest:02d}m"
    if hours:
        return f"{sign}{hours}h"
    return f"{sign}{rest}m"


def hmm(minutes: int) -> str:
    """Minutes as h:mm: the one duration style of the terminal tables."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}:{rest:02d}"


def pct(value: float) -> str:
    return f"{round(value * 100)}%"
