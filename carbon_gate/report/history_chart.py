"""The dashboard's charts: one stage's CO2eq over a budget file's runs, as SVG geometry.

Runs are evenly spaced in the order they were recorded (not by date: a week without pushes is no
gap). Each run is a point at its CO2eq with a whisker over its 95 % interval; the line joining the
points breaks where a stage is missing and where the runs are measured otherwise (other hardware,
batches of another length), since such runs are not comparable at the few-percent level.
Coordinates are given as short strings, ready for the template's SVG attributes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from carbon_gate.history.entries import Entry, Figure

WIDTH, HEIGHT = 960, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 22, 40  # margins: the y ticks, the unit, the x ticks
LABEL_ROW = 14  # above the plot, one for each of the first three changes of hardware
TICK_LABEL_PX = 58  # a short commit name at 11px, and a gap
CHANGE_LABEL_CHAR_PX = 6.8  # a bold 11px character, wide ones counted
# Grams per unit, largest first (as the report's pie).
_UNITS = ((1e6, "t"), (1e3, "kg"), (1.0, "g"), (1e-3, "mg"), (1e-6, "µg"), (1e-9, "ng"))


@dataclass(frozen=True)
class Point:
    """A run's figure: its place, its whisker's ends, and what its tooltip says."""

    index: int  # the run's place in the section, oldest 0
    x: str
    y: str
    low: str
    high: str
    hit: str  # the left edge of its column, where hovering shows the tooltip
    hollow: bool  # measured on other hardware than the latest run
    tooltip: str


@dataclass(frozen=True)
class Tick:
    position: str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Change:
    """A dashed line before the first run on other hardware, and its label."""

    x: str
    label: str
    full: str
    anchor: str  # "start", or "end" near the right edge
    label_x: str
    label_y: str
    top: str  # of the line, just above its label


@dataclass(frozen=True)
class Chart:
    stage: str
    unit: str  # of the y axis: "g CO2eq"
    points: list[Point]
    lines: list[str]  # polyline point lists
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    changes: list[Change]
    radius: str
    slot: str  # the width of a run's column
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def _n(x: float) -> str:
    return f"{x:.1f}"


def chart(
    stage: str,
    runs: Sequence[Entry],
    *,
    first: int,
    changed: Sequence[bool],
    tooltips: Sequence[str],
    latest: tuple[object, ...],
) -> Chart | None:
    """The chart of `stage` over `runs` (the section's runs from index `first`), or None when no
    run has the stage. `changed[i]`: run i's hardware differs from run i - 1's; `tooltips[i]`:
    what run i's point says; `latest`: the fingerprint points are drawn solid on."""
    figures = [(i, f) for i, run in enumerate(runs) if (f := _figure(run, stage)) is not None]
    if not figures:
        return None
    per_unit, unit = _unit(max(f.high for _, f in figures))
    y_low, y_high, step = _axis(
        min(f.low for _, f in figures) / per_unit, max(f.high for _, f in figures) / per_unit
    )
    slot = (WIDTH - LEFT - RIGHT) / len(runs)

    def x_of(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    changes = _changes(runs, changed, x_of, slot)
    top, bottom = TOP + LABEL_ROW * min(3, len(changes)), HEIGHT - BOTTOM

    def y_of(value_kg: float) -> float:
        return bottom - (value_kg / per_unit - y_low) / (y_high - y_low) * (bottom - top)

    points = [
        Point(
            first + i,
            _n(x_of(i)),
            _n(y_of(f.value)),
            _n(y_of(f.low)),
            _n(y_of(f.high)),
            _n(x_of(i) - slot / 2),
            runs[i].hardware.fingerprint != latest,
            tooltips[i],
        )
        for i, f in figures
    ]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    ticks = round((y_high - y_low) / step)
    y_ticks = [
        Tick(_n(y_of((y_low + k * step) * per_unit)), f"{y_low + k * step:,.{decimals}f}")
        for k in range(ticks + 1)
    ]
    return Chart(
        stage=stage,
        unit=f"{unit} CO2eq",
        points=points,
        lines=_lines(points, changed, first),
        y_ticks=y_ticks,
        x_ticks=_x_ticks(runs, x_of, slot),
        changes=changes,
        radius=_n(min(4.0, max(1.6, slot * 0.32))),
        slot=_n(slot),
        plot_top=top,
    )


def _figure(run: Entry, stage: str) -> Figure | None:
    found = run.stage(stage)
    return None if found is None else found.co2eq_kg


def _unit(largest_kg: float) -> tuple[float, str]:
    grams = largest_kg * 1000
    per_unit, unit = next(((f, u) for f, u in _UNITS if grams >= f * 0.9995), _UNITS[-1])
    return per_unit / 1000, unit


def _axis(low: float, high: float) -> tuple[float, float, float]:
    """A y range holding [low, high] with room, on round ticks (1, 2 or 5 × a power of ten), about
    five of them; it starts at zero only when the figures come close to it."""
    if high <= low:  # one run with no spread, or every run alike
        low, high = (low * 0.9, high * 1.1) if high > 0 else (0.0, 1.0)
    room = (high - low) * 0.08
    low, high = max(0.0, low - room), high + room
    if low < (high - low) * 0.5:
        low = 0.0
    raw = (high - low) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _lines(points: Sequence[Point], changed: Sequence[bool], first: int) -> list[str]:
    """The polylines through the points: broken at a missing run and at a change of hardware."""
    lines: list[list[Point]] = []
    for point in points:
        joins = lines and lines[-1][-1].index == point.index - 1
        if joins and not changed[point.index - first]:
            lines[-1].append(point)
        else:
            lines.append([point])
    return [" ".join(f"{p.x},{p.y}" for p in line) for line in lines if len(line) > 1]


def _x_ticks(runs: Sequence[Entry], x_of: Callable[[int], float], slot: float) -> list[Tick]:
    """Every few runs' short commit name and date, as many as fit; the latest run always."""
    every = max(1, math.ceil(TICK_LABEL_PX / slot))
    last = len(runs) - 1
    return [
        Tick(_n(x_of(i)), run.commit[:7], run.recorded[:10])
        for i, run in enumerate(runs)
        if (last - i) % every == 0
    ]


def _changes(
    runs: Sequence[Entry], changed: Sequence[bool], x_of: Callable[[int], float], slot: float
) -> list[Change]:
    """A line where the runs are measured otherwise; labels take turns on three rows, so close
    ones stay legible, and run leftwards from a line in the right third."""
    found = [i for i, flag in enumerate(changed) if flag]
    changes = []
    for row, i in enumerate(found):
        x = max(LEFT, x_of(i) - slot / 2)
        full = f"measured otherwise: {runs[i].hardware.label}"
        right = x > LEFT + (WIDTH - LEFT - RIGHT) * 2 / 3
        room = int(((x - LEFT) if right else (WIDTH - RIGHT - x)) / CHANGE_LABEL_CHAR_PX)
        short = full if len(full) <= room else full[: max(1, room - 1)] + "…"
        label_y = LABEL_ROW * (1 + row % 3)
        changes.append(
            Change(
                _n(x),
                short,
                full,
                "end" if right else "start",
                _n(x - 4 if right else x + 4),
                _n(label_y),
                _n(label_y - 10),
            )
        )
    return changes
