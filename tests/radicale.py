"""A real CalDAV server for the tests: Radicale started as a subprocess on 127.0.0.1.

htpasswd authentication (plain passwords, no delay), a temporary storage folder. Each test
makes its own calendar (``Radicale.make_calendar``) so one server serves a whole session.
``users`` adds logins and ``rights`` a rights file (Radicale's ``from_file`` rules) for a
test that needs other people's calendars and limited access to them.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

USER = "alex"
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.05)
    return False


@dataclass
class Radicale:
    folder: Path
    port: int = 0
    process: subprocess.Popen | None = None
    users: dict[str, str] = field(default_factory=dict)  # more logins: name -> password
    rights: str | None = None  # the text of a from_file rights file
    _clients: list[Any] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Radicale:
        logins = {USER: PASSWORD, **self.users}
        (self.folder / "users").write_text("".join(f"{u}:{p}\n" for u, p in logins.items()))
        rights = ""
        if self.rights is not None:
            (self.folder / "rights").write_text(self.rights)
            rights = f"[rights]\ntype = from_file\nfile = {self.folder / 'rights'}\n"
        log = (self.folder / "radicale.log").open("ab")
        for _ in range(5):  # another process may take the free port before Radicale does
            self.port = free_port()
            (self.folder / "config").write_text(
                "[server]\n"
                f"hosts = 127.0.0.1:{self.port}\n"
                "[auth]\n"
                "type = htpasswd\n"
                f"htpasswd_filename = {self.folder / 'users'}\n"
                "htpasswd_encryption = plain\n"
                "delay = 0\n"
                "[storage]\n"
                f"filesystem_folder = {self.folder / 'storage'}\n"
                "[logging]\n"
                "level = warning\n"
                f"{rights}"
            )
            self.process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
                stdout=log, stderr=log,
            )
            if _wait_for(self.port, self.process):
                return self
            self.stop()
        raise RuntimeError(f"Radicale did not start; see {self.folder / 'radicale.log'}")

    def stop(self) -> None:
        for dav in self._clients:
            dav.close()
        self._clients.clear()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, password: str = PASSWORD) -> Any:
        """A logged-in client, reused: one login (a 401 round trip) per session."""
        import caldav

        if password == PASSWORD and self._clients:
            return self._clients[0]
        dav = caldav.DAVClient(url=self.base + "/", username=USER, password=password,
                               timeout=10, enable_rfc6764=False, auth_type="basic")
        self._clients.append(dav)
        return dav

    def make_calendar(self, name: str = "alex.rivera@acme-sales.com") -> str:
        """A new, empty calendar; its plain http URL (with a trailing slash)."""
        cal_id = f"cal{next(_counter)}"
        calendar = self.client().principal().make_calendar(name=name, cal_id=cal_id)
        return str(calendar.url)

    # ------------------------------------------------------------ raw resources

    def put(self, url: str, data: bytes) -> int:
        response = self.client().put(url, data.decode("utf-8"),
                                     {"Content-Type": "text/calendar; charset=utf-8"})
        return response.status

    def resources(self, calendar_url: str) -> dict[str, str]:
        """Every resource of a calendar: {href: raw iCalendar text}, read with GET."""
        from urllib.parse import urlsplit

        dav = self.client()
        response = dav.propfind(calendar_url, ["{DAV:}getetag"], depth=1)
        own = urlsplit(calendar_url).path.rstrip("/")
        out = {}
        for result in response.results:
            href = result.href
            if href.rstrip("/") == own:
                continue
            got = dav.request(self.base + href, "GET")
            assert got.status == 200, (href, got.status)
            out[href] = got._raw.decode() if isinstance(got._raw, bytes) else str(got._raw)
        return out


def split_by_uid(data: bytes) -> list[tuple[str, bytes]]:
    """One iCalendar object per UID (a recurring event with its overrides stays together),
    each with the calendar's VERSION, PRODID, CALSCALE and time zone definitions: how a CalDAV
    server stores what a calendar app imported."""
    import icalendar

    source = icalendar.Calendar.from_ical(data)
    zones = [c for c in source.subcomponents if c.name == "VTIMEZONE"]
    by_uid: dict[str, list[Any]] = {}
    for component in source.subcomponents:
        if component.name == "VEVENT":
            by_uid.setdefault(str(component["UID"]), []).append(component)
    out = []
    for uid, components in by_uid.items():
        calendar = icalendar.Calendar()
        for key in ("VERSION", "PRODID", "CALSCALE"):
            if key in source:
                calendar.add(key, source[key])
        for part in (*zones, *components):
            calendar.add_component(part)
        out.append((uid, calendar.to_ical()))
    return out


def upload(server: Radicale, calendar_url: str, *files: Path) -> list[str]:
    """PUT every event of ``files`` as one resource per UID; the hrefs."""
    hrefs = []
    for path in files:
        for uid, data in split_by_uid(path.read_bytes()):
            name = hashlib.sha256(uid.encode()).hexdigest()[:20] + ".ics"
            status = server.put(calendar_url + name, data)
            assert status in (201, 204), (uid, status)
            hrefs.append(calendar_url + name)
    return hrefs
