"""One table of URI schemes: sources and booking targets name the same backends."""

from importlib import import_module

import pytest

from focuscal import schemes, sinks, sources
from focuscal.errors import InputError

URIS = {
    "google:primary": "google",
    "GOOGLE:team@group.calendar.google.com": "google",
    "outlook:me": "outlook",
    "Outlook:me/AAMk": "outlook",
    "caldav+https://dav.example.com/cal/": "caldav",
    "CalDAV+http://127.0.0.1:5232/u/c/": "caldav",
    "ics:~/calendars/work.ics": "ics",
}


@pytest.mark.parametrize(("uri", "name"), URIS.items())
def test_sources_and_sinks_agree_on_the_backend(uri, name):
    assert schemes.scheme(uri) == name
    assert sources.scheme(uri) == name
    assert sinks.scheme(uri) == name


@pytest.mark.parametrize("uri", ["work.ics", "-", "https://x.example/c.ics", "webcal://x/c.ics",
                                 "caldav://x/", "googl:primary"])
def test_what_no_prefix_names_is_read_as_ics_and_is_no_target(uri):
    assert schemes.scheme(uri) is None
    assert sources.scheme(uri) == "ics"
    with pytest.raises(InputError, match="unknown booking target"):
        sinks.scheme(uri)


@pytest.mark.parametrize("name", schemes.PREFIXES)
def test_every_scheme_has_its_backends(name):
    assert callable(import_module(f"focuscal.sinks.{name}").open_sink)
    assert callable(import_module(f"focuscal.sources.{name}").fetch)
