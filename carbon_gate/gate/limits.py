"""Absolute budgets: is each stage of an estimate within the limit the budget file sets?"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carbon_gate.budget.settings import Budgets
from carbon_gate.lifecycle.estimate import NEEDS_I, Estimate, Footprint
from carbon_gate.quantities import Energy, Mass
from carbon_gate.readable import format_energy, format_mass

# Budget keys in the order a report lists them.
BUDGET_KEYS = ("inference_per_1000", "inference", "training", "search", "lifecycle")


@dataclass(frozen=True)
class BudgetCheck:
    """One budget against the estimate: status "pass", "fail", or "unknown" when the stage could
    not be computed, in which case `reason` says what it needs."""

    key: str
    limit: Mass | Energy
    value: Mass | Energy | None
    status: str
    reason: str = ""

    def describe_limit(self) -> str:
        return (
            format_mass(self.limit) if isinstance(self.limit, Mass) else format_energy(self.limit)
        )


def stage_of(key: str) -> str:
    """The estimate's stage a budget key limits."""
    return "inference" if key == "inference_per_1000" else key


def check(estimate: Estimate, budgets: Budgets) -> list[BudgetCheck]:
    """Every budget the file sets, checked against the estimate."""
    checks = []
    for key in BUDGET_KEYS:
        limit = getattr(budgets, key)
        if limit is None:
            continue
        footprint = _footprint(estimate, key)
        if footprint is None:
            reason = estimate.missing.get(stage_of(key), f"needs {NEEDS_I}")
            checks.append(BudgetCheck(key, limit, None, "unknown", reason))
            continue
        value: Mass | Energy = footprint.co2eq if isinstance(limit, Mass) else footprint.energy
        status = "pass" if within(footprint.energy, footprint.co2eq, limit) else "fail"
        checks.append(BudgetCheck(key, limit, value, status))
    return checks


def within(energy: Energy, co2eq: Mass, limit: Mass | Energy) -> bool:
    """Whether a stage is within a budget given as CO2eq or as energy; a non-number never is."""
    amount = co2eq.kg if isinstance(limit, Mass) else energy.joules
    bound = limit.kg if isinstance(limit, Mass) else limit.joules
    return math.isfinite(amount) and amount <= bound


def verdict(checks: list[BudgetCheck]) -> str:
    """ "fail" if any budget is exceeded, "unknown" if any cannot be checked, else "pass"."""
    statuses = {c.status for c in checks}
    return "fail" if "fail" in statuses else "unknown" if "unknown" in statuses else "pass"


def exit_code(status: str) -> int:
    """The exit code of a verdict: 1 over budget, 2 a budget that cannot be checked, else 0."""
    return {"fail": 1, "unknown": 2}.get(status, 0)


def _footprint(estimate: Estimate, key: str) -> Footprint | None:
    if key == "inference_per_1000":
        return estimate.per_1000_inferences
    return estimate.stages[key]
