"""The weekly report as HTML: a self-contained page (inline CSS and SVG, no scripts, no remote
assets) and an email body for Gmail and Outlook (no SVG, inline styles, the timeline drawn with
table cells). jinja2 escapes every value, so calendar text cannot inject markup.
"""

from __future__ import annotations

from typing import Any

from focuscal.report import hm, pct
from focuscal.report.weekly import KINDS, Weekly, when

# SVG user units: narrow enough that 12-unit text stays legible when a phone scales it down.
PLOT_LEFT = 72  # the day labels' column of the SVG charts
PLOT_WIDTH = 552


def environment(**extra: Any) -> Any:
    """The jinja2 environment of every HTML page and email focuscal renders: the package's
    templates, autoescaping on, undefined names an error, the ``hm`` and ``pct`` filters and
    the chart globals, plus ``extra`` globals of the caller's own template."""
    import jinja2  # lazily: only reports need it

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("focuscal.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["hm"] = hm
    env.filters["pct"] = pct
    env.globals.update(kinds=KINDS, when=when, plot_left=PLOT_LEFT, plot_width=PLOT_WIDTH,
                       **extra)
    return env


def _trend_bars(w: Weekly) -> list[dict[str, Any]]:
    """Bar geometry of the trend chart: focus and meeting hours per week."""
    top = max([60, *(max(t.total("focus_minutes"), t.total("meeting_minutes")) for t in w.trend)])
    width = PLOT_WIDTH / max(1, len(w.trend))
    bars = []
    for n, t in enumerate(w.trend):
        focus, meetings = t.total("focus_minutes"), t.total("meeting_minutes")
        x = PLOT_LEFT + n * width
        bars.append({
            "label": t.label,
            "short": t.label.rpartition("-")[2],
            "hours": f"{focus / 60:.1f}h".replace(".0h", "h"),
            "x": round(x + width * 0.15, 1),
            "w": round(width * 0.33, 1),
            "x2": round(x + width * 0.5, 1),
            "focus": focus,
            "meetings": meetings,
            "focus_h": round(130 * focus / top, 1),
            "meet_h": round(130 * meetings / top, 1),
            "fragmentation": pct(t.period.fragmentation),
            "mid": round(x + width / 2, 1),
        })
    return bars


def to_html(w: Weekly) -> str:
    """The report page: one file, readable on a phone."""
    return environment().get_template("report.html.j2").render(
        w=w, scale=PLOT_WIDTH / w.axis_minutes, bars=_trend_bars(w)
    )


def to_email_html(w: Weekly) -> str:
    """The email body: tables and inline styles only."""
    return environment().get_template("email.html.j2").render(w=w)
