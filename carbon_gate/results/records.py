"""What a results file holds, as values: the batches measured, the machine, the power sources, the
benchmark's identity, the warm-up, the warnings and the comparison with the base.

Built from a run's raw figures (`measured`) or from a results file (`results.reader.parse`,
checked: the file may be a fork's); written by `results_file.to_json`. The file's `summary`,
`energy_kind` and `estimate` are not here: they are figures derived from these, written for people
and tools, and never read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from carbon_gate.measure import power_sources
from carbon_gate.measure.measurement import Repeat

WORKLOADS = ("inference", "train_step")
COMPONENTS = ("cpu", "ram", "gpu")  # in the order codecarbon's sources are written
# codecarbon's split of a batch's energy (J) and its mean power (W), by component: never judged.
PARTS = ("cpu_j", "ram_j", "gpu_j", "cpu_w", "ram_w", "gpu_w")
ENVIRONMENT = ("cpu_model", "cpu_count", "gpu_model", "gpu_count", "ram_total_gb", "tracking_mode",
               "os", "python", "codecarbon")  # fmt: skip


@dataclass(frozen=True)
class Batch:
    """One workload's batch in one repeat: its calls, seconds and energy, the time per call in its
    fastest stretch, and codecarbon's split by component (`parts`, by name in `PARTS`)."""

    calls: int
    seconds: float
    fastest_call_s: float
    energy_j: float
    parts: tuple[tuple[str, float], ...] = ()

    def figures(self) -> dict[str, float]:
        """The batch as the worker reports it and the results file records it."""
        return {
            "calls": self.calls,
            "seconds": self.seconds,
            "fastest_call_s": self.fastest_call_s,
            "energy_j": self.energy_j,
            **dict(self.parts),
        }


@dataclass(frozen=True)
class Batches:
    """Every repeat's batch, by workload: repeat i of the train step ran beside repeat i of
    inference (and, with `check --base-ref`, beside the base's repeat i)."""

    inference: tuple[Batch, ...]
    train_step: tuple[Batch, ...] | None = None

    def by_workload(self) -> dict[str, tuple[Batch, ...]]:
        """The workloads measured: inference, then the train step when there is one."""
        both = {"inference": self.inference, "train_step": self.train_step}
        return {name: batches for name, batches in both.items() if batches is not None}

    def repeats(self) -> list[Repeat]:
        """Repeat by repeat, each with its workloads' figures (as `gate.paired` takes them)."""
        columns = self.by_workload()
        return [
            {name: batches[i].figures() for name, batches in columns.items()}
            for i in range(len(self.inference))
        ]


@dataclass(frozen=True)
class WarmUp:
    """What one workload's warm-up took, before anything was measured."""

    workload: str
    calls: int
    seconds: float


@dataclass(frozen=True)
class Environment:
    """The machine as codecarbon and Python describe it; None where the file does not say."""

    cpu_model: str | None = None
    cpu_count: int | None = None
    gpu_model: str | None = None
    gpu_count: int | None = None
    ram_total_gb: float | None = None
    tracking_mode: str | None = None  # "process", or "machine" for a shell command
    os: str | None = None
    python: str | None = None
    codecarbon: str | None = None

    def shown(self) -> dict[str, str]:
        """What is known, as text."""
        known = ((name, getattr(self, name)) for name in ENVIRONMENT)
        return {name: str(value) for name, value in known if value is not None}


@dataclass(frozen=True)
class PowerSource:
    """How one component's energy was had: "measured" by a counter, or "estimated" by a model."""

    source: str
    method: str
    model: str | None = None  # the hardware, when codecarbon names it

    def as_json(self) -> dict[str, str]:
        """As the results file records it."""
        shown = {"source": self.source, "method": self.method}
        return shown if self.model is None else {**shown, "model": self.model}


@dataclass(frozen=True)
class PowerSources:
    """Each component's power source; None for a component codecarbon did not find."""

    cpu: PowerSource | None = None
    ram: PowerSource | None = None
    gpu: PowerSource | None = None

    def present(self) -> list[tuple[str, PowerSource]]:
        """The components found, as the report lists them (CPU, GPU, RAM)."""
        found = ((name, getattr(self, name)) for name in ("cpu", "gpu", "ram"))
        return [(name, source) for name, source in found if source is not None]

    def as_json(self) -> dict[str, Any]:
        """As the results file records them."""
        found = ((name, getattr(self, name)) for name in COMPONENTS)
        return {name: None if source is None else source.as_json() for name, source in found}

    @property
    def energy_kind(self) -> str:
        """ "measured", "estimated" or "partly measured", over the components found."""
        return power_sources.energy_kind(self.as_json())


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

    def as_json(self) -> dict[str, Any]:
        """As the head's results file records it."""
        return {
            "id": self.id,
            "base_commit": self.base_commit,
            "pairs": self.pairs,
            "stopped": self.stopped,
            "max_seconds": self.max_seconds,
            "changes": None if self.changes is None else dict(self.changes),
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

    def as_run(self) -> dict[str, Any]:
        """The run in the worker's shape, as `measurement.summarize_run` takes it."""
        return {
            "repeats": {
                name: [batch.figures() for batch in batches]
                for name, batches in self.batches.by_workload().items()
            },
            "power_sources": self.power_sources.as_json(),
            "environment": {name: getattr(self.environment, name) for name in ENVIRONMENT},
            "warmup": {w.workload: {"calls": w.calls, "seconds": w.seconds} for w in self.warmup},
        }


def measured(
    run: Mapping[str, Any],
    benchmark: Mapping[str, Any],
    *,
    warnings: list[str],
    created: str,
    config: str,
    comparison: Comparison | None = None,
    comparison_id: str | None = None,
    base_not_measured: str | None = None,
) -> Results:
    """The results of a run, from the worker's raw figures (`worker_process.run_worker`), kept as
    the worker reported them; `benchmark` is `measurement.identity` of what it ran; and, with
    `check --base-ref`, how the run relates to the base's (see `Results`)."""
    batches = {
        name: tuple(_batch(figures) for figures in rows) for name, rows in run["repeats"].items()
    }
    sources = run["power_sources"]
    return Results(
        benchmark=BenchmarkIdentity(dict(benchmark), benchmark["batch_size"]),
        batches=Batches(batches["inference"], batches.get("train_step")),
        environment=Environment(**{name: run["environment"].get(name) for name in ENVIRONMENT}),
        power_sources=PowerSources(**{name: _source(sources.get(name)) for name in COMPONENTS}),
        warmup=tuple(
            WarmUp(name, took["calls"], took["seconds"]) for name, took in run["warmup"].items()
        ),
        warnings=tuple(warnings),
        created=created,
        config=config,
        comparison=comparison,
        comparison_id=comparison_id,
        base_not_measured=base_not_measured,
    )


def _batch(figures: Mapping[str, Any]) -> Batch:
    parts = tuple((name, figures[name]) for name in PARTS if name in figures)
    return Batch(
        figures["calls"], figures["seconds"], figures["fastest_call_s"], figures["energy_j"], parts
    )


def _source(given: Mapping[str, Any] | None) -> PowerSource | None:
    if given is None:
        return None
    return PowerSource(given["source"], given["method"], given.get("model"))
