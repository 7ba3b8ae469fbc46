"""The rough edges of issue 12 that live in the CLI, each through click's runner and once
through a real subprocess: output paths, option names in messages, --weeks with --from/--to,
url vs uri, plan on a past week, and email --dry-run without recipients or sender."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import tomllib

import pytest
from click.testing import CliRunner

from focuscal.cli import cli
from focuscal.errors import ExitStatus
from tests.conftest import EXAMPLES, ROOT
from tests.helpers import ics

SALES = str(EXAMPLES / "sales-week.ics")
WEEK = ["--week", "2026-W11", "--tz", "America/New_York"]
BEFORE = ["--now", "2026-03-08T12:00-04:00"]  # the Sunday before the week: all of it ahead


def run(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], **kwargs)


def focuscal(*args):
    return subprocess.run([sys.executable, "-m", "focuscal", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def one_line(result, code=ExitStatus.BAD_INPUT):
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("focuscal: error: "), lines[0]
    return lines[0]


# ---------------------------------------------------------------- output paths

WRITERS = {
    "audit -o (table)": lambda path: ["audit", SALES, *WEEK, "-o", path],
    "audit -o (json)": lambda path: ["audit", SALES, *WEEK, "--format", "json", "-o", path],
    "events -o": lambda path: ["events", SALES, *WEEK, "-o", path],
    "free -o (json)": lambda path: ["free", SALES, *WEEK, "--format", "json", "-o", path],
    "report -o": lambda path: ["report", SALES, *WEEK, "-o", path],
    "plan -o": lambda path: ["plan", SALES, *WEEK, *BEFORE, "--format", "ics", "-o", path],
    "email --save": lambda path: ["email", SALES, *WEEK, "--to", "me@acme-sales.com",
                                  "--save", path],
    "book --to ics:FILE": lambda path: ["book", SALES, "--to", f"ics:{path}", *WEEK, *BEFORE,
                                        "--apply"],
}


@pytest.mark.parametrize("writer", WRITERS)
def test_into_a_missing_folder_is_one_line_and_creates_no_folder(tmp_path, writer):
    target = tmp_path / "missing" / "deeper" / "out.txt"
    line = one_line(run(*WRITERS[writer](str(target))))
    assert line.startswith(f"focuscal: error: {target}: ")
    assert "does not exist" in line
    assert "Error" not in line  # no exception class name
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_onto_a_folder_is_one_line(tmp_path, writer):
    folder = tmp_path / "reports"
    folder.mkdir()
    if writer == "book --to ics:FILE":
        pytest.skip("a folder is a vdir target for book: a block file per block goes in it")
    line = one_line(run(*WRITERS[writer](str(folder))))
    assert line == f"focuscal: error: {folder}: cannot write: this is a folder; name a file in it"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_into_a_folder_that_exists_writes_the_file(tmp_path, writer):
    target = tmp_path / "out.txt"
    result = run(*WRITERS[writer](str(target)))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def test_book_into_a_missing_vdir_folder_creates_nothing(tmp_path):
    vdir = tmp_path / "calendars" / "work"
    line = one_line(run("book", SALES, "--to", f"ics:{vdir}/", *WEEK, *BEFORE, "--apply"))
    assert f"the folder {vdir} does not exist" in line
    assert list(tmp_path.iterdir()) == []


def test_a_table_written_to_a_file_is_plain_text(tmp_path):
    out = tmp_path / "audit.txt"
    assert run("audit", SALES, *WEEK, "-o", out).exit_code == 0
    text = out.read_text()
    assert "longest uninterrupted block: 4:30 on Wed" in text
    assert "\x1b[" not in text


def test_output_paths_in_a_real_subprocess(tmp_path):
    target = tmp_path / "missing" / "audit.json"
    proc = focuscal("audit", SALES, *WEEK, "--format", "json", "-o", target)
    assert proc.returncode == ExitStatus.BAD_INPUT
    assert proc.stderr == (f"focuscal: error: {target}: cannot write: the folder "
                           f"{target.parent} does not exist (focuscal creates the file, not its "
                           "folder)\n")
    onto = focuscal("report", SALES, *WEEK, "-o", tmp_path)
    assert onto.returncode == ExitStatus.BAD_INPUT
    assert onto.stderr.startswith(f"focuscal: error: {tmp_path}: cannot write: this is a folder")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- option names in messages


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["audit", SALES, "--tz", "Mars/Olympus"], "focuscal: error: --tz: unknown time zone"),
        (["audit", SALES, "--internal-domain", "not a domain"],
         "focuscal: error: --internal-domain: expected a domain"),
        (["audit", SALES, "--focus-min", "soon"], "focuscal: error: --focus-min: expected"),
        (["plan", SALES, *WEEK, "--max-block", "1h"],
         "focuscal: error: --max-block (60 min) must be at least focus.min_block (120 min) "
         "(give --min-block too)"),
        (["plan", SALES, *WEEK, "--min-block", "3h", "--max-block", "2h"],
         "focuscal: error: --max-block (120 min) must be at least --min-block (180 min)"),
        (["book", SALES, "--to", "ics:x.ics", *WEEK, "--min-block", "4h"],
         "focuscal: error: focus.max_block (180 min) must be at least --min-block (240 min) "
         "(give --max-block too)"),
        (["unbook", "--to", "ics:x.ics", "--tz", "Nowhere/Land"], "focuscal: error: --tz: "),
    ],
)
def test_messages_name_the_option_the_user_typed(args, expected):
    line = one_line(run(*args))
    assert line.startswith(expected), line
    assert "command line" not in line
    assert "timezone" not in line
    assert "internal_domains" not in line


def test_option_names_in_a_real_subprocess():
    proc = focuscal("plan", SALES, *WEEK, "--max-block", "90m")
    assert proc.returncode == ExitStatus.BAD_INPUT
    assert proc.stderr == ("focuscal: error: --max-block (90 min) must be at least "
                           "focus.min_block (120 min) (give --min-block too)\n")


def test_a_config_value_still_names_its_key(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[focus]\nmin_block = "4h"\n')
    line = one_line(run("--config", config, "plan", SALES, *WEEK))
    assert "focus.max_block" in line
    assert str(config) in line


# ---------------------------------------------------------------- --weeks with --from/--to


@pytest.mark.parametrize("command", ["audit", "report", "plan"])
def test_weeks_with_a_date_range_is_refused(command):
    line = one_line(run(command, SALES, "--from", "2026-03-02", "--to", "2026-03-15",
                        "--weeks", "2"))
    assert "--weeks" in line
    assert "--from/--to" in line


def test_weeks_with_a_date_range_in_a_real_subprocess():
    proc = focuscal("audit", SALES, "--from", "2026-03-04", "--to", "2026-03-15", "--weeks", "2")
    assert proc.returncode == ExitStatus.BAD_INPUT
    assert proc.stderr.startswith("focuscal: error: --weeks makes a trend of whole weeks")
    assert proc.stdout == ""


def test_weeks_alone_are_whole_iso_weeks():
    import json

    doc = json.loads(run("audit", SALES, *WEEK, "--weeks", "2", "--format", "json").stdout)
    assert doc["window"] == {"start": "2026-03-02", "end": "2026-03-15"}
    assert [w["week"] for w in doc["weeks"]] == ["2026-W10", "2026-W11"]


def test_this_week_with_a_date_range_is_refused():
    line = one_line(run("audit", SALES, "--this-week", "--from", "2026-03-02", "--to",
                        "2026-03-08"))
    assert "choose one of" in line


# ---------------------------------------------------------------- url vs uri


def calendar_keys(document: dict) -> set[str]:
    return {key for entry in document.get("calendars", []) for key in entry
            if key in ("url", "uri")}


def test_the_example_config_and_the_readme_spell_the_calendar_key_alike():
    example = (EXAMPLES / "config.toml").read_text()
    assert calendar_keys(tomllib.loads(example)) == {"url"}
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    documented = set().union(*(calendar_keys(tomllib.loads(b)) for b in blocks))
    assert documented == {"url"}
    # Commented examples in the config use the same spelling.
    assert not re.search(r"^#.*\buri = ", example, re.M)


# ---------------------------------------------------------------- plan on a past week


@pytest.mark.parametrize("command", ["plan", "book"])
def test_a_past_week_is_over_not_full(command, tmp_path):
    target = ["--to", f"ics:{tmp_path / 'focus.ics'}"] if command == "book" else []
    result = run(command, SALES, *target, *WEEK, "--now", "2026-03-20T12:00-04:00")
    assert result.exit_code == 0, result.output
    assert "the week is over" in result.stdout
    assert "no room left" not in result.stdout


def test_a_week_ahead_still_says_when_there_is_no_room():
    result = run("plan", SALES, *WEEK, *BEFORE)
    assert "no room left for another 2h block" in result.stdout
    assert "is over" not in result.stdout


def test_a_past_week_in_a_real_subprocess():
    proc = focuscal("plan", SALES, *WEEK, "--now", "2026-04-01T09:00-04:00")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].endswith(
        "10h short: the week is over, nothing more can be planned in it")


# ---------------------------------------------------------------- email --dry-run


def anonymous_calendar(tmp_path):
    """A week with meetings and no address of its owner anywhere."""
    path = tmp_path / "anon.ics"
    path.write_bytes(ics("UID:a\nDTSTART:20260310T150000Z\nDTEND:20260310T160000Z\n"
                         "SUMMARY:Planning – Q2"))
    return str(path)


def test_dry_run_previews_without_recipients_or_sender(tmp_path):
    result = run("email", anonymous_calendar(tmp_path), *WEEK, "--dry-run")
    assert result.exit_code == 0, result.output
    message = email.message_from_string(result.stdout, policy=email.policy.default)
    assert message["To"] == "recipient@example.invalid"
    assert message["From"] == "sender@example.invalid"
    assert result.stderr.splitlines() == [
        "warning: preview: To is a placeholder (give --to ADDRESS or set to in [report] to "
        "send it)",
        "warning: preview: From is a placeholder (set from in [smtp] or give --me to send it)",
    ]


def test_dry_run_shows_the_text_part_as_text():
    result = run("email", SALES, *WEEK, "--to", "me@acme-sales.com", "--dry-run")
    assert result.exit_code == 0, result.output
    _, _, rest = result.stdout.partition("Content-Type: text/plain")
    text = rest.split("\n--", 1)[0]
    assert "Content-Transfer-Encoding: 8bit" in text
    assert "Mar 9 – Mar 15, 2026 · America/New_York" in text  # as is, not =E2=80=93
    assert re.search(r"^Focus time +12h 15m", text, re.M)
    assert "=\n" not in text  # no soft line breaks of quoted-printable
    # The sender learnt from the calendar (X-WR-CALNAME), no warning needed.
    message = email.message_from_string(result.stdout, policy=email.policy.default)
    assert message["From"] == "alex.rivera@acme-sales.com"
    assert result.stderr == ""


def test_sending_still_needs_a_recipient(tmp_path):
    line = one_line(run("email", SALES, *WEEK))
    assert "no recipient" in line


def test_dry_run_without_recipients_in_a_real_subprocess(tmp_path):
    proc = focuscal("email", anonymous_calendar(tmp_path), *WEEK, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "\nTo: recipient@example.invalid\n" in proc.stdout
    assert "Planning" not in proc.stderr
    save = focuscal("email", SALES, *WEEK, "--save", tmp_path / "r.eml")
    assert save.returncode == ExitStatus.BAD_INPUT
    assert "no recipient" in save.stderr


# ---------------------------------------------------------------- config values of the wrong type


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[[calendars]]\nurl = 5\n",
         "calendars[1].url: expected a file, folder or URL as a string, got 5"),
        ('[[calendars]]\nuri = "  "\n', "calendars[1].uri: is empty: name a file, folder or URL"),
        ('[[calendars]]\nname = "work"\n', "calendars[1]: needs uri (or url)"),
        ("timeout = 1.9\n", "timeout: expected a whole number, got 1.9"),
        ("timeout = inf\n", "timeout: expected a whole number, got inf"),
        ("max_download_mb = nan\n", "max_download_mb: expected a whole number, got nan"),
    ],
)
def test_a_config_value_of_the_wrong_type_names_its_key_once(tmp_path, toml, expected):
    config = tmp_path / "config.toml"
    config.write_text(toml)
    line = one_line(run("--config", config, "audit", *WEEK))
    assert line == f"focuscal: error: {config}: {expected}"


def test_a_whole_float_is_a_whole_number(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("timeout = 20.0\n")
    assert run("--config", config, "audit", SALES, *WEEK).exit_code == 0


def test_a_config_that_is_a_folder_or_not_text_is_one_plain_line(tmp_path):
    line = one_line(run("--config", tmp_path, "audit", SALES, *WEEK))
    assert line == (f"focuscal: error: {tmp_path}: cannot read config file: this is a folder; "
                    "name the file")
    binary = tmp_path / "config.toml"
    binary.write_bytes(b'timeout = 5\n\xff\xfe')
    line = one_line(run("--config", binary, "audit", SALES, *WEEK))
    assert line == (f"focuscal: error: {binary}: cannot read config file: not UTF-8 text "
                    "(at byte 12)")
    assert "Errno" not in line
    assert "codec" not in line


# ---------------------------------------------------------------- workdays as people type them


def test_workdays_by_name_and_a_range_too_long_is_refused():
    import json

    doc = json.loads(run("audit", SALES, *WEEK, "--workdays", "Mon-Wed", "--format",
                         "json").stdout)
    assert doc["policy"]["workdays"] == ["MO", "TU", "WE"]
    line = one_line(run("audit", SALES, *WEEK, "--workdays", "MO-FR-SA"))
    assert line == ("focuscal: error: --workdays: expected weekdays such as MO-FR or MO,TU,WE, "
                    "got 'MO-FR-SA'")


# ---------------------------------------------------------------- lunch inside the working hours


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--lunch", "13:00-12:00"],
         "--lunch: 13:00-12:00 is not inside the working hours (work_hours 09:00-17:00)"),
        (["--lunch", "08:00-10:00"],
         "--lunch: 08:00-10:00 is not inside the working hours (work_hours 09:00-17:00)"),
        (["--work-hours", "22:00-06:00", "--lunch", "12:00-13:00"],
         "--lunch: 12:00-13:00 is not inside the working hours (--work-hours 22:00-06:00)"),
    ],
)
def test_a_lunch_outside_the_working_hours_is_refused(args, expected):
    line = one_line(run("audit", SALES, *WEEK, *args))
    assert line == f"focuscal: error: {expected}"


def test_a_lunch_from_the_config_names_the_file_when_the_hours_change(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('lunch = "12:00-13:00"\n')
    line = one_line(run("--config", config, "audit", SALES, *WEEK, "--work-hours", "13:00-21:00"))
    assert line == (f"focuscal: error: {config}: lunch: 12:00-13:00 is not inside the working "
                    "hours (--work-hours 13:00-21:00)")
    config.write_text('lunch = "12:00-13:00"\nwork_hours = "14:00-18:00"\n')
    assert "(work_hours 14:00-18:00)" in one_line(run("--config", config, "audit", SALES, *WEEK))


def test_a_night_shift_lunch_is_cut_from_every_night():
    import json

    def working(*args):
        doc = json.loads(run("audit", SALES, *WEEK, "--work-hours", "22:00-06:00", *args,
                             "--format", "json").stdout)
        return doc["totals"]["working_minutes"]

    assert working("--lunch", "02:00-02:30") == working() - 5 * 30
    assert working("--lunch", "23:30-00:30") == working() - 5 * 60


# ---------------------------------------------------------------- sources no backend reads


@pytest.mark.parametrize("uri", ["ftp://calendars.example.com/work.ics", "file:///tmp/work.ics",
                                 "FTP://user:secret@calendars.example.com/work.ics"])
def test_a_url_of_an_unknown_scheme_is_named_as_typed(uri):
    line = one_line(run("audit", uri, *WEEK))
    shown = uri.replace("user:secret@", "")
    scheme_name = uri.partition("://")[0]
    assert line.startswith(f"focuscal: error: {shown}: {scheme_name}:// is not a calendar "
                           "source focuscal reads (use a file or folder path, -, http(s)://")
    assert "secret" not in line


def test_standard_input_named_twice_is_refused_before_reading():
    line = one_line(run("audit", "-", SALES, "-", *WEEK, input=(EXAMPLES / "sales-week.ics")
                        .read_bytes()))
    assert line == "focuscal: error: -: standard input can be read only once"


# ---------------------------------------------------------------- hostile text in a calendar

ESC = "\x1b"
HOSTILE = {
    "markup": "Budget [/bold] review [link=https://evil.example]click[/link]",
    "terminal": f"Sync {ESC}]52;c;ZXZpbA=={ESC}\\ {ESC}[2J{ESC}[31mred\x07",
}


def hostile_calendar(tmp_path):
    path = tmp_path / "hostile.ics"
    path.write_bytes(ics(
        *(f"UID:{name}@x\nDTSTART:20260310T{14 + n}0000Z\nDTEND:20260310T{14 + n}3000Z\n"
          f"SUMMARY:{title}\nORGANIZER:mailto:boss@other{ESC}[1m.example"
          for n, (name, title) in enumerate(HOSTILE.items()))))
    return str(path)


@pytest.mark.parametrize("command", [
    ["events", "--day", "2026-03-10"],
    ["events", "--day", "2026-03-10", "--format", "markdown"],
    ["report", "--format", "text"],
    ["report", "--format", "markdown"],
    ["email", "--dry-run"],
])
def test_titles_are_shown_as_typed_and_never_drive_the_terminal(tmp_path, command):
    result = run(command[0], hostile_calendar(tmp_path), *WEEK, *command[1:])
    assert result.exit_code == 0, result.output
    assert ESC not in result.output
    assert "\x07" not in result.output
    if command[0] == "events":  # every event of the day is listed: markup stays text
        assert "[/bold]" in result.stdout or r"\[/bold\]" in result.stdout


def test_the_events_table_shows_markup_as_text_at_every_width(tmp_path):
    calendar = hostile_calendar(tmp_path)
    for width in ("40", "80", "200"):
        result = run("events", calendar, *WEEK, "--day", "2026-03-10", env={"COLUMNS": width})
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        header = next(line for line in lines if line.startswith("Time "))
        start, end = header.index("Event"), header.index("Kind")  # the Event column
        column = "".join(line[start:end] for line in lines[lines.index(header) + 2:]
                         if not line.startswith("working"))
        assert "Budget[/bold]review[link=https://evil.example]click[/link]" in re.sub(
            r"\s+", "", column)


def test_an_error_quoting_a_calendar_line_is_one_printable_line(tmp_path):
    path = tmp_path / "bad.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\x1b]52;c;ZXZpbA==\x07\x00\r\n"
                     b"END:VCALENDAR\r\n")
    line = one_line(run("audit", path, *WEEK))
    assert line.startswith(f"focuscal: error: {path}")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line)
