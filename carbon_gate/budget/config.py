"""Loading the budget file, `carbon-budget.yml`, into a validated `Config`.

Takes the file's path (or its text); gives the records of `budget.settings`, built by
`budget.build` once the file passes `budget.schema`'s walk and the checks across its keys. Every
problem in the file is collected and reported at once, each with its line, column and key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon_gate.budget import build
from carbon_gate.budget.fields import Walk
from carbon_gate.budget.schema import ROOT
from carbon_gate.budget.settings import MIN_PAIRS, Config
from carbon_gate.errors import ConfigError, UsageError
from carbon_gate.lifecycle.grid import GridData
from carbon_gate.lifecycle.hardware import HardwareData


def read(path: Path) -> str:
    """The text of the budget file, or a `UsageError` that says what to do."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such file — write one (`carbon-gate init`, or see carbon-gate's "
            "docs/budget-file.md) or pass --config PATH"
        ) from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory — pass the budget file itself") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read it: {error.strerror}") from None
    from carbon_gate.budget import yamlfile

    return yamlfile.decode(data, display_name(path))


def parse(text: str, filename: str, grid_data: GridData, directory: Path | None = None) -> Config:
    """Validate `text` as a budget file; raise `ConfigError` listing every problem in it."""
    from carbon_gate.budget import yamlfile

    root = yamlfile.load(text, filename)
    walk = Walk(filename)
    if not root.is_mapping:
        walk.problem(
            (root.line, root.column),
            "",
            "expected a mapping of sections at the top",
            "start with `grid:`, `lifecycle:` and `budgets:` (docs/budget-file.md)",
        )
        raise ConfigError(walk.problems)
    parsed = walk.walk(ROOT, root, "")
    if parsed is not None:
        _check_location(parsed.get("grid") or {}, walk, grid_data)
        if "benchmark" in root.value and parsed.get("benchmark") is not None:
            _check_benchmark(parsed["benchmark"], walk, directory)
        template = (parsed.get("report") or {}).get("template")
        if directory is not None and template and not (directory / template).is_file():
            walk.problem(
                walk.positions["report.template"],
                "report.template",
                f"{template} is not a file",
                "give a Jinja2 template's path relative to the budget file",
            )
    table = None
    if parsed is not None and _names_hardware(parsed):
        from carbon_gate.lifecycle import hardware

        table = hardware.load()
        _check_hardware(parsed, walk, table)
    if walk.problems:
        raise ConfigError(walk.problems)
    return build.config(filename, parsed, walk.positions, directory or Path(), table)


def _names_hardware(parsed: dict[str, Any]) -> bool:
    embodied = (parsed.get("lifecycle") or {}).get("embodied") or {}
    return any((section or {}).get("hardware") for section in embodied.values())


def _check_hardware(parsed: dict[str, Any], walk: Walk, table: HardwareData) -> None:
    """Each machine the file names is in Boavizta's table."""
    embodied = (parsed.get("lifecycle") or {}).get("embodied") or {}
    for stage, section in embodied.items():
        name = (section or {}).get("hardware")
        failure = None if not name else table.problem_with(name)
        if failure is not None:
            key = f"lifecycle.embodied.{stage}.hardware"
            walk.problem(walk.positions[key], key, *failure)


def _check_benchmark(section: dict[str, Any], walk: Walk, directory: Path | None) -> None:
    """What the benchmark section needs as a whole; with `directory`, that its folders exist."""
    if not (section.get("callable") or section.get("command")):
        walk.problem(
            walk.positions["benchmark"],
            "benchmark",
            "says neither what to run",
            "add `callable: package.module:function` or `command: ...`",
        )
    if section.get("parameters") and not section.get("setup"):
        walk.problem(
            walk.positions["benchmark.parameters"],
            "benchmark.parameters",
            "are passed to the setup, but there is no setup",
            "add `setup: package.module:function`, or remove the parameters",
        )
    bench = build.benchmark(section, directory or Path())
    if bench is not None and bench.timeout_s <= bench.warmup_s + bench.duration_s:
        needed = bench.warmup_s + bench.duration_s
        key = "benchmark.timeout" if section.get("timeout") else "benchmark.duration"
        walk.problem(
            walk.positions.get(key, walk.positions["benchmark"]),
            key,
            f"the timeout ({bench.timeout_s:g} s) leaves no time beyond warmup + duration "
            f"({needed:g} s)",
            "set benchmark.timeout well above that: import and setup count too",
        )
    if bench is not None and bench.compare_duration_s < MIN_PAIRS * bench.pair_s:
        key = "benchmark.compare_duration"
        walk.problem(
            walk.positions.get(key, walk.positions["benchmark"]),
            key,
            f"{bench.compare_duration_s:g} s holds fewer than {MIN_PAIRS} pairs of batches of "
            f"{bench.compare_batch_s:g} s (benchmark.compare_batch), too few to judge a change",
            f"set it to {MIN_PAIRS * bench.pair_s:g} s or more, or make compare_batch shorter",
        )
    if directory is None or bench is None:
        return  # the folders are checked where the file lives, not in text parsed on its own
    if not bench.working_directory.is_dir():
        walk.problem(
            walk.positions["benchmark.working_directory"],
            "benchmark.working_directory",
            f"{bench.working_directory} is not a directory",
            "give a folder relative to the budget file",
        )
        return
    for index, folder in enumerate(bench.python_path):
        if not folder.is_dir():
            key = f"benchmark.python_path[{index}]"
            where = walk.positions.get(key, walk.positions["benchmark.python_path"])
            walk.problem(
                where,
                key,
                f"{folder} is not a directory",
                "give a folder relative to benchmark.working_directory",
            )


def _check_location(grid: dict[str, Any], walk: Walk, grid_data: GridData) -> None:
    location = build.location(grid)
    if location is None or not location.is_set:
        return
    failure = grid_data.problem_with(location)
    if failure is not None:
        key = "grid.country" if location.country else "grid.cloud.region"
        if location.cloud_provider and not grid_data.knows_provider(location.cloud_provider):
            key = "grid.cloud.provider"
        walk.problem(walk.positions[key], key, *failure)


def load(path: Path, grid_data: GridData) -> Config:
    """Read and validate the budget file at `path`."""
    return parse(read(path), display_name(path), grid_data, path.parent)


def is_example(path: Path) -> bool:
    """Whether `path` is the built-in example's, inside carbon-gate's own package."""
    return path.resolve().is_relative_to(Path(__file__).resolve().parents[1])


def display_name(path: Path) -> str:
    """`path` as messages show it: relative to the working directory when it is inside it."""
    resolved = path.resolve()
    package = Path(__file__).resolve().parents[1]
    if is_example(path):  # the built-in example: say where it lives in the package
        return str(resolved.relative_to(package.parent))
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
