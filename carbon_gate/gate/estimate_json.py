"""An estimate and its budgets' verdict as JSON: the versioned document of `estimate --format
json`, and the `estimate` a results file holds. Takes an `Estimate` and its `BudgetCheck`s; gives
JSON-ready values. Pure."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from carbon_gate.gate.limits import BudgetCheck, reason_missing, verdict
from carbon_gate.lifecycle.assumptions import Assumptions, EmbodiedHardware
from carbon_gate.lifecycle.estimate import STAGES, Estimate, Footprint
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.quantities import Duration, Energy, Mass

JSON_FORMAT = "carbon-gate/estimate"
JSON_VERSION = 1

# The unit each assumption is echoed in, in the JSON contract.
ASSUMPTION_UNITS = {
    "per_inference": "J",
    "per_inference_time": "s",
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
        "embodied": {
            stage: None if mass is None else {"co2eq_kg": mass.kg}
            for stage in STAGES
            for mass in [estimate.embodied.get(stage)]
        },
        "sci": sci(estimate),
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


def sci(estimate: Estimate) -> dict[str, Any]:
    """The SCI object: the score per functional unit and its parts in g CO2eq, R, the boundary,
    and every input with its source; the figures are null, with the reason, where not computed."""
    a, score = estimate.assumptions, estimate.sci
    unit = a.functional_unit
    per = estimate.per_inference
    time = a.per_inference_time
    energy = None if per is None else per.energy * unit.inferences
    source = f"{a.source('per_inference') or 'given'}, × PUE {a.pue:g}" + (
        f" × hardware transfer {a.hardware_transfer:g}" if a.hardware_transfer != 1 else ""
    )
    if unit.boundary == "lifecycle":
        energy = None if score is None else score.energy
        source = "the life cycle's energy ÷ e"
    inputs: dict[str, Any] = {
        "E": None if energy is None else {"value": energy.kwh, "unit": "kWh", "source": source},
        "I": {
            "value": estimate.factor.intensity.g_per_kwh,
            "unit": "g/kWh",
            "source": (estimate.factor.source),
        },
        "TiR": None
        if time is None or a.inference_embodied is None
        else {
            "value": time.seconds * unit.inferences / a.inference_embodied.utilization,
            "unit": "s",
            "source": f"the serving machine's: {a.source('per_inference_time') or 'given'}, "
            f"÷ utilization {a.inference_embodied.utilization:g}",
        },
        "inference_hardware": _hardware(a.inference_embodied, a.source("inference_embodied")),
        "training_hardware": _hardware(a.training_embodied, a.source("training_embodied")),
    }
    if unit.boundary == "lifecycle":
        inputs["e"] = {
            "value": a.inferences,
            "unit": "inferences",
            "source": a.source("inferences"),
        }
    grams = (
        None
        if score is None
        else {
            "total_g": score.total.kg * 1000,
            "operational_g": score.operational.kg * 1000,
            "embodied_g": score.embodied.kg * 1000,
        }
    )
    return {
        "unit": unit.describe(),
        "R": {"inferences": unit.inferences, "source": a.source("functional_unit")},
        "boundary": unit.boundary,
        **(grams or {"total_g": None, "operational_g": None, "embodied_g": None}),
        "missing": None if score is not None else reason_missing(estimate.reasons, "sci"),
        "inputs": inputs,
    }


def _hardware(machine: EmbodiedHardware | None, given: str | None) -> dict[str, Any] | None:
    """A machine's embodied inputs; `source` says where TE and EL come from, `given` where the
    machine is described."""
    if machine is None:
        return None
    return {
        "name": machine.name or None,
        "TE_kg": machine.total.kg,
        "EL_h": machine.lifespan.hours,
        "RR/ToR": machine.share,
        "count": machine.count,
        "utilization": machine.utilization,
        "source": machine.source,
        "given": given,
    }


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
        elif isinstance(value, Duration):
            value = value.seconds
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
