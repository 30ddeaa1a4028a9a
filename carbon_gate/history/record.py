"""A run's history entry: its results file's measured batches, estimated under the trusted budget
file (`gate.trusted`), at the mean and at both ends of the measurement's 95 % intervals.

Pure: the commit, the time and the runner's labels are given.
"""

from __future__ import annotations

from collections.abc import Sequence

from carbon_gate.budget.settings import Config
from carbon_gate.errors import UsageError
from carbon_gate.gate import limits, trusted
from carbon_gate.history.entries import STAGES, Entry, Figure, Hardware, Stage
from carbon_gate.lifecycle import grid
from carbon_gate.lifecycle.estimate import Estimate
from carbon_gate.results.measured_energy import MeasuredEnergy
from carbon_gate.results.records import Results
from carbon_gate.stats import Summary


def entry(
    results: Results,
    loaded: Config,
    data: grid.GridData,
    *,
    commit: str,
    recorded: str,
    config: str,
    runner: Sequence[str] = (),
) -> Entry:
    """The entry of `results` (measured at `commit`), estimated under `loaded`.

    Each stage's interval is the estimate at the low and at the high ends of the energy per
    inference's and the train step's 95 % intervals together: wider than either alone, and only
    the spread of this run's repeats (two runs, or two machines, differ by more)."""
    measurement, measured = trusted.measured_in(results, config)
    per_sample, train = measurement.per_sample_j, measurement.train_per_sample_j
    for what, summary in (("energy per inference", per_sample), ("train step", train)):
        if summary is not None and summary.ci_low <= 0:
            raise UsageError(
                f"{config}: the {what}'s 95 % interval reaches zero ({summary.n} repeats, "
                f"CV {summary.cv:.0%}): too noisy to record — measure with more repeats"
            )
    ends = [_at(measured, per_sample, train, end) for end in ("ci_low", "mean", "ci_high")]
    low, mean, high = (trusted.estimated(loaded, data, end)[0] for end in ends)
    return Entry(
        commit=commit,
        recorded=recorded,
        config=config,
        benchmark=results.benchmark.what,
        hardware=Hardware.of(
            results.environment, measurement.energy_kind, results.batches.inference, runner
        ),
        per_sample_j=_figure(per_sample),
        overhead_factor=None if train is None else _k(per_sample, train),
        location=mean.factor.name,
        g_per_kwh=mean.factor.intensity.g_per_kwh,
        stages={stage: _stage(stage, low, mean, high) for stage in STAGES},
    )


def _at(
    measured: MeasuredEnergy, per_sample: Summary, train: Summary | None, end: str
) -> MeasuredEnergy:
    """`measured` with the energy per inference (and the train step) at one end of its interval."""
    sample = getattr(per_sample, end)
    k = None if train is None else getattr(train, end) / sample
    return MeasuredEnergy(
        sample, measured.repeats, k, measured.energy_kind, measured.path, measured.per_sample_s
    )


def _figure(s: Summary) -> Figure:
    return Figure(s.mean, s.ci_low, s.ci_high)


def _k(per_sample: Summary, train: Summary) -> Figure:
    """k, train step over inference, with the interval its two means' intervals give: the train
    step's low end over the inference's high end, and the other way round."""
    k = train.mean / per_sample.mean
    return Figure(k, train.ci_low / per_sample.ci_high, train.ci_high / per_sample.ci_low)


def _stage(name: str, low: Estimate, mean: Estimate, high: Estimate) -> Stage | None:
    lo, at, hi = (limits.figure(e, name) for e in (low, mean, high))
    if lo is None or at is None or hi is None:
        return None
    return Stage(
        Figure(at.co2eq.kg, min(lo.co2eq.kg, at.co2eq.kg), max(hi.co2eq.kg, at.co2eq.kg)),
        Figure(
            at.energy.joules / 3.6e6,
            min(lo.energy.joules, at.energy.joules) / 3.6e6,
            max(hi.energy.joules, at.energy.joules) / 3.6e6,
        ),
    )
