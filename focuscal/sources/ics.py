"""ICS source: a file, a folder of .ics files (vdir), stdin, or an http(s)/webcal URL.

Reading the bytes is ``focuscal.ical.read``: recurrences expanded for the requested window
only, floating times and all-day dates read in the analysis zone (``Request.tz``).
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from focuscal.errors import InputError
from focuscal.ical.read import parse as parse_ics
from focuscal.model import Interval
from focuscal.sources import Fetched, Request

URL_PREFIXES = ("http://", "https://", "webcal://", "webcals://")


def fetch(uri: str, request: Request) -> Fetched:
    """Events from one ICS source for ``request.window``."""
    cache = request.settings.cache
    if uri == "-":
        if request.stdin is None:
            raise InputError("no standard input to read", where="-")
        return parse(request.stdin.read(), "<stdin>", request.window, request.tz, cache=cache)
    if uri.lower().startswith(URL_PREFIXES):
        from focuscal.sources import http

        data = http.download(uri, request.settings)
        return parse(data, uri, request.window, request.tz, cache=cache)
    path = _path(uri)
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            raise InputError("folder holds no .ics files", where=str(path))
        out = Fetched()
        for file in files:
            out.extend(parse(read(file), str(file), request.window, request.tz, cache=cache))
        return out
    return parse(read(path), str(path), request.window, request.tz, cache=cache)


def local_files(uri: str) -> list[Path] | None:
    """The files ``fetch`` reads for a local file or folder ``uri``, in that order; None for
    standard input, a URL, another backend or a path that is neither file nor folder."""
    from focuscal.sources import scheme

    if uri == "-" or uri.lower().startswith(URL_PREFIXES) or scheme(uri) != "ics":
        return None
    path = _path(uri)
    if path.is_dir():
        return _folder_files(path) or None
    return [path] if path.is_file() else None


def _path(uri: str) -> Path:
    return Path(uri.removeprefix("file://")).expanduser()


def _folder_files(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.suffix.lower() == ".ics" and p.is_file())


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file or folder", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None


def parse(
    data: bytes,
    where: str,
    window: Interval,
    tz: tzinfo,
    *,
    fast: bool | None = None,
    cache: bool = False,
) -> Fetched:
    """The events of ICS bytes that touch ``window`` (aware, any zone), as
    ``focuscal.ical.read.parse`` reads them (``fast`` and ``cache`` as there)."""
    parsed = parse_ics(data, where, window, tz, fast=fast, cache=cache)
    return Fetched(events=list(parsed.events), me=parsed.me, warnings=list(parsed.warnings))

