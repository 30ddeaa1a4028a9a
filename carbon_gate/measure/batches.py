"""The measured batches, as values: what the gate judges of a run, and all it takes from a
results file. Pure.

A batch is one workload run for a while inside one codecarbon task; a repeat is each workload's
batch, taken moments apart. The worker's answers become these in `measure.run`; a results file's
batches, checked, in `results.reader`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WORKLOADS = ("inference", "train_step")
# codecarbon's split of a batch's energy (J) and its mean power (W), by component: never judged.
PARTS = ("cpu_j", "ram_j", "gpu_j", "cpu_w", "ram_w", "gpu_w")


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


def in_turn(pairs: int, workers: int) -> list[int]:
    """Which pair of worker processes measured each pair, when `workers` per side take the pairs
    in turn (`measure.interleave`)."""
    return [index % max(1, workers) for index in range(pairs)]


@dataclass(frozen=True)
class Repeat:
    """One repeat: the inference batch, and the train step's beside it when there is one."""

    inference: Batch
    train_step: Batch | None = None

    def by_workload(self) -> dict[str, Batch]:
        """The workloads measured: inference, then the train step when there is one."""
        if self.train_step is None:
            return {"inference": self.inference}
        return {"inference": self.inference, "train_step": self.train_step}


@dataclass(frozen=True)
class Batches:
    """Every repeat's batch, by workload: repeat i of the train step ran beside repeat i of
    inference (and, with `check --base-ref`, beside the base's repeat i)."""

    inference: tuple[Batch, ...]
    train_step: tuple[Batch, ...] | None = None

    @classmethod
    def of(cls, repeats: Sequence[Repeat]) -> Batches:
        """The repeats' batches, by workload (a train step when every repeat has one)."""
        steps = [r.train_step for r in repeats if r.train_step is not None]
        whole = bool(repeats) and len(steps) == len(repeats)
        return cls(tuple(r.inference for r in repeats), tuple(steps) if whole else None)

    def by_workload(self) -> dict[str, tuple[Batch, ...]]:
        """The workloads measured: inference, then the train step when there is one."""
        both = {"inference": self.inference, "train_step": self.train_step}
        return {name: batches for name, batches in both.items() if batches is not None}

    def repeats(self) -> list[Repeat]:
        """Repeat by repeat, each with its workloads' batches (as `gate.paired` takes them)."""
        if self.train_step is None:
            return [Repeat(batch) for batch in self.inference]
        return [Repeat(i, t) for i, t in zip(self.inference, self.train_step, strict=True)]
