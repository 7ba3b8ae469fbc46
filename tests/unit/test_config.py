"""Config parsing: every value parser, key validation that names key and file, precedence."""

from datetime import time

import pytest

from focuscal.config import (
    BadValue,
    load_settings,
    override,
    parse_duration,
    parse_hours,
    parse_workdays,
    settings_from_mapping,
)
from focuscal.errors import ConfigError


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("2h", 120), ("90m", 90), ("1h30m", 90), ("1h 30m", 90), ("45min", 45), ("1:15", 75),
     (30, 30), ("0m", 0), ("10H", 600)],
)
def test_durations(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "h", "soon", "-5m", "2x", True, "1:75"])
def test_bad_durations(text):
    with pytest.raises(BadValue):
        parse_duration(text)


def test_hours_and_workdays():
    assert parse_hours("09:00-17:30") == (time(9), time(17, 30))
    assert parse_hours("22:00-06:00") == (time(22), time(6))
    assert parse_workdays("MO-FR") == frozenset(range(5))
    assert parse_workdays("FR-MO") == frozenset({4, 5, 6, 0})
    assert parse_workdays(["mo", "we"]) == frozenset({0, 2})
    assert parse_workdays("MO,TU,TH") == frozenset({0, 1, 3})
    for bad in ("XX", "", "MO-XY"):
        with pytest.raises(BadValue):
            parse_workdays(bad)
    with pytest.raises(BadValue):
        parse_hours("09:00-09:00")


def test_every_problem_is_collected_with_the_file():
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(
            {"workdays": "XX", "tz": "UTC", "focus": {"target": "lots", "colour": 1},
             "calendars": [{"url": "a.ics", "pasword_env": "X"}]},
            "my.toml",
        )
    text = str(info.value)
    assert text.startswith("my.toml: ")
    for fragment in ("workdays:", "unknown key tz", "focus.target:", "unknown key focus.colour",
                     "unknown key calendars[1].pasword_env"):
        assert fragment in text


def test_file_env_and_defaults(tmp_path, monkeypatch):
    assert load_settings(None, {}).work_hours == (time(9), time(17))
    path = tmp_path / "c.toml"
    path.write_text('work_hours = "08:00-16:00"\n[focus]\ntarget = "6h"\n')
    assert load_settings(None, {"FOCUSCAL_CONFIG": str(path)}).focus.target == 360
    assert load_settings(str(path), {}).path == str(path)
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(str(tmp_path / "missing.toml"), {})
    path.write_text("work_hours = \n")
    with pytest.raises(ConfigError) as info:
        load_settings(str(path), {})
    assert info.value.line == 1


def test_override_goes_through_the_same_parsers():
    settings = settings_from_mapping({}, "x")
    changed = override(settings, {"work_hours": "10:00-18:00", "me": ("A@B.com",), "lunch": None})
    assert changed.work_hours == (time(10), time(18))
    assert changed.me == ("a@b.com",)
    with pytest.raises(ConfigError, match="--focus-min"):
        override(settings, {"focus_min": "forever"})
    # Messages name the option the user typed, and the config key of a value they did not give.
    with pytest.raises(ConfigError, match=r"--max-block \(60 min\) must be at least "
                       r"focus.min_block \(120 min\) \(give --min-block too\)"):
        override(settings, {"max_block": "1h"}, section="focus")
    with pytest.raises(ConfigError, match=r"^--tz: unknown time zone"):
        override(settings, {"timezone": "Mars/Olympus"}, names={"timezone": "--tz"})


def test_example_config_is_valid():
    from tests.conftest import EXAMPLES

    settings = load_settings(str(EXAMPLES / "config.toml"), {})
    assert settings.me == ("alex.rivera@acme-sales.com",)
    assert settings.smtp.sender == "alex.rivera@acme-sales.com"
    assert [t.name for t in settings.teams] == ["sales"]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", {0, 1, 2, 3, 4}),
        ("monday,Wednesday", {0, 2}),
        ("TUE,THURS", {1, 3}),
        ("sa-mo", {5, 6, 0}),
        ("MO-MO", {0}),
        ("MO,,TU", {0, 1}),
    ],
)
def test_workdays_take_the_names_people_type(text, days):
    assert parse_workdays(text) == frozenset(days)


@pytest.mark.parametrize("bad", ["MO-FR-SA", "MONKEY", "M", "MO-", "-FR", "MO-FRX", ["MO", 3]])
def test_workdays_are_never_cut_to_what_fits(bad):
    with pytest.raises(BadValue, match="expected weekdays such as MO-FR"):
        parse_workdays(bad)
