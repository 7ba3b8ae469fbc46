"""Seeded generator of realistic synthetic calendars for benchmarks and equality tests.

    python benchmarks/generate.py [--size small|medium|large|all] [--seed N] [--out DIR]

A calendar is what a busy person's Outlook or Google export looks like: recurring standups,
weekly 1:1s, bi-weekly and monthly series ending with UNTIL or COUNT (or never), EXDATEs and moved
or cancelled instances (RECURRENCE-ID overrides); one-off internal and customer meetings in three
time zones with their VTIMEZONEs, some in UTC, a few floating; all-day and multi-day
out-of-office; all-day labels; transparent holds; cancelled and declined meetings; events with
DURATION instead of DTEND; focus blocks; reminders (VALARM) and folded long lines.

The same size and seed always give the same bytes. Times of the generated file are in the
zones named by their TZIDs; the span of each size starts on a fixed Monday.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ME = "alex@example.com"
DOMAIN = "example.com"
CUSTOMERS = ("acme-corp.com", "globex.io", "initech.de", "umbrella.co.jp", "hooli.com")
COLLEAGUES = ("dana", "sam", "priya", "jonas", "mia", "li", "omar", "eva", "noah", "lena",
              "raj", "kate")
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo")

VTIMEZONES = {
    "America/New_York": """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE""",
    "Europe/Berlin": """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE""",
    "Asia/Tokyo": """BEGIN:VTIMEZONE
