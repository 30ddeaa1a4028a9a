"""Head and base measured in alternation, compared pair by pair.

A pair is one batch of the base and one of the head, taken moments apart (in random order), so the
machine's slow drifts (other jobs, heat, frequency) hit both alike. Each side's batch goes through
its side's life-cycle estimator (its budget file's assumptions and grid), and each stage's change
is the Hodges–Lehmann estimate of the pairs' log ratios head/base, with its distribution-free
interval, widened by how much two processes running the same code differ (`PROCESS_SPREAD`).

Pure: the numbers come in, the changes go out; measuring is `interleave`'s job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from carbon_gate.assumptions import Assumptions
from carbon_gate.budget import BUDGET_KEYS
from carbon_gate.estimate import estimate
from carbon_gate.grid import EmissionFactor
from carbon_gate.readable import signed_percent
from carbon_gate.stats import hodges_lehmann
from carbon_gate.units import Energy

Repeat = dict[str, dict[str, float]]  # one batch: figures by workload (inference, train_step)

# Two worker processes running the same code differ by a constant amount (where the model's
# arrays land in memory, and so in the caches): a difference the pairs cannot see, since every pair
# shares it. Its size: the standard deviation of the A/A change (log head/base) between runs, by
# workload, in A/A runs of the example on the project's 2-core machine (README, "Comparing with the
# base"; benchmarks/paired.py checks the life cycle's against it).
PROCESS_SPREAD = {"inference": 0.007, "train_step": 0.025}
Z95, Z99 = 1.960, 2.576


def describe_stop(stopped: str, pairs: int, max_seconds: float) -> str:
    """Why the pairs ended, in words; from a fixed list (the comparison may come from a fork)."""
    return {
        "clear": f"the change was clear after {pairs} pairs",
        "time": f"the time budget ({max_seconds:g} s) was reached",
        "alone": "the base could not be measured",
    }.get(stopped, "")


@dataclass(frozen=True)
class Change:
    """One stage's change, head/base − 1 (0.042 = +4.2 %), with its interval at `confidence`."""

    fraction: float
    low: float
    high: float
    pairs: int
    confidence: int = 95

    def interval(self) -> str:
        """The interval as people read it: "95 % CI −0.4 % to +2.1 %"."""
        return f"{self.confidence} % CI {signed_percent(self.low)} to {signed_percent(self.high)}"


@dataclass(frozen=True)
class Side:
    """What one side's batches go through: its budget file's assumptions, grid and batch size."""

    assumptions: Assumptions
    factor: EmissionFactor
    batch_size: int


def power(repeats: list[Repeat]) -> dict[str, float]:
    """The side's mean power (W) by workload, over all its batches, from codecarbon's energy."""
    names = repeats[0].keys() if repeats else ()
    return {
        name: sum(r[name]["energy_j"] for r in repeats) / sum(r[name]["seconds"] for r in repeats)
        for name in names
    }


def figures(side: Side, repeat: Repeat, watts: dict[str, float]) -> dict[str, float]:
    """One batch's CO2eq (kg) by budget key, through the side's estimator: I is the side's power
    times the batch's time per call in its fastest stretch (per sample), and k the training
    step's over the inference call's."""
    per_call = {name: watts[name] * batch["fastest_call_s"] for name, batch in repeat.items()}
    changes: dict[str, Any] = {"per_inference": Energy(per_call["inference"] / side.batch_size)}
    if "train_step" in per_call:
        changes["overhead_factor"] = per_call["train_step"] / per_call["inference"]
    result = estimate(replace(side.assumptions, **changes), side.factor)
    values = {key: result.stages.get(key) for key in BUDGET_KEYS if key != "inference_per_1000"}
    out = {key: value.co2eq.kg for key, value in values.items() if value is not None}
    if result.per_inference is not None:
        out["inference_per_1000"] = result.per_inference.co2eq.kg * 1000
    return out


def spread(side: Side, repeat: Repeat, watts: dict[str, float]) -> dict[str, float]:
    """How far (log) each budget key moves between two processes of the same code: the workloads'
    `PROCESS_SPREAD`, taken through the estimator (a stage made of training alone moves with the
    train step, the life cycle with both, by their shares)."""
    center = figures(side, repeat, watts)
    moved = []
    for name in repeat:
        step = {**watts, name: watts[name] * math.exp(PROCESS_SPREAD.get(name, 0.0))}
        moved.append(figures(side, repeat, step))
    return {
        key: math.hypot(*(math.log(m[key] / value) for m in moved))
        for key, value in center.items()
        if value > 0 and all(m.get(key, 0.0) > 0 for m in moved)
    }


def changes(
    head: list[dict[str, float]],
    base: list[dict[str, float]],
    floors: dict[str, float],
    confidence: int = 95,
) -> dict[str, Change]:
    """Each budget key's change over the pairs (head[i] beside base[i]), its interval widened by
    `floors` (log, one standard deviation); a key is left out where a side could not compute it,
    or where it is zero (no ratio)."""
    out = {}
    for key in BUDGET_KEYS:
        ratios = [
            math.log(h[key] / b[key])
            for h, b in zip(head, base, strict=True)
            if h.get(key, 0.0) > 0 and b.get(key, 0.0) > 0
        ]
        if len(ratios) < 2 or len(ratios) != len(head):
            continue
        z = Z95 if confidence == 95 else Z99
        shift = hodges_lehmann(ratios, z)
        floor = z * floors.get(key, 0.0)
        below = math.hypot(shift.estimate - shift.low, floor)
        above = math.hypot(shift.high - shift.estimate, floor)
        out[key] = Change(
            math.expm1(shift.estimate),
            math.expm1(shift.estimate - below),
            math.expm1(shift.estimate + above),
            len(ratios),
            confidence,
        )
    return out


def decisive(found: dict[str, Change], allowed_percent: float | None) -> bool:
    """Whether the verdict on growth is clear: some stage clearly grew beyond the allowed increase
    (the gate fails, whatever the others do), or every stage is clearly within it. With no allowed
    increase there is nothing to decide."""
    if allowed_percent is None:
        return True
    allowed = allowed_percent / 100
    stages = found.values()
    return any(c.low > allowed for c in stages) or all(c.high <= allowed for c in stages)


def to_json(found: dict[str, Change]) -> dict[str, Any]:
    """The changes as the head's results file records them."""
    return {
        key: {"fraction": c.fraction, "ci95": [c.low, c.high], "pairs": c.pairs}
        for key, c in found.items()
    }


def from_json(data: Any) -> dict[str, Change]:
    """The changes from a results file (maybe a fork's: checked and coerced), or a ValueError."""
    if not isinstance(data, dict):
        raise ValueError("comparison.changes must be a mapping")
    out = {}
    for key, value in data.items():
        if key not in BUDGET_KEYS:
            continue
        fraction, (low, high), pairs = (
            float(value["fraction"]),
            (float(v) for v in value["ci95"]),
            int(value["pairs"]),
        )
        if not all(math.isfinite(x) and x > -1 for x in (fraction, low, high)) or pairs < 2:
            raise ValueError(f"comparison.changes.{key} is out of range")
        if not low <= fraction <= high:
            raise ValueError(f"comparison.changes.{key}: the interval does not hold the change")
        out[key] = Change(fraction, low, high, pairs)
    return out
