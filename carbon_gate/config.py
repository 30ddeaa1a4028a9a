"""Loading the budget file, `carbon-budget.yml`, into a validated `Config`.

Every problem in the file is collected and reported at once, each with its line, column and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_gate.assumptions import Assumptions, Location, TrainingHardware
from carbon_gate.budget_schema import ROOT
from carbon_gate.errors import ConfigError, UsageError
from carbon_gate.fields import Walk
from carbon_gate.grid import GridData
from carbon_gate.units import Energy, Mass

DEFAULT_PATH = "carbon-budget.yml"


@dataclass(frozen=True)
class Budgets:
    """Absolute limits per stage (CO2eq or energy) and the allowed increase over the base."""

    inference_per_1000: Mass | Energy | None = None
    inference: Mass | Energy | None = None
    training: Mass | Energy | None = None
    search: Mass | Energy | None = None
    lifecycle: Mass | Energy | None = None
    max_increase_percent: float | None = None


@dataclass(frozen=True)
class Config:
    """A validated budget file. `positions` maps each key path to its (line, column)."""

    path: str
    assumptions: Assumptions
    budgets: Budgets
    benchmark: dict[str, Any] | None = None
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)


def read(path: Path) -> str:
    """The text of the budget file, or a `UsageError` that says what to do."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such file — write one (see the README) or pass --config PATH"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read it: {error}") from None


def parse(text: str, filename: str, grid_data: GridData) -> Config:
    """Validate `text` as a budget file; raise `ConfigError` listing every problem in it."""
    from carbon_gate import yamlfile

    root = yamlfile.load(text, filename)
    walk = Walk(filename)
    if not root.is_mapping:
        walk.problem(
            (root.line, root.column),
            "",
            "expected a mapping of sections at the top",
            "start with `grid:`, `lifecycle:` and `budgets:` (see the README)",
        )
        raise ConfigError(walk.problems)
    parsed = walk.walk(ROOT, root, "")
    if parsed is not None:
        _check_location(parsed.get("grid") or {}, walk, grid_data)
    if walk.problems:
        raise ConfigError(walk.problems)
    return _build(filename, parsed, walk.positions)


def _check_location(grid: dict[str, Any], walk: Walk, grid_data: GridData) -> None:
    location = _location(grid)
    if location is None or not location.is_set:
        return
    failure = grid_data.problem_with(location)
    if failure is not None:
        key = "grid.country" if location.country else "grid.cloud.region"
        walk.problem(walk.positions[key], key, *failure)


def _location(grid: dict[str, Any]) -> Location | None:
    cloud = grid.get("cloud") or {}
    if None in (grid.get("country", ""), cloud.get("provider", ""), cloud.get("region", "")):
        return None  # already reported as a problem
    return Location(
        country=grid.get("country"),
        cloud_provider=cloud.get("provider"),
        cloud_region=cloud.get("region"),
        intensity=grid.get("intensity"),
        world_average=bool(grid.get("world_average")),
    )


def _build(filename: str, parsed: dict[str, Any], positions: dict[str, tuple[int, int]]) -> Config:
    grid = parsed.get("grid") or {}
    life = parsed.get("lifecycle") or {}
    search = life.get("search") or {}
    hardware = life.get("training_hardware")
    inferences = life.get("inferences")
    if isinstance(inferences, dict):
        inferences = inferences["rate"].over(inferences["lifetime"])
    values: dict[str, Any] = {
        "per_inference": life.get("per_inference"),
        "training_samples": life.get("training_samples"),
        "epochs": life.get("epochs"),
        "overhead_factor": life.get("overhead_factor"),
        "search_trials": search.get("trials"),
        "trial_share": search.get("trial_share"),
        "inferences": inferences,
        "hardware_transfer": life.get("hardware_transfer"),
        "pue": grid.get("pue"),
        "training_hardware": TrainingHardware(
            hardware["processors"], hardware["hours"].hours, hardware["watts"]
        )
        if hardware
        else None,
        "location": _location(grid) or Location(),
    }
    key_of = {
        "search_trials": "lifecycle.search.trials",
        "trial_share": "lifecycle.search.trial_share",
        "pue": "grid.pue",
        "location": "grid",
    }
    given = {name: value for name, value in values.items() if value is not None}
    assumptions = Assumptions(**given)
    for name in given:
        key = key_of.get(name, f"lifecycle.{name}")
        if key in positions and (name != "location" or assumptions.location.is_set):
            assumptions.sources[name] = f"{filename}:{positions[key][0]} ({key})"
    budgets = parsed.get("budgets") or {}
    return Config(
        path=filename,
        assumptions=assumptions,
        budgets=Budgets(
            **{name: budgets.get(name) for name in Budgets.__dataclass_fields__ if name in budgets},
            max_increase_percent=budgets.get("max_increase"),
        ),
        benchmark=parsed.get("benchmark"),
        positions=positions,
    )


def load(path: Path, grid_data: GridData) -> Config:
    """Read and validate the budget file at `path`."""
    return parse(read(path), display_name(path), grid_data)


def display_name(path: Path) -> str:
    """`path` as messages show it: relative to the working directory when it is inside it."""
    resolved = path.resolve()
    package = Path(__file__).resolve().parent
    if resolved.is_relative_to(package):  # the built-in example: say where it lives in the package
        return str(resolved.relative_to(package.parent))
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
