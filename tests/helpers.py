"""Small builders shared by the tests: ICS text and events."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from focuscal.classify import classify
from focuscal.model import Attendee, Classified, ClassifyRules, Event


def ics(*events: str, header: str = "") -> bytes:
    body = "".join(
        "BEGIN:VEVENT\r\n" + "\r\n".join(line.strip() for line in e.strip().splitlines())
        + "\r\nEND:VEVENT\r\n"
        for e in events
    )
    head = "".join(line.strip() + "\r\n" for line in header.strip().splitlines())
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//focuscal tests//EN\r\n" + head + body
        + "END:VCALENDAR\r\n"
    ).encode()


def meeting(start: datetime, end: datetime, summary: str = "Meeting", **kw) -> Event:
    return Event(start=start, end=end, summary=summary, **kw)


def classified(*events: Event, rules: ClassifyRules | None = None) -> list[Classified]:
    rules = rules or ClassifyRules(me=frozenset({"me@example.com"}))
    return [classify(e, rules) for e in events]


def attendee(email: str, partstat: str = "ACCEPTED", **kw) -> Attendee:
    return Attendee(email=email, partstat=partstat, **kw)


# The report's headline: the label a reader sees for each key of the JSON audit's totals.
HEADLINE_LABELS = {
    "focus_minutes": "Focus time",
    "meeting_minutes": "Meetings",
    "longest_block_minutes": "Longest block",
    "fragmentation": "Fragmented",
    "external_meeting_minutes": "With customers",
    "after_hours_meeting_minutes": "After hours",
}


def service_account_file(path: Path, token_uri: str) -> Path:
    """A Google service account key file (a fresh RSA key) whose tokens come from
    ``token_uri``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "p", "private_key_id": "k1",
        "private_key": pem, "client_email": "auditor@p.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": token_uri}))
    return path
