"""Server-drawn SVG charts: the page's CSP allows no scripts from elsewhere, and none are needed."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

OK_COLOUR = "#1e7e34"
FAIL_COLOUR = "#b3261e"
GRID_COLOUR = "#dadce0"
TEXT_COLOUR = "#5f6368"


@dataclass(frozen=True)
class Labels:
    """Words drawn into the chart, already in the reader's language."""

    title: str
    succeeded: str
    failed: str
    day: Callable[[dt.date], str]
    number: Callable[[int], str]


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 × 10^n at or above value, so the axis reads in round steps."""
    if value <= 4:
        return 4
    exponent = 10 ** math.floor(math.log10(value / 4))
    for step in (1, 2, 5, 10):
        if step * exponent * 4 >= value:
            return step * exponent * 4
    return value  # pragma: no cover - the loop always returns


def daily_bars(
    days: list[tuple[dt.date, int, int]], labels: Labels, width: int = 960, height: int = 260
) -> Markup:
    """Stacked bars (succeeded under failed) for consecutive days, with a title per bar for hover and screen readers."""
    left, right, top, bottom = 56, 12, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = nice_ceiling(max((ok + bad for _d, ok, bad in days), default=0))
    slot = plot_w / max(len(days), 1)
    bar_w = max(slot * 0.7, 1.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="chart-title" data-testid="tx-chart" class="chart">',
        f'<title id="chart-title">{escape(labels.title)}</title>',
    ]
    for index in range(5):
        value = top_value * index // 4
        y = top + plot_h - plot_h * index / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(labels.number(value))}</text>"
        )
    for index, (day, ok, bad) in enumerate(days):
        x = left + slot * index + (slot - bar_w) / 2
        ok_h = plot_h * ok / top_value
        bad_h = plot_h * bad / top_value
        base = top + plot_h
        tip = (
            f"{labels.day(day)}: {labels.number(ok)} {labels.succeeded}, {labels.number(bad)} {labels.failed}"
        )
        parts.append(f"<g><title>{escape(tip)}</title>")
        if ok:
            parts.append(
                f'<rect x="{x:.1f}" y="{base - ok_h:.1f}" width="{bar_w:.1f}" height="{ok_h:.1f}" fill="{OK_COLOUR}"/>'
            )
        if bad:
            parts.append(
                f'<rect x="{x:.1f}" y="{base - ok_h - bad_h:.1f}" width="{bar_w:.1f}" height="{bad_h:.1f}" '
                f'fill="{FAIL_COLOUR}"/>'
            )
        if not ok and not bad:  # an empty day still answers to hover
            parts.append(
                f'<rect x="{x:.1f}" y="{base - 2:.1f}" width="{bar_w:.1f}" height="2" fill="{GRID_COLOUR}"/>'
            )
        parts.append("</g>")
        if index % 5 == 0 or index == len(days) - 1:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="12" '
                f'fill="{TEXT_COLOUR}">{escape(labels.day(day))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above went through escape()
