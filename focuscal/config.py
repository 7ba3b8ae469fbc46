"""Settings: TOML config file + CLI overrides -> validated, typed values.

The file is found at ``--config``, else ``$FOCUSCAL_CONFIG``, else the platformdirs user config
path (``focuscal/config.toml``). Every top-level key and every key of ``[focus]`` is also a CLI
option; values from the command line go through the same parsers as values from the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import time, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from focuscal.errors import ConfigError
from focuscal.model import (
    DEFAULT_FOCUS_PATTERN,
    DEFAULT_OOO_PATTERN,
    MIN_GROUP_FLOOR,
    PRIVACY_LEVELS,
    WEEKDAY_NAMES,
    ClassifyRules,
    FocusPolicy,
    TeamPolicy,
    WorkPolicy,
)
from focuscal.thresholds import BadThreshold, Direction, Threshold
from focuscal.thresholds import from_config as thresholds_from_config

# ---------------------------------------------------------------- value parsers


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BadValue(ValueError):
    """A value that does not parse; the message says what was expected."""


_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)


def parse_duration(value: Any) -> int:
    """'2h', '90m', '1h30m', '1:30' or a number of minutes -> minutes."""
    if isinstance(value, bool):
        raise BadValue("expected a duration such as 2h, 90m or 1h30m")
    if isinstance(value, int):
        if value < 0:
            raise BadValue("expected a positive duration")
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    if m := re.fullmatch(r"(\d+):([0-5]\d)", text):
        return int(m[1]) * 60 + int(m[2])
    m = _DURATION.match(text)
    if not text or not m or not (m[1] or m[2]):
        raise BadValue(f"expected a duration such as 2h, 90m or 1h30m, got {value!r}")
    return int(m[1] or 0) * 60 + int(m[2] or 0)


def parse_clock(value: Any) -> time:
    text = str(value).strip()
    m = re.fullmatch(r"([01]?\d|2[0-4]):([0-5]\d)", text)
    if not m:
        raise BadValue(f"expected a time such as 09:00, got {value!r}")
    hour, minute = int(m[1]), int(m[2])
    if hour == 24:
        if minute:
            raise BadValue(f"expected a time such as 09:00, got {value!r}")
        return time(0)
    return time(hour, minute)


def parse_hours(value: Any) -> tuple[time, time]:
    """'09:00-17:00' -> (time, time)."""
    parts = str(value).split("-")
    if len(parts) != 2:
        raise BadValue(f"expected a range such as 09:00-17:00, got {value!r}")
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start == end:
        raise BadValue(f"the range {value!r} is empty")
    return start, end


def parse_optional_hours(value: Any) -> tuple[time, time] | None:
    if value in (None, "", False, "none"):
        return None
    return parse_hours(value)


def parse_workdays(value: Any) -> frozenset[int]:
    """'MO-FR', 'Mon-Fri', 'MO,TU,TH', ['MO', 'TU'] -> weekday numbers (0 = Monday). A day is
    its English name or a prefix of at least two letters (MO, Mon, Monday); anything else,
    such as a range of three days, is refused rather than cut to what fits."""
    items = value if isinstance(value, list) else str(value).replace(" ", "").split(",")
    days: set[int] = set()
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        ends = text.split("-")
        if len(ends) > 2:
            raise _bad_workdays(value)
        first, last = (_weekday(end, value) for end in (ends[0], ends[-1]))
        n = first
        while True:
            days.add(n)
            if n == last:
                break
            n = (n + 1) % 7
    if not days:
        raise BadValue("expected at least one workday, such as MO-FR")
    return frozenset(days)


def _weekday(name: str, value: Any) -> int:
    """The weekday number of ``name`` (MO, MON, MONDAY, any case)."""
    text = name.upper()
    for n, full in enumerate(WEEKDAY_NAMES):
        if len(text) >= 2 and full.upper().startswith(text):
            return n
    raise _bad_workdays(value)


def _bad_workdays(value: Any) -> BadValue:
    return BadValue(f"expected weekdays such as MO-FR or MO,TU,WE, got {value!r}")


def parse_zone(value: Any) -> tzinfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        raise BadValue(
            f"unknown time zone {value!r} (use an IANA name such as Europe/Berlin)"
        ) from None


def parse_optional_zone(value: Any) -> tzinfo | None:
    return None if value in (None, "") else parse_zone(value)


def parse_addresses(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for item in items:
        for text in str(item).split(","):
            text = text.strip().lower().removeprefix("mailto:")
            if not text:
                continue
            if not is_one_line(text) or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
                raise BadValue(f"expected an email address, got {text!r}")
            out.append(text)
    return tuple(dict.fromkeys(out))


def parse_domains(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    out = [str(i).strip().lower().lstrip("@") for i in items if str(i).strip()]
    for d in out:
        if not re.fullmatch(r"[a-z0-9.-]+\.[a-z0-9-]+", d):
            raise BadValue(f"expected a domain such as example.com, got {d!r}")
    return tuple(out)


def parse_regex(value: Any) -> str:
    try:
        re.compile(str(value))
    except re.error as exc:
        raise BadValue(f"invalid regular expression: {exc}") from None
    return str(value)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise BadValue(f"expected true or false, got {value!r}")


def parse_int(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            raise BadValue(f"expected a whole number, got {value!r}") from None
        if isinstance(value, float) and value != number:
            raise BadValue(f"expected a whole number, got {value!r}")
        if isinstance(value, bool) or not low <= number <= high:
            raise BadValue(f"expected a number from {low} to {high}, got {value!r}")
        return number

    return parse


def choice(*options: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in options:
            raise BadValue(f"expected one of {', '.join(options)}, got {value!r}")
        return text

    return parse


def parse_prefer(value: Any) -> str:
    text = str(value).strip().lower()
    if text in ("morning", "afternoon", "none"):
        return text
    try:
        parse_hours(text)
    except BadValue:
        raise BadValue(
            f"expected morning, afternoon or a range such as 13:00-16:00, got {value!r}"
        ) from None
    return text


def text_value(value: Any) -> str:
    if isinstance(value, dict | list):
        raise BadValue("expected a string")
    return str(value)


def optional_text(value: Any) -> str | None:
    return None if value in (None, "") else text_value(value)


def is_one_line(text: str) -> bool:
    """Whether ``text`` can go into a protocol line (an SMTP command, a mail header): a line
    break or another control character would end the line early, or inject another."""
    return not _CONTROL.search(text)


def one_line(value: Any) -> str:
    text = text_value(value)
    if not is_one_line(text):
        raise BadValue("contains a line break or another control character")
    return text


def optional_line(value: Any) -> str | None:
    return None if value in (None, "") else one_line(value)


def login_name(value: Any) -> str | None:
    """One line of ASCII: what smtplib can send as a login name."""
    text = optional_line(value)
    if text is not None and not text.isascii():
        raise BadValue("must be ASCII (smtplib sends no other login names)")
    return text


def parse_strings(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(str(i) for i in items if str(i))


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class GoogleSettings:
    api_endpoint: str = "https://www.googleapis.com/"
    credentials: str = "oauth"  # oauth | anonymous | service_account
    client_secrets: str | None = None
    token_file: str | None = None
    service_account_file: str | None = None
    subject: str | None = None
    sync: bool = False
    auto_decline: str = "none"  # none | new | all
    chat_status: str = "available"  # available | doNotDisturb
    decline_message: str = "Declined because I am in focus time."
    retries: int = 5  # retries of rate limits, server errors and timeouts (with backoff)


@dataclass(frozen=True)
class OutlookSettings:
    """[outlook]: Microsoft 365 and Outlook through Microsoft Graph."""

    client_id: str | None = None  # the app registered in Entra ID
    tenant: str = "organizations"  # organizations, common, consumers or a tenant id/domain
    credentials: str = "user"  # user (focuscal auth outlook) | app (client credentials)
    client_secret_env: str = "FOCUSCAL_OUTLOOK_CLIENT_SECRET"  # app: the secret's variable
    certificate: str | None = None  # app: a PEM file with the private key and certificate
    token_cache: str | None = None  # default: the user data directory
    graph_endpoint: str = "https://graph.microsoft.com/v1.0"
    login_endpoint: str = "https://login.microsoftonline.com"
    cafile: str | None = None  # a private CA (a TLS-inspecting proxy, a test server)
    retries: int = 5  # retries of throttling (429), 503/504 and timeouts (with backoff)


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int | None = None
    security: str = "starttls"  # starttls | ssl | none
    username: str | None = None
    password_env: str = "FOCUSCAL_SMTP_PASSWORD"
    keyring: bool = False
    sender: str | None = None  # key "from"
    cafile: str | None = None
    timeout: int = 30


@dataclass(frozen=True)
class ReportSettings:
    to: tuple[str, ...] = ()
    weeks: int = 4


@dataclass(frozen=True)
class CalendarEntry:
    """One [[calendars]] entry: a source URI, with credentials for CalDAV."""

    uri: str
    name: str | None = None
    username: str | None = None
    password_env: str | None = None
    keyring: bool = False


# Team sources that read every member in bulk; any other source is a template.
TEAM_BULK_SOURCES = ("google-freebusy", "outlook-schedule")


@dataclass(frozen=True)
class TeamSettings:
    """One [[teams]] entry. ``source`` is ``google-freebusy``, ``outlook-schedule``, or a
    template: a source URI with ``{member}`` in it, or a folder of ICS exports holding
    ``MEMBER.ics`` or a folder ``MEMBER/`` per member. ``members_file`` is read when the team
    is, relative to the config file's folder."""

    name: str
    source: str
    members: tuple[str, ...] = ()
    members_file: str | None = None
    organizer: str | None = None  # outlook-schedule: the mailbox that asks (default: me)
    salt_file: str | None = None  # default: the user data directory
    policy: TeamPolicy = field(default_factory=TeamPolicy)


