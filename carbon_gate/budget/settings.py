"""The budget file's typed records, as the rest of carbon-gate takes them: `Config` (the whole
file), `Budgets` (the limits), `Benchmark` (what to run and for how long), and `MIN_PAIRS`.

Takes values already checked (`budget.config` builds them from the file); gives frozen records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from carbon_gate.lifecycle.assumptions import Assumptions
from carbon_gate.quantities import Energy, Mass

# Separate runs of identical code on the project's shared runners differed by 8-16 % (DESIGN.md)
# and by a CV of 18.5 % in benchmarks/stability.py: below this, a change between them is noise.
DEFAULT_NOISE_FLOOR_PERCENT = 20.0
# Fewest pairs (head and base batches) that give a 95 % interval: with 6, the widest interval of the
# Hodges–Lehmann estimate still covers 97 % (1 − 2/2⁶).
MIN_PAIRS = 6


@dataclass(frozen=True)
class Budgets:
    """Absolute limits per stage (CO2eq or energy) and the allowed increase over the base."""

    inference_per_1000: Mass | Energy | None = None
    inference: Mass | Energy | None = None
    training: Mass | Energy | None = None
    search: Mass | Energy | None = None
    lifecycle: Mass | Energy | None = None
    embodied: Mass | None = None  # the life cycle's embodied emissions (SCI's M)
    sci: Mass | None = None  # per functional unit
    max_increase_percent: float | None = None
    noise_floor_percent: float = DEFAULT_NOISE_FLOOR_PERCENT
    require_comparison: bool = False  # fail when the comparison with the base cannot be made


BUDGET_LIMITS = (
    "inference_per_1000",
    "inference",
    "training",
    "search",
    "lifecycle",
    "embodied",
    "sci",
)


@dataclass(frozen=True)
class Benchmark:
    """How to run the user's model: a Python callable (with optional setup and train step) or a
    shell command, and how long to measure it."""

    callable: str | None = None
    setup: str | None = None
    train_step: str | None = None
    command: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    batch_size: int = 1
    threads: int | None = None
    warmup_s: float = 2.0
    duration_s: float = 10.0
    repeats: int = 5
    compare_duration_s: float = 60.0  # head and base in alternation (check --base-ref), at most
    # Each side's batch in a pair. Short: the two sides' batches are moments apart, so that the
    # machine's changing load hits both alike (docs/statistics.md, "How head and base are
    # measured").
    compare_batch_s: float = 0.25
    compare_workers: int = 3  # worker processes per side
    timeout_s: float = 300.0
    working_directory: Path = Path()
    python_path: tuple[Path, ...] = ()

    @property
    def pair_s(self) -> float:
        """One pair of the comparison with the base: a batch of each side."""
        return 2 * self.compare_batch_s

    def in_pairs(self) -> Benchmark:
        """This benchmark as each side runs it in the comparison with the base: batches of
        compare_batch (the worker times a batch as duration ÷ repeats)."""
        return replace(self, duration_s=self.compare_batch_s * self.repeats)


@dataclass(frozen=True)
class Config:
    """A validated budget file. `positions` maps each key path to its (line, column)."""

    path: str
    assumptions: Assumptions
    budgets: Budgets
    benchmark: Benchmark | None = None
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    report_template: Path | None = None
    report_id: str | None = None
    runners: dict[str, Budgets] = field(default_factory=dict)  # budgets by runner label

    def runner_note(self, label: str | None) -> str:
        """What a report says when the file sets budgets by runner and `label` has none."""
        if not label or not self.runners or label in self.runners:
            return ""
        return (
            f"{self.path} sets budgets for the runners {', '.join(sorted(self.runners))}, not "
            f"for {label}: its own budgets apply"
        )

    def requiring_comparison(self) -> Config:
        """This file with the comparison with the base required: one not made fails."""
        return replace(self, budgets=replace(self.budgets, require_comparison=True))

    def for_runner(self, label: str | None) -> Config:
        """This file as it judges a leg measured on runner `label`: its budgets there."""
        if not label or label not in self.runners:
            return self
        return replace(self, budgets=self.runners[label])
