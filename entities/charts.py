"""Geometry of the mentions-per-month bar chart, drawn as server-side SVG by the template."""

from dataclasses import dataclass
from datetime import date

WIDTH = 640
HEIGHT = 160
LABEL_BAND = 20  # room under the bars for the year labels
MIN_SLOTS = 24


@dataclass(frozen=True)
class Bar:
    month: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class YearLabel:
    year: int
    x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    years: list[YearLabel]
    peak: int
    total: int
    first: date
    last: date


def timeline_chart(timeline: list[tuple[date, int]]) -> Chart | None:
    if not timeline:
        return None
    peak = max(count for _month, count in timeline) or 1
    plot_height = HEIGHT - LABEL_BAND
    # A short timeline keeps bars of a sensible width rather than one bar filling the chart.
    slot = WIDTH / max(len(timeline), MIN_SLOTS)
    gap = min(2.0, slot * 0.2)
    bars, years = [], []
    for i, (month, count) in enumerate(timeline):
        height = round(plot_height * count / peak, 1)
        x = round(i * slot, 1)
        bars.append(Bar(month, count, x, round(plot_height - height, 1), round(slot - gap, 1), height))
        if month.month == 1 or i == 0:
            years.append(YearLabel(month.year, x))
    # Keep year labels from colliding when the timeline spans decades.
    min_spacing = 40
    spaced: list[YearLabel] = []
    for label in years:
        if not spaced or label.x - spaced[-1].x >= min_spacing:
            spaced.append(label)
    return Chart(
        WIDTH, HEIGHT, plot_height, bars, spaced, peak, sum(c for _m, c in timeline), timeline[0][0], timeline[-1][0]
    )
