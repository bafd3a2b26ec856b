"""Charts as server-rendered SVG: no script, no CDN, readable offline.

Each chart is an image with a title and a description for screen readers; the page
shows the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR_COLOUR = "#1d70b8"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#b1b4b6"


def _svg(chart_id: str, title: str, summary: str, width: int, height: int, body: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>{body}</svg>'
    )


def horizontal_bars(
    chart_id: str, title: str, items: Sequence[tuple[str, float]], unit: str = ""
) -> Markup:
    """Labelled bars, longest first as given: (label, value) pairs."""
    row, label_width, bar_width = 28, 260, 380
    height = max(1, len(items)) * row + 10
    top = max((value for _, value in items), default=0) or 1
    parts = []
    for number, (label, value) in enumerate(items):
        y = 5 + number * row
        length = max(1.0, bar_width * value / top) if value else 0
        shown = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="14" '
            f'fill="{TEXT_COLOUR}">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row - 10}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="14" '
            f'fill="{TEXT_COLOUR}">{escape(_number(value))}{escape(unit)}</text>'
        )
    if not items:
        parts.append(f'<text x="10" y="24" font-size="14" fill="{TEXT_COLOUR}">No data</text>')
    summary = "; ".join(f"{label}: {_number(value)}{unit}" for label, value in items) or "No data"
    return _svg(chart_id, title, summary, label_width + bar_width + 70, height, "".join(parts))


def rate_columns(chart_id: str, title: str, points: Sequence[tuple[str, float | None]]) -> Markup:
    """Columns of a rate (0..1) per period, e.g. the contained rate per day; None is a gap."""
    left, bottom, plot_height, width = 50, 40, 200, 720
    step = (width - left - 10) / max(1, len(points))
    parts = []
    for share in (0.0, 0.5, 1.0):
        y = 10 + plot_height * (1 - share)
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
            f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{int(share * 100)}%</text>'
        )
    label_every = max(1, len(points) // 8)
    for number, (label, rate) in enumerate(points):
        x = left + number * step
        if rate is not None:
            column = plot_height * rate
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{10 + plot_height - column:.1f}" '
                f'width="{step * 0.7:.1f}" height="{column:.1f}" fill="{BAR_COLOUR}"/>'
            )
        if number % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{10 + plot_height + 20}" text-anchor="middle" '
                f'font-size="12" fill="{TEXT_COLOUR}">{escape(label[5:])}</text>'
            )
    summary = (
        "; ".join(
            f"{label}: {'no conversations' if rate is None else f'{rate:.0%}'}"
            for label, rate in points
        )
        or "No data"
    )
    return _svg(chart_id, title, summary, width, 10 + plot_height + bottom, "".join(parts))


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
