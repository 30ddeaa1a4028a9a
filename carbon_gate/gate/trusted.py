"""The verdict's inputs, from trusted parts only.

A results file may come from a fork's pull request, or from a run under another budget file: what
it *measured* (each batch's calls, seconds, energy and fastest stretch) is taken from it, checked
where it is read (`results.reader`); what it *estimated* (the stages, the assumptions, the
summaries) never is. Every figure the gate judges is computed again here from those batches and
the budget file the gate was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from carbon_gate.budget.settings import MIN_PAIRS, Config
from carbon_gate.gate import limits
from carbon_gate.lifecycle import grid
from carbon_gate.lifecycle.estimate import Estimate, estimate
from carbon_gate.measure.batches import Repeat
from carbon_gate.measure.measurement import Measurement, summarize_run
from carbon_gate.results import measured_energy
from carbon_gate.results.records import Results


@dataclass(frozen=True)
class Judged:
    """One side, as the gate judges it: what its results file recorded, its measurement summarised
    again from the batches, its estimate and budgets under the trusted budget file, and notes."""

    results: Results
    measurement: Measurement
    estimate: Estimate
    checks: tuple[limits.BudgetCheck, ...]
    notes: tuple[str, ...] = ()

    @property
    def batches(self) -> list[Repeat]:
        """The measured batches, repeat by repeat."""
        return self.results.batches.repeats()


def judged(content: Results, loaded: Config, data: grid.GridData, name: str) -> Judged:
    """Recompute one side from what `content` (named `name` in the estimate's sources) measured
    and from `loaded`, the budget file the gate was given."""
    measurement, measured = measured_in(content, name)
    result, checks = estimated(loaded, data, measured)
    notes = []
    if measured.overhead_factor is not None and measured.overhead_factor < 1:
        notes.append(
            f"the measured overhead factor k is {measured.overhead_factor:.2f}, below 1 (a "
            "training step cheaper than an inference call): training is estimated from the "
            "measured step as it is — check that train_step and the callable process the same batch"
        )
    return Judged(content, measurement, result, tuple(checks), tuple(notes))


def estimated(
    loaded: Config, data: grid.GridData, measured: measured_energy.MeasuredEnergy
) -> tuple[Estimate, list[limits.BudgetCheck]]:
    """The life cycle of `loaded`'s assumptions with the measured energy, and its budgets."""
    factor = data.factor(loaded.assumptions.location)
    assumptions = measured_energy.apply(loaded.assumptions, measured)
    result = estimate(assumptions, factor, data.alternatives(factor))
    return result, limits.check(result, loaded.budgets)


def measured_in(content: Results, name: str) -> tuple[Measurement, measured_energy.MeasuredEnergy]:
    """What the results measured, summarised again from their (checked) batches."""
    measurement = summarize_run(
        content.batches, content.benchmark.batch_size, content.power_sources
    )
    return measurement, measured_energy.MeasuredEnergy.of(measurement, Path(name).name)


class Pairs(NamedTuple):
    """The batches measured in alternation; or, when the files say they were and they cannot be
    judged as pairs, why (`unjudged`)."""

    head: list[Repeat]
    base: list[Repeat]
    unjudged: str = ""
    processes: tuple[int, ...] = ()  # as recorded; empty: not recorded, or not one per pair


def pairs(head: Judged, base: Judged) -> Pairs | None:
    """The batches measured in alternation, when the two files are the two sides of one such run
    (the head's comparison id is the base's); None when they were measured apart."""
    comparison = head.results.comparison
    token = None if comparison is None else comparison.id
    if not token or token != base.results.comparison_id:
        return None
    head_batches, base_batches = head.batches, base.batches
    count = len(head_batches)
    workloads = [set(side.results.batches.by_workload()) for side in (head, base)]
    if count != len(base_batches) or workloads[0] != workloads[1]:
        return Pairs([], [], "the head's and the base's batches do not pair up")
    if count < MIN_PAIRS:
        return Pairs(
            [],
            [],
            f"only {count} pairs fit in benchmark.compare_duration: too few to judge the change "
            f"(at least {MIN_PAIRS}) — raise it",
        )
    recorded = () if comparison is None else comparison.processes
    return Pairs(head_batches, base_batches, processes=recorded if len(recorded) == count else ())
