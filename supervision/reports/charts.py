"""Charts drawn as server-side SVG geometry, with a sentence saying what they show.

No JavaScript and no inline styles (the CSP forbids both): templates draw these shapes with SVG
presentation attributes and classes from app.css. Every chart sits beside a table of the same
numbers, and its summary is the figure's caption, so nobody needs to see the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from supervision.reports.tables import percent_text

WIDTH = 640
LINE_HEIGHT = 260
LEFT = 48
RIGHT = 16
TOP = 16
BOTTOM = 40
BAR_HEIGHT = 24
BAR_GAP = 12
BAR_LABEL_WIDTH = 200
Y_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class Point:
    label: str  # "March 2026", used in the summary
    short_label: str  # "Mar 26", drawn on the axis
    value: float | None  # a share between 0 and 1, or None for no data


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    segments: tuple[str, ...]  # polyline "x,y x,y" strings, broken where there is no data
    markers: tuple[Marker, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    summary: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    width: float
    value_text: str
    has_value: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    summary: str


def _round(value: float) -> float:
    return round(value, 1)


def line_chart(points: Sequence[Point], measure: str) -> LineChart:
    """A line of shares over time; months without data break the line."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = LINE_HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(points) - 1, 1)

    def x_of(index: int) -> float:
        return _round(LEFT + index * step)

    def y_of(value: float) -> float:
        return _round(TOP + (1 - value) * plot_height)

    segments: list[str] = []
    current: list[str] = []
    markers: list[Marker] = []
    for index, point in enumerate(points):
        if point.value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        x, y = x_of(index), y_of(point.value)
        current.append(f"{x},{y}")
        markers.append(Marker(x, y, f"{point.label}: {percent_text(point.value)}"))
    if current:
        segments.append(" ".join(current))
    return LineChart(
        width=WIDTH,
        height=LINE_HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=LINE_HEIGHT - BOTTOM,
        segments=tuple(segments),
        markers=tuple(markers),
        x_ticks=tuple(Tick(x_of(index), point.short_label) for index, point in enumerate(points)),
        y_ticks=tuple(Tick(y_of(value), percent_text(value)) for value in Y_TICKS),
        summary=trend_summary(points, measure),
    )


def bar_chart(points: Sequence[Point], measure: str) -> BarChart:
    """Horizontal bars, one per team or service, longest meaning the highest share."""
    plot_width = WIDTH - BAR_LABEL_WIDTH - RIGHT - 40
    bars = tuple(
        Bar(
            label=point.label,
            y=TOP + index * (BAR_HEIGHT + BAR_GAP),
            width=_round((point.value or 0) * plot_width),
            value_text=percent_text(point.value),
            has_value=point.value is not None,
        )
        for index, point in enumerate(points)
    )
    height = TOP + len(points) * (BAR_HEIGHT + BAR_GAP) + BOTTOM
    return BarChart(
        width=WIDTH,
        height=height,
        label_width=BAR_LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=bars,
        x_ticks=tuple(
            Tick(_round(BAR_LABEL_WIDTH + value * plot_width), percent_text(value)) for value in Y_TICKS
        ),
        summary=comparison_summary(points, measure),
    )


def _no_data_sentence(missing: list[str]) -> str:
    if not missing:
        return ""
    return f" No data for {_listed(missing)}."


def _listed(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


class _Known(NamedTuple):
    label: str
    value: float


def _known(points: Sequence[Point]) -> list[_Known]:
    """The points that have a value, in order."""
    return [_Known(point.label, point.value) for point in points if point.value is not None]


def trend_summary(points: Sequence[Point], measure: str) -> str:
    """What a reader would see in the line: where it started and ended, its highest and lowest."""
    known = _known(points)
    missing = [point.label for point in points if point.value is None]
    if not known:
        return f"{measure}: no data for any month shown."
    if len(known) == 1:
        only = known[0]
        return f"{measure}: {percent_text(only.value)} in {only.label}, the only month with data."
    first, last = known[0], known[-1]
    highest = max(known, key=lambda point: point.value)
    lowest = min(known, key=lambda point: point.value)
    direction = "rose" if last.value > first.value else "fell" if last.value < first.value else "stayed"
    movement = (
        f"stayed at {percent_text(first.value)}"
        if direction == "stayed"
        else f"{direction} from {percent_text(first.value)} in {first.label} to {percent_text(last.value)} "
        f"in {last.label}"
    )
    return (
        f"{measure} {movement}. Highest {percent_text(highest.value)} in {highest.label}; "
        f"lowest {percent_text(lowest.value)} in {lowest.label}.{_no_data_sentence(missing)}"
    )


def comparison_summary(points: Sequence[Point], measure: str) -> str:
    known = _known(points)
    missing = [point.label for point in points if point.value is None]
    if not known:
        return f"{measure}: no data for any of them."
    if len(known) == 1:
        only = known[0]
        return f"{measure}: {only.label} {percent_text(only.value)}.{_no_data_sentence(missing)}"
    highest = max(known, key=lambda point: point.value)
    lowest = min(known, key=lambda point: point.value)
    return (
        f"{measure}: highest {highest.label} ({percent_text(highest.value)}), "
        f"lowest {lowest.label} ({percent_text(lowest.value)}).{_no_data_sentence(missing)}"
    )
