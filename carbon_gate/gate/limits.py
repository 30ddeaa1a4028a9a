"""Absolute budgets: is each stage of an estimate within the limit the budget file sets?"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from carbon_gate.budget.settings import BUDGET_LIMITS, Budgets
from carbon_gate.lifecycle.estimate import NEEDS_I, Estimate, Footprint
from carbon_gate.quantities import Energy, Mass
from carbon_gate.readable import format_energy, format_mass

# Budget keys in the order a report lists them.
BUDGET_KEYS = BUDGET_LIMITS
# The figures that exist only for those who describe their hardware (lifecycle.embodied): a report
# shows their rows when the hardware is described or the figures limited.
HARDWARE_KEYS = ("embodied", "sci")


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


def reason_missing(reasons: Mapping[str, str], key: str) -> str:
    """Why the figure of budget key `key` could not be computed (`reasons`: `Estimate.reasons`)."""
    return reasons.get(stage_of(key), f"needs {NEEDS_I}")


def check(estimate: Estimate, budgets: Budgets) -> list[BudgetCheck]:
    """Every budget the file sets, checked against the estimate."""
    checks = []
    for key in BUDGET_KEYS:
        limit = getattr(budgets, key)
        if limit is None:
            continue
        footprint = figure(estimate, key)
        if footprint is None:
            reason = reason_missing(estimate.reasons, key)
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


def figure(estimate: Estimate, key: str) -> Footprint | None:
    """The estimate's figure that budget key `key` limits: a stage, 1,000 inferences, the life
    cycle's embodied emissions (no energy of its own: 0 J), or the SCI score per functional unit
    with the energy of its operational part."""
    if key == "inference_per_1000":
        return estimate.per_1000_inferences
    if key == "embodied":
        mass = estimate.embodied.get("lifecycle")
        return None if mass is None else Footprint(Energy(0.0), mass)
    if key == "sci":
        score = estimate.sci
        return None if score is None else Footprint(score.energy, score.total)
    return estimate.stages[key]
