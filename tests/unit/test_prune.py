"""focuscal.ical.prune: what no number depends on never reaches icalendar; nothing else goes."""

from focuscal.ical.prune import prune

TEXT = (b"BEGIN:VCALENDAR\r\nX-WR-CALNAME:me@example.com\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\n"
        b"X-LIC-LOCATION:Z\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:1\r\nDESCRIPTION:long\r\n"
        b" folded on\r\n\tand on\r\nSUMMARY:Kept\r\nCATEGORIES;LANGUAGE=en:a,b\r\n"
        b"X-MICROSOFT-CDO-BUSYSTATUS:OOF\r\nBEGIN:VALARM\r\nDESCRIPTION:kept in the alarm\r\n"
        b"END:VALARM\r\nDTSTART:20260302T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def test_only_the_unread_properties_of_a_vevent_go_with_their_folded_lines():
    assert prune(TEXT) == (
        b"BEGIN:VCALENDAR\r\nX-WR-CALNAME:me@example.com\r\nBEGIN:VTIMEZONE\r\nTZID:Z\r\n"
        b"X-LIC-LOCATION:Z\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Kept\r\n"
        b"X-MICROSOFT-CDO-BUSYSTATUS:OOF\r\nBEGIN:VALARM\r\nDESCRIPTION:kept in the alarm\r\n"
        b"END:VALARM\r\nDTSTART:20260302T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def test_text_without_such_properties_is_the_same_object():
    text = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nDTSTART:20260302\nEND:VEVENT\nEND:VCALENDAR\n"
    assert prune(text) is text


def test_an_odd_end_line_stays_for_icalendar_to_judge():
    text = b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\nEND:VEVENT\r\r\nNOTE:x\nEND:VCALENDAR\n"
    assert b"END:VEVENT\r\r\n" in prune(text)