@dataclass(frozen=True)
class Settings:
    timezone: tzinfo | None = None
    me: tuple[str, ...] = ()
    internal_domains: tuple[str, ...] = ()
    work_hours: tuple[time, time] = (time(9), time(17))
    workdays: frozenset[int] = frozenset(range(5))
    focus_min: int = 120
    b2b_gap: int = 5
    lunch: tuple[time, time] | None = None
    tentative: str = "busy"
    ooo_pattern: str = DEFAULT_OOO_PATTERN
    focus_pattern: str = DEFAULT_FOCUS_PATTERN
    format: str = "table"
    timeout: int = 30  # seconds, for every network request
    cache: bool = True
    max_download_mb: int = 64  # the largest calendar body fetched from a URL, in MiB
    # The instances one event may give for the dates asked about (focuscal.ical.MAX_INSTANCES)
    max_instances: int = 10_000
    strict: bool = False  # a file of a folder that cannot be read is an error, not a warning
    focus: FocusPolicy = field(default_factory=FocusPolicy)
    google: GoogleSettings = field(default_factory=GoogleSettings)
    outlook: OutlookSettings = field(default_factory=OutlookSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    report: ReportSettings = field(default_factory=ReportSettings)
    calendars: tuple[CalendarEntry, ...] = ()
    teams: tuple[TeamSettings, ...] = ()
    thresholds: tuple[Threshold, ...] = ()  # [thresholds]: fail_under, then fail_over
    path: str | None = None  # the config file these settings came from

    def zone(self, fallback: tzinfo) -> tzinfo:
        return self.timezone or fallback

    def policy(self, tz: tzinfo) -> WorkPolicy:
        return WorkPolicy(
            tz=tz,
            workdays=self.workdays,
            work_start=self.work_hours[0],
            work_end=self.work_hours[1],
            focus_min=self.focus_min,
            b2b_gap=self.b2b_gap,
            lunch=self.lunch,
        )

    def rules(self, extra_me: tuple[str, ...] = ()) -> ClassifyRules:
        return ClassifyRules(
            me=frozenset(self.me or extra_me),
            internal_domains=frozenset(self.internal_domains),
            ooo_pattern=self.ooo_pattern,
            focus_pattern=self.focus_pattern,
            tentative_free=self.tentative == "free",
        )


TOP_KEYS: dict[str, Callable[[Any], Any]] = {
    "timezone": parse_optional_zone,
    "me": parse_addresses,
    "internal_domains": parse_domains,
    "work_hours": parse_hours,
    "workdays": parse_workdays,
    "focus_min": parse_duration,
    "b2b_gap": parse_duration,
    "lunch": parse_optional_hours,
    "tentative": choice("busy", "free"),
    "ooo_pattern": parse_regex,
    "focus_pattern": parse_regex,
    "format": choice("table", "json", "csv", "markdown"),
    "timeout": parse_int(1, 3600),
    "cache": parse_bool,
    "max_download_mb": parse_int(1, 4096),
    "max_instances": parse_int(1, 10_000_000),
    "strict": parse_bool,
}

SECTIONS: dict[str, tuple[type, dict[str, Callable[[Any], Any]]]] = {
    "focus": (
        FocusPolicy,
        {
            "target": parse_duration,
            "min_block": parse_duration,
            "max_block": parse_duration,
            "max_per_day": parse_int(1, 24),
            "prefer": parse_prefer,
            "buffer": parse_duration,
            "summary": text_value,
        },
    ),
    "google": (
        GoogleSettings,
        {
            "api_endpoint": text_value,
            "credentials": choice("oauth", "anonymous", "service_account"),
            "client_secrets": optional_text,
            "token_file": optional_text,
            "service_account_file": optional_text,
            "subject": optional_text,
            "sync": parse_bool,
            "auto_decline": choice("none", "new", "all"),
            "chat_status": lambda v: {"available": "available", "donotdisturb": "doNotDisturb"}[
                choice("available", "donotdisturb")(v)
            ],
            "decline_message": text_value,
            "retries": parse_int(0, 10),
        },
    ),
    "outlook": (
        OutlookSettings,
        {
            "client_id": optional_text,
            "tenant": text_value,
            "credentials": choice("user", "app"),
            "client_secret_env": text_value,
            "certificate": optional_text,
            "token_cache": optional_text,
            "graph_endpoint": text_value,
            "login_endpoint": text_value,
            "cafile": optional_text,
            "retries": parse_int(0, 10),
        },
    ),
    "smtp": (
        SmtpSettings,
        {
            "host": one_line,
            "port": parse_int(1, 65535),
            "security": choice("starttls", "ssl", "none"),
            "username": login_name,
            "password_env": one_line,
            "keyring": parse_bool,
            "from": lambda v: (parse_addresses(v) or (None,))[0],
            "cafile": optional_text,
            "timeout": parse_int(1, 3600),
        },
    ),
    "report": (ReportSettings, {"to": parse_addresses, "weeks": parse_int(1, 104)}),
}
_FIELD_NAMES: dict[str, str] = {"from": "sender"}

def source_text(value: Any) -> str:
    """A calendar source: a non-empty string (a number or a table is a mistake, not a path)."""
    if not isinstance(value, str):
        raise BadValue(f"expected a file, folder or URL as a string, got {value!r}")
    if not value.strip():
        raise BadValue("is empty: name a file, folder or URL")
    return value


CALENDAR_KEYS: dict[str, Callable[[Any], Any]] = {
    "uri": source_text,
    "url": source_text,
    "name": optional_text,
    "username": optional_text,
    "password_env": optional_text,
    "keyring": parse_bool,
}


def parse_group_size(value: Any) -> int:
    number = parse_int(1, 100_000)(value)
    if number < MIN_GROUP_FLOOR:
        raise BadValue(f"a team is never shown below {MIN_GROUP_FLOOR} members, got {value!r}")
    return number


def parse_members(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadValue('expected a list of members, such as ["ana@example.com"]')
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


TEAM_KEYS: dict[str, Callable[[Any], Any]] = {
    "name": text_value,
    "source": text_value,
    "members": parse_members,
    "members_file": optional_text,
    "organizer": lambda v: (parse_addresses(v) or (None,))[0],
    "salt_file": optional_text,
    "privacy": choice(*PRIVACY_LEVELS),
    "min_group_size": parse_group_size,
    "focus_goal": parse_duration,
}
TEAM_POLICY_KEYS = ("privacy", "min_group_size", "focus_goal")


def default_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("focuscal") / "config.toml"


def find_config(explicit: str | None, env: Mapping[str, str]) -> tuple[Path | None, bool]:
    """The config file to read and whether the user named it (then it must exist)."""
    if explicit:
        return Path(explicit), True
    if env.get("FOCUSCAL_CONFIG"):
        return Path(env["FOCUSCAL_CONFIG"]), True
    path = default_path()
    return (path, False) if path.exists() else (None, False)


def load_settings(
    explicit: str | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Read and validate the config file (or defaults when there is none)."""
    env = os.environ if env is None else env
    path, required = find_config(explicit, env)
    if path is None:
        return Settings()
    import tomllib  # only with a config file to read

    where = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ConfigError("config file not found", where=where) from None
        return Settings()
    except IsADirectoryError:
        raise ConfigError("cannot read config file: this is a folder; name the file",
                          where=where) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror or exc}", where=where) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read config file: not UTF-8 text (at byte {exc.start})",
                          where=where) from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's message ends with "(at line N, column M)"; newer ones also set lineno.
        found = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = getattr(exc, "lineno", None) or (int(found[1]) if found else None)
        message = str(exc)[: found.start()].strip() if found else str(exc)
        raise ConfigError(f"invalid TOML: {message}", where=where, line=line) from None
    return settings_from_mapping(raw, where)


def settings_from_mapping(raw: Mapping[str, Any], where: str) -> Settings:
    """Validate a parsed TOML document; every problem is collected before failing."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                problems.append(f"[{key}] must be a table")
                continue
            cls, parsers = SECTIONS[key]
            fields: dict[str, Any] = {}
            for sub, subvalue in value.items():
                if sub not in parsers:
                    problems.append(f"unknown key {key}.{sub}")
                    continue
                try:
                    fields[_FIELD_NAMES.get(sub) or sub] = parsers[sub](subvalue)
                except (BadValue, KeyError) as exc:
                    problems.append(f"{key}.{sub}: {exc}")
            values[key] = cls(**fields)
        elif key == "calendars":
            values[key] = _calendars(value, problems)
        elif key == "thresholds":
            values[key] = _thresholds(value, problems)
        elif key == "teams":
            values[key] = _teams(value, problems)
        elif key in TOP_KEYS:
            try:
                values[key] = TOP_KEYS[key](value)
            except BadValue as exc:
                problems.append(f"{key}: {exc}")
        else:
            problems.append(f"unknown key {key}")
    if problems:
        raise ConfigError("; ".join(problems), where=where)
    settings = Settings(**values, path=where)
    _check_focus(settings.focus, where)
    _check_lunch(settings, {"lunch": "lunch", "work_hours": "work_hours"}, where)
    return settings


def _calendars(value: Any, problems: list[str]) -> tuple[CalendarEntry, ...]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append("calendars must be an array of tables ([[calendars]])")
        return ()
    out = []
    for n, entry in enumerate(value, 1):
        fields: dict[str, Any] = {}
        for key, item in entry.items():
            if key not in CALENDAR_KEYS:
                problems.append(f"unknown key calendars[{n}].{key}")
                continue
            try:
                fields["uri" if key == "url" else key] = CALENDAR_KEYS[key](item)
            except BadValue as exc:
                problems.append(f"calendars[{n}].{key}: {exc}")
        if "uri" in fields:
            out.append(CalendarEntry(**fields))
        elif not {"uri", "url"} & entry.keys():  # a bad one is reported above
            problems.append(f"calendars[{n}]: needs uri (or url)")
    return tuple(out)


def _teams(value: Any, problems: list[str]) -> tuple[TeamSettings, ...]:
    """[[teams]]: each needs a name (unique), a source and members or a members_file."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        problems.append("teams must be an array of tables ([[teams]])")
        return ()
    out: list[TeamSettings] = []
    for n, entry in enumerate(value, 1):
        fields: dict[str, Any] = {}
        policy: dict[str, Any] = {}
        for key, item in entry.items():
            if key not in TEAM_KEYS:
                problems.append(f"unknown key teams[{n}].{key}")
                continue
            try:
                parsed = TEAM_KEYS[key](item)
            except BadValue as exc:
                problems.append(f"teams[{n}].{key}: {exc}")
                continue
            (policy if key in TEAM_POLICY_KEYS else fields)[key] = parsed
        missing = [k for k in ("name", "source") if k not in fields]
        if missing:
            problems.append(f"teams[{n}]: needs {' and '.join(missing)}")
            continue
        if not fields.get("members") and not fields.get("members_file"):
            problems.append(f"teams[{n}]: needs members or members_file")
            continue
        if fields["name"] in {t.name for t in out}:
            problems.append(f"teams[{n}]: a second team named {fields['name']!r}")
            continue
        out.append(TeamSettings(**fields, policy=TeamPolicy(**policy)))
    return tuple(out)


THRESHOLD_KEYS: dict[str, Direction] = {"fail_under": "under", "fail_over": "over"}


def _thresholds(value: Any, problems: list[str]) -> tuple[Threshold, ...]:
    """[thresholds]: fail_under / fail_over, each a table ({focus = "10h"}) or a string."""
    if not isinstance(value, dict):
        problems.append("[thresholds] must be a table")
        return ()
    out: list[Threshold] = []
    for key, item in value.items():
        if key not in THRESHOLD_KEYS:
            problems.append(f"unknown key thresholds.{key}")
            continue
        try:
            out.extend(thresholds_from_config(item, THRESHOLD_KEYS[key]))
        except BadThreshold as exc:
            problems.append(f"thresholds.{key}: {exc}")
    return tuple(out)


def _check_lunch(settings: Settings, names: Mapping[str, str], where: str | None = None) -> None:
    """A lunch lies inside the working hours: a range past their end (13:00-12:00 is 23 hours
    from 13:00) or outside them is a mistake, not a lunch. ``names`` maps ``lunch`` and
    ``work_hours`` to what the user typed."""
    if settings.lunch is None:
        return
    start, end = (_minute_of_day(t) for t in settings.work_hours)
    shift = (end - start) % 1440 or 1440
    lunch_start, lunch_end = (_minute_of_day(t) for t in settings.lunch)
    offset = (lunch_start - start) % 1440
    if offset + (lunch_end - lunch_start) % 1440 > shift:
        raise ConfigError(
            f"{names['lunch']}: {_clock_range(settings.lunch)} is not inside the working hours "
            f"({names['work_hours']} {_clock_range(settings.work_hours)})",
            where=where,
        )


def _minute_of_day(value: time) -> int:
    return value.hour * 60 + value.minute


def _clock_range(hours: tuple[time, time]) -> str:
    return f"{hours[0]:%H:%M}-{hours[1]:%H:%M}"


def _check_focus(focus: FocusPolicy, where: str) -> None:
    if focus.min_block <= 0 or focus.max_block < focus.min_block:
        raise ConfigError(
            f"focus.max_block ({focus.max_block} min) must be at least focus.min_block "
            f"({focus.min_block} min), and both positive",
            where=where,
        )


def override(
    settings: Settings, options: Mapping[str, Any], *, section: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Settings:
    """Apply CLI option values (None means not given) through the config parsers.

    ``options`` maps config keys (top-level, or of ``section``) to raw values; ``names`` maps a
    key to the option the user typed (``timezone`` -> ``--tz``; default ``--KEY``). A bad value
    raises ConfigError naming that option.
    """
    def name(key: str) -> str:
        return (names or {}).get(key) or f"--{key.replace('_', '-')}"

    parsers = TOP_KEYS if section is None else SECTIONS[section][1]
    changes: dict[str, Any] = {}
    problems = []
    for key, value in options.items():
        if value is None or value == ():
            continue
        try:
            changes[_FIELD_NAMES.get(key, key)] = parsers[key](value)
        except (BadValue, KeyError) as exc:
            problems.append(f"{name(key)}: {exc}")
    if problems:
        raise ConfigError("; ".join(problems))
    if not changes:
        return settings
    if section is None:
        updated_settings = replace(settings, **changes)
        _check_lunch(updated_settings, {key: name(key) if key in changes else key
                                        for key in ("lunch", "work_hours")},
                     None if "lunch" in changes else settings.path)
        return updated_settings
    updated = replace(getattr(settings, section), **changes)
    if section == "focus" and (updated.min_block <= 0 or updated.max_block < updated.min_block):
        # Name what the user typed; a value from the file or the default keeps its key.
        given = [key for key in ("min_block", "max_block") if key in changes]
        shown = {key: name(key) if key in given else f"focus.{key}"
                 for key in ("min_block", "max_block")}
        if updated.min_block <= 0:
            raise ConfigError(f"{shown['min_block']}: expected a positive duration")
        missing = {"min_block": "max_block", "max_block": "min_block"}
        raise ConfigError(
            f"{shown['max_block']} ({updated.max_block} min) must be at least "
            f"{shown['min_block']} ({updated.min_block} min)",
            hint=f"give {name(missing[given[0]])} too" if len(given) == 1 else None,
        )
    return replace(settings, **{section: updated})
