"""Thresholds on the period totals, for scripts and cron (``--fail-under``, ``--fail-over``).

``focus=10h`` under, or ``meetings=20h,fragmentation=50%`` over: any metric of
``PeriodMetrics.totals()`` by a friendly name, durations as 10h / 90m / 1h30m, fragmentation as
a percentage, counts as whole numbers. Pure: no clock, no I/O; the CLI turns crossed thresholds
into exit code 3.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from focuscal.errors import InputError

Unit = Literal["duration", "percent", "count"]
Direction = Literal["under", "over"]


@dataclass(frozen=True)
class Metric:
    name: str  # the friendly name people type
    key: str  # the key of PeriodMetrics.totals()
    unit: Unit


METRICS: tuple[Metric, ...] = (
    Metric("focus", "focus_minutes", "duration"),
    Metric("meetings", "meeting_minutes", "duration"),
    Metric("fragmented", "fragmented_minutes", "duration"),
    Metric("fragmentation", "fragmentation", "percent"),
    Metric("after_hours", "after_hours_meeting_minutes", "duration"),
    Metric("customers", "external_meeting_minutes", "duration"),
    Metric("longest", "longest_block_minutes", "duration"),
    Metric("working", "working_minutes", "duration"),
    Metric("booked_focus", "focus_booked_minutes", "duration"),
    Metric("back_to_back", "back_to_back", "count"),
    Metric("meeting_count", "meeting_count", "count"),
    Metric("block_count", "block_count", "count"),
    Metric("meeting_free_days", "meeting_free_days", "count"),
)
# Friendly names, totals keys and a few spellings people use, all to one metric.
_BY_NAME: dict[str, Metric] = {m.key: m for m in METRICS} | {m.name: m for m in METRICS}
_BY_NAME |= {"external": _BY_NAME["customers"], "blocks": _BY_NAME["block_count"],
             "b2b": _BY_NAME["back_to_back"]}


class BadThreshold(ValueError):
    """A threshold that does not parse; the message names the bad part, not the option."""


@dataclass(frozen=True)
class Threshold:
    """``metric`` must not be ``direction`` ``limit``: minutes, a percentage (0-100) or a count."""

    metric: Metric
    direction: Direction
    limit: float

    @property
    def text(self) -> str:
        return f"{self.metric.name}={show(self.metric.unit, self.limit)}"

    def crossed_by(self, value: float) -> bool:
        if self.metric.unit == "percent":
            value = round(value * 100, 2)  # totals keep 4 decimals of the ratio
        return value < self.limit if self.direction == "under" else value > self.limit


@dataclass(frozen=True)
class Breach:
    """A threshold the period crossed, with the period's value (as in ``totals()``)."""

    threshold: Threshold
    value: float

    @property
    def description(self) -> str:
        """One line such as 'focus 8h 30m is under 10h'."""
        t = self.threshold
        unit = t.metric.unit
        value = self.value * 100 if unit == "percent" else self.value
        return (f"{t.metric.name} {show(unit, value)} is {t.direction} "
                f"{show(unit, t.limit)}")


_DURATION = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)


def parse_limit(unit: Unit, value: Any) -> float:
    """A limit as written (or as TOML gives it) -> minutes, a percentage or a count."""
    text = str(value).strip()
    if isinstance(value, bool):
        text = ""  # never a number, whatever Python thinks
    if unit == "count":
        if isinstance(value, int | str) and re.fullmatch(r"\d+", text):
            return int(text)
        raise BadThreshold(f"expected a whole number such as 5, got {value!r}")
    if unit == "percent":
        found = re.fullmatch(r"(\d{1,3}(?:\.\d{1,2})?)\s*%", text)
        if not isinstance(value, str):
            found = None
        if not found or float(found[1]) > 100:
            raise BadThreshold(f"expected a percentage from 0% to 100% such as 50%, got {value!r}")
        return float(found[1])
    if isinstance(value, str):
        if m := re.fullmatch(r"(\d+):([0-5]\d)", text):
            return int(m[1]) * 60 + int(m[2])
        m = _DURATION.fullmatch(text)
        if text and m and (m[1] or m[2]):
            return int(m[1] or 0) * 60 + int(m[2] or 0)
    raise BadThreshold(f"expected a duration such as 10h, 90m or 1h30m, got {value!r}")


