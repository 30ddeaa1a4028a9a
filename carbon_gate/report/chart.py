"""The report's mermaid pie of the life cycle, written the way mermaid's pie grammar reads numbers.

Mermaid's pie accepts plain decimals only ("12", "0.5"): no exponent ("1.11e+04" is a syntax error
and GitHub shows that instead of the chart), and it refuses negative values. So one unit is picked
for the whole chart from the largest stage, every value is written as a plain decimal with enough
places for the smallest stage to keep three significant digits (at most `_MOST_PLACES`), and a chart
is drawn only when every stage is a finite, non-negative number: a pie of a partial life cycle would
say something the numbers do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Grams per unit, largest first.
_UNITS = ((1e6, "t"), (1e3, "kg"), (1.0, "g"), (1e-3, "mg"), (1e-6, "µg"))
_MOST_PLACES = 6  # a stage smaller than a millionth of the chart's unit is left out of the chart


@dataclass(frozen=True)
class Pie:
    """A chart's unit ("g", "kg", …) and its slices as (label, plain decimal)."""

    unit: str
    slices: list[tuple[str, str]]


def pie(stages: list[tuple[str, float]]) -> Pie | None:
    """The pie of `stages` (label, grams CO2eq), or None when there is nothing true to draw."""
    if not all(math.isfinite(grams) and grams >= 0 for _, grams in stages):
        return None
    shown = [(label, grams) for label, grams in stages if grams > 0]
    if not shown:
        return None
    largest = max(grams for _, grams in shown)
    per_unit, unit = next(((f, u) for f, u in _UNITS if largest >= f * 0.9995), _UNITS[-1])
    smallest = min(grams for _, grams in shown) / per_unit
    places = min(max(0, 2 - math.floor(math.log10(smallest))), _MOST_PLACES)
    slices = [(label, f"{grams / per_unit:.{places}f}") for label, grams in shown]
    kept = [(label, text) for label, text in slices if float(text) > 0]
    return Pie(unit, kept) if kept else None
