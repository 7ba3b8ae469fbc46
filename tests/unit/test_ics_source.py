"""Each ICS feature of issue 2, read through the real source."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from focuscal.errors import InputError
from focuscal.sources.ics import parse
from focuscal.window import utc_window
from tests.helpers import ics

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def load(data: bytes, first=date(2026, 3, 2), last=date(2026, 3, 8), tz=NY):
    return parse(data, "test.ics", utc_window(first, last, tz), tz)


def spans(fetched, tz=NY):
    return sorted(
        (e.start.astimezone(tz).strftime("%a %H:%M"), e.end.astimezone(tz).strftime("%a %H:%M"))
        for e in fetched.events
    )


def test_rrule_exdate_and_moved_instance():
    data = ics(
        """UID:s1
        SUMMARY:Standup
        DTSTART;TZID=America/New_York:20260302T093000
        DTEND;TZID=America/New_York:20260302T094500
        RRULE:FREQ=DAILY;COUNT=5
        EXDATE;TZID=America/New_York:20260304T093000""",
        """UID:s1
        RECURRENCE-ID;TZID=America/New_York:20260305T093000
        SUMMARY:Standup (moved)
        DTSTART;TZID=America/New_York:20260305T150000
        DTEND;TZID=America/New_York:20260305T151500""",
    )
    assert spans(load(data)) == [
        ("Fri 09:30", "Fri 09:45"), ("Mon 09:30", "Mon 09:45"), ("Thu 15:00", "Thu 15:15"),
        ("Tue 09:30", "Tue 09:45"),
    ]


def test_until_and_rdate():
    data = ics(
        """UID:r1
        DTSTART:20260302T140000Z
        DTEND:20260302T150000Z
        RRULE:FREQ=DAILY;UNTIL=20260303T140000Z
        RDATE:20260306T180000Z"""
    )
    assert spans(load(data)) == [("Fri 13:00", "Fri 14:00"), ("Mon 09:00", "Mon 10:00"),
                                 ("Tue 09:00", "Tue 10:00")]


def test_only_the_window_is_expanded():
    data = ics("""UID:d1
        DTSTART:20200101T140000Z
        DTEND:20200101T150000Z
        RRULE:FREQ=DAILY""")
    assert len(load(data).events) == 7


def test_windows_zone_names_from_outlook():
    data = ics(
        """UID:w1
        DTSTART;TZID=W. Europe Standard Time:20260302T100000
        DTEND;TZID=W. Europe Standard Time:20260302T110000""",
        header="""BEGIN:VTIMEZONE
        TZID:W. Europe Standard Time
        BEGIN:STANDARD
        DTSTART:16010101T030000
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:16010101T020000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
        END:DAYLIGHT
        END:VTIMEZONE""",
    )
    (event,) = load(data).events
    assert event.start.astimezone(UTC) == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_windows_zone_name_without_vtimezone():
    data = ics("""UID:w2
        DTSTART;TZID=Eastern Standard Time:20260302T100000
        DTEND;TZID=Eastern Standard Time:20260302T110000""")
    (event,) = load(data).events
    assert event.start.astimezone(UTC) == datetime(2026, 3, 2, 15, tzinfo=UTC)


def test_floating_times_are_read_in_the_analysis_zone():
    data = ics("""UID:f1
        DTSTART:20260302T100000
        DTEND:20260302T110000""")
    for tz in (NY, BERLIN):
        (event,) = load(data, tz=tz).events
        assert event.start == datetime(2026, 3, 2, 10, tzinfo=tz)


def test_x_wr_timezone_applies_to_utc_and_floating_values_only():
    data = ics(
        """UID:g1
        DTSTART:20260302T150000Z
        DTEND:20260302T160000Z""",
        """UID:g2
        DTSTART;TZID=Europe/Berlin:20260303T100000
        DTEND;TZID=Europe/Berlin:20260303T110000""",
        header="X-WR-TIMEZONE:America/New_York",
    )
    assert spans(load(data)) == [("Mon 10:00", "Mon 11:00"), ("Tue 04:00", "Tue 05:00")]


def test_x_wr_timezone_with_recurrence():
    data = ics(
        """UID:g3
        DTSTART:20260302T100000
        DTEND:20260302T103000
        RRULE:FREQ=WEEKLY;COUNT=3""",
        header="X-WR-TIMEZONE:Europe/Berlin",
    )
    (event,) = load(data, tz=NY).events
    assert event.start.astimezone(UTC) == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_duration_and_missing_dtend():
    data = ics(
        """UID:du
        DTSTART:20260302T140000Z
        DURATION:PT45M""",
        """UID:nodtend
        DTSTART:20260303T140000Z""",
        """UID:allday
        DTSTART;VALUE=DATE:20260304""",
    )
    by_uid = {e.uid: e for e in load(data).events}
    assert by_uid["du"].end - by_uid["du"].start == timedelta(minutes=45)
    assert by_uid["nodtend"].end == by_uid["nodtend"].start
    assert by_uid["allday"].all_day
    assert by_uid["allday"].end - by_uid["allday"].start == timedelta(days=1)


def test_attendees_and_properties():
    data = ics("""UID:p1
        SUMMARY:Review
        DTSTART:20260302T140000Z
        DTEND:20260302T150000Z
        STATUS:TENTATIVE
        TRANSP:OPAQUE
        X-MICROSOFT-CDO-BUSYSTATUS:BUSY
        X-FOCUSCAL-BLOCK:1
        ORGANIZER:mailto:Boss@Acme.com
        ATTENDEE;PARTSTAT=DECLINED:MAILTO:Me@Acme.com
        ATTENDEE;CUTYPE=ROOM:mailto:room@acme.com""")
    (event,) = load(data).events
    assert event.status == "TENTATIVE"
    assert event.focuscal_block
    assert event.organizer == "boss@acme.com"
    assert [(a.email, a.partstat, a.resource) for a in event.attendees] == [
        ("me@acme.com", "DECLINED", False), ("room@acme.com", "NEEDS-ACTION", True)]


def test_owner_from_calendar_name():
    data = ics("UID:x\nDTSTART:20260302T140000Z", header="X-WR-CALNAME:Me@Acme.com")
    assert load(data).me == ("me@acme.com",)
    assert load(ics("UID:x\nDTSTART:20260302T140000Z", header="X-WR-CALNAME:Work")).me == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"hello world\n", "not a valid calendar"),
        (b"BEGIN:VTODO\r\nEND:VTODO\r\n", "no VCALENDAR"),
    ],
)
def test_bad_files_name_the_problem(data, message):
    with pytest.raises(InputError) as info:
        load(data)
    assert message in str(info.value)
    assert str(info.value).startswith("test.ics")


def test_an_event_with_a_bad_rrule_is_skipped_with_a_warning_naming_its_line():
    data = ics("""UID:bad
        SUMMARY:Sometimes
        DTSTART:20260302T140000Z
        DTEND:20260302T150000Z
        RRULE:FREQ=SOMETIMES""", """UID:good
        DTSTART:20260303T140000Z
        DTEND:20260303T150000Z""")
    fetched = load(data)
    assert [e.uid for e in fetched.events] == ["good"]
    [warning] = fetched.warnings
    assert warning.startswith("test.ics:4: event 'Sometimes' (UID bad) cannot be read and is "
                              "skipped: ")
    assert "SOMETIMES" in warning
