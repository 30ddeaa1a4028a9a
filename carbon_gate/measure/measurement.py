"""What one benchmark run measured: its batches, summarised with their spread.

Pure; running the worker process is `measure.worker_process`'s job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from carbon_gate.budget.settings import Benchmark
from carbon_gate.errors import MeasurementError
from carbon_gate.measure.batches import Batch, Batches
from carbon_gate.measure.power_sources import PowerSources
from carbon_gate.stats import Summary, summarize

# The most pairs one comparison measures (and a results file may hold): the Hodges–Lehmann estimate
# sorts n² / 2 averages, a few seconds at this many.
MAX_PAIRS = 5000
SPREAD_WARNING_CV = 0.10  # repeats that differ more than this are flagged as too noisy to trust
MIN_CALLS_PER_REPEAT = 5


@dataclass(frozen=True)
class Measurement:
    """What one benchmark run measured, per sample and per call, with its spread."""

    per_sample_j: Summary
    per_call_j: Summary
    batch_size: int
    energy_kind: str  # "measured", "estimated" (codecarbon only modelled it) or "partly measured"
    train_per_sample_j: Summary | None = None
    overhead_factor: Summary | None = None  # k measured: train step / inference, per sample
    per_sample_s: Summary | None = None  # the busy time of one inference (batch time per sample)
    warnings: list[str] = field(default_factory=list)


def identity(bench: Benchmark) -> dict[str, Any]:
    """What the benchmark runs, as the results file records it (no machine-specific paths)."""
    return {
        "callable": bench.callable,
        "setup": bench.setup,
        "train_step": bench.train_step,
        "command": bench.command,
        "parameters": bench.parameters,
        "batch_size": bench.batch_size,
        "threads": bench.threads,
        "warmup_s": bench.warmup_s,
        "duration_s": bench.duration_s,
        "repeats": bench.repeats,
    }


def worker_spec(bench: Benchmark, country: str) -> dict[str, Any]:
    """The JSON the worker reads: everything it needs, and nothing it must look up itself.

    The budget-file loader has checked the times and the folders, with their lines."""
    return {
        **identity(bench),
        "working_directory": str(bench.working_directory.resolve()),
        "python_path": [str(p.resolve()) for p in bench.python_path],
        "country": country,
    }


def summarize_run(batches: Batches, batch_size: int, power_sources: PowerSources) -> Measurement:
    """Per-sample and per-call energy of every repeat, summarised, with warnings where due."""
    for name, column in batches.by_workload().items():
        for batch in column:
            energy = batch.energy_j
            if not (math.isfinite(energy) and energy > 0):
                raise MeasurementError(
                    f"codecarbon reported {energy} J for a {name} repeat of "
                    f"{batch.seconds:.2f} s — no energy was measured; check that codecarbon "
                    "can see this machine's hardware (its log is in the output above)"
                )
    per_call = [b.energy_j / b.calls for b in batches.inference]
    per_sample = [e / batch_size for e in per_call]
    warnings = _warnings(batches, per_sample)
    train_summary = overhead = None
    if batches.train_step:
        train_per_sample = [b.energy_j / b.calls / batch_size for b in batches.train_step]
        train_summary = summarize(train_per_sample)
        ratios = [t / i for t, i in zip(train_per_sample, per_sample, strict=True)]
        overhead = summarize(ratios)
    return Measurement(
        per_sample_j=summarize(per_sample),
        per_call_j=summarize(per_call),
        batch_size=batch_size,
        energy_kind=power_sources.energy_kind,
        train_per_sample_j=train_summary,
        overhead_factor=overhead,
        warnings=warnings,
        per_sample_s=summarize([b.seconds / b.calls / batch_size for b in batches.inference]),
    )


def _per_call(column: tuple[Batch, ...]) -> list[float]:
    return [b.energy_j / b.calls for b in column]


def _warnings(batches: Batches, per_sample: list[float]) -> list[str]:
    warnings = []
    spread = summarize(per_sample)
    if spread.cv > SPREAD_WARNING_CV:
        warnings.append(
            f"the energy per sample varies by {spread.cv:.0%} between repeats (coefficient of "
            "variation): more repeats or a longer benchmark.duration will narrow it"
        )
    if batches.train_step:
        # As the estimator takes it: the mean step over the mean inference (the whole cost).
        k = sum(_per_call(batches.train_step)) / sum(_per_call(batches.inference))
        if k < 1:
            warnings.append(
                f"the measured overhead factor k is {k:.2f}: a training step costs less than an "
                "inference call — check that train_step and the callable process the same batch"
            )
    for name, column in batches.by_workload().items():
        fewest = min(b.calls for b in column)
        if fewest < MIN_CALLS_PER_REPEAT:
            warnings.append(
                f"a {name} repeat ran only {fewest} call(s): one call takes about as long as a "
                "repeat; raise benchmark.duration (beside the base: benchmark.compare_batch) so "
                "that each repeat runs many calls"
            )
    return warnings
