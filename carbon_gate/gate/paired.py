"""Head and base measured in alternation, compared pair by pair.

A pair is one batch of the base and one of the head, taken moments apart (in random order), so the
machine's slow drifts (other jobs, heat, frequency) hit both alike. Both sides' batches go through
one life-cycle estimator (the assumptions and grid of the budget file the gate was given), and each
stage's change is judged twice over the same pairs:

- **typical call**: the Hodges–Lehmann estimate of the log ratios of each batch's fastest 10 ms
  stretch, with its distribution-free 95 % interval: steady enough to see a +3 % change;
- **whole cost**: the ratio of the two sides' mean cost per batch (every call, rare costly ones
  included), with the ratio estimator's 99 % interval: what the Head and Base columns show.

Both intervals are widened by how much two processes running the same code differ
(`PROCESS_SPREAD`, shared out over the pairs of processes). How much they did differ in the run is
measured too, and reported (`between`). Growth fails when either interval lies wholly above the
allowed increase; the whole cost's stricter level keeps false alarms of the two together at about
1 in 20 or fewer.

Pure: the numbers come in, the changes go out; measuring is `measure.interleave`'s job.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from carbon_gate.gate.limits import BUDGET_KEYS, figure
from carbon_gate.lifecycle.assumptions import Assumptions, Given
from carbon_gate.lifecycle.estimate import estimate
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.measure.batches import Repeat
from carbon_gate.quantities import Duration, Energy
from carbon_gate.readable import signed_percent
from carbon_gate.stats import Shift, between_groups, hodges_lehmann, ratio_of_means

# Two worker processes running the same code can differ by a constant amount (where the model's
# arrays land in memory, and so in the caches): a difference the pairs cannot see, since every pair
# of one pair of processes shares it. Its size, as the standard deviation of the A/A change (log
# head/base) between one process per side and another: about 1.5 % for the example on 2026-12-02
# (ten A/A runs of benchmarks/noise_sources.py: 1.7 % for inference, 0.9 % for the train step).
# Several workers per side average it out. Each run also measures it (`between`) and the report
# shows it; a scikit-learn forest measured 2.7 % on 2026-12-07, so for such models this constant
# is too small (issue 31). benchmarks/time_to_verdict.py checks the end result.
PROCESS_SPREAD = {"inference": 0.015, "train_step": 0.015}
# Confidence levels (percent) of the verdict, and of the early looks after each pair (stricter, so
# that looking often does not turn noise into a verdict).
TYPICAL, WHOLE = 95.0, 99.0
INTERIM_TYPICAL, INTERIM_WHOLE = 99.0, 99.9
BATCH_SOURCE = "the pair's batch"  # where a batch's figures, priced one by one, come from


def describe_stop(stopped: str, pairs: int, max_seconds: float) -> str:
    """Why the pairs ended, in words; from a fixed list (the comparison may come from a fork)."""
    return {
        "clear": f"decided early: the change was clear after {pairs} pairs, before the "
        f"{max_seconds:g} s allowed were up",
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
    confidence: float = TYPICAL
    # How far two processes of the same code differed in this run (log, the standard deviation
    # of a pair of processes' offset), and over how many pairs of processes it was measured.
    process_spread: float = 0.0
    processes: int = 0

    def interval(self) -> str:
        """The interval as people read it: "95 % CI −0.4 % to +2.1 %"."""
        return f"{self.confidence:g} % CI {signed_percent(self.low)} to {signed_percent(self.high)}"

    @property
    def holds_zero(self) -> bool:
        """Whether not even the direction of the change is certain."""
        return self.low <= 0 <= self.high


class Paired(NamedTuple):
    """Each budget key's change over the pairs: of the typical call, and of the whole cost."""

    typical: dict[str, Change]
    whole: dict[str, Change]
    pairs: int


@dataclass(frozen=True)
class Pricing:
    """What prices a batch in CO2eq: the budget file's assumptions and grid, and the batch size
    (samples per call). Both sides' batches go through the same one."""

    assumptions: Assumptions
    factor: EmissionFactor
    batch_size: int


def power(repeats: list[Repeat]) -> dict[str, float]:
    """The side's mean power (W) by workload, over all its batches, from codecarbon's energy."""
    columns = [r.by_workload() for r in repeats]
    names = columns[0].keys() if columns else ()
    return {
        name: sum(c[name].energy_j for c in columns) / sum(c[name].seconds for c in columns)
        for name in names
    }


