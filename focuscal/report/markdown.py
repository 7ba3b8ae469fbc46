"""Calendar text made inert in Markdown: what a renderer would act on is escaped.

Event titles, rule details, sources and warnings come from other people's calendars. In a
Markdown document they must read as text: raw HTML (``<img src=x onerror=...>``) shown as
text, no emphasis, code, links or images, no table cells or rows of their own.
"""

from __future__ import annotations

import re

# What a renderer acts on inside a line: emphasis, code, links and images (``[`` starts every
# one, so parentheses and ``!`` are harmless once it is escaped), strike-through, table cells.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_escape(text: str) -> str:
    """``text`` safe inline and in a table cell: HTML shown as text (``&``, ``<`` and ``>`` as
    entities, so no tag and no autolink), no emphasis, code or links, no cell or row breaks
    (every run of white space, newlines included, is one space)."""
    text = " ".join(str(text).split())  # a newline would end the row, or the list item
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)
