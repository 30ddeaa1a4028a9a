"""Loading the budget file, `carbon-budget.yml`, into a validated `Config`.

Every problem in the file is collected and reported at once, each with its line, column and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_gate.budget.fields import Walk
from carbon_gate.budget.schema import ROOT
from carbon_gate.errors import ConfigError, UsageError
from carbon_gate.lifecycle.assumptions import Assumptions, Location, TrainingHardware
from carbon_gate.lifecycle.grid import GridData
from carbon_gate.units import Energy, Mass

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
    max_increase_percent: float | None = None
    noise_floor_percent: float = DEFAULT_NOISE_FLOOR_PERCENT
    require_comparison: bool = False  # fail when the comparison with the base cannot be made


BUDGET_LIMITS = ("inference_per_1000", "inference", "training", "search", "lifecycle")


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
    timeout_s: float = 300.0
    working_directory: Path = Path()
    python_path: tuple[Path, ...] = ()

    @property
    def pair_s(self) -> float:
        """One pair of the comparison with the base: a batch of each side, duration ÷ repeats."""
        return 2 * self.duration_s / self.repeats


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


def read(path: Path) -> str:
    """The text of the budget file, or a `UsageError` that says what to do."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(
            f"{path}: no such file — write one (see the README) or pass --config PATH"
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
            "start with `grid:`, `lifecycle:` and `budgets:` (see the README)",
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
    if walk.problems:
        raise ConfigError(walk.problems)
    return _build(filename, parsed, walk.positions, directory or Path())


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
    bench = _benchmark(section, directory or Path())
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
            f"{bench.pair_s / 2:g} s (duration ÷ repeats), too few to judge a change",
            f"set it to {MIN_PAIRS * bench.pair_s:g} s or more, or measure shorter batches "
            "(more repeats)",
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
    location = _location(grid)
    if location is None or not location.is_set:
        return
    failure = grid_data.problem_with(location)
    if failure is not None:
        key = "grid.country" if location.country else "grid.cloud.region"
        if location.cloud_provider and not grid_data.knows_provider(location.cloud_provider):
            key = "grid.cloud.provider"
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


def _build(
    filename: str,
    parsed: dict[str, Any],
    positions: dict[str, tuple[int, int]],
    directory: Path,
) -> Config:
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
    report = parsed.get("report") or {}
    return Config(
        path=filename,
        assumptions=assumptions,
        budgets=Budgets(
            **{name: budgets.get(name) for name in BUDGET_LIMITS if name in budgets},
            require_comparison=bool(budgets.get("require_comparison")),
            max_increase_percent=budgets.get("max_increase"),
            noise_floor_percent=budgets.get("noise_floor", DEFAULT_NOISE_FLOOR_PERCENT),
        ),
        benchmark=_benchmark(parsed.get("benchmark"), directory),
        report_template=directory / report["template"] if report.get("template") else None,
        report_id=report.get("id"),
        positions=positions,
    )


def _benchmark(section: dict[str, Any] | None, directory: Path) -> Benchmark | None:
    if not section:
        return None
    seconds = {
        f"{key}_s": section[key].seconds
        for key in ("warmup", "duration", "timeout", "compare_duration")
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
    )
    # A value that failed its own check is None here; the problem is already reported.
    workdir = directory / (section.get("working_directory") or ".")
    return Benchmark(
        **{key: section[key] for key in plain if section.get(key) is not None},
        **seconds,
        working_directory=workdir,
        python_path=tuple(workdir / p for p in section.get("python_path") or [] if p is not None),
    )


def load(path: Path, grid_data: GridData) -> Config:
    """Read and validate the budget file at `path`."""
    return parse(read(path), display_name(path), grid_data, path.parent)


def display_name(path: Path) -> str:
    """`path` as messages show it: relative to the working directory when it is inside it."""
    resolved = path.resolve()
    package = Path(__file__).resolve().parents[1]
    if resolved.is_relative_to(package):  # the built-in example: say where it lives in the package
        return str(resolved.relative_to(package.parent))
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
