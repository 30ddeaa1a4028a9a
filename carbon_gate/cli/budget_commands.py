"""The click declarations of `validate`, `estimate`, `init` and `schema`: the commands that read or
write the budget file and measure nothing. Each hands its flags to its own module, imported when
the command runs (see `main`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from carbon_gate import output
from carbon_gate.cli import flags
from carbon_gate.cli.exit_codes import reported
from carbon_gate.cli.options import EstimateFlags
from carbon_gate.errors import ConfigError


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@flags.budget_file
def validate(files: tuple[Path, ...], config: Path | None, example: bool) -> int:
    """Check budget files (FILES, or the one --config names); list every problem with its line."""
    from carbon_gate.cli.validate import validate as run

    if files and (config or example):
        raise click.UsageError("give budget files as arguments or with --config, not both")
    if len(files) <= 1:
        return run(files[0] if files else flags.required_config(config, example))
    worst = 0
    for path in files:  # as a pre-commit hook: every file is checked, each error shown
        try:
            worst = max(worst, run(path))
        except ConfigError as error:
            worst = max(worst, reported(error))
    return worst


@click.command("estimate")
@flags.budget_file
@click.option(
    "--per-inference", metavar="ENERGY", help='I before PUE, e.g. "18 mJ" (plain number: J).'
)
@click.option("--training-samples", metavar="N", help="D: training samples, e.g. 60k.")
@click.option("--epochs", metavar="N", help="E: training epochs.")
@click.option("--overhead-factor", metavar="K", help="k: training overhead factor (default 5).")
@click.option("--search-trials", metavar="N", help="H: model-search trials (0: no search).")
@click.option("--trial-share", metavar="X", help="Share of a training one trial costs, e.g. 0.25.")
@click.option("--inferences", metavar="N", help="e: inferences in the field, e.g. 1e9 or 500M.")
@click.option("--hardware-transfer", metavar="X", help="Production / benchmark energy (default 1).")
@click.option("--pue", metavar="X", help="Power usage effectiveness, ≥ 1 (default 1.58).")
@click.option("--region", metavar="CODE", help="DEU, gcp:europe-west1, or world.")
@click.option("--intensity", metavar="G", help='Own emission factor, e.g. "380 g/kWh".')
@click.option("--processors", metavar="N", help="Hardware estimate: number of processors.")
@click.option("--hours", metavar="H", help="Hardware estimate: training time, e.g. 36 (hours).")
@click.option("--watts", metavar="W", help="Hardware estimate: average power per processor (W).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--results",
    "results_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use the energy measured by `carbon-gate measure` (its results file).",
)
def estimate(config: Path | None, example: bool, **given: Any) -> int:
    """Estimate the life-cycle footprint. Flags override the budget file.

    Exits 1 when the estimate exceeds a budget set in the budget file.
    """
    from carbon_gate.cli.estimate import estimate as run

    return run(flags.config_path(config, example), EstimateFlags(**given))


@click.command("init")
@click.option(
    "--workflow",
    type=click.Choice(["fork-safe", "single", "matrix", "none"]),
    default="fork-safe",
    show_default=True,
    help="GitHub workflows to write: a pair that measures, then comments (forks' pull requests "
    "too, once on the default branch); one that does both (no comment on forks' pull "
    "requests); the pair for a matrix of legs (each budget file in the repository, on each "
    "kind of runner) merged into one comment; or none.",
)
@click.option(
    "--action",
    metavar="OWNER/REPO@REF",
    help="The carbon-gate action the workflows use. [default: the commit this carbon-gate was "
    "installed from, if pip recorded it]",
)
@click.option(
    "--history/--no-history",
    default=True,
    show_default=True,
    help="Also write the workflow that records each push to the default branch in the history "
    "(the pull requests' trend, a page and a badge).",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def init(workflow: str, action: str | None, history: bool, force: bool) -> int:
    """Add carbon-gate to this Git repository: a commented budget file and the workflows.

    Finds the model's inference function where it can, and prints the pre-commit snippet. Never
    overwrites a file without --force.
    """
    from carbon_gate.cli.init import init as run

    return run(Path.cwd(), workflow, action, force, history=history)


@click.command("schema")
def schema() -> int:
    """Print the JSON Schema of the budget file (for editors and check-jsonschema)."""
    from carbon_gate.budget import schema as budget_schema

    output.result(json.dumps(budget_schema.json_schema(), indent=2))
    return 0


@click.command("hardware")
@click.argument("pattern", default="")
def hardware(pattern: str) -> int:
    """List the machines whose embodied emissions carbon-gate knows (Boavizta's data).

    PATTERN keeps the names that hold it, e.g. `aws/c5` or `g4dn`. Use a name in the budget file
    as lifecycle.embodied.inference.hardware (docs/budget-file.md).
    """
    from carbon_gate.cli.hardware import hardware_command

    return hardware_command(pattern)
