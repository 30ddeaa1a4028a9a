"""The report's view of the head's estimate, recomputed under the trusted budget file: the life
cycle's shares for the chart, the assumptions with their sources, the grid, the grids that would
emit less, and the life cycle in everyday terms. Pure; numbers are formatted here, so that nothing
but text reaches the template."""

from __future__ import annotations

from typing import Any

from carbon_gate.gate.estimate_json import ASSUMPTION_UNITS
from carbon_gate.gate.rows import Row
from carbon_gate.lifecycle.assumptions import Assumptions
from carbon_gate.lifecycle.estimate import Estimate
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.quantities import Duration, Energy
from carbon_gate.readable import (
    format_amount,
    format_count,
    format_duration,
    format_energy,
    format_intensity,
    format_mass,
)

# The seed paper: 552 t CO2 "is equal to the annual emission of 276 average-style cars" (§1,
# citing its reference [6]), i.e. 2 t of CO2 per car and year.
CAR_YEAR_KG = 2000.0
LED_WATTS = 10.0
_STAGES = (("search", "Model search"), ("training", "Training"), ("inference", "Inference"))


def shares(estimate: Estimate) -> list[tuple[str, float]]:
    """Each stage of the life cycle and its CO2eq (kg; 0 where it could not be computed)."""
    stages = ((label, estimate.stages.get(key)) for key, label in _STAGES)
    return [(label, 0.0 if stage is None else stage.co2eq.kg) for label, stage in stages]


def assumptions(given: Assumptions) -> dict[str, dict[str, str]]:
    """Every input that has a value, with its unit and where it came from."""
    shown = {}
    for name, unit in ASSUMPTION_UNITS.items():
        value = getattr(given, name)
        if value is not None:
            shown[name] = {**_value_and_unit(value, unit), "source": _source(given, name)}
    location = given.location.describe()
    shown["location"] = {**_value_and_unit(location, ""), "source": _source(given, "location")}
    return shown


def factor(used: EmissionFactor) -> dict[str, str]:
    """The grid's emission factor, as the assumptions table's last line shows it."""
    return {
        "intensity": format_intensity(used.intensity),
        "name": str(used.name),
        "location": str(used.location),
        "source": str(used.source) + (f", {int(used.year)}" if used.year else ""),
    }


def alternatives(estimate: Estimate) -> list[dict[str, str]]:
    """The grids where the same life cycle would emit less."""
    return [
        {
            "name": str(other.name),
            "location": str(other.location),
            "lifecycle": format_mass(mass),
            "intensity": format_intensity(other.intensity),
        }
        for other, mass in estimate.alternatives
    ]


def sci(head: Estimate, base: Estimate | None) -> str | None:
    """The SCI score with its parts, in words, of the head and of the base when there is one;
    None when the head has none."""
    score = head.sci
    if score is None:
        return None
    boundary = "its life cycle" if score.boundary == "lifecycle" else "serving the model"
    sides = [("head ", score), *([("base ", base.sci)] if base is not None and base.sci else [])]
    named = base is not None
    parts = "; ".join(
        f"{name if named else ''}{format_amount(s.total)} = "
        f"{format_amount(s.operational)} operational (E × I) + "
        f"{format_amount(s.embodied)} embodied (M)"
        for name, s in sides
    )
    return f"SCI per {score.unit} (ISO/IEC 21031, boundary: {boundary}): {parts}."


def everyday(lifecycle: Row) -> dict[str, str] | None:
    """The head's life cycle as a share of a car's year and as hours of an LED lamp."""
    if lifecycle.head is None:
        return None
    hours = lifecycle.head.energy.kwh * 1000 / LED_WATTS
    return {
        "car": f"{lifecycle.head.co2eq.kg / CAR_YEAR_KG * 100:.2g} %",
        "led": f"{hours:,.3g} hours" if hours >= 1 else f"{hours * 60:,.2g} minutes",
    }


def number(value: Any) -> Any:
    """A number as people read it (60,000; 1.48; 365 million); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return format_count(value) if abs(value) >= 1e4 else f"{value:.3g}"


def _value_and_unit(value: Any, unit: str) -> dict[str, str]:
    """An assumption as people read it: energy with its prefix (28.0 µJ, not 2.8e-05 J)."""
    if isinstance(value, Energy):
        return {"value": format_energy(value), "unit": ""}
    if isinstance(value, Duration):
        return {"value": format_duration(value), "unit": ""}
    return {"value": str(number(value)), "unit": unit}


def _source(given: Assumptions, name: str) -> str:
    return str(given.source(name) or "given")
