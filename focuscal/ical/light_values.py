"""Content lines and values for the light reader, read exactly as icalendar reads them.

Only a strict subset is accepted: a line or value outside it raises :class:`Unsupported`, and
the light reader hands the events concerned to icalendar and recurring-ical-events. The subset
is chosen so that, within it, each value here equals the one icalendar gives:

- names of upper-case letters, digits and dashes; parameters ``NAME=value`` with plain or
  quoted values, never a backslash, a caret escape or white space at either end of a plain one;
- DATE (8 digits), DATE-TIME (floating, ``Z`` for ``ZoneInfo("UTC")``, or a TZID that zoneinfo
  knows under exactly that name); a VALUE parameter must agree with the value;
- DURATION as icalendar's own pattern; text with the escapes ``\\,`` ``\\;`` ``\\n`` ``\\N`` only;
- RRULE parts dateutil and recurring-ical-events read the same way (no HOURLY and finer
  frequencies, no BYxxx of time, each part once).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

_VALUE = r'(?:"[^"\\]*"|[^";:,\\]*)'
_PARAMS = rf"(?:;[A-Za-z0-9-]+={_VALUE}(?:,{_VALUE})*)*"
_REST = re.compile(rf"({_PARAMS}):(.*)\Z", re.S)
_PARAM = re.compile(rf";([A-Za-z0-9-]+)=({_VALUE}(?:,{_VALUE})*)")
_NAME = re.compile(r"[A-Z0-9-]+(?=[;:])")
_TOKEN = re.compile(r'"?([A-Za-z0-9_+\-/]+)"?\Z')
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*\Z")
# icalendar's DURATION_REGEX
_DURATION = re.compile(
    r"([-+]?)P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?\Z"
)
_RULE_PART = re.compile(
    r"FREQ=(?:DAILY|WEEKLY|MONTHLY|YEARLY)|INTERVAL=[1-9]\d{0,3}|COUNT=[1-9]\d{0,5}"
    r"|UNTIL=\d{8}(?:T\d{6}Z?)?|WKST=(?:MO|TU|WE|TH|FR|SA|SU)"
    r"|BYDAY=(?:[+-]?[1-5]?(?:MO|TU|WE|TH|FR|SA|SU))(?:,[+-]?[1-5]?(?:MO|TU|WE|TH|FR|SA|SU))*"
    r"|BYMONTHDAY=-?(?:[1-9]|[12]\d|3[01])(?:,-?(?:[1-9]|[12]\d|3[01]))*"
    r"|BYMONTH=(?:[1-9]|1[0-2])(?:,(?:[1-9]|1[0-2]))*"
    r"|BYSETPOS=-?[1-9]\d{0,2}(?:,-?[1-9]\d{0,2})*"
)
_TEXT_ESCAPES = {",": ",", ";": ";", "n": "\n", "N": "\n"}
UTC = ZoneInfo("UTC")
_ZONES: dict[str, tzinfo | None] = {}


class Unsupported(Exception):
    """Outside the subset the light reader reads exactly: leave it to icalendar."""


class Address(str):
    """A calendar address (ORGANIZER, ATTENDEE) with its parameters, as ``event_of`` reads
    icalendar's ``vCalAddress``: ``str()`` is the value, ``params`` maps upper-case names to
    values."""

    params: dict[str, str]


def parts(rest: str) -> tuple[str, str]:
    """The parameter text (``;A=b;C=d``) and the value of what follows a property's name."""
    if '"' not in rest and "\\" not in rest:  # the usual case: the first colon ends the name
        param_text, _, value = rest.partition(":")
        if not param_text or param_text in _VALID_PARAMS:
            return param_text, value
    m = _REST.match(rest)
    if m is None:
        raise Unsupported(rest[:40])
    if len(_VALID_PARAMS) < 4096:
        _VALID_PARAMS.add(m[1])
    return m[1], m[2]


def split(line: str) -> tuple[str, str, str]:
    """``NAME``, the parameter text and the value of a content line."""
    m = _NAME.match(line)
    if m is None:
        raise Unsupported(line[:40])
    return (m[0], *parts(line[m.end():]))


_PARAM_CACHE: dict[str, dict[str, str]] = {}
_VALID_PARAMS: set[str] = set()  # parameter texts that matched the grammar


def params(text: str) -> dict[str, str]:
    """The parameters of a line, upper-case name -> raw value (quotes kept); a name given
    twice is unsupported."""
    if not text:
        return {}
    cached = _PARAM_CACHE.get(text)
    if cached is not None:
        return cached
    out: dict[str, str] = {}
    for m in _PARAM.finditer(text):
        key, value = m[1].upper(), m[2]
        if key in out or value != value.strip(" \t") or "^" in value:
            raise Unsupported(key)
        out[key] = value
    if len(_PARAM_CACHE) < 4096:
        _PARAM_CACHE[text] = out
    return out


