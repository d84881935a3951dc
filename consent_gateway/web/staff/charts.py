"""Server-side SVG charts for the dashboard: no script, no dependency, printable.

Each chart is decorative for assistive technology (``aria-hidden``): the figure it sits in carries
a caption and a table with the same numbers, which is what a screen reader reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

PALETTE = ("#0a4b8c", "#b3541e", "#1d6b35", "#6b2c91", "#7a5c00", "#9b1b4b")
DASHES = ("", "6 3", "2 3")  # solid, dashed, dotted: the legend draws the same
WIDTH, HEIGHT, LEFT, BOTTOM, TOP, RIGHT = 560, 260, 48, 30, 12, 12


def _nice(value: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) that is at
    least ``value``: the top of an axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if step * power >= value)


def _svg(body: str, height: int = HEIGHT) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" preserveAspectRatio="xMidYMid meet" '
        f'aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _x_ticks(labels: Sequence[str], x: Callable[[int], float]) -> str:
    if not labels:
        return ""
    picks = sorted({0, len(labels) // 2, len(labels) - 1})
    # The first and last labels are anchored inwards so that they are never cut off.
    anchor = {0: "start", len(labels) - 1: "end"}
    return "".join(
        f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor.get(i, "middle")}" class="tick">'
        f'{escape(labels[i])}</text>'
        for i in picks
    )


def _y_grid(maximum: float, fmt: str) -> str:
    plot = HEIGHT - TOP - BOTTOM
    out = []
    for step in range(5):
        value = maximum * step / 4
        y = HEIGHT - BOTTOM - plot * step / 4
        label = f"{value:.0%}" if fmt == "%" else f"{value:,.0f}".replace(",", "\u202f")
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{label}</text>')
    return "".join(out)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> Markup:
    """Rates (0..1) over time, one line per series; gaps where a value is suppressed."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    body = [_y_grid(1.0, "%")]
    for n, (_name, values) in enumerate(series):
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{HEIGHT - BOTTOM - plot_h * value:.1f}")
        color, dash = PALETTE[n % len(PALETTE)], DASHES[n % len(DASHES)]
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                body.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{color}"/>')
            elif run:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                            f'stroke-width="2.5" stroke-dasharray="{dash}"/>')
    body.append(_x_ticks(labels, x))
    return _svg("".join(body))


def stacked_bars(labels: Sequence[str], stacks: Sequence[tuple[str, Sequence[int | None]]]) -> Markup:
    """Counts per period, one stacked segment per series (suppressed periods left empty)."""
    totals = [sum(v or 0 for _n, values in stacks for v in [values[i]]) for i in range(len(labels))]
    maximum = _nice(max(totals, default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.7, 1)

    def x(i: int) -> float:
        return LEFT + slot * i + slot / 2

    body = [_y_grid(maximum, "n")]
    for i in range(len(labels)):
        y: float = HEIGHT - BOTTOM
        for n, (_name, values) in enumerate(stacks):
            h = plot_h * (values[i] or 0) / maximum
            if h:
                y -= h
                body.append(f'<rect x="{x(i) - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                            f'height="{h:.1f}" fill="{PALETTE[n % len(PALETTE)]}"/>')
    body.append(_x_ticks(labels, x))
    return _svg("".join(body))


def horizontal_bars(items: Sequence[tuple[str, int | None]]) -> Markup:
    """One bar per item (a breakdown), largest first as given; suppressed items have no bar."""
    row = 30
    height = TOP + row * max(len(items), 1) + 4
    maximum = max((v or 0 for _label, v in items), default=0) or 1
    # Room for the longest label (about 8 px a character at the ticks' 14 px), never under 110.
    left = min(max(110, 12 + 8 * max((len(label) for label, _v in items), default=0)), WIDTH // 2)
    body = []
    for i, (label, value) in enumerate(items):
        y = TOP + i * row
        w = (WIDTH - left - 70) * (value or 0) / maximum
        body.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" class="tick">{escape(label)}</text>'
                    f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="20" fill="{PALETTE[0]}"/>'
                    f'<text x="{left + w + 6:.1f}" y="{y + 16}" class="tick">'
                    f'{"—" if value is None else value}</text>')
    return _svg("".join(body), height)
