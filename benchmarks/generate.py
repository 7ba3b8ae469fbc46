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
    heavy: bool = False  # an Outlook-like export: see ``Generator.heavy_*``


SIZES = {
    "small": Size("small", date(2026, 2, 2), 4, 8, 12.0),
    "medium": Size("medium", date(2026, 1, 5), 52, 40, 14.0),
    "large": Size("large", date(2022, 1, 3), 261, 400, 13.5),
    "heavy": Size("heavy", date(2022, 1, 3), 261, 400, 25.5, heavy=True),
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
        if self.size.heavy:
            lines = lines + self.heavy_noise()
        self.events.append(["BEGIN:VEVENT", f"DTSTAMP:{stamp(datetime(2026, 1, 1))}Z", *lines,
                            "END:VEVENT"])

    # ------------------------------------------------------------ series

    def series(self) -> None:
        rng = self.rng
        variant = self.heavy_variant() if self.size.heavy else "timed"
        if variant == "all-day":
            return self.heavy_all_day_series()
        kind = rng.choices(("standup", "one-on-one", "biweekly", "monthly"), (2, 4, 3, 2))[0]
        zone: str | None = rng.choice(ZONES)
        if variant == "utc":
            zone = "UTC"
        elif variant == "floating":
            zone = None
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
        if variant == "daily":
            rule, step, summary = "FREQ=DAILY", timedelta(days=1), "Daily check-in"
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
                          self.when("EXDATE", skipped[0], zone).split(":")[0] + ":"
                          + ",".join(stamp(s) + ("Z" if zone == "UTC" else "")
                                     for s in sorted(skipped)))
        if self.size.heavy and instances and rng.random() < 0.15:
            extra = sorted({rng.choice(instances) + timedelta(days=rng.choice((1, 2, 3)))
                            for _ in range(rng.randrange(1, 3))})
            master.append(self.when("RDATE", extra[0], zone).split(":")[0] + ":"
                          + ",".join(stamp(s) + ("Z" if zone == "UTC" else "") for s in extra))
        me_status = "DECLINED" if variant == "declined" else "ACCEPTED"
        master += self.people(external, me_status) + self.extras()
        self.vevent(master)
        if self.size.heavy:
            for original in rng.sample(instances, min(len(instances),
                                                      rng.choice((1, 2, 2, 3, 3, 4)))):
                self.vevent(self.heavy_override(base, original, zone, length, external))
            return
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

    # ------------------------------------------------------------ the heavy profile

    def heavy_variant(self) -> str:
        """What kind of series the heavy profile makes next."""
        return self.rng.choices(("timed", "all-day", "declined", "utc", "floating", "daily"),
                                (70, 7, 8, 8, 3, 4))[0]

    def heavy_all_day_series(self) -> None:
        """A weekly all-day series: out-of-office Fridays, or a transparent label."""
        rng = self.rng
        day = self.workday()
        ooo = rng.random() < 0.5
        count = rng.randrange(6, 60)
        uid = self.uid()
        base = [f"UID:{uid}", f"SUMMARY:{'OOO (part-time)' if ooo else 'Remote day'}"]
        lines = [*base, f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                 f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
                 f"RRULE:FREQ=WEEKLY;COUNT={count}"]
        lines.append("X-MICROSOFT-CDO-BUSYSTATUS:OOF" if ooo else "TRANSP:TRANSPARENT")
        days = [day + timedelta(weeks=n) for n in range(count)]
        skipped = sorted(rng.sample(days, rng.randrange(0, 3)))
        if skipped:
            lines.append("EXDATE;VALUE=DATE:" + ",".join(f"{d:%Y%m%d}" for d in skipped))
        self.vevent(lines)
        for original in rng.sample(days, rng.choice((1, 2, 3))):
            moved = original + timedelta(days=rng.choice((-1, 1)))
            self.vevent([*base, f"RECURRENCE-ID;VALUE=DATE:{original:%Y%m%d}",
                         f"DTSTART;VALUE=DATE:{moved:%Y%m%d}",
                         f"DTEND;VALUE=DATE:{moved + timedelta(days=1):%Y%m%d}", "SEQUENCE:1"])

    def heavy_override(self, base: list[str], original: datetime, zone: str | None,
                       length: int, external: str | None) -> list[str]:
        """One moved or changed instance of a series: a RECURRENCE-ID override that moves it
        (the same day, another day, or given in UTC), renames it, declines or cancels it."""
        rng = self.rng
        kind = rng.choices(("moved", "other-day", "in-utc", "renamed", "declined", "cancelled",
                            "longer"), (30, 14, 8, 16, 12, 10, 10))[0]
        start = original
        if kind == "moved":
            start += timedelta(minutes=rng.choice((-90, -60, -30, 30, 60, 120)))
        elif kind == "other-day":
            start += timedelta(days=rng.choice((-2, -1, 1, 2, 7)))
        summary = base[1]
        if kind == "renamed":
            summary += f" ({rng.choice(TOPICS).lower()})"
        lines = [base[0], summary, self.when("RECURRENCE-ID", original, zone)]
        end = start + timedelta(minutes=length * (2 if kind == "longer" else 1))
        if kind == "in-utc" and zone not in (None, "UTC"):
            from zoneinfo import ZoneInfo

            utc = ZoneInfo("UTC")
            moved = start.replace(tzinfo=ZoneInfo(zone)).astimezone(utc) + timedelta(hours=1)
            lines += [f"DTSTART:{stamp(moved)}Z",
                      f"DTEND:{stamp(moved + timedelta(minutes=length))}Z"]
        else:
            lines += [self.when("DTSTART", start, zone), self.when("DTEND", end, zone)]
        lines.append(f"SEQUENCE:{rng.randrange(1, 4)}")
        if kind == "cancelled":
            lines.append("STATUS:CANCELLED")
        return lines + self.people(external, "DECLINED" if kind == "declined" else "ACCEPTED")

    def heavy_noise(self) -> list[str]:
        """What Outlook and Exchange add to every event: bookkeeping properties, a plain and
        an HTML description, names on attendees."""
        rng = self.rng
        created = datetime(2021, 6, 1) + timedelta(minutes=rng.randrange(2_000_000))
        lines = [f"CREATED:{stamp(created)}Z", f"LAST-MODIFIED:{stamp(created)}Z",
                 "CLASS:PUBLIC", "PRIORITY:5", f"X-MICROSOFT-CDO-APPT-SEQUENCE:{rng.randrange(4)}",
                 "X-MICROSOFT-CDO-IMPORTANCE:1", "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
                 f"X-MS-OLK-CONFTYPE:{rng.randrange(3)}"]
        if rng.random() < 0.8:
            text = (LOREM * 3)[: rng.randrange(200, 3 * len(LOREM))]
            lines.append("DESCRIPTION:" + text.replace(". ", ".\\n"))
            lines.append("X-ALT-DESC;FMTTYPE=text/html:<html><head><meta name=\"Generator\" "
                         "content=\"Microsoft Exchange Server\"></head><body><p>"
                         + text.replace(". ", ".</p><p>") + "</p></body></html>")
        return lines

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
    """The calendar of ``size`` (small, medium, large, heavy) for ``seed``, as ICS bytes."""
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
