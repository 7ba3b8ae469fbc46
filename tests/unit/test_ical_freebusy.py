"""VFREEBUSY answers -> busy periods: FBTYPE BUSY (the default), BUSY-TENTATIVE and
BUSY-UNAVAILABLE kept, FREE left out, an unknown type read as BUSY (RFC 5545 3.2.9),
start/duration periods, several periods on one line, and text that is not iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from focuscal.errors import InputError
from focuscal.ical.freebusy import Busy, busy_periods


def answer(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
                        "BEGIN:VFREEBUSY", "DTSTAMP:20260301T000000Z",
                        "DTSTART:20260309T000000Z", "DTEND:20260316T000000Z", *lines,
                        "END:VFREEBUSY", "END:VCALENDAR", ""])


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_every_busy_type_and_form():
    text = answer(
        "FREEBUSY;FBTYPE=BUSY:20260309T090000Z/20260309T100000Z,20260309T110000Z/PT1H30M",
        "FREEBUSY:20260310T090000Z/20260310T093000Z",
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260311T090000Z/20260311T100000Z",
        "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260312T130000Z/20260312T170000Z",
        "FREEBUSY;FBTYPE=FREE:20260313T090000Z/20260313T100000Z",
        "FREEBUSY;FBTYPE=X-OUT-SICK:20260313T140000Z/20260313T150000Z",
    )
    assert busy_periods(text, "cal") == [
        Busy(at(9, 9), at(9, 10)),
        Busy(at(9, 11), at(9, 12, 30)),
        Busy(at(10, 9), at(10, 9, 30)),
        Busy(at(11, 9), at(11, 10), "BUSY-TENTATIVE"),
        Busy(at(12, 13), at(12, 17), "BUSY-UNAVAILABLE"),
        Busy(at(13, 14), at(13, 15)),
    ]


def test_no_busy_time_and_several_components():
    assert busy_periods(answer(), "cal") == []
    two = answer("FREEBUSY:20260309T090000Z/20260309T100000Z").replace(
        "END:VCALENDAR", "BEGIN:VFREEBUSY\r\nDTSTAMP:20260301T000000Z\r\n"
        "FREEBUSY:20260310T090000Z/20260310T100000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR")
    assert [b.start for b in busy_periods(two, "cal")] == [at(9, 9), at(10, 9)]


def test_a_time_without_z_is_utc():
    assert busy_periods(answer("FREEBUSY:20260309T090000/20260309T100000"), "cal") == [
        Busy(at(9, 9), at(9, 10))]


@pytest.mark.parametrize("text", ["<html>not found</html>",
                                  answer("FREEBUSY:tomorrow/later")])
def test_not_icalendar_is_one_clear_error(text):
    with pytest.raises(InputError, match="the free/busy answer is not iCalendar") as error:
        busy_periods(text, "caldav+https://dav.example.com/ana/work/")
    assert error.value.where == "caldav+https://dav.example.com/ana/work/"
