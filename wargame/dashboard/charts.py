"""Small SVG charts for the dashboard: lines over days, a heat map, bars.

Each chart is a string of SVG built in well under a millisecond, so a frame can redraw them all;
the browser scales them to their panel. Every mark has a tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

WIDTH, HEIGHT = 480, 230
FONT = 'font-family="Roboto, Helvetica, Arial, sans-serif"'
GRID = "#e3e3e3"
INK = "#444"
# Sequential scale for the heat map, white to dark red (ColorBrewer OrRd).
HEAT = ((1.0, 0.969, 0.925), (0.992, 0.733, 0.518), (0.937, 0.396, 0.282), (0.498, 0.0, 0.0))


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    colour: str
    values: Sequence[float]


def _nice_step(span: float, count: int = 5) -> float:
    raw = max(span, 1e-9) / count
    power = 10 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))


def _frame(title: str, body: list[str], height: int = HEIGHT, css: str = "") -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="wg-chart {css}" style="width:100%;height:auto" {FONT}>'
        f'<text x="4" y="14" font-size="13" font-weight="500" fill="#222">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def line_chart(
    days: Sequence[int],
    series: list[Series],
    *,
    title: str,
    unit: str,
    y_labels: dict[int, str] | None = None,
    steps: bool = False,
    css: str = "",
) -> str:
    """Lines over days, with a legend; ``y_labels`` names fixed ticks (the ladder's rungs)."""
    left = 150 if y_labels else 44
    top, bottom, right = 40, HEIGHT - 24, WIDTH - 12
    first, last = (days[0], days[-1]) if len(days) else (0, 1)
    last = max(last, first + 1)
    values = [v for s in series for v in s.values]
    if y_labels:
        y_hi = float(max(y_labels))
        ticks = {float(k): f"{k} {v}" for k, v in y_labels.items()}
    else:
        top_value = max(max(values, default=0.0), 1.0) * 1.05
        step = _nice_step(top_value)
        y_hi = step * np.ceil(top_value / step)
        ticks = {t: f"{t:g}" for t in np.arange(0, y_hi + step / 2, step)}

    def px(day: float, value: float) -> tuple[float, float]:
        x = left + (day - first) / (last - first) * (right - left)
        return x, bottom - value / y_hi * (bottom - top)

    body = [
        f'<text x="{WIDTH - 6}" y="14" font-size="11" fill="#777" text-anchor="end">'
        f"{escape(unit)}</text>"
    ]
    for value, label in ticks.items():
        _, y = px(first, value)
        body.append(
            f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 5}" y="{y + 3.5:.1f}" font-size="10" fill="{INK}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
    day_step = max(_nice_step(last - first, 6), 1)
    for day in np.arange(np.ceil(first / day_step) * day_step, last + 0.5, day_step):
        x, _ = px(day, 0)
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 14}" font-size="10" fill="{INK}" '
            f'text-anchor="middle">{day:g}</text>'
        )
    body.append(
        f'<text x="{right}" y="{HEIGHT - 2}" font-size="10" fill="#777" '
        'text-anchor="end">day</text>'
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#999"/>'
    )
    legend_x = left
    for s in series:
        now = s.values[-1] if len(s.values) else 0.0
        points = [px(d, v) for d, v in zip(days, s.values, strict=True)]
        if steps and points:
            path = f"M{points[0][0]:.1f},{points[0][1]:.1f}" + "".join(
                f"H{x:.1f}V{y:.1f}" for x, y in points[1:]
            )
        else:
            path = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) if points else ""
        body.append(
            f'<path d="{path}" fill="none" stroke="{s.colour}" stroke-width="2" '
            f'stroke-linejoin="round"><title>{escape(s.label)}: {now:g} now</title></path>'
        )
        if len(series) > 1 or not y_labels:
            body.append(
                f'<rect x="{legend_x}" y="24" width="10" height="10" fill="{s.colour}"/>'
                f'<text x="{legend_x + 14}" y="33" font-size="11" fill="{INK}">'
                f"{escape(s.label)} ({now:.3g})</text>"
            )
            legend_x += 24 + 6.2 * (len(s.label) + 6)
    return _frame(title, body, css=css)


