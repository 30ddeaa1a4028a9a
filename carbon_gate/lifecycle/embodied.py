"""Embodied emissions and the Software Carbon Intensity (SCI, ISO/IEC 21031:2024), as pure
functions of the life cycle's stages and their times.

    M   = TE × (TiR / EL) × (RR / ToR)                  (SCI: embodied emissions allocated)
    TiR = busy time / utilization                        (the time the hardware is reserved)
    busy time: inference e · t, training t · D · E · k (or the hardware's hours), search H · share
    SCI = (O + M) per R, O = E × I                       (SCI: operational + embodied, per unit)

The seed paper leaves the hardware's manufacture out of its model and names activity-based costing
as the way to allocate it (§3.9): the time each stage keeps the hardware reserved is that activity.
The training stage's time scales from the inference's as its energy does (T = I·D·E·k assumes the
power of an inference call), unless the training is described by its hours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from carbon_gate.lifecycle.assumptions import Assumptions, EmbodiedHardware
from carbon_gate.quantities import Duration, Energy, Mass

SERVING = "lifecycle.embodied.inference"
NEEDS_TIME = (
    "the time per inference (`carbon-gate measure` it and pass --results FILE, or set "
    "lifecycle.per_inference_time)"
)


def allocated(hardware: EmbodiedHardware, busy: Duration) -> Mass:
    """SCI's M for `busy` seconds of work on `hardware`: TE × (TiR / EL) × (RR / ToR), with
    TiR = busy / utilization, for each of `count` machines."""
    reserved = busy.seconds / hardware.utilization
    time_share = reserved / hardware.lifespan.seconds
    return Mass(hardware.total.kg * hardware.count * time_share * hardware.share)


def stage_times(a: Assumptions) -> dict[str, Duration | None]:
    """How long each stage keeps its hardware busy (None where the inputs are missing)."""
    t = a.per_inference_time
    training: Duration | None = None
    if a.training_hardware is not None:
        training = Duration(a.training_hardware.hours * 3600.0)
    elif t is not None and a.training_samples is not None and a.epochs is not None:
        training = Duration(t.seconds * a.training_samples * a.epochs * a.overhead_factor)
    search = None
    if training is not None and a.search_trials is not None:
        search = Duration(training.seconds * a.search_trials * a.trial_share)
    inference = None if t is None or a.inferences is None else Duration(t.seconds * a.inferences)
    return {"search": search, "training": training, "inference": inference}


def embodied_stages(a: Assumptions, missing: dict[str, str]) -> dict[str, Mass | None]:
    """Each stage's embodied emissions and the life cycle's (None where the hardware is not
    described or the stage's time is unknown); why not, for the life cycle, in `missing`."""
    times = stage_times(a)
    hardware = {
        "search": (a.training_embodied, "lifecycle.embodied.training"),
        "training": (a.training_embodied, "lifecycle.embodied.training"),
        "inference": (a.inference_embodied, SERVING),
    }
    out: dict[str, Mass | None] = {}
    why: dict[str, str] = {}
    for stage, busy in times.items():
        machine, key = hardware[stage]
        out[stage] = None
        if machine is None:
            why.setdefault(key, f"needs {key} (the hardware's TE and lifespan, docs/sci.md)")
        elif busy is None:
            why[stage] = f"needs {_time_needs(a, stage)}"
        else:
            out[stage] = allocated(machine, busy)
    parts = [out[stage] for stage in ("search", "training", "inference")]
    out["lifecycle"] = None
    if all(part is not None for part in parts):
        out["lifecycle"] = Mass(sum(part.kg for part in parts if part is not None))
    else:
        missing["embodied"] = "; ".join(dict.fromkeys(why.values()))
    return out


@dataclass(frozen=True)
class Sci:
    """The SCI score per functional unit R: operational (E × I) plus embodied (M), each per unit,
    with the energy E that the operational part rests on."""

    operational: Mass
    embodied: Mass
    energy: Energy  # E per unit, PUE included
    inferences: float  # per unit
    unit: str
    boundary: str

    @property
    def total(self) -> Mass:
        return Mass(self.operational.kg + self.embodied.kg)


def sci(
    a: Assumptions,
    per_inference: tuple[Energy, Mass] | None,
    lifecycle: tuple[Energy, Mass] | None,
    embodied: Mapping[str, Mass | None],
    missing: dict[str, str],
    *,
    operational_missing: str = "",
) -> Sci | None:
    """SCI per `a.functional_unit`: over serving the model (the energy and CO2eq of one inference,
    and the inference hardware's share of one inference's time), or over the whole life cycle
    spread across its e inferences. None, with the reason in `missing["sci"]`, when a part is
    unknown (`operational_missing` says why the operational part is): an SCI without its
    embodied part would not be the standard's."""
    unit = a.functional_unit
    if unit.boundary == "lifecycle":
        operational, spread = lifecycle, a.inferences
        machine = embodied.get("lifecycle")
        what = "the life cycle"
    else:
        operational, spread = per_inference, 1.0
        machine = _per_inference_embodied(a)
        what = "one inference"
    if operational is None:
        missing["sci"] = operational_missing or f"needs the operational emissions of {what}"
        return None
    if machine is None:
        if unit.boundary == "lifecycle":
            missing["sci"] = "needs the life cycle's embodied emissions: " + missing.get(
                "embodied", "not computed"
            )
        elif a.inference_embodied is None:
            missing["sci"] = f"needs {SERVING} (the hardware serving the model)"
        else:
            missing["sci"] = f"needs {NEEDS_TIME}"
        return None
    if not spread:
        missing["sci"] = "needs lifecycle.inferences (e) above 0 to spread the life cycle over"
        return None
    scale = unit.inferences / spread
    energy, mass = operational
    return Sci(
        Mass(mass.kg * scale),
        Mass(machine.kg * scale),
        energy * scale,
        unit.inferences,
        unit.describe(),
        unit.boundary,
    )


def _per_inference_embodied(a: Assumptions) -> Mass | None:
    if a.inference_embodied is None or a.per_inference_time is None:
        return None
    return allocated(a.inference_embodied, a.per_inference_time)


def _time_needs(a: Assumptions, stage: str) -> str:
    """What a stage's time needs that the assumptions lack."""
    needs = []
    if a.per_inference_time is None and (stage == "inference" or a.training_hardware is None):
        needs.append(NEEDS_TIME)
    if stage == "inference" and a.inferences is None:
        needs.append("lifecycle.inferences (e)")
    if stage != "inference" and a.training_hardware is None:
        needs += [] if a.training_samples is not None else ["lifecycle.training_samples (D)"]
        needs += [] if a.epochs is not None else ["lifecycle.epochs (E)"]
    if stage == "search" and a.search_trials is None:
        needs.append("lifecycle.search.trials (H)")
    return " and ".join(needs) or "the training stage's time"
