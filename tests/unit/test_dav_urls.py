"""CalDAV URLs and which configured login serves them (no server needed)."""

import pytest

from focuscal import dav
from focuscal.config import CalendarEntry, Settings
from focuscal.errors import AuthError, InputError


@pytest.mark.parametrize(
    ("uri", "url"),
    [
        ("caldav+https://Cal.Example.com/dav/cal", "https://cal.example.com/dav/cal/"),
        ("caldav+https://cal.example.com:8443/dav/cal/", "https://cal.example.com:8443/dav/cal/"),
        ("CALDAV+HTTPS://cal.example.com", "https://cal.example.com/"),
        ("caldav+http://127.0.0.1:5232/alex/work/", "http://127.0.0.1:5232/alex/work/"),
        ("caldav+http://localhost/alex/work", "http://localhost/alex/work/"),
        ("caldav+http://[::1]:5232/a/", "http://[::1]:5232/a/"),
    ],
)
def test_http_url(uri, url):
    assert dav.http_url(uri) == url
    assert dav.canonical(uri) == "caldav+" + url


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("caldav+http://cal.example.com/dav/", "only allowed for this machine"),
        ("caldav+https://me:secret@cal.example.com/dav/", "do not belong in the URL"),
        ("caldav+https:///dav/", "names no host"),
        ("https://cal.example.com/dav/", "not a CalDAV URL"),
    ],
)
def test_bad_urls(uri, message):
    with pytest.raises(InputError, match=message) as info:
        dav.http_url(uri)
    assert "secret" not in str(info.value)


FASTMAIL = "caldav+https://caldav.fastmail.com/dav/calendars/user/me@fastmail.com/"
SETTINGS = Settings(calendars=(
    CalendarEntry(uri="work.ics"),
    CalendarEntry(uri=FASTMAIL + "Default/", username="me@fastmail.com", password_env="FM_PW"),
    CalendarEntry(uri=FASTMAIL + "Team", name="team"),
))


def test_a_calendar_borrows_the_login_of_its_server(monkeypatch):
    monkeypatch.setenv("FM_PW", "app-password")
    for uri in (FASTMAIL + "Other/", FASTMAIL + "Team/", "caldav+https://caldav.fastmail.com/"):
        account = dav.account(CalendarEntry(uri=uri), SETTINGS)
        assert (account.username, account.password) == ("me@fastmail.com", "app-password")
        assert account.uri == uri
        assert "app-password" not in repr(account)
    elsewhere = dav.account(CalendarEntry(uri="caldav+https://other.example.com/c/"), SETTINGS)
    assert (elsewhere.username, elsewhere.password) == (None, None)


def test_missing_password_variable(monkeypatch):
    monkeypatch.delenv("FM_PW", raising=False)
    with pytest.raises(AuthError, match="FM_PW"):
        dav.account(CalendarEntry(uri=FASTMAIL + "Default/"), SETTINGS)


def test_password_without_username(monkeypatch):
    monkeypatch.setenv("PW", "x")
    entry = CalendarEntry(uri=FASTMAIL + "Default/", password_env="PW")
    with pytest.raises(InputError, match="no username"):
        dav.account(entry, Settings(calendars=(entry,)))
