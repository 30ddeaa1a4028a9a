"""The life-cycle estimator of the seed paper, as pure functions of the assumptions.

    I  = energy of one inference × hardware transfer × PUE       (per sample, measured; §3.4)
    T  = I · D · E · k                                           (training; §3.5)
         or hours × processors × W × PUE / 1000 kWh              (Patterson et al. 2021)
    CT = H · share · T                                           (model search; §3.6)
    LC = CT + T + e · I                                          (life cycle; §3.7)
    CO2eq = energy × emission factor                             (§3.8)
    M, SCI: the hardware's embodied emissions and the SCI score   (`lifecycle.embodied`)

PUE is applied exactly once, in I (or in the hardware formula). A stage whose inputs are missing is
None, with the reason in `Estimate.missing`, never zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from carbon_gate.errors import UsageError
from carbon_gate.lifecycle import embodied as hardware_share
from carbon_gate.lifecycle.assumptions import Assumptions
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.quantities import Energy, Mass

STAGES = ("search", "training", "inference", "lifecycle")
NEEDS_I = (
    "the energy per inference (I: `carbon-gate measure` it and pass --results FILE, "
    "or set lifecycle.per_inference)"
)


@dataclass(frozen=True)
class Footprint:
    """The energy of a stage and the CO2eq it emits on the chosen grid."""

    energy: Energy
    co2eq: Mass


@dataclass(frozen=True)
class Estimate:
    """Every stage of the life cycle, the figures derived from them, and what they rest on."""

    assumptions: Assumptions
    factor: EmissionFactor
    per_inference: Footprint | None
    stages: Mapping[str, Footprint | None]  # read-only, as every part of a frozen value
    missing: Mapping[str, str]
    training_method: str  # "data" (I·D·E·k) or "hardware" (Patterson et al.)
    alternatives: tuple[tuple[EmissionFactor, Mass], ...] = ()
    # Each stage's embodied emissions and the life cycle's (None: no hardware described, or no
    # time), and the SCI score. Why not ("embodied", "sci") is always in `hardware_missing`, and in
    # `missing` too for those who describe hardware: the rest did not ask for them.
    embodied: Mapping[str, Mass | None] = field(default_factory=lambda: MappingProxyType({}))
    sci: hardware_share.Sci | None = None
    hardware_missing: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def reasons(self) -> dict[str, str]:
        """Why each figure that was not computed was not, hardware's included."""
        return {**self.hardware_missing, **self.missing}

    @property
    def per_1000_inferences(self) -> Footprint | None:
        """A thousand inferences: the unit of `budgets.inference_per_1000`."""
        per = self.per_inference
        return None if per is None else Footprint(per.energy * 1000.0, Mass(per.co2eq.kg * 1000.0))

    def share(self, stage: str) -> float | None:
        """The stage's share of the life cycle's energy (0–1), when both are known."""
        part, whole = self.stages.get(stage), self.stages.get("lifecycle")
        if part is None or whole is None or whole.energy.joules == 0:
            return None
        return part.energy.joules / whole.energy.joules

    def break_even(self, include_search: bool = False) -> float | None:
        """Inferences after which field use has cost as much as training (and search, if asked)."""
        per_inference, training = self.per_inference, self.stages["training"]
        if per_inference is None or training is None or per_inference.energy.joules == 0:
            return None
        upfront = training.energy
        if include_search:
            search = self.stages["search"]
            if search is None:
                return None
            upfront = upfront + search.energy
        return upfront.joules / per_inference.energy.joules


