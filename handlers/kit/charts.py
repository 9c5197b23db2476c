"""Server-side SVG charts for the statistics pages (the admin web's and the workspace's): pure functions from
figures to markup, no JavaScript.

Every chart has a fixed viewBox (it scales to its container; drawn for 600–900 px wide), ``role="img"`` with a
``<title>`` and a ``<desc>`` listing every figure for screen readers, and a tooltip per bar or point. Every
label is escaped (and stripped of the control characters XML forbids), so a type or office name cannot inject
markup. Colours follow the Okabe–Ito palette (distinguishable with the common colour-vision deficiencies); the
trend's series also differ by dash and marker shape.

* ``bar_chart`` — horizontal bars with labels and values (counts by status, type, office, importance).
* ``line_chart`` — a few series over the same categories (the weekly trend: 提问 / 回复 / 办结).
* ``share_bar`` — one 100% bar split into parts with a legend of counts and percentages (the evaluation mix:
  pass ``[*stats.evaluations, (DEEMED_ACCEPTED_LABEL, stats.deemed_accepted)]``; the last part is grey).
"""

from __future__ import annotations

import hashlib
import html
import math
import re

WIDTH = 720
SIZE = 14  # px in the viewBox: about 12 px on screen at 600 px wide
FONT = '-apple-system,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif'
TEXT, MUTED, GRID, BAR = "#1f2329", "#4e5969", "#e5e6eb", "#1f5fbf"
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
SERIES_DASHES = ("", "6 4", "2 3", "10 3 2 3")
SHARE_COLOURS = ("#009E73", "#56B4E9", "#D55E00", "#E69F00", "#999999")
NO_DATA = "暂无数据"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _esc(text: object) -> str:
    return html.escape(_CONTROL.sub("", str(text)), quote=True)


def _text_width(text: str, size: float) -> float:
    """Approximate rendered width: CJK and full-width characters one em, the rest about 0.6 em."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _fit(text: str, width: float, size: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (the full text stays in the tooltip)."""
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _svg(title: str, height: float, body: list[str], summary: str) -> str:
    key = "chart-" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()[:10]
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-labelledby="{key}-t {key}-d" class="chart" font-family="{_esc(FONT)}" font-size="{SIZE}" '
        f'fill="{TEXT}">',
        f'<title id="{key}-t">{_esc(title)}</title>',
        f'<desc id="{key}-d">{_esc(summary)}</desc>',
        f'<text x="16" y="26" font-size="16" font-weight="600">{_esc(title)}</text>',
        *body,
        "</svg>",
    ])


def _summary(items: list[tuple[str, int]] | list[tuple[str, float]]) -> str:
    return "；".join(f"{label}：{value}" for label, value in items) or NO_DATA


def _no_data(y: float) -> str:
    return f'<text x="{WIDTH / 2:g}" y="{y:g}" text-anchor="middle" fill="{MUTED}">{NO_DATA}</text>'


def bar_chart(title: str, items: list[tuple[str, int]] | list[tuple[str, float]]) -> str:
    """Horizontal bars, one per (label, value), in the order given; values written at the bar ends."""
    row, top, label_width = 28, 44, 188
    left, right = 16 + label_width + 8, WIDTH - 64
    height = top + max(len(items), 1) * row + 12
    scale = (right - left) / max([value for _, value in items] + [1])
    body = [] if items else [_no_data(top + 18)]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        length = max(value * scale, 1.5 if value else 0)
        body.append(
            f'<g><title>{_esc(label)}：{value}</title>'
            f'<text x="{16 + label_width}" y="{y + 18}" text-anchor="end">{_esc(_fit(label, label_width, SIZE))}</text>'
            f'<rect x="{left}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" rx="2" fill="{BAR}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 18}" fill="{MUTED}">{value}</text></g>'
        )
    return _svg(title, height, body, _summary(items))


def _axis(value: int) -> tuple[int, int]:
    """(top, step) of a y axis from 0 holding ``value``: four or so whole steps of 1, 2 or 5 × 10^k."""
    raw = max(value, 1) / 4
    power = 10 ** max(math.floor(math.log10(raw)), 0)
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * max(math.ceil(value / step), 1), step