def figures(pricing: Pricing, repeat: Repeat, watts: dict[str, float]) -> dict[str, float]:
    """One batch's CO2eq (kg) by budget key, through the estimator: I is the side's power
    times the batch's time per call in its fastest stretch (per sample), and k the training
    step's over the inference call's."""
    per_call = {
        name: watts[name] * batch.fastest_call_s for name, batch in repeat.by_workload().items()
    }
    return _through(pricing, per_call, repeat.inference.fastest_call_s)


def whole_figures(pricing: Pricing, repeat: Repeat) -> dict[str, float]:
    """One batch's CO2eq (kg) by budget key, from its whole cost: the energy codecarbon measured
    for the batch, per call. Linear in it, so their mean over batches is the side's estimate."""
    per_call = {name: b.energy_j / b.calls for name, b in repeat.by_workload().items()}
    return _through(pricing, per_call, repeat.inference.seconds / repeat.inference.calls)


def _through(pricing: Pricing, per_call: dict[str, float], call_s: float) -> dict[str, float]:
    """The estimator's figures (CO2eq, kg) by budget key, for energies per call (J) by workload
    and the inference call's time (s): the embodied emissions follow the time."""
    per_sample = Energy(per_call["inference"] / pricing.batch_size)
    batch = {
        "per_inference": Given(per_sample, BATCH_SOURCE),
        "per_inference_time": Given(Duration(call_s / pricing.batch_size), BATCH_SOURCE),
    }
    if "train_step" in per_call:
        k = per_call["train_step"] / per_call["inference"]
        batch["overhead_factor"] = Given(k, BATCH_SOURCE)
    result = estimate(pricing.assumptions.given(**batch), pricing.factor)
    values = {key: figure(result, key) for key in BUDGET_KEYS}
    return {key: value.co2eq.kg for key, value in values.items() if value is not None}


def spread(pricing: Pricing, repeat: Repeat, watts: dict[str, float]) -> dict[str, float]:
    """How far (log) each budget key moves between two processes of the same code, one per side,
    at the least: the workloads' `PROCESS_SPREAD` taken through the estimator (a stage made of
    training alone moves with the train step, the life cycle with both, by their shares). A
    slower process takes longer per call at the same power: its energy and its time move
    together, and the embodied emissions, which follow the time, with them."""
    center = figures(pricing, repeat, watts)
    moved = []
    for name, batch in repeat.by_workload().items():
        moves = PROCESS_SPREAD.get(name, 0.0)
        slower = replace(batch, fastest_call_s=batch.fastest_call_s * math.exp(moves))
        moved.append(figures(pricing, replace(repeat, **{name: slower}), watts))
    return {
        key: math.hypot(*(math.log(m[key] / value) for m in moved))
        for key, value in center.items()
        if value > 0 and all(m.get(key, 0.0) > 0 for m in moved)
    }


class Priced(NamedTuple):
    """The pairs priced through the estimator, by budget key: each batch's typical-call and
    whole-cost figures, per side; the least difference between processes allowed for; and which
    pair of processes measured each pair. Judged at the verdict's levels or at the early looks'
    from the same figures."""

    typical: tuple[list[dict[str, float]], list[dict[str, float]]]  # head's, base's
    whole: tuple[list[dict[str, float]], list[dict[str, float]]]
    floors: dict[str, float]
    processes: list[int]

    def judged(self, *, interim: bool = False) -> Paired:
        """Both changes of every budget key, at the early looks' levels or at the verdict's."""
        typical = changes(
            *self.typical, self.floors, self.processes, INTERIM_TYPICAL if interim else TYPICAL
        )
        whole = changes(
            *self.whole,
            self.floors,
            self.processes,
            INTERIM_WHOLE if interim else WHOLE,
            whole=True,
        )
        return Paired(typical, whole, len(self.typical[0]))


def priced(
    pricing: Pricing, head: list[Repeat], base: list[Repeat], processes: list[int]
) -> Priced:
    """The pairs (head[i] beside base[i], measured by the pair of processes `processes[i]`),
    priced."""
    head_watts, base_watts = power(head), power(base)
    return Priced(
        (
            [figures(pricing, r, head_watts) for r in head],
            [figures(pricing, r, base_watts) for r in base],
        ),
        ([whole_figures(pricing, r) for r in head], [whole_figures(pricing, r) for r in base]),
        spread(pricing, base[0], base_watts),
        processes,
    )