def metric(name: str) -> Metric:
    found = _BY_NAME.get(name.strip().lower().replace("-", "_"))
    if found is None:
        raise BadThreshold(
            f"unknown metric {name.strip()!r} (one of {', '.join(m.name for m in METRICS)})"
        )
    return found


def threshold(name: str, value: Any, direction: Direction) -> Threshold:
    """One threshold from a metric name and a limit; BadThreshold names the bad part."""
    found = metric(name)
    try:
        return Threshold(found, direction, parse_limit(found.unit, value))
    except BadThreshold as exc:
        raise BadThreshold(f"{found.name}: {exc}") from None


def parse_pairs(text: str, direction: Direction) -> tuple[Threshold, ...]:
    """'meetings=20h,fragmentation=50%' -> thresholds; BadThreshold names the bad pair."""
    out: dict[str, Threshold] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, equals, value = part.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise BadThreshold(f"{part.strip()!r}: expected METRIC=VALUE such as focus=10h")
        found = threshold(name, value.strip(), direction)
        if found.metric.key in out:
            raise BadThreshold(f"{found.metric.name} is given twice")
        out[found.metric.key] = found
    if not out:
        raise BadThreshold("expected METRIC=VALUE such as focus=10h")
    return tuple(out.values())


def parse(text: str, direction: Direction, option: str) -> tuple[Threshold, ...]:
    """One ``--fail-under`` / ``--fail-over`` value; InputError names ``option`` and the part."""
    try:
        return parse_pairs(text, direction)
    except BadThreshold as exc:
        raise InputError(str(exc), where=option) from None


def from_config(value: Any, direction: Direction) -> tuple[Threshold, ...]:
    """``fail_under`` / ``fail_over`` of ``[thresholds]``: a table (``{focus = "10h"}``) or a
    string as on the command line. BadThreshold names the metric."""
    if isinstance(value, str):
        return parse_pairs(value, direction)
    if not isinstance(value, Mapping):
        raise BadThreshold('expected a table such as {focus = "10h"} or a string "focus=10h"')
    out: dict[str, Threshold] = {}
    for name, limit in value.items():
        found = threshold(str(name), limit, direction)
        if found.metric.key in out:
            raise BadThreshold(f"{found.metric.name} is given twice")
        out[found.metric.key] = found
    return tuple(out.values())


def combine(base: Iterable[Threshold], override: Iterable[Threshold]) -> tuple[Threshold, ...]:
    """``base`` (the config's) with ``override`` (the command line's) replacing any threshold
    on the same metric in the same direction."""
    out = {(t.metric.key, t.direction): t for t in base}
    out.update({(t.metric.key, t.direction): t for t in override})
    return tuple(out.values())


def crossed(thresholds: Iterable[Threshold], totals: Mapping[str, float]) -> tuple[Breach, ...]:
    """The thresholds ``totals`` (``PeriodMetrics.totals()``) cross, in the given order."""
    return tuple(Breach(t, totals[t.metric.key]) for t in thresholds
                 if t.crossed_by(totals[t.metric.key]))


def show(unit: Unit, value: float) -> str:
    """A value as people write it: '8h 30m', '62%', '31'."""
    if unit == "percent":
        return f"{round(value, 2):g}%"
    if unit == "count":
        return str(int(value))
    hours, rest = divmod(int(value), 60)
    if hours and rest:
        return f"{hours}h {rest:02d}m"
    return f"{hours}h" if hours else f"{rest}m"