def _marker(shape: int, x: float, y: float, colour: str) -> str:
    if shape % 3 == 1:
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
    if shape % 3 == 2:
        return f'<path d="M{x:.1f} {y - 4.5:.1f}l4.5 8h-9z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def line_chart(title: str, series: dict[str, list[tuple[str, int]]]) -> str:
    """Lines over shared categories (x: the labels of the series, in order of first appearance), with a legend.

    Up to four series are told apart by colour, dash and marker; more raise ValueError.
    """
    if len(series) > len(SERIES_COLOURS):
        raise ValueError(f"line_chart draws at most {len(SERIES_COLOURS)} series")
    categories = list(dict.fromkeys(label for points in series.values() for label, _ in points))
    left, right, top, bottom = 56, WIDTH - 24, 78, 278
    height = bottom + 40
    body = _legend(list(series), 16, 46)
    if not categories:
        return _svg(title, height, [*body, _no_data((top + bottom) / 2)], NO_DATA)
    y_max, y_step = _axis(max(value for points in series.values() for _, value in points))
    step = (right - left) / max(len(categories) - 1, 1)

    def x_at(i: int) -> float:
        return left + i * step if len(categories) > 1 else (left + right) / 2

    def y_at(v: int) -> float:
        return bottom - v * (bottom - top) / y_max

    for tick in range(0, y_max + 1, y_step):
        body.append(f'<line x1="{left}" x2="{right}" y1="{y_at(tick):.1f}" y2="{y_at(tick):.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 8}" y="{y_at(tick) + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick}</text>')
    every = math.ceil(len(categories) / 10)  # at most ten x labels
    for i, label in enumerate(categories):
        if i % every == 0:
            body.append(f'<text x="{x_at(i):.1f}" y="{bottom + 20}" text-anchor="middle" fill="{MUTED}" '
                        f'font-size="12">{_esc(_fit(label, max(step * every - 6, 48), 12))}</text>')
    for n, (name, points) in enumerate(series.items()):
        colour, values = SERIES_COLOURS[n], dict(points)
        xy = [(x_at(i), y_at(values[c])) for i, c in enumerate(categories) if c in values]
        dash = f' stroke-dasharray="{SERIES_DASHES[n]}"' if SERIES_DASHES[n] else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for (x, y), (label, value) in zip(xy, [(c, values[c]) for c in categories if c in values], strict=True):
            body.append(f'<g><title>{_esc(name)} {_esc(label)}：{value}</title>{_marker(n, x, y, colour)}</g>')
    summary = "。".join(f"{name}：" + "；".join(f"{label} {value}" for label, value in points)
                       for name, points in series.items())
    return _svg(title, height, body, summary)


def _legend(names: list[str], x: float, y: float) -> list[str]:
    parts = []
    for n, name in enumerate(names):
        colour = SERIES_COLOURS[n]
        dash = f' stroke-dasharray="{SERIES_DASHES[n]}"' if SERIES_DASHES[n] else ""
        parts.append(f'<line x1="{x}" x2="{x + 28}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="2.5"'
                     f'{dash}/>{_marker(n, x + 14, y - 4, colour)}'
                     f'<text x="{x + 34}" y="{y}">{_esc(name)}</text>')
        x += 34 + _text_width(name, SIZE) + 24
    return parts


def share_bar(title: str, items: list[tuple[str, int]]) -> str:
    """One bar split into the parts' shares, with a legend of count and percentage per part (all parts shown,
    zero ones too). The last colour is grey: put a "not really an answer" part, such as 视为接受, last."""
    if len(items) > len(SHARE_COLOURS):
        raise ValueError(f"share_bar draws at most {len(SHARE_COLOURS)} parts")
    total = sum(value for _, value in items)
    left, right, top = 16, WIDTH - 16, 44
    colours = [*SHARE_COLOURS[:len(items) - 1], SHARE_COLOURS[-1]] if items else []
    body = [f'<rect x="{left}" y="{top}" width="{right - left}" height="28" rx="3" fill="{GRID}"/>']
    x = float(left)
    for (label, value), colour in zip(items, colours, strict=True):
        if total and value:
            width = value / total * (right - left)
            body.append(f'<g><title>{_esc(label)}：{value}（{value / total:.0%}）</title>'
                        f'<rect x="{x:.1f}" y="{top}" width="{width:.1f}" height="28" fill="{colour}"/></g>')
            x += width
    if not total:
        body.append(f'<text x="{WIDTH / 2:g}" y="{top + 19}" text-anchor="middle" fill="{MUTED}">{NO_DATA}</text>')
    column = (right - left) / 2
    for i, ((label, value), colour) in enumerate(zip(items, colours, strict=True)):
        lx, ly = left + (i % 2) * column, top + 56 + (i // 2) * 26
        share = f"（{value / total:.0%}）" if total else ""
        body.append(f'<rect x="{lx:.1f}" y="{ly - 11}" width="12" height="12" rx="2" fill="{colour}"/>'
                    f'<text x="{lx + 18:.1f}" y="{ly}">{_esc(_fit(label, column - 110, SIZE))}'
                    f'<tspan fill="{MUTED}" dx="8">{value}{share}</tspan></text>')
    height = top + 56 + math.ceil(max(len(items), 1) / 2) * 26
    return _svg(title, height, body, _summary(items))
