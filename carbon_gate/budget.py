"""Absolute budgets: is each stage of an estimate within the limit the budget file sets?"""

from __future__ import annotations

from dataclasses import dataclass

from carbon_gate.config import Budgets
from carbon_gate.estimate import Estimate, Footprint
from carbon_gate.units import Energy, Mass, format_energy, format_mass

# Budget keys in the order a report lists them, with the budget-file key each comes from.
BUDGET_KEYS = ("inference_per_1000", "inference", "training", "search", "lifecycle")


@dataclass(frozen=True)
class BudgetCheck:
    """One budget against the estimate; status "pass", "fail" or "unknown" (stage not computed)."""

    key: str
    limit: Mass | Energy
    value: Mass | Energy | None
    status: str

    @property
    def used(self) -> float | None:
        """The share of the budget used (1.0 = exactly at the limit)."""
        if self.value is None:
            return None
        limit = self.limit.kg if isinstance(self.limit, Mass) else self.limit.joules
        value = self.value.kg if isinstance(self.value, Mass) else self.value.joules
        return value / limit if limit else None

    def describe_limit(self) -> str:
        return (
            format_mass(self.limit) if isinstance(self.limit, Mass) else format_energy(self.limit)
        )


def check(estimate: Estimate, budgets: Budgets) -> list[BudgetCheck]:
    """Every budget the file sets, checked against the estimate."""
    checks = []
    for key in BUDGET_KEYS:
        limit = getattr(budgets, key)
        if limit is None:
            continue
        footprint = _footprint(estimate, key)
        if footprint is None:
            checks.append(BudgetCheck(key, limit, None, "unknown"))
            continue
        value: Mass | Energy = footprint.co2eq if isinstance(limit, Mass) else footprint.energy
        over = value > limit
        checks.append(BudgetCheck(key, limit, value, "fail" if over else "pass"))
    return checks


def _footprint(estimate: Estimate, key: str) -> Footprint | None:
    if key == "inference_per_1000":
        per = estimate.per_inference
        return None if per is None else Footprint(per.energy * 1000.0, Mass(per.co2eq.kg * 1000.0))
    return estimate.stages[key]
