"""Thresholds: parsing (names, units, one-line errors), evaluation against period totals, config."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from focuscal.config import settings_from_mapping
from focuscal.errors import ConfigError, InputError
from focuscal.metrics import period_metrics
from focuscal.model import WorkPolicy
from focuscal.thresholds import METRICS, combine, crossed, parse
from tests.conftest import EXAMPLES
from tests.helpers import classified, meeting

NY = ZoneInfo("America/New_York")
TOTALS = {
    "working_minutes": 2400, "meeting_minutes": 1230, "meeting_count": 31,
    "external_meeting_minutes": 300, "focus_booked_minutes": 0, "focus_minutes": 510,
    "fragmented_minutes": 660, "block_count": 19, "back_to_back": 4,
    "after_hours_meeting_minutes": 150, "longest_block_minutes": 180, "meeting_free_days": 0,
    "fragmentation": 0.5641,
}


@pytest.mark.parametrize(
    ("text", "key", "limit"),
    [("focus=10h", "focus_minutes", 600), ("meetings=90m", "meeting_minutes", 90),
     ("after_hours=1h30m", "after_hours_meeting_minutes", 90),
     ("after-hours=1h 30m", "after_hours_meeting_minutes", 90),
     ("customers=1:15", "external_meeting_minutes", 75),
     ("longest=2H", "longest_block_minutes", 120), ("working=0m", "working_minutes", 0),
     ("booked_focus=45min", "focus_booked_minutes", 45),
     ("fragmented=3h", "fragmented_minutes", 180),
     ("fragmentation=50%", "fragmentation", 50.0), ("fragmentation=33.3%", "fragmentation", 33.3),
     ("back_to_back=3", "back_to_back", 3), ("meeting_count=25", "meeting_count", 25),
     ("block_count=0", "block_count", 0), ("meeting_free_days=1", "meeting_free_days", 1),
     ("focus_minutes=10h", "focus_minutes", 600), (" Meetings = 20h ", "meeting_minutes", 1200)],
)
def test_parse_names_and_units(text, key, limit):
    (threshold,) = parse(text, "over", "--fail-over")
    assert (threshold.metric.key, threshold.limit) == (key, limit)


def test_every_metric_is_a_key_of_the_totals():
    period = period_metrics(date(2026, 3, 9), date(2026, 3, 15), [], WorkPolicy(tz=NY))
    assert {m.key for m in METRICS} == set(period.totals())


@pytest.mark.parametrize(
    ("text", "message"),
    [("focus", "--fail-under: 'focus': expected METRIC=VALUE such as focus=10h"),
     ("focus=", "--fail-under: 'focus=': expected METRIC=VALUE"),
     ("focs=10h", "--fail-under: unknown metric 'focs' (one of focus, meetings,"),
     ("focus=10", "--fail-under: focus: expected a duration such as 10h, 90m or 1h30m, "
                  "got '10'"),
     ("focus=10x", "--fail-under: focus: expected a duration"),
     ("focus=-1h", "--fail-under: focus: expected a duration"),
     ("fragmentation=0.5", "--fail-under: fragmentation: expected a percentage from 0% to 100%"),
     ("fragmentation=150%", "--fail-under: fragmentation: expected a percentage"),
     ("meeting_count=2.5", "--fail-under: meeting_count: expected a whole number such as 5"),
     ("meeting_count=5h", "--fail-under: meeting_count: expected a whole number"),
     ("focus=10h,focus=8h", "--fail-under: focus is given twice"),
     ("", "--fail-under: expected METRIC=VALUE"),
     ("focus=10h,,meetings=2", "--fail-under: meetings: expected a duration")],
)
def test_errors_are_one_line_naming_the_option_and_the_part(text, message):
    with pytest.raises(InputError) as info:
        parse(text, "under", "--fail-under")
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("under", "over", "expected"),
    [("focus=10h", "", ["focus 8h 30m is under 10h"]),
     ("focus=8h 30m", "", []),  # equal is not crossed
     ("", "meetings=20h,fragmentation=50%,after_hours=2h",
      ["meetings 20h 30m is over 20h", "fragmentation 56.41% is over 50%",
       "after_hours 2h 30m is over 2h"]),
     ("", "fragmentation=56.41%", []),
     ("", "fragmentation=56.4%", ["fragmentation 56.41% is over 56.4%"]),
     ("meeting_free_days=1", "meeting_count=30,back_to_back=4",
      ["meeting_free_days 0 is under 1", "meeting_count 31 is over 30"]),
     ("longest=3h,customers=5h", "working=40h", []),
     ("longest=3h 1m", "", ["longest 3h is under 3h 01m"])],
)
def test_crossed_thresholds_describe_themselves(under, over, expected):
    thresholds = (parse(under, "under", "--fail-under") if under else ()) + (
        parse(over, "over", "--fail-over") if over else ())
    assert [b.description for b in crossed(thresholds, TOTALS)] == expected


def test_thresholds_on_a_real_period():
    tz = NY
    monday = date(2026, 3, 9)
    events = classified(meeting(datetime.combine(monday, time(10), tz),
                                datetime.combine(monday, time(12, 30), tz)))
    period = period_metrics(monday, monday, events, WorkPolicy(tz=tz))
    found = crossed(parse("meetings=2h", "over", "--fail-over")
                    + parse("focus=5h", "under", "--fail-under"), period.totals())
    assert [b.description for b in found] == ["meetings 2h 30m is over 2h",
                                              "focus 4h 30m is under 5h"]


def test_command_line_replaces_the_config_for_the_same_metric_and_direction():
    config = parse("focus=10h", "under", "x") + parse("focus=1h,meetings=20h", "over", "x")
    cli = parse("focus=12h", "under", "--fail-under")
    combined = combine(config, cli)
    assert sorted(t.text + " " + t.direction for t in combined) == [
        "focus=12h under", "focus=1h over", "meetings=20h over"]


def test_config_tables_and_strings():
    settings = settings_from_mapping(
        {"thresholds": {"fail_under": {"focus": "10h"},
                        "fail_over": "meetings=20h,fragmentation=50%"}}, "c.toml")
    assert [(t.metric.name, t.direction, t.limit) for t in settings.thresholds] == [
        ("focus", "under", 600), ("meetings", "over", 1200), ("fragmentation", "over", 50.0)]
    counts = settings_from_mapping({"thresholds": {"fail_over": {"meeting_count": 25}}}, "c")
    assert counts.thresholds[0].limit == 25


def test_config_errors_name_the_key_and_file_and_are_all_collected():
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(
            {"thresholds": {"fail_under": {"focus": 600, "focs": "1h"},
                            "fail_over": {"fragmentation": 0.5}, "fail_sideways": {}},
             "workdays": "XX"}, "my.toml")
    text = str(info.value)
    assert text.startswith("my.toml: ")
    assert "\n" not in text
    for fragment in ("thresholds.fail_under: focus: expected a duration such as 10h",
                     "thresholds.fail_over: fragmentation: expected a percentage",
                     "unknown key thresholds.fail_sideways", "workdays:"):
        assert fragment in text
    with pytest.raises(ConfigError, match=r"thresholds\.fail_over: expected a table"):
        settings_from_mapping({"thresholds": {"fail_over": ["meetings=20h"]}}, "c")
    with pytest.raises(ConfigError, match=r"\[thresholds\] must be a table"):
        settings_from_mapping({"thresholds": "focus=10h"}, "c")


def test_example_config_thresholds():
    from focuscal.config import load_settings

    settings = load_settings(str(EXAMPLES / "config.toml"), {})
    assert sorted(t.text for t in settings.thresholds) == [
        "after_hours=2h", "focus=10h", "fragmentation=50%", "meetings=20h"]


def test_readme_documents_every_metric():
    readme = (EXAMPLES.parent / "README.md").read_text()
    section = readme[readme.index("### Thresholds for scripts and cron"):]
    for m in METRICS:
        assert f"`{m.name}`" in section, m.name