def token(raw: str | None) -> str | None:
    """A single-valued parameter (quoted or not) as icalendar gives it, or None when absent."""
    if raw is None:
        return None
    m = _TOKEN.match(raw)
    if m is None:
        raise Unsupported(raw)
    return m[1]


def zone(name: str) -> tzinfo:
    """The zone of a TZID: only names zoneinfo knows as they are, which icalendar resolves to
    the same ``ZoneInfo`` whatever VTIMEZONE the file gives (a known id is never replaced)."""
    if name in _ZONES:
        found = _ZONES[name]
    else:
        found = None
        if _ZONE_NAME.match(name) and not name.startswith(("posix", "right/")):
            try:
                found = ZoneInfo(name)
            except Exception:  # not found, or not a zone file: icalendar decides
                found = None
        _ZONES[name] = found
    if found is None:
        raise Unsupported(name)
    return found


def known_zone(name: str) -> bool:
    """Whether ``zone(name)`` succeeds."""
    try:
        zone(name)
    except Unsupported:
        return False
    return True


def when(param_text: str, value: str) -> date | datetime:
    """A DATE or DATE-TIME value with its parameters (TZID, VALUE) -> a date, a naive
    (floating) datetime or an aware one."""
    p = params(param_text)
    kind = token(p.get("VALUE"))
    tzid = token(p.get("TZID"))
    return moment(value, kind, tzid)


def moment(value: str, kind: str | None, tzid: str | None) -> date | datetime:
    """One DATE or DATE-TIME ``value`` of the given VALUE type and TZID (None when absent)."""
    size = len(value)
    digits = value.isascii() and value[:8].isdigit()
    try:
        if size == 8 and digits:
            if kind not in (None, "DATE") or tzid is not None:
                raise Unsupported(value)
            return date.fromisoformat(value)
        if not (digits and (size == 15 or (size == 16 and value[15] == "Z")) and value[8] == "T"
                and value[9:15].isdigit()) or kind not in (None, "DATE-TIME"):
            raise Unsupported(value)
        # the basic ISO form; the same checks as icalendar's datetime(int(...), ...)
        at = datetime.fromisoformat(value[:15])
    except ValueError as exc:  # no such date or time: icalendar decides what to say
        raise Unsupported(value) from exc
    if size == 16:
        if tzid is not None:
            raise Unsupported(value)
        return at.replace(tzinfo=UTC)
    return at if tzid is None else at.replace(tzinfo=zone(tzid))


def moments(param_text: str, value: str) -> list[date | datetime]:
    """The values of an EXDATE or RDATE line (no PERIOD values)."""
    p = params(param_text)
    kind, tzid = token(p.get("VALUE")), token(p.get("TZID"))
    if kind == "PERIOD" or not value:
        raise Unsupported(value)
    return [moment(v, kind, tzid) for v in value.split(",")]


def duration(param_text: str, value: str) -> timedelta:
    """A DURATION value, as icalendar computes it."""
    if param_text:
        raise Unsupported(param_text)
    m = _DURATION.match(value)
    if m is None or not any(m.groups()[1:]):
        raise Unsupported(value)
    sign, weeks, days, hours, minutes, seconds = m.groups()
    try:
        out = timedelta(weeks=int(weeks or 0), days=int(days or 0), hours=int(hours or 0),
                        minutes=int(minutes or 0), seconds=int(seconds or 0))
    except OverflowError as exc:
        raise Unsupported(value) from exc
    return -out if sign == "-" else out


def rule(value: str) -> str:
    """An RRULE value that dateutil reads as recurring-ical-events' normalised text does."""
    seen = set()
    for part in value.split(";"):
        key = part.partition("=")[0]
        if key in seen or not _RULE_PART.fullmatch(part):
            raise Unsupported(part)
        seen.add(key)
    if "FREQ" not in seen or {"COUNT", "UNTIL"} <= seen:
        raise Unsupported(value)
    return value


def unescape(value: str) -> str:
    """A TEXT value unescaped (``\\,`` ``\\;`` ``\\n`` ``\\N``; any other backslash is
    unsupported)."""
    if "\\" not in value:
        return value
    out, i = [], 0
    while True:
        j = value.find("\\", i)
        if j < 0:
            out.append(value[i:])
            return "".join(out)
        escaped = _TEXT_ESCAPES.get(value[j + 1 : j + 2])
        if escaped is None:
            raise Unsupported(value)
        out.append(value[i:j])
        out.append(escaped)
        i = j + 2


def address(param_text: str, value: str) -> Address:
    """An ORGANIZER or ATTENDEE line as icalendar's vCalAddress (value verbatim)."""
    if "\\" in value:
        raise Unsupported(value)
    p = params(param_text)
    out = Address(value)
    out.params = {k: t for k in ("PARTSTAT", "CUTYPE") if (t := token(p.get(k))) is not None}
    return out


def integer(value: str) -> int:
    """An INTEGER value (SEQUENCE)."""
    if not value.isdigit() or not value.isascii():
        raise Unsupported(value)
    return int(value)