def estimate(
    assumptions: Assumptions,
    factor: EmissionFactor,
    alternatives: list[EmissionFactor] | None = None,
) -> Estimate:
    """Apply the consolidated model to `assumptions` on the grid `factor`."""
    a = assumptions
    missing: dict[str, str] = {}
    per_inference = None
    if a.per_inference is not None:
        per_inference = a.per_inference * (a.hardware_transfer * a.pue)
    training, method = _training(a, per_inference, missing)

    search = None
    if a.search_trials is None:
        missing["search"] = "needs lifecycle.search.trials (H; 0 if there is no search)"
    elif training is None:
        missing["search"] = "needs the training stage"
    else:
        search = training * (a.search_trials * a.trial_share)

    inference = None
    if per_inference is None or a.inferences is None:
        needs = [] if per_inference else [NEEDS_I]
        needs += [] if a.inferences is not None else ["lifecycle.inferences (e)"]
        missing["inference"] = "needs " + " and ".join(needs)
    else:
        inference = per_inference * a.inferences

    lifecycle = None
    parts = (search, training, inference)
    if None in parts:
        absent = [name for name, part in zip(STAGES, parts, strict=False) if part is None]
        missing["lifecycle"] = f"needs the {', '.join(absent)} stage" + ("s" * (len(absent) > 1))
    else:
        lifecycle = Energy(sum(part.joules for part in parts if part is not None))

    def footprint(energy: Energy | None) -> Footprint | None:
        return None if energy is None else Footprint(energy, factor.intensity.emissions(energy))

    for name, energy in (
        ("training", training),
        ("search", search),
        ("inference", inference),
        ("lifecycle", lifecycle),
    ):
        if energy is not None and not math.isfinite(energy.joules):
            raise UsageError(
                f"the {name} stage comes out as {energy.joules} J — the inputs are too large to "
                "compute with; check D, E, H and e for a typo"
            )

    per, whole = footprint(per_inference), footprint(lifecycle)
    why: dict[str, str] = {}
    embodied = hardware_share.embodied_stages(a, why)
    operational_missing = (
        missing.get("lifecycle", "")
        if a.functional_unit.boundary == "lifecycle"
        else f"needs {NEEDS_I}"
    )
    score = hardware_share.sci(
        a,
        None if per is None else (per.energy, per.co2eq),
        None if whole is None else (whole.energy, whole.co2eq),
        embodied,
        why,
        operational_missing=operational_missing,
    )
    figures = [*embodied.values(), *([] if score is None else [score.total])]
    if any(mass is not None and not math.isfinite(mass.kg) for mass in figures):
        raise UsageError(
            "the embodied emissions come out as a number too large to compute with — check "
            "lifecycle.embodied (lifespan, utilization, count) and the time per inference"
        )
    if a.describes_hardware:
        missing.update(why)
    return Estimate(
        assumptions=a,
        factor=factor,
        per_inference=per,
        stages=MappingProxyType(
            {
                "search": footprint(search),
                "training": footprint(training),
                "inference": footprint(inference),
                "lifecycle": whole,
            }
        ),
        missing=MappingProxyType(missing),
        training_method=method,
        alternatives=tuple(
            (other, other.intensity.emissions(lifecycle))
            for other in (alternatives or [])
            if lifecycle is not None
        ),
        embodied=MappingProxyType(embodied),
        sci=score,
        hardware_missing=MappingProxyType(why),
    )


def _training(
    a: Assumptions, per_inference: Energy | None, missing: dict[str, str]
) -> tuple[Energy | None, str]:
    if a.training_hardware is not None:
        hw = a.training_hardware
        kwh = hw.hours * hw.processors * hw.watts_per_processor * a.pue / 1000.0
        return Energy.from_kwh(kwh), "hardware"
    if per_inference is not None and a.training_samples is not None and a.epochs is not None:
        return per_inference * (a.training_samples * a.epochs * a.overhead_factor), "data"
    needs = [] if per_inference is not None else [NEEDS_I]
    needs += [] if a.training_samples is not None else ["lifecycle.training_samples (D)"]
    needs += [] if a.epochs is not None else ["lifecycle.epochs (E)"]
    missing["training"] = "needs " + ", ".join(needs) + " — or lifecycle.training_hardware"
    return None, "data"