def judge(
    pricing: Pricing,
    head: list[Repeat],
    base: list[Repeat],
    processes: list[int],
    *,
    interim: bool = False,
) -> Paired:
    """Both changes of every budget key over the pairs (head[i] beside base[i], measured by the
    pair of processes `processes[i]`)."""
    return priced(pricing, head, base, processes).judged(interim=interim)


def changes(
    head: list[dict[str, float]],
    base: list[dict[str, float]],
    floors: dict[str, float],
    processes: list[int],
    confidence: float = TYPICAL,
    *,
    whole: bool = False,
) -> dict[str, Change]:
    """Each budget key's change over the pairs (head[i] beside base[i], measured by the pair of
    processes `processes[i]`): the Hodges–Lehmann shift of the log ratios, or with `whole` the
    ratio of the means. Its interval is widened by `floors` (log, one standard deviation between
    two processes, with the normal quantile), shared out over the pairs of processes; how far
    they differed as measured is recorded beside it (`between`). A key is left out where a side
    could not compute it, or where it is zero (no ratio)."""
    out = {}
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 200)
    for key in BUDGET_KEYS:
        pairs = [
            (h[key], b[key], p)
            for h, b, p in zip(head, base, processes, strict=True)
            if h.get(key, 0.0) > 0 and b.get(key, 0.0) > 0
        ]
        if len(pairs) < 2 or len(pairs) != len(head):
            continue
        ratios = [math.log(h / b) for h, b, _ in pairs]
        shift: Shift
        if whole:
            shift = ratio_of_means(
                [h for h, _, _ in pairs], [b for _, b, _ in pairs], confidence / 100
            )
        else:
            shift = hodges_lehmann(ratios, z)
        apart = between(ratios, [p for _, _, p in pairs], z * floors.get(key, 0.0))
        below = math.hypot(shift.estimate - shift.low, apart.allowance)
        above = math.hypot(shift.high - shift.estimate, apart.allowance)
        out[key] = Change(
            math.expm1(shift.estimate),
            math.expm1(shift.estimate - below),
            math.expm1(shift.estimate + above),
            len(pairs),
            confidence,
            apart.measured,
            apart.processes,
        )
    return out


class Apart(NamedTuple):
    """The difference between processes in one key's pairs: as measured (log, a pair of
    processes' offset), over how many pairs of processes, and what it adds to the interval's
    half-width (log) at the interval's level."""

    measured: float
    processes: int
    allowance: float


def between(ratios: list[float], processes: list[int], floor: float) -> Apart:
    """How far the pairs of each pair of processes sit apart (`stats.between_groups`), reported;
    and what the difference between processes adds to the interval: `floor` (the least spread
    at the interval's quantile), shared out over the pairs of processes as the pairs were
    (`Between.reach`: 1/√3 for three equal ones; in full for one). Judging by the measured
    spread, with the t quantile of its few degrees of freedom, was tried and is not used yet
    (docs/statistics.md)."""
    found = between_groups(ratios, processes)
    return Apart(found.spread, found.groups, floor * found.reach)


def decisive(interim: Paired, verdict: Paired, allowed_percent: float | None) -> bool:
    """Whether the pairs may stop before the time budget: some stage clearly grew beyond the
    allowed increase by either measure, at the early looks' stricter levels (`interim`: a look
    after every pair must not turn noise into a failure), or every stage is clearly within it by
    both, at the verdict's own levels (`verdict`). Stopping for "within" needs no stricter level:
    at the end of the time budget the gate passes anyway unless a stage is clearly beyond, so an
    early "within" adds no false alarm; it can only miss a regression just above the allowed
    increase, which tests/test_sequential.py bounds by simulation. With no allowed increase there
    is nothing to decide."""
    if allowed_percent is None:
        return True
    allowed = allowed_percent / 100
    beyond = any(c.low > allowed for c in (*interim.typical.values(), *interim.whole.values()))
    within = all(c.high <= allowed for c in (*verdict.typical.values(), *verdict.whole.values()))
    return beyond or within


def to_json(found: Paired) -> dict[str, Any]:
    """The changes as the head's results file records them: for people and tools to read. The
    gate never reads them back; it judges the pairs again from the batches."""

    def one(changes: dict[str, Change]) -> dict[str, Any]:
        return {
            key: {
                "fraction": c.fraction,
                "ci": [c.low, c.high],
                "confidence": c.confidence,
                "process_spread": c.process_spread,
                "processes": c.processes,
            }
            for key, c in changes.items()
        }

    return {"typical_call": one(found.typical), "whole_cost": one(found.whole)}
