"""What a results file holds, as values: the batches measured, the machine, the power sources (all
three as `measure` reads them from the worker), the benchmark's identity, the warm-up, the
warnings and the comparison with the base.

Built from a worker's run (`measured`) or from a results file (`results.reader.parse`,
checked: the file may be a fork's); written by `results_file.to_json`. The file's `summary`,
`energy_kind` and `estimate` are not here: they are figures derived from these, written for people
and tools, and never read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carbon_gate.measure.batches import Batches
from carbon_gate.measure.power_sources import PowerSources
from carbon_gate.measure.run import Environment, Run, WarmUp

# The one set of limits on what carbon-gate keeps of a run, checked when a results file is read
# (`reader.parse`) and again when a history entry is (`history.entries`): whatever a results file
# that is read holds, `history record` records and the history reads back. Texts: at most
# `budget.values.TEXT_LIMIT` characters, as in the budget file.
COUNT_LIMIT = 1_000_000  # CPUs or GPUs of a machine: from 0 to 999,999


@dataclass(frozen=True)
class BenchmarkIdentity:
    """What the benchmark ran (`measurement.identity`), as the file records it: each key's value
    as JSON, and only the keys recorded (an older file lacks the newer ones; a fork's file may
    hold anything in them). `batch_size` is checked: a whole number, 1 when not recorded."""

    recorded: Mapping[str, Any]
    batch_size: int = 1

    @property
    def what(self) -> str:
        """The command or the callable, as a report names the benchmark."""
        return str(self.recorded.get("command") or self.recorded.get("callable") or "?")


@dataclass(frozen=True)
class Comparison:
    """The head's side of a comparison with the base measured in pairs (`check --base-ref`)."""

    id: str  # the base's results carry it as their `comparison_id`
    base_commit: str
    pairs: int
    stopped: str  # why the pairs ended: "clear", "time" or "alone" (see paired.describe_stop)
    max_seconds: float  # benchmark.compare_duration
    # The changes the measuring run found, written for people and tools; never read back (the gate
    # judges the pairs again from the batches), so a file's is None here.
    changes: Mapping[str, Any] | None = None
    # Which pair of worker processes (numbered from 0) measured each pair: the gate measures how
    # far they differed (gate.paired.between). Empty in a file written before they were recorded.
    processes: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """As the head's results file records it."""
        return {
            "id": self.id,
            "base_commit": self.base_commit,
            "pairs": self.pairs,
            "stopped": self.stopped,
            "max_seconds": self.max_seconds,
            "changes": None if self.changes is None else dict(self.changes),
            "processes": list(self.processes),
        }


@dataclass(frozen=True)
class Results:
    """A results file's content: what one side measured, on which machine, for which benchmark,
    and how it relates to the base (`comparison` in the head's file, `comparison_id` in the
    base's, `base_not_measured` in the head's when the base could not be measured)."""

    benchmark: BenchmarkIdentity
    batches: Batches
    environment: Environment
    power_sources: PowerSources
    warmup: tuple[WarmUp, ...] = ()
    warnings: tuple[str, ...] = ()
    created: str = ""  # UTC time of the run
    config: str = ""  # the budget file it was measured with
    comparison: Comparison | None = None
    comparison_id: str | None = None
    base_not_measured: str | None = None


def measured(
    run: Run,
    benchmark: Mapping[str, Any],
    *,
    warnings: list[str],
    created: str,
    config: str,
    comparison: Comparison | None = None,
    comparison_id: str | None = None,
    base_not_measured: str | None = None,
) -> Results:
    """The results of a run (`worker_process.run_worker`, `interleave`), kept as the worker
    reported them; `benchmark` is `measurement.identity` of what it ran; and, with
    `check --base-ref`, how the run relates to the base's (see `Results`)."""
    return Results(
        benchmark=BenchmarkIdentity(dict(benchmark), benchmark["batch_size"]),
        batches=run.batches,
        environment=run.environment,
        power_sources=run.power_sources,
        warmup=run.warmup,
        warnings=tuple(warnings),
        created=created,
        config=config,
        comparison=comparison,
        comparison_id=comparison_id,
        base_not_measured=base_not_measured,
    )
