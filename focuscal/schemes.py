"""Which backend a calendar URI names: one table for the sources and the booking targets.

A source or a target is a URI: ``google:CALENDAR_ID``, ``outlook:me``,
``caldav+https://HOST/PATH/``, ``ics:PATH``; a source may also be a plain path, ``-`` or an
``http(s)://`` / ``webcal://`` URL, all served by the ICS backend. Each backend is a module of
that name in ``focuscal.sources`` and in ``focuscal.sinks``, imported only when used.
"""

from __future__ import annotations

# scheme -> the prefixes (lowercase) of the URIs it serves
PREFIXES: dict[str, tuple[str, ...]] = {
    "google": ("google:",),
    "outlook": ("outlook:",),
    "caldav": ("caldav+https://", "caldav+http://"),
    "ics": ("ics:",),
}


def scheme(uri: str) -> str | None:
    """The backend whose prefix ``uri`` starts with (any case), or None."""
    lowered = uri.lower()
    return next((name for name, prefixes in PREFIXES.items() if lowered.startswith(prefixes)),
                None)
