"""One commit's side of the decision: every row's figure, and how far another run could land.

Pure: an `Estimate` (recomputed under the trusted budget file, see `gate.trusted`) and the
`Measurement` it rests on go in; a `Side` comes out, for `gate.compare.decide`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carbon_gate.gate import limits
from carbon_gate.lifecycle.estimate import Estimate, Footprint
from carbon_gate.measure.measurement import Measurement
from carbon_gate.stats import Summary


@dataclass(frozen=True)
class Side:
    """One commit's figures: every row's value, and its relative 95 % uncertainty (0.05 = ±5 %)."""

    figures: dict[str, Footprint | None]
    uncertainty: dict[str, float]
    missing: dict[str, str]
    sci_unit: str = "inference"  # SCI's functional unit, as the row's label names it


def side_of(result: Estimate, measurement: Measurement | None) -> Side:
    """A `Side` from an estimate and the measurement it rests on (None: nothing measured)."""
    figures = {key: limits.figure(result, key) for key in limits.BUDGET_KEYS}
    u_energy = u_train = 0.0
    if measurement is not None:
        u_energy = _run_uncertainty(measurement.per_sample_j)
        train = measurement.train_per_sample_j
        # Training is the mean measured step when there is one, else a multiple of I.
        u_train = u_energy if train is None else _run_uncertainty(train)
    if result.training_method == "hardware":
        u_train = 0.0
    uncertainty = {
        "inference_per_1000": u_energy,
        "inference": u_energy,
        "training": u_train,
        "search": u_train,
    }
    # The stages share their inputs, so their errors add up rather than cancel: weigh by share.
    uncertainty["lifecycle"] = sum(
        (result.share(key) or 0.0) * uncertainty[key] for key in ("search", "training", "inference")
    )
    # The embodied emissions follow the measured time, which moves with the energy (energy is
    # power × time); the SCI score with its operational part or, over the life cycle, with it.
    uncertainty["embodied"] = max(u_energy, u_train)
    uncertainty["sci"] = (
        uncertainty["lifecycle"]
        if result.assumptions.functional_unit.boundary == "lifecycle"
        else u_energy
    )
    unit = result.assumptions.functional_unit.describe()
    return Side(figures, uncertainty, result.reasons, unit)


def _run_uncertainty(summary: Summary) -> float:
    """How far another run of the same code could land, relative (95 %): a whole run is one more
    draw, so the spread of single repeats (1.96 × CV) counts, not only the interval of the mean."""
    of_mean = (summary.ci_high - summary.mean) / summary.mean if summary.mean else math.inf
    return max(of_mean, 1.96 * summary.cv)
