"""Stand-in for the network helper's transport module: only ``redact`` (same name and
signature), which the CLI's error funnel needs. The real module replaces this file."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]+@")


def redact(text: str) -> str:
    """``text`` with every URL's ``user:password@`` part removed."""
    return _USERINFO.sub(r"\1", text)
