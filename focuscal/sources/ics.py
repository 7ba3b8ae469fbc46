"""ICS source: a file, a folder of .ics files (vdir), stdin, or an http(s)/webcal URL.

Reading the bytes is ``focuscal.ical.read``: recurrences expanded for the requested window
only, floating times and all-day dates read in the analysis zone (``Request.tz``).
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from focuscal.errors import InputError
from focuscal.ical import MAX_INSTANCES
from focuscal.model import Interval
from focuscal.sources import Fetched, Request

URL_PREFIXES = ("http://", "https://", "webcal://", "webcals://")


def fetch(uri: str, request: Request) -> Fetched:
    """Events from one ICS source for ``request.window``."""
    if uri == "-":
        if request.stdin is None:
            raise InputError("no standard input to read", where="-")
        return parse_for(request, request.stdin.read(), "<stdin>")
    if uri.lower().startswith(URL_PREFIXES):
        from focuscal.sources import http

        return parse_for(request, http.download(uri, request.settings), uri)
    path = _path(uri)
    if path.is_dir():
        files = _folder_files(path)
        if not files:
            raise InputError("folder holds no .ics files", where=str(path))
        return _folder(files, request)
    return parse_for(request, read(path), str(path))


def _folder(files: list[Path], request: Request) -> Fetched:
    """The events of every file of a folder (vdir). A file that cannot be read is skipped with
    one warning naming it and the problem, so one bad file never hides the others; with the
    ``strict`` setting it is the error. (A file named on its own is always an error.)"""
    out = Fetched()
    for file in files:
        try:
            out.extend(parse_for(request, read(file), str(file)))
        except InputError as exc:
            if request.settings.strict:
                raise
            out.warnings.append(f"{exc}; skipped (--strict makes this an error)")
    return out


def parse_for(request: Request, data: bytes, where: str) -> Fetched:
    """The events of ICS bytes for a request: its window and zone, and the settings' cache
    and limit of instances per event."""
    settings = request.settings
    return parse(data, where, request.window, request.tz, cache=settings.cache,
                 limit=settings.max_instances)


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
    """The .ics files of a folder, hidden ones left out (editors' and sync tools' temporary
    files, as vdirsyncer and khal leave them)."""
    return sorted(p for p in path.iterdir()
                  if p.suffix.lower() == ".ics" and not p.name.startswith(".") and p.is_file())


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
    limit: int = MAX_INSTANCES,
) -> Fetched:
    """The events of ICS bytes that touch ``window`` (aware, any zone), as
    ``focuscal.ical.read.parse`` reads them (``fast``, ``cache`` and ``limit`` as there)."""
    from focuscal.ical.read import parse as parse_ics  # not for a repeat from the cache

    parsed = parse_ics(data, where, window, tz, fast=fast, cache=cache, limit=limit)
    return Fetched(events=list(parsed.events), me=parsed.me, warnings=list(parsed.warnings),
                   zones=parsed.zones)

