"""Chart geometry for the report pages, drawn as inline SVG by templates/admin/_chart.html.

Only numbers and labels are computed here; the template writes the SVG elements, so
Jinja's autoescaping covers every label (no Markup, nothing fetched from elsewhere), and
colours come from admin.css classes (no style attributes under the admin CSP)."""
from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 720
PLOT_LEFT = 48
PLOT_RIGHT = 12
PLOT_TOP = 12
PLOT_BOTTOM = 36


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: str
    title: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    title: str
    width: int
    height: int
    rects: list[Rect] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    gridlines: list[float] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rects


def nice_max(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1
    step = 1
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def stacked_columns(title: str, columns: list[str], series: dict[str, tuple[str, list[int]]],
                    height: int = 240) -> Chart:
    """One column per entry of ``columns`` (days), stacked by series.
    ``series``: key (a CSS class suffix) -> (legend label, one value per column)."""
    chart = Chart(title, WIDTH, height, legend=[(key, label) for key, (label, _v) in series.items()])
    totals = [sum(values[i] for _label, values in series.values()) for i in range(len(columns))]
    top = nice_max(max(totals, default=0))
    plot_w = WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_h = height - PLOT_TOP - PLOT_BOTTOM
    slot = plot_w / max(len(columns), 1)
    bar_w = max(slot * 0.8, 1)
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = PLOT_TOP + plot_h * (1 - fraction)
        chart.gridlines.append(y)
        chart.labels.append(Label(PLOT_LEFT - 6, y + 4, _fmt(top * fraction), "end"))
    every = max(1, len(columns) // 8)
    for i, column in enumerate(columns):
        x = PLOT_LEFT + i * slot + (slot - bar_w) / 2
        base = PLOT_TOP + plot_h
        for key, (label, values) in series.items():
            value = values[i]
            if value <= 0:
                continue
            h = plot_h * value / top
            base -= h
            chart.rects.append(Rect(round(x, 2), round(base, 2), round(bar_w, 2), round(h, 2), key,
                                    f"{column}: {label} {value:,}"))
        if i % every == 0:
            chart.labels.append(Label(round(x + bar_w / 2, 2), height - PLOT_BOTTOM + 16, column[5:]))
    return chart


def horizontal_bars(title: str, items: list[tuple[str, float, str]], maximum: float | None = None,
                    percent: bool = False) -> Chart:
    """One bar per item: (label, value, series key). ``percent``: values are 0..1 shares."""
    row_h = 26
    label_w = 180
    height = PLOT_TOP + row_h * max(len(items), 1) + 8
    chart = Chart(title, WIDTH, height)
    top = maximum if maximum is not None else nice_max(max((v for _l, v, _s in items), default=0))
    plot_w = WIDTH - label_w - 80
    for i, (label, value, series) in enumerate(items):
        y = PLOT_TOP + i * row_h
        text = f"{value * 100:.1f}%" if percent else f"{value:,.0f}"
        w = plot_w * (value / top) if top else 0
        chart.labels.append(Label(label_w - 8, y + 16, label, "end"))
        chart.rects.append(Rect(label_w, y + 4, round(max(w, 0.5), 2), row_h - 8, series, f"{label}: {text}"))
        chart.labels.append(Label(round(label_w + w + 6, 2), y + 16, text, "start"))
    return chart
