"""focuscal team over a folder of ICS exports (one file per member): the aggregates equal
the members' own audits combined by hand, the common free windows and the best slot equal a
minute-by-minute intersection of those audits, --rows holds each member-week with a hashed
id, and members that cannot be read are named once and left out."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.teamstats import FIGURES
from tests.team.conftest import WEEK, audits, generate, quartiles, team_config, write_folder


def run(*args):
    return CliRunner().invoke(cli, list(args))


def team_json(config, *extra):
    result = run("--config", str(config), "team", "--week", WEEK, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result


def test_the_aggregates_are_the_members_audits_combined(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"')
    doc, _ = team_json(config)
    totals = [a.period.totals() for a in audits(members, folder)]
    assert doc["schema"] == "focuscal.team/1"
    assert doc["privacy"] == "full"
    assert doc["members"] == {"read": 9, "left_out": 0}
    figures = doc["week"]["figures"]
    assert set(figures) == set(FIGURES)
    for key in FIGURES:
        q1, median, q3 = quartiles([float(t[key]) for t in totals])
        digits = 4 if key == "fragmentation" else 1
        assert figures[key] == {"q1": round(q1, digits), "median": round(median, digits),
                                "q3": round(q3, digits)}, key
    # the data really varies: customers, after hours, several fragmentation buckets
    assert figures["external_meeting_minutes"]["q3"] > 0
    assert figures["after_hours_meeting_minutes"]["q3"] > 0
    under = sum(1 for t in totals if t["focus_minutes"] < 600) / len(totals)
    assert doc["week"]["under_focus_goal"] == round(under, 4)
    after = sum(1 for t in totals if t["after_hours_meeting_minutes"] > 0) / len(totals)
    assert doc["week"]["with_after_hours"] == round(after, 4)
    buckets = [0, 0, 0, 0]
    for t in totals:
        buckets[min(3, int(t["fragmentation"] * 4))] += 1
    assert [b["members"] for b in doc["week"]["fragmentation_histogram"]] == buckets
    assert doc["not_available"] == {}


def minutes_free(day_metrics) -> set[int]:
    """The minutes (from midnight UTC) of a day's audit blocks."""
    out: set[int] = set()
    for block in day_metrics.blocks:
        start = block.start.hour * 60 + block.start.minute
        out.update(range(start, start + block.minutes))
    return out


def test_common_free_windows_and_the_best_slot_by_hand(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"')
    doc, _ = team_json(config)
    results = audits(members, folder)
    for n, day in enumerate(doc["common_free"]):
        working = [r.period.days[n] for r in results if r.period.days[n].status == "workday"]
        assert day["working_members"] == len(working)
        common = set.intersection(*(minutes_free(d) for d in working))
        shown = set()
        for span in day["free"]:
            start = datetime.fromisoformat(span["start"])
            shown.update(range(start.hour * 60 + start.minute,
                               start.hour * 60 + start.minute + span["minutes"]))
        assert shown == common, day["date"]
    # the best slot: every 2h block on the half-hour grid, members free for all of it
    best = {}
    for weekday in range(5):
        for start in range(9 * 60, 15 * 60 + 1, 30):
            days = [r.period.days[weekday] for r in results]
            present = [d for d in days if d.status == "workday"]
            free = sum(1 for d in present if set(range(start, start + 120)) <= minutes_free(d))
            best[(weekday, start)] = free / len(present)
    ranked = sorted(best, key=lambda k: (-best[k], k))[:3]
    codes = ["MO", "TU", "WE", "TH", "FR"]
    assert [(s["weekday"], s["start"], s["free_share"]) for s in doc["best_slots"]] == [
        (codes[w], f"{m // 60:02d}:{m % 60:02d}", round(best[(w, m)], 4)) for w, m in ranked]


def test_a_trend_over_weeks(tmp_path):
    members = generate(6, seed=3, weeks=3)
    folder = write_folder(members, tmp_path / "exports")
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"')
    doc, _ = team_json(config, "--weeks", "3")
    results = audits(members, folder, weeks=3)
    assert [w["week"] for w in doc["weeks"]] == ["2026-W09", "2026-W10", "2026-W11"]
    for n, week in enumerate(doc["weeks"]):
        focus = [float(r.weeks[n].total("focus_minutes")) for r in results]
        assert week["figures"]["focus_minutes"]["median"] == round(quartiles(focus)[1], 1)
    assert doc["week"] == doc["weeks"][-1]


def test_rows_hold_every_member_week_with_a_stable_hashed_id(tmp_path, team_folder):
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members],
                         team='privacy = "full"')
    team_json(config, "--rows", str(tmp_path / "rows.csv"))
    team_json(config, "--rows", str(tmp_path / "rows.jsonl"))
    table = list(csv.DictReader(io.StringIO((tmp_path / "rows.csv").read_text())))
    lines = [json.loads(line) for line in (tmp_path / "rows.jsonl").read_text().splitlines()]
    assert len(table) == len(lines) == len(members)
    assert [r["member"] for r in table] == [r["member"] for r in lines]  # the same ids again
    text = (tmp_path / "rows.csv").read_text() + (tmp_path / "rows.jsonl").read_text()
    assert not any(m.address in text or m.address.split("@")[0] in text for m in members)
    by_focus = sorted(int(r["focus_minutes"]) for r in table)
    assert by_focus == sorted(a.period.total("focus_minutes") for a in audits(members, folder))
    assert {r["week"] for r in lines} == {WEEK}
    assert len({r["member"] for r in lines}) == len(members)


