"""`carbon-gate validate`: check the budget file and say what it sets."""

from __future__ import annotations

from pathlib import Path

from carbon_gate import config, grid, output
from carbon_gate.units import format_intensity


def validate(path: Path) -> int:
    """Exit 0 with a one-line summary when the budget file is valid; errors propagate."""
    data = grid.load()
    loaded = config.load(path, data)
    location = loaded.assumptions.location
    where = "no grid location set"
    if location.is_set:
        factor = data.factor(location)
        where = f"grid {factor.location} ({format_intensity(factor.intensity)})"
    budgets = [name for name, value in vars(loaded.budgets).items() if value is not None]
    benchmark = "a benchmark" if loaded.benchmark else "no benchmark"
    name = config.display_name(path)
    output.result(f"{name}: valid — {where}, {len(budgets)} budget(s), {benchmark}")
    return 0