TZID:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE""",
}


@dataclass(frozen=True)
class Size:
    """``weeks`` of calendar from ``start``; ``series`` recurring series; ``oneoffs`` other
    VEVENTs per week (meetings, holds, out-of-office, labels)."""

    name: str
    start: date
    weeks: int
    series: int
    oneoffs_per_week: float


SIZES = {
    "small": Size("small", date(2026, 2, 2), 4, 8, 12.0),
    "medium": Size("medium", date(2026, 1, 5), 52, 40, 14.0),
    "large": Size("large", date(2022, 1, 3), 261, 400, 13.5),
}

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
TOPICS = ("Roadmap", "Pipeline review", "Design review", "Hiring sync", "Budget", "Retro",
          "Planning", "Incident review", "Architecture", "Onboarding", "QBR prep", "Demo")
LOREM = ("Agenda: status of the open items, risks and decisions needed this week. Notes in the "
         "shared folder; join from the room or the video link below. ")


def fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 asks (continuations start with a space)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, chunk = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(chunk) + len(b) > (75 if not parts else 74):
            parts.append(chunk.decode("utf-8"))
            chunk = b""
        chunk += b
    parts.append(chunk.decode("utf-8"))
    return "\r\n ".join(parts)


def stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


class Generator:
    def __init__(self, size: Size, seed: int) -> None:
        self.size = size
        self.rng = random.Random(f"{seed}-{size.name}")
        self.first = size.start
        self.last = size.start + timedelta(weeks=size.weeks) - timedelta(days=1)
        self.counter = 0
        self.events: list[list[str]] = []

    # ------------------------------------------------------------ helpers

    def uid(self) -> str:
        self.counter += 1
        return f"{self.counter:04x}{self.rng.getrandbits(32):08x}@{DOMAIN}"

    def person(self, domain: str = DOMAIN) -> str:
        return f"{self.rng.choice(COLLEAGUES)}@{domain}"

    def workday(self, lo: date | None = None, hi: date | None = None) -> date:
        lo, hi = lo or self.first, hi or self.last
        while True:
            day = lo + timedelta(days=self.rng.randrange((hi - lo).days + 1))
            if day.weekday() < 5:
                return day

    def when(self, prop: str, value: datetime, zone: str | None) -> str:
        if zone == "UTC":
            return f"{prop}:{stamp(value)}Z"
        if zone is None:
            return f"{prop}:{stamp(value)}"  # floating
        return f"{prop};TZID={zone}:{stamp(value)}"

    def people(self, external: str | None, me_status: str = "ACCEPTED") -> list[str]:
        lines = [f"ORGANIZER:mailto:{self.person()}"]
        lines.append(f"ATTENDEE;PARTSTAT={me_status}:mailto:{ME}")
        if self.rng.random() < 0.3:
            lines.append(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{self.person()}")
        if external:
            lines.append(f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{self.person(external)}")
        if self.rng.random() < 0.15:
            lines.append(f"ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:room-{self.rng.randrange(9)}"
                         f"@{DOMAIN}")
        return lines

    def extras(self) -> list[str]:
        lines = []
        if self.rng.random() < 0.12:
            lines.append("DESCRIPTION:" + LOREM[: self.rng.randrange(40, len(LOREM))])
        if self.rng.random() < 0.1:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                      "TRIGGER:-PT10M", "END:VALARM"]
        return lines

    def vevent(self, lines: list[str]) -> None:
        self.events.append(["BEGIN:VEVENT", f"DTSTAMP:{stamp(datetime(2026, 1, 1))}Z", *lines,
                            "END:VEVENT"])

    # ------------------------------------------------------------ series

    def series(self) -> None:
        rng = self.rng
        kind = rng.choices(("standup", "one-on-one", "biweekly", "monthly"), (2, 4, 3, 2))[0]
        zone = rng.choice(ZONES)
        start_day = self.workday()
        hour = rng.choice((8, 9, 10, 11, 13, 14, 15, 16))
        minute = rng.choice((0, 0, 30))
        length = {"standup": 15, "one-on-one": 30, "biweekly": 45, "monthly": 60}[kind]
        weekday = WEEKDAYS[start_day.weekday()]
        if kind == "standup":
            rule, step = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", timedelta(days=1)
            summary = "Team standup"
        elif kind == "one-on-one":
            rule, step = f"FREQ=WEEKLY;BYDAY={weekday}", timedelta(weeks=1)
            summary = f"1:1 {rng.choice(COLLEAGUES).title()} / Alex"
        elif kind == "biweekly":
            rule, step = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}", timedelta(weeks=2)
            summary = f"{rng.choice(TOPICS)} (bi-weekly)"
        else:
            nth = min(4, (start_day.day - 1) // 7 + 1)
            rule, step = f"FREQ=MONTHLY;BYDAY={nth}{weekday}", timedelta(weeks=4)
            summary = f"Monthly {rng.choice(TOPICS).lower()}"
        first = datetime.combine(start_day, datetime.min.time()).replace(hour=hour, minute=minute)
        # Series last from a few weeks to a couple of years; a few never end.
        end = rng.random()
        if end < 0.45:
            until = first + timedelta(days=rng.randrange(28, 720))
            rule += f";UNTIL={stamp(until)}Z" if zone else f";UNTIL={stamp(until)}"
            horizon = until
        elif end < 0.85:
            count = rng.randrange(4, 80)
            rule += f";COUNT={count}"
            horizon = first + step * (count - 1)
        else:
            horizon = datetime.combine(self.last, datetime.min.time())
        horizon = min(horizon, datetime.combine(self.last, datetime.min.time()))
        uid = self.uid()
        external = rng.choice(CUSTOMERS) if rng.random() < 0.15 else None
        base = [f"UID:{uid}", f"SUMMARY:{summary}"]
        master = [*base, self.when("DTSTART", first, zone)]
        if rng.random() < 0.2:
            master.append(f"DURATION:PT{length}M")
        else:
            master.append(self.when("DTEND", first + timedelta(minutes=length), zone))
        master.append(f"RRULE:{rule}")
        instances = self.instances(first, step, horizon)
        if instances and rng.random() < 0.5:
            skipped = rng.sample(instances, min(len(instances), rng.randrange(1, 4)))
            master.append(self.when("EXDATE", skipped[0], zone) if len(skipped) == 1 else
                          f"EXDATE;TZID={zone}:" + ",".join(stamp(s) for s in sorted(skipped)))
        master += self.people(external) + self.extras()
        self.vevent(master)
        # Moved and cancelled instances: RECURRENCE-ID overrides.
        for original in rng.sample(instances, min(len(instances), rng.choice((0, 1, 1, 2, 3)))):
            moved = original + timedelta(minutes=rng.choice((-60, -30, 30, 60, 90, 24 * 60)))
            override = [*base, self.when("RECURRENCE-ID", original, zone),
                        self.when("DTSTART", moved, zone),
                        self.when("DTEND", moved + timedelta(minutes=length), zone)]
            if rng.random() < 0.25:
                override.append("STATUS:CANCELLED")
            override += self.people(external)
            self.vevent(override)

    def instances(self, first: datetime, step: timedelta, horizon: datetime) -> list[datetime]:
        """Approximate instants of the series (exact for daily, weekly and bi-weekly rules),
        for EXDATEs and RECURRENCE-IDs; a wrong guess is harmless, as in real exports."""
        out, at = [], first
        while at <= horizon and len(out) < 400:
            if at.weekday() < 5:
                out.append(at)
            at += step
        return out

    # ------------------------------------------------------------ one-off events

    def oneoff(self) -> None:
        rng = self.rng
        kind = rng.choices(
            ("internal", "customer", "ooo", "label", "hold", "cancelled", "declined",
             "duration", "focus", "floating", "utc"),
            (30, 14, 3, 4, 6, 4, 5, 6, 6, 2, 6),
        )[0]
        if kind == "ooo":
            return self.out_of_office()
        if kind == "label":
            day = self.workday()
            return self.vevent([f"UID:{self.uid()}", f"SUMMARY:{rng.choice(TOPICS)} release day",
                                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
                                "TRANSP:TRANSPARENT"])
        zone: str | None = rng.choice(ZONES)
        if kind == "floating":
            zone = None
        elif kind == "utc":
            zone = "UTC"
        day = self.workday()
        start = datetime.combine(day, datetime.min.time()).replace(
            hour=rng.randrange(7, 19), minute=rng.choice((0, 15, 30, 45)))
        length = rng.choice((15, 25, 30, 30, 45, 60, 60, 90, 120))
        external = rng.choice(CUSTOMERS) if kind == "customer" else None
        summary = {
            "customer": f"{external.split('.')[0].title()} call" if external else "",
            "hold": "Hold: travel",
            "focus": "Focus time",
            "cancelled": f"{rng.choice(TOPICS)} (cancelled)",
        }.get(kind, rng.choice(TOPICS))
        lines = [f"UID:{self.uid()}", f"SUMMARY:{summary}", self.when("DTSTART", start, zone)]
        if kind == "duration":
            lines.append(f"DURATION:PT{length // 60}H{length % 60}M" if length >= 60 else
                         f"DURATION:PT{length}M")
        else:
            lines.append(self.when("DTEND", start + timedelta(minutes=length), zone))
        if kind == "hold":
            lines.append("TRANSP:TRANSPARENT")
        if kind == "cancelled":
            lines.append("STATUS:CANCELLED")
        if kind in ("customer", "declined") or (
            kind in ("internal", "cancelled", "duration", "utc") and rng.random() < 0.6
        ):
            lines += self.people(external, "DECLINED" if kind == "declined" else
                                 rng.choice(("ACCEPTED", "ACCEPTED", "TENTATIVE")))
        if kind == "customer":
            lines.append(f"LOCATION:https://meet.{external}/j/{rng.getrandbits(48):x}"
                         "?pwd=" + "x" * 40)
        self.vevent(lines + self.extras())

    def out_of_office(self) -> None:
        rng = self.rng
        day = self.workday()
        days = rng.choice((1, 1, 2, 3, 5, 10))
        lines = [f"UID:{self.uid()}", f"SUMMARY:{rng.choice(('Vacation', 'OOO', 'PTO'))}",
                 f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                 f"DTEND;VALUE=DATE:{day + timedelta(days=days):%Y%m%d}",
                 "X-MICROSOFT-CDO-BUSYSTATUS:OOF"]
        if rng.random() < 0.3:  # a half day out, with times
            start = datetime.combine(day, datetime.min.time()).replace(hour=13)
            lines[2:4] = [self.when("DTSTART", start, "Europe/Berlin"),
                          self.when("DTEND", start + timedelta(hours=4), "Europe/Berlin")]
        self.vevent(lines)

    # ------------------------------------------------------------ the file

    def calendar(self) -> str:
        for _ in range(self.size.series):
            self.series()
        for _ in range(round(self.size.oneoffs_per_week * self.size.weeks)):
            self.oneoff()
        self.rng.shuffle(self.events)  # exports impose no order; overrides may precede masters
        head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//focuscal//benchmark generator//EN",
                "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{ME}"]
        body = [VTIMEZONES[z] for z in ZONES]
        body += ["\r\n".join(fold(line) for line in event) for event in self.events]
        text = "\r\n".join([*head, *body, "END:VCALENDAR"]) + "\r\n"
        return text.replace("\r\n", "\n").replace("\n", "\r\n")


def generate(size: str, seed: int = 7) -> bytes:
    """The calendar of ``size`` (small, medium, large) for ``seed``, as ICS bytes."""
    return Generator(SIZES[size], seed).calendar().encode("utf-8")


def window_of(size: str) -> tuple[date, date]:
    """The first and last local date the calendar of ``size`` covers."""
    s = SIZES[size]
    return s.start, s.start + timedelta(weeks=s.weeks, days=-1)


def write(size: str, folder: Path, seed: int = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{size}.ics"
    path.write_bytes(generate(size, seed))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=[*SIZES, "all"], default="all")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    for size in SIZES if args.size == "all" else [args.size]:
        path = write(size, args.out, args.seed)
        text = path.read_bytes()
        print(f"{path}: {len(text) / 1e6:.2f} MB, {text.count(b'BEGIN:VEVENT')} VEVENTs, "
              f"{text.count(b'RRULE:FREQ=') - text.count(b'FREQ=YEARLY')} series")


if __name__ == "__main__":
    main()
