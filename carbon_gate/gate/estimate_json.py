"""An estimate and its budgets' verdict as JSON: the versioned document of `estimate --format
json`, and the `estimate` a results file holds. Takes an `Estimate` and its `BudgetCheck`s; gives
JSON-ready values. Pure."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from carbon_gate.gate.limits import BudgetCheck, verdict
from carbon_gate.lifecycle.assumptions import Assumptions
from carbon_gate.lifecycle.estimate import STAGES, Estimate, Footprint
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.quantities import Energy, Mass

JSON_FORMAT = "carbon-gate/estimate"
JSON_VERSION = 1

# The unit each assumption is echoed in, in the JSON contract.
ASSUMPTION_UNITS = {
    "per_inference": "J",
    "training_samples": "samples",
    "epochs": "epochs",
    "overhead_factor": "ratio",
    "search_trials": "trials",
    "trial_share": "ratio",
    "inferences": "inferences",
    "hardware_transfer": "ratio",
    "pue": "ratio",
}


def to_json(estimate: Estimate, checks: list[BudgetCheck]) -> str:
    """The estimate as the versioned JSON document other tools read."""
    return json.dumps(as_json(estimate, checks), indent=2, ensure_ascii=False) + "\n"


def as_json(estimate: Estimate, checks: list[BudgetCheck]) -> dict[str, Any]:
    """The document of `to_json`, as JSON-ready values."""
    per = estimate.per_inference
    document = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "status": verdict(checks),
        "stages": {
            stage: _footprint(estimate.stages[stage], share=estimate.share(stage))
            for stage in STAGES
        },
        "missing": dict(estimate.missing),
        "per_inference": None if per is None else _per_inference(per),
        "per_1000_inferences": _footprint(estimate.per_1000_inferences),
        "break_even_inferences": {
            "training": estimate.break_even(),
            "training_and_search": estimate.break_even(include_search=True),
        },
        "training_method": estimate.training_method,
        "emission_factor": _factor(estimate.factor),
        "assumptions": _assumptions(estimate.assumptions),
        "budgets": [
            {
                "key": c.key,
                "status": c.status,
                "limit": _amount(c.limit),
                "value": None if c.value is None else _amount(c.value),
            }
            for c in checks
        ],
        "alternatives": [
            {**_factor(factor), "lifecycle_co2eq_kg": mass.kg}
            for factor, mass in estimate.alternatives
        ],
    }
    rounded: dict[str, Any] = _rounded(document)
    return rounded


def _rounded(value: Any) -> Any:
    """Floats to 12 significant digits: drops binary noise (59.25000000000001), keeps precision."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return value


def _footprint(footprint: Footprint | None, share: float | None = None) -> dict[str, Any] | None:
    if footprint is None:
        return None
    result: dict[str, Any] = {"energy_kwh": footprint.energy.kwh, "co2eq_kg": footprint.co2eq.kg}
    if share is not None:
        result["share"] = share
    return result


def _per_inference(per: Footprint) -> dict[str, Any]:
    return {"energy_j": per.energy.joules, "energy_kwh": per.energy.kwh, "co2eq_kg": per.co2eq.kg}


def _amount(amount: Mass | Energy) -> dict[str, float]:
    return {"co2eq_kg": amount.kg} if isinstance(amount, Mass) else {"energy_kwh": amount.kwh}


def _factor(factor: EmissionFactor) -> dict[str, Any]:
    return {
        "g_per_kwh": factor.intensity.g_per_kwh,
        "location": factor.location,
        "name": factor.name,
        "source": factor.source,
        "year": factor.year,
    }


def _assumptions(a: Assumptions) -> dict[str, Any]:
    source = a.source

    echoed: dict[str, Any] = {}
    for name, unit in ASSUMPTION_UNITS.items():
        value = getattr(a, name)
        if isinstance(value, Energy):
            value = value.joules
        echoed[name] = {"value": value, "unit": unit, "source": source(name)}
    hw = a.training_hardware
    echoed["training_hardware"] = (
        None
        if hw is None
        else {
            "value": asdict(hw),
            "unit": {"hours": "h", "watts_per_processor": "W"},
            "source": source("training_hardware"),
        }
    )
    echoed["location"] = {
        "value": a.location.describe(),
        "unit": None,
        "source": source("location"),
    }
    return echoed