def _heat_colour(value: float) -> str:
    t = min(max(value, 0.0), 1.0) * (len(HEAT) - 1)
    i = min(int(t), len(HEAT) - 2)
    a, b, f = np.array(HEAT[i]), np.array(HEAT[i + 1]), t - i
    r, g, bl = (a + (b - a) * f) * 255
    return f"rgb({r:.0f},{g:.0f},{bl:.0f})"


def heatmap(
    rows: list[str],
    columns: list[str],
    values: np.ndarray,
    *,
    title: str,
    tips: list[list[str]],
    css: str = "",
) -> str:
    """A grid of coloured cells, 0 (white) to 1 (dark red), each with its tooltip."""
    left, top = 112, 78
    size = min((WIDTH - left - 8) / max(len(columns), 1), 28.0)
    scale_top = top + size * len(rows) + 12
    height = int(scale_top + 30)
    body = []
    for j, name in enumerate(columns):
        x = left + (j + 0.5) * size
        body.append(
            f'<text x="{x:.1f}" y="{top - 6}" font-size="10" fill="{INK}" '
            f'transform="rotate(-50 {x:.1f} {top - 6})">{escape(name)}</text>'
        )
    for i, name in enumerate(rows):
        y = top + i * size
        body.append(
            f'<text x="{left - 5}" y="{y + size / 2 + 3.5:.1f}" font-size="10" fill="{INK}" '
            f'text-anchor="end">{escape(name)}</text>'
        )
        for j in range(len(columns)):
            value = float(values[i, j])
            body.append(
                f'<rect x="{left + j * size:.1f}" y="{y:.1f}" width="{size - 1:.1f}" '
                f'height="{size - 1:.1f}" fill="{_heat_colour(value)}">'
                f"<title>{escape(tips[i][j])}</title></rect>"
            )
    body += _heat_scale(left, scale_top, size * len(columns))
    return _frame(title, body, height=height, css=css)


def _heat_scale(left: float, top: float, width: float, steps: int = 20) -> list[str]:
    """The heat map's colour scale: 0 to 1, with its ends and middle written."""
    step = width / steps
    cells = [
        f'<rect class="wg-heat-scale" x="{left + k * step:.1f}" y="{top:.1f}" '
        f'width="{step + 0.3:.1f}" height="9" fill="{_heat_colour((k + 0.5) / steps)}"/>'
        for k in range(steps)
    ]
    ticks = [
        f'<text x="{left + f * width:.1f}" y="{top + 21:.1f}" font-size="10" fill="{INK}" '
        f'text-anchor="middle">{label}</text>'
        for f, label in ((0.0, "0"), (0.5, "0.5"), (1.0, "1"))
    ]
    return [*cells, *ticks]


def bar_chart(
    labels: list[str],
    values: list[float],
    colours: list[str],
    *,
    title: str,
    unit: str,
    css: str = "",
) -> str:
    """Horizontal bars, one per label, the value written at the end."""
    left, top, row = 150, 26, 18
    height = int(top + row * max(len(labels), 1) + 8)
    hi = max(max(values, default=0.0), 1.0)
    body = [
        f'<text x="{WIDTH - 6}" y="14" font-size="11" fill="#777" text-anchor="end">'
        f"{escape(unit)}</text>"
    ]
    if not labels:
        body.append(f'<text x="{left}" y="{top + 12}" font-size="11" fill="#777">none</text>')
    for i, (label, value, colour) in enumerate(zip(labels, values, colours, strict=True)):
        y = top + i * row
        width = (WIDTH - left - 60) * value / hi
        body.append(
            f'<text x="{left - 5}" y="{y + 12}" font-size="10" fill="{INK}" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{left}" y="{y + 2}" width="{width:.1f}" height="{row - 5}" fill="{colour}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
            f'<text x="{left + width + 4:.1f}" y="{y + 12}" font-size="10" fill="{INK}">'
            f"{value:g}</text>"
        )
    return _frame(title, body, height=height, css=css)
