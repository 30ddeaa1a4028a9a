"""What a worker reported, as values: its batches, the machine, the power sources, the warm-up.

The worker speaks JSON over its pipes and files (the process boundary); its answers become these
values where carbon-gate reads them (`worker_process.run_worker`, `session.Session`), and nothing
past that point sees the JSON. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon_gate.measure.batches import PARTS, Batch, Batches, Repeat
from carbon_gate.measure.power_sources import PowerSources

ENVIRONMENT = ("cpu_model", "cpu_count", "gpu_model", "gpu_count", "ram_total_gb", "tracking_mode",
               "os", "python", "codecarbon")  # fmt: skip


@dataclass(frozen=True)
class WarmUp:
    """What one workload's warm-up took, before anything was measured."""

    workload: str
    calls: int
    seconds: float


@dataclass(frozen=True)
class Environment:
    """The machine as codecarbon and Python describe it; None where it is not said."""

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

    def as_json(self) -> dict[str, Any]:
        """As the worker reports it and the results file records it: every field, None or not."""
        return {name: getattr(self, name) for name in ENVIRONMENT}


@dataclass(frozen=True)
class Ready:
    """A worker ready to measure: the machine, the power sources, the warm-up, and where its
    code came from (each callable's file; files imported from the head's repository)."""

    environment: Environment
    power_sources: PowerSources
    warmup: tuple[WarmUp, ...] = ()
    code_files: Mapping[str, str] = field(default_factory=dict)
    foreign_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    """A whole run: every repeat's batches, on which machine, with which power sources."""

    batches: Batches
    environment: Environment
    power_sources: PowerSources
    warmup: tuple[WarmUp, ...] = ()

    @classmethod
    def of(cls, ready: Ready, repeats: Sequence[Repeat]) -> Run:
        """The run of a serving worker: its ready answer, then its repeats."""
        return cls(Batches.of(repeats), ready.environment, ready.power_sources, ready.warmup)


def ready(answer: Mapping[str, Any]) -> Ready:
    """A worker's ready answer (the machine, its power sources, its warm-up), as values."""
    return Ready(
        environment=Environment(**{name: answer["environment"].get(name) for name in ENVIRONMENT}),
        power_sources=PowerSources.of(answer["power_sources"]),
        warmup=tuple(
            WarmUp(name, took["calls"], took["seconds"]) for name, took in answer["warmup"].items()
        ),
        code_files=dict(answer.get("code_files") or {}),
        foreign_files=tuple(answer.get("foreign_files") or ()),
    )


def run(result: Mapping[str, Any]) -> Run:
    """A one-shot worker's result, as values: its batches kept as the worker reported them."""
    columns = {
        name: tuple(_batch(figures) for figures in rows) for name, rows in result["repeats"].items()
    }
    described = ready(result)
    return Run(
        Batches(columns["inference"], columns.get("train_step")),
        described.environment,
        described.power_sources,
        described.warmup,
    )


def repeat(figures: Mapping[str, Any]) -> Repeat:
    """A serving worker's answer to one request, each workload's figures, as a `Repeat`."""
    step = figures.get("train_step")
    return Repeat(_batch(figures["inference"]), None if step is None else _batch(step))


def _batch(figures: Mapping[str, Any]) -> Batch:
    parts = tuple((name, figures[name]) for name in PARTS if name in figures)
    return Batch(
        figures["calls"], figures["seconds"], figures["fastest_call_s"], figures["energy_j"], parts
    )
