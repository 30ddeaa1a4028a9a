"""From a budget file's values, each checked by the schema's walk, to the records the rest of
carbon-gate takes: `Config`, with its `Assumptions`, `Budgets` and `Benchmark`.

Takes the walk's plain values (a value that failed its own check is None here: its problem is
already reported) and gives the records of `budget.settings`. `budget.config` checks the file as a
whole before it builds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon_gate.budget.settings import (
    BUDGET_LIMITS,
    DEFAULT_NOISE_FLOOR_PERCENT,
    Benchmark,
    Budgets,
    Config,
)
from carbon_gate.lifecycle.assumptions import (
    Assumptions,
    EmbodiedHardware,
    FunctionalUnit,
    Given,
    Location,
    TrainingHardware,
)
from carbon_gate.lifecycle.hardware import HardwareData
from carbon_gate.quantities import Duration


def config(
    filename: str,
    parsed: dict[str, Any],
    positions: dict[str, tuple[int, int]],
    directory: Path,
    hardware_data: HardwareData | None = None,
) -> Config:
    """The `Config` of a budget file whose values passed the schema's walk and the checks;
    `hardware_data` is Boavizta's table, where the file names a machine in it."""
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
        "location": location(grid) or Location(),
        "per_inference_time": life.get("per_inference_time"),
        "functional_unit": functional_unit(parsed.get("sci")),
    }
    embodied = life.get("embodied") or {}
    for stage in ("inference", "training"):
        key = f"lifecycle.embodied.{stage}"
        values[f"{stage}_embodied"] = machine(
            embodied.get(stage), key, filename, positions, hardware_data
        )
    key_of = {
        "search_trials": "lifecycle.search.trials",
        "trial_share": "lifecycle.search.trial_share",
        "pue": "grid.pue",
        "location": "grid",
        "inference_embodied": "lifecycle.embodied.inference",
        "training_embodied": "lifecycle.embodied.training",
        "functional_unit": "sci",
    }
    given = {name: value for name, value in values.items() if value is not None}
    from_file = {}  # a value no position says where from keeps only its value
    for name, value in given.items():
        key = key_of.get(name, f"lifecycle.{name}")
        if key in positions and (name != "location" or value.is_set):
            from_file[name] = Given(value, f"{filename}:{positions[key][0]} ({key})")
    assumptions = Assumptions(**given).given(**from_file)
    budgets = parsed.get("budgets") or {}
    runners = {
        label: _budgets({**budgets, **((section or {}).get("budgets") or {})})
        for label, section in (parsed.get("runners") or {}).items()
    }
    report = parsed.get("report") or {}
    return Config(
        path=filename,
        assumptions=assumptions,
        budgets=_budgets(budgets),
        runners=runners,
        benchmark=benchmark(parsed.get("benchmark"), directory),
        report_template=directory / report["template"] if report.get("template") else None,
        report_id=report.get("id"),
        positions=positions,
    )


def _budgets(section: dict[str, Any]) -> Budgets:
    """The budgets section's record."""
    return Budgets(
        **{name: section.get(name) for name in BUDGET_LIMITS if name in section},
        require_comparison=bool(section.get("require_comparison")),
        max_increase_percent=section.get("max_increase"),
        noise_floor_percent=section.get("noise_floor", DEFAULT_NOISE_FLOOR_PERCENT),
    )


def machine(
    section: dict[str, Any] | None,
    key: str,
    filename: str,
    positions: dict[str, tuple[int, int]],
    data: HardwareData | None,
) -> EmbodiedHardware | None:
    """A machine of `lifecycle.embodied`, from Boavizta's table or the file's own figures."""
    if not section:
        return None
    lifespan: Duration | None = section.get("lifespan")
    if section.get("hardware"):
        if data is None:
            raise ValueError(f"{key}.hardware needs Boavizta's table")  # a caller's mistake
        row = data.lookup(section["hardware"])
        total, name, source = row.total, row.name, row.source
        if lifespan is not None:
            line = positions[f"{key}.lifespan"][0]
            source += f"; lifespan from {filename}:{line} ({key}.lifespan)"
        lifespan = lifespan or row.lifespan
    else:
        total, name = section["total"], ""
        source = f"{filename}:{positions[f'{key}.total'][0]} ({key}.total)"
    if lifespan is None:
        raise ValueError(f"{key}.lifespan is missing")  # the schema's walk requires it
    return EmbodiedHardware(
        total,
        lifespan,
        source,
        share=section.get("share") or 1.0,
        count=section.get("count") or 1.0,
        utilization=section.get("utilization") or 1.0,
        name=name,
    )


def functional_unit(section: dict[str, Any] | None) -> FunctionalUnit | None:
    """The sci section's functional unit; None without one (the default unit stays)."""
    if not section:
        return None
    return FunctionalUnit(
        inferences=section.get("per") or 1.0,
        name=section.get("unit") or "",
        boundary=section.get("boundary") or "inference",
    )


def benchmark(section: dict[str, Any] | None, directory: Path) -> Benchmark | None:
    """The benchmark section's record, its folders relative to `directory`; None without one."""
    if not section:
        return None
    seconds = {
        f"{key}_s": section[key].seconds
        for key in ("warmup", "duration", "timeout", "compare_duration", "compare_batch")
        if section.get(key) is not None
    }
    plain = (
        "callable",
        "setup",
        "train_step",
        "command",
        "parameters",
        "batch_size",
        "repeats",
        "threads",
        "compare_workers",
    )
    # A value that failed its own check is None here; the problem is already reported.
    workdir = directory / (section.get("working_directory") or ".")
    return Benchmark(
        **{key: section[key] for key in plain if section.get(key) is not None},
        **seconds,
        working_directory=workdir,
        python_path=tuple(workdir / p for p in section.get("python_path") or [] if p is not None),
    )


def location(grid: dict[str, Any]) -> Location | None:
    """The grid section's location, or None when a part of it failed its own check."""
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
