"""Charts drawn on the server as SVG (no script, no CDN): horizontal bars for one series, paired columns for
two series over years. Each chart is an image with a <title> and a description; the page puts a table with
the same numbers beside it."""

from __future__ import annotations

from itertools import count

from markupsafe import Markup, escape

BAR = "#1f5f99"
SECOND = "#b3541e"
INK = "#1a1a1a"
_ids = count(1)


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def bars(title: str, rows: list[tuple[str, int]], *, limit: int = 15) -> Markup:
    """One bar per row (the largest `limit` rows, in the given order), the value written after each bar."""
    shown = rows if len(rows) <= limit else sorted(rows, key=lambda r: -(r[1] or 0))[:limit]
    ident = f"chart-{next(_ids)}"
    label_width, bar_width, line = 150, 330, 30
    height = max(1, len(shown)) * line + 10
    top = max([value or 0 for _label, value in shown] + [1])
    parts = [f'<svg class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 '
             f'{label_width + bar_width + 90} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-t">{escape(title)}</title>',
             f'<desc id="{ident}-d">{escape("; ".join(f"{label}: {_number(value or 0)}" for label, value in shown))}'
             '</desc>']
    for index, (label, value) in enumerate(shown):
        y = 5 + index * line
        width = round(bar_width * (value or 0) / top)
        text = str(label)
        if len(text) > 11:
            text = text[:10] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 19}" text-anchor="end" font-size="14" '
                     f'fill="{INK}">{escape(text)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{max(width, 1)}" height="20" fill="{BAR}"/>')
        parts.append(f'<text x="{label_width + max(width, 1) + 6}" y="{y + 19}" font-size="14" '
                     f'fill="{INK}">{escape(_number(value or 0))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, labels: list[str], first: tuple[str, list[int]], second: tuple[str, list[int]]) -> Markup:
    """Two series side by side per label (deposits and demand by year), with a legend."""
    ident = f"chart-{next(_ids)}"
    left, plot_height, step = 60, 220, 30
    width = left + step * len(labels) + 20
    top = max(first[1] + second[1] + [1])
    parts = [f'<svg class="chart" role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} '
             f'{plot_height + 70}" width="100%" preserveAspectRatio="xMinYMin meet" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}-t">{escape(title)}</title>',
             f'<desc id="{ident}-d">{escape(first[0])} / {escape(second[0])}: ' + str(escape("; ".join(
                 f"{label}: {_number(a)} / {_number(b)}" for label, a, b in zip(labels, first[1], second[1],
                                                                                 strict=True)))) + '</desc>',
             f'<line x1="{left}" y1="{plot_height + 10}" x2="{width - 10}" y2="{plot_height + 10}" stroke="{INK}"/>',
             f'<text x="{left - 6}" y="20" text-anchor="end" font-size="12" fill="{INK}">{_number(top)}</text>',
             f'<text x="{left - 6}" y="{plot_height + 10}" text-anchor="end" font-size="12" fill="{INK}">0</text>']
    for index, label in enumerate(labels):
        x = left + index * step + 4
        for offset, (series, color) in enumerate(((first, BAR), (second, SECOND))):
            value = series[1][index]
            h = round(plot_height * value / top)
            parts.append(f'<rect x="{x + offset * 11}" y="{plot_height + 10 - h}" width="10" height="{h}" '
                         f'fill="{color}"/>')
        parts.append(f'<text x="{x + 10}" y="{plot_height + 28}" text-anchor="middle" font-size="12" '
                     f'fill="{INK}">{escape(label)}</text>')
    legend_y = plot_height + 50
    for offset, (series, color) in enumerate(((first, BAR), (second, SECOND))):
        x = left + offset * 160
        parts.append(f'<rect x="{x}" y="{legend_y - 11}" width="14" height="14" fill="{color}"/>')
        parts.append(f'<text x="{x + 20}" y="{legend_y}" font-size="13" fill="{INK}">{escape(series[0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