def test_another_team_salt_gives_other_ids(tmp_path, team_folder):
    members, folder = team_folder
    addresses = [m.address for m in members]
    first = team_config(tmp_path / "a.toml", str(folder), addresses, team='privacy = "full"\n'
                        f'salt_file = "{tmp_path / "a.salt"}"')
    second = team_config(tmp_path / "b.toml", str(folder), addresses, team='privacy = "full"\n'
                         f'salt_file = "{tmp_path / "b.salt"}"')
    team_json(first, "--rows", str(tmp_path / "a.jsonl"))
    team_json(second, "--rows", str(tmp_path / "b.jsonl"))
    ids = [{json.loads(x)["member"] for x in (tmp_path / f"{n}.jsonl").read_text().splitlines()}
           for n in "ab"]
    assert not ids[0] & ids[1]
    assert (tmp_path / "a.salt").stat().st_mode & 0o777 == 0o600


def test_a_member_that_cannot_be_read_is_named_once_and_left_out(tmp_path, team_folder):
    members, folder = team_folder
    addresses = [m.address for m in members] + ["gone@acme.com", "broken@acme.com"]
    (folder / "broken@acme.com.ics").write_text("BEGIN:VCALENDAR\nnot a calendar")
    config = team_config(tmp_path / "c.toml", str(folder), addresses, team='privacy = "full"')
    doc, result = team_json(config)
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "2 of 11 members could not be read" in warnings[0]
    assert "gone@acme.com" in warnings[0]
    assert "broken@acme.com" in warnings[0]
    assert doc["members"] == {"read": 9, "left_out": 2}
    clean, _ = team_json(team_config(tmp_path / "d.toml", str(folder),
                                     [m.address for m in members], team='privacy = "full"'))
    assert clean["week"] == doc["week"]


def test_nothing_read_is_exit_1(tmp_path):
    config = team_config(tmp_path / "c.toml", str(tmp_path), [f"x{n}@acme.com" for n in range(6)])
    result = run("--config", str(config), "team", "--week", WEEK)
    assert result.exit_code == 1
    assert "no member of team 'sales' could be read" in result.stderr
    assert result.stdout == ""


def test_members_file_and_templates(tmp_path, team_folder):
    members, folder = team_folder
    (tmp_path / "people.txt").write_text(
        "# the sales team\n" + "\n".join(m.address for m in members[3:]) + "\n\n")
    template = str(folder / "{member}.ics")
    config = team_config(tmp_path / "c.toml", template, [m.address for m in members[:3]],
                         team='members_file = "people.txt"\nprivacy = "full"')
    doc, _ = team_json(config)
    direct, _ = team_json(team_config(tmp_path / "d.toml", str(folder),
                                      [m.address for m in members], team='privacy = "full"'))
    assert doc["members"]["read"] == len(members)
    assert doc["week"] == direct["week"]


def test_freebusy_level_on_full_calendars(tmp_path, team_folder):
    """A folder of full exports measured at the freebusy level: the figures free/busy cannot
    tell are not shown but listed as not available; focus time is what the busy time leaves."""
    members, folder = team_folder
    config = team_config(tmp_path / "c.toml", str(folder), [m.address for m in members])
    doc, _ = team_json(config)
    assert doc["privacy"] == "freebusy"
    assert set(doc["not_available"]) == {"external_meeting_minutes", "meeting_count",
                                         "back_to_back", "focus_booked_minutes"}
    assert not set(doc["not_available"]) & set(doc["week"]["figures"])
    full, _ = team_json(team_config(tmp_path / "d.toml", str(folder),
                                    [m.address for m in members], team='privacy = "full"'))
    # no event here is focus time or an all-day label: busy time is meeting time at both levels
    for key in ("focus_minutes", "meeting_minutes", "fragmentation"):
        assert doc["week"]["figures"][key] == full["week"]["figures"][key]
