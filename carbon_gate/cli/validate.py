"""`carbon-gate validate`: check the budget file and say what it sets."""

from __future__ import annotations

from pathlib import Path

from carbon_gate import output
from carbon_gate.budget import config
from carbon_gate.budget.settings import BUDGET_LIMITS
from carbon_gate.gate import limits
from carbon_gate.lifecycle import grid
from carbon_gate.lifecycle.assumptions import Given
from carbon_gate.lifecycle.estimate import estimate
from carbon_gate.quantities import Duration, Energy
from carbon_gate.readable import format_intensity


def validate(path: Path) -> int:
    """Exit 0 with a one-line summary when the budget file is valid; errors propagate.

    Warns (without failing) about what a later command will miss: a grid location, or the inputs a
    budget needs; the energy per inference may still come from a measurement.
    """
    data = grid.load()
    loaded = config.load(path, data)
    name = config.display_name(path)
    location = loaded.assumptions.location
    where = "no grid location set"
    if location.is_set:
        factor = data.factor(location)
        where = f"grid {factor.location} ({format_intensity(factor.intensity)})"
        assumptions = loaded.assumptions
        if loaded.benchmark is not None:
            # `measure` will supply I and its time: judge the budgets as they will be then.
            to_come = "to be measured by `carbon-gate measure`"
            measured = {"per_inference": Given(Energy(1.0), to_come)}
            measured |= {"per_inference_time": Given(Duration(1.0), to_come)}
            assumptions = assumptions.given(
                **{
                    name: given
                    for name, given in measured.items()
                    if getattr(assumptions, name) is None
                }
            )
        result = estimate(assumptions, factor)
        for check in limits.check(result, loaded.budgets):
            if check.status == "unknown":
                output.message(
                    f"warning: {name}: budgets.{check.key} cannot be checked: {check.reason}"
                )
    else:
        output.message(
            f"warning: {name}: no grid location — set grid.country (or cloud, intensity, "
            "world_average), or pass --region to estimate"
        )
    increase, floor = loaded.budgets.max_increase_percent, loaded.budgets.noise_floor_percent
    if increase is not None and increase < floor:
        # Not a warning (every new budget file would get one): the report says it too.
        limits_note = f" (judged beyond the noise floor, {floor:g} %, between separate runs)"
    else:
        limits_note = ""
    budgets = [key for key in BUDGET_LIMITS if getattr(loaded.budgets, key) is not None]
    benchmark = "a benchmark" if loaded.benchmark else "no benchmark"
    limits_set = f"{len(budgets)} absolute budget{'s' * (len(budgets) != 1)}"
    if increase is not None:
        limits_set += f", max increase {increase:g} %{limits_note}"
    output.result(f"{name}: valid — {where}, {limits_set}, {benchmark}")
    return 0
