"""Generated teams: each member's week of meetings, written as ICS files, stored in the fake
Google server or the fake Graph server, and the per-member audits the team must agree with.

Every member gets a different week (a seeded generator), so no two members share a figure by
accident: meetings of 15 to 90 minutes inside and around working hours, some with a customer,
some declined, tentative or shown as free, an out-of-office afternoon now and then.
"""

from __future__ import annotations

import json
import random
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from focuscal import app
from focuscal.config import Settings
from focuscal.window import make_window
from tests.helpers import ics

WEEK = "2026-W11"
MONDAY = date(2026, 3, 9)
TZ = ZoneInfo("UTC")
DOMAIN = "acme.com"


@dataclass(frozen=True)
class Meeting:
    start: datetime
    end: datetime
    external: bool = False
    declined: bool = False
    transparent: bool = False
    tentative: bool = False
    ooo: bool = False
    status: str | None = None  # STATUS (ICS only): TENTATIVE, CANCELLED


@dataclass
class Member:
    address: str
    meetings: list[Meeting] = field(default_factory=list)

    def ics(self) -> bytes:
        events = []
        for n, m in enumerate(self.meetings):
            lines = [f"UID:{self.address}-{n}", f"DTSTART:{m.start:%Y%m%dT%H%M%SZ}",
                     f"DTEND:{m.end:%Y%m%dT%H%M%SZ}",
                     f"SUMMARY:{'Out of office' if m.ooo else 'Sync'}",
                     f"ORGANIZER:mailto:lead@{DOMAIN}"]
            partstat = "DECLINED" if m.declined else "TENTATIVE" if m.tentative else "ACCEPTED"
            lines.append(f"ATTENDEE;PARTSTAT={partstat}:mailto:{self.address}")
            if m.external:
                lines.append("ATTENDEE;PARTSTAT=ACCEPTED:mailto:buyer@customer.example")
            if m.transparent:
                lines.append("TRANSP:TRANSPARENT")
            if m.status:
                lines.append(f"STATUS:{m.status}")
            events.append("\n".join(lines))
        return ics(*events)

    def google(self) -> list[dict]:
        """The same meetings as Google events."""
        out = []
        for m in self.meetings:
            attendees = [{"email": self.address, "self": True, "responseStatus":
                          "declined" if m.declined else "tentative" if m.tentative
                          else "accepted"}]
            if m.external:
                attendees.append({"email": "buyer@customer.example",
                                  "responseStatus": "accepted"})
            event = {"start": {"dateTime": m.start.isoformat()},
                     "end": {"dateTime": m.end.isoformat()},
                     "summary": "Out of office" if m.ooo else "Sync", "attendees": attendees}
            if m.ooo:
                event["eventType"] = "outOfOffice"
            if m.transparent:
                event["transparency"] = "transparent"
            out.append(event)
        return out


def generate(count: int, seed: int = 7, *, weeks: int = 1, simple: bool = False
             ) -> list[Member]:
    """``count`` members with a different week each (``weeks`` weeks ending with WEEK).
    ``simple``: plain accepted meetings inside working hours only."""
    rng = random.Random(seed)
    members = []
    for n in range(count):
        member = Member(f"member{n:04d}@{DOMAIN}")
        for w in range(weeks):
            monday = MONDAY - timedelta(days=7 * (weeks - 1 - w))
            for d in range(5):
                day = monday + timedelta(days=d)
                for _ in range(rng.randint(0, 5)):
                    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(
                        minutes=15 * rng.randint(0 if simple else -4, 28))
                    length = timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
                    if simple:
                        end = min(start + length, start.replace(hour=17, minute=0))
                        if end > start:
                            member.meetings.append(Meeting(start, end))
                        continue
                    roll = rng.random()
                    member.meetings.append(Meeting(
                        start, start + length, external=roll < 0.2,
                        declined=0.2 <= roll < 0.27, transparent=0.27 <= roll < 0.32,
                        tentative=0.32 <= roll < 0.4))
                if not simple and rng.random() < 0.05:
                    noon = datetime(day.year, day.month, day.day, 13, tzinfo=UTC)
                    member.meetings.append(Meeting(noon, noon + timedelta(hours=4), ooo=True))
        members.append(member)
    return members


def write_folder(members: list[Member], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for m in members:
        (folder / f"{m.address}.ics").write_bytes(m.ics())
    return folder


def team_config(path: Path, source: str, members: list[str], *, extra: str = "",
                team: str = "", top: str = "") -> Path:
    text = (f'timezone = "UTC"\n{top}\n[[teams]]\nname = "sales"\n'
            f"source = {json.dumps(source)}\nmembers = {json.dumps(members)}\n{team}\n{extra}\n")
    path.write_text(text)
    return path


def audits(members: list[Member], folder: Path, weeks: int = 1, **settings: object) -> list:
    """``focuscal audit`` of each member's own file, with the member's address as --me
    (``settings``: more Settings fields, such as ``tentative``)."""
    window = make_window(MONDAY, week=WEEK, weeks=weeks)
    return [app.audit(Settings(timezone=TZ, me=(m.address,), **settings),
                      [str(folder / f"{m.address}.ics")], window, TZ) for m in members]


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """The quartiles by the standard library, as the README defines them."""
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


@pytest.fixture
def team_folder(tmp_path):
    members = generate(9)
    folder = write_folder(members, tmp_path / "exports")
    return members, folder
