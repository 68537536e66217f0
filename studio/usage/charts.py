"""Stacked bar charts of CU per day, drawn on the server as SVG (no chart library, no CDN).

``stacked_daily_chart`` computes the geometry; ``templates/usage/_chart.html`` draws
it, with the same figures in a table for screen readers and for copying.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .models import format_cu

# Distinguishable in light and dark mode; the last series ("Others") is grey.
PALETTE = ["#d97706", "#2563eb", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626"]
OTHERS_COLOR = "#9ca3af"
OTHERS = "__others__"

WIDTH, HEIGHT = 800, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Series:
    key: object
    label: str
    color: str
    total: Decimal

    @property
    def total_display(self) -> str:
        return format_cu(self.total)


@dataclass(frozen=True)
class Row:
    day: date
    values: list[str]
    total: str


@dataclass(frozen=True)
class Chart:
    title: str
    segments: list[Segment]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Series]
    rows: list[Row]
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.segments


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(float(value)))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


def stacked_daily_chart(
    *,
    title: str,
    days: Sequence[date],
    values: Mapping[tuple[date, object], Decimal],
    labels: Mapping[object, str],
    max_series: int = len(PALETTE),
) -> Chart:
    """A bar per day, stacked by series (members or models), biggest series at the bottom.

    Series beyond ``max_series - 1`` are drawn together as "Others". Negative
    figures (refunds) are listed in the table but not drawn.
    """
    totals: dict[object, Decimal] = {}
    for (_when, key), cu in values.items():
        totals[key] = totals.get(key, Decimal(0)) + cu
    ranked = sorted(totals, key=lambda key: (-totals[key], labels.get(key, str(key))))
    if len(ranked) > max_series:
        shown, folded = ranked[: max_series - 1], set(ranked[max_series - 1 :])
    else:
        shown, folded = ranked, set()

    def series_of(key: object) -> object:
        return OTHERS if key in folded else key

    by_day: dict[date, dict[object, Decimal]] = {day: {} for day in days}
    for (day, key), cu in values.items():
        if day in by_day:
            cell = by_day[day]
            cell[series_of(key)] = cell.get(series_of(key), Decimal(0)) + cu

    series = [
        Series(key=key, label=labels.get(key, str(key)), color=PALETTE[i], total=totals[key])
        for i, key in enumerate(shown)
    ]
    if folded:
        series.append(
            Series(
                key=OTHERS,
                label=f"{len(folded)} others",
                color=OTHERS_COLOR,
                total=sum((totals[key] for key in folded), Decimal(0)),
            )
        )

    peak = max(
        (sum((cu for cu in cell.values() if cu > 0), Decimal(0)) for cell in by_day.values()),
        default=Decimal(0),
    )
    top = _nice_ceiling(peak)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = max(slot * 0.7, 1.0)

    segments: list[Segment] = []
    for index, day in enumerate(days):
        base = float(HEIGHT - BOTTOM)
        for s in series:
            cu = by_day[day].get(s.key, Decimal(0))
            if cu <= 0:
                continue
            height = float(cu / top) * plot_height
            base -= height
            segments.append(
                Segment(
                    x=round(LEFT + index * slot + (slot - bar) / 2, 2),
                    y=round(base, 2),
                    width=round(bar, 2),
                    height=round(height, 2),
                    color=s.color,
                    title=f"{_day(day)}: {s.label}, {format_cu(cu)} CU",
                )
            )

    every = max(math.ceil(len(days) / 10), 1)
    x_ticks = [
        Tick(position=round(LEFT + index * slot + slot / 2, 2), label=_day(day))
        for index, day in enumerate(days)
        if index % every == 0
    ]
    y_ticks = [
        Tick(
            position=round(HEIGHT - BOTTOM - plot_height * step / 4, 2),
            label=format_cu(top * step / 4),
        )
        for step in range(5)
    ]
    rows = [
        Row(
            day=day,
            values=[format_cu(by_day[day].get(s.key, Decimal(0))) for s in series],
            total=format_cu(sum(by_day[day].values(), Decimal(0))),
        )
        for day in days
        if by_day[day]
    ]
    return Chart(
        title=title,
        segments=segments,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        series=series,
        rows=rows,
    )
