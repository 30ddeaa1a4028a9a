"""The `carbon-gate` command line. The only place that turns errors into exit codes.

Exit codes: 0 pass, 1 over budget, 2 usage or budget-file error, 3 measurement or internal error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import click

from carbon_gate import __version__, output
from carbon_gate.cli import flags
from carbon_gate.cli.flags import EXAMPLE_CONFIG
from carbon_gate.cli.options import GateOptions
from carbon_gate.errors import CarbonGateError, ConfigError, MeasurementError

# EXAMPLE_CONFIG too: the tests and the benchmarks take it from here.
__all__ = ["EXAMPLE_CONFIG", "cli", "main"]


class _Group(click.Group):
    """Runs a command, prints any error it raises, and exits with the code the command returned."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            code = super().invoke(ctx)
        except ConfigError as error:
            _print_problems(error)
            ctx.exit(error.exit_code)
        except MeasurementError as error:
            output.message(f"error: {error}")
            if error.details.strip():
                output.message("\n".join(f"  | {line}" for line in error.details.splitlines()))
            ctx.exit(error.exit_code)
        except CarbonGateError as error:
            output.message(f"error: {error}")
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as error:  # the last line of defence: no traceback, but what happened
            if os.environ.get("CARBON_GATE_DEBUG"):
                raise
            message = f"internal error: {type(error).__name__}: {error}"
            token = os.environ.get("GITHUB_TOKEN", "").strip()
            if token:
                message = message.replace(token, "***")
            output.message(f"{message} — please report it; set CARBON_GATE_DEBUG=1 to see more")
            ctx.exit(3)
        ctx.exit(code if isinstance(code, int) else 0)


def _print_problems(error: ConfigError) -> None:
    for problem in error.problems:
        output.message(str(problem))
    count = len(error.problems)
    output.message(f"error: {count} problem{'s' * (count != 1)} in the budget file")


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="carbon-gate")
def cli() -> None:
    """A carbon-budget gate for machine-learning repositories.

    Estimates the life-cycle CO2eq of a model (search, training, inference in the field) from a
    committed budget file, and fails when a budget is exceeded.
    """


@cli.command()
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
            _print_problems(error)
            worst = max(worst, error.exit_code)
    return worst


@cli.command()
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
def estimate(
    config: Path | None,
    example: bool,
    output_format: str,
    results_path: Path | None,
    **overrides: str | None,
) -> int:
    """Estimate the life-cycle footprint. Flags override the budget file.

    Exits 1 when the estimate exceeds a budget set in the budget file.
    """
    from carbon_gate.cli.estimate import estimate as run

    return run(flags.config_path(config, example), overrides, output_format, results_path)


@cli.command()
@flags.budget_file
@flags.results_output("results_path", "Where to write the results file.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Print a table, or the results file's JSON.",
)
def measure(config: Path | None, example: bool, results_path: Path, output_format: str) -> int:
    """Measure the energy of one inference with codecarbon, then estimate the life cycle.

    Runs the `benchmark:` of the budget file in a separate process, writes the results file, and
    exits 1 when the estimate exceeds a budget.
    """
    from carbon_gate.cli.measure import measure_command

    path = flags.required_config(config, example)
    return measure_command(path, results_path, output_format)


@cli.command()
@flags.budget_file
@click.option(
    "--results",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this results file for the head instead of measuring.",
)
@flags.results_output("results_output", "Where `check` writes the head's results when it measures.")
@flags.comment(
    "update", "Post the report on the pull request: edit the gate's comment, add a new one, or not."
)
@click.option("--fail-on-comment-error", is_flag=True, help="Exit 3 when the comment fails.")
@click.option(
    "--base-ref",
    metavar="REF",
    help="Measure this commit too (from a temporary git worktree), in alternation with the head, "
    "and judge the change pair by pair.",
)
@click.option(
    "--base-output",
    type=click.Path(path_type=Path, dir_okay=False),
    default="carbon-gate-base-results.json",
    show_default=True,
    help="Where `check` writes the base's results when it measures them.",
)
@flags.artifact(
    "Also save the results and the pull request's number in this folder, for the workflow that "
    "comments (fork-safe setup)."
)
@flags.gate
@flags.pull_request
def check(config: Path | None, example: bool, **options: Any) -> int:
    """The whole gate: measure, compare with the budgets and the base, report, comment.

    Exit codes: 0 pass (or warn), 1 over budget or grew more than allowed, 2 usage error or a
    budget that cannot be checked, 3 measurement error.
    """
    from carbon_gate.cli.check import check_command

    path = flags.required_config(config, example)
    publishing = flags.publishing(options)
    return check_command(path, GateOptions(publishing=publishing, **options), os.environ)


@cli.command()
@flags.budget_file
@click.option(
    "--results",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The head's results file.",
)
@flags.artifact(
    "A folder saved by `check --artifact`: the results, and the pull request to comment on, "
    "checked against the workflow_run event."
)
@flags.comment("off", "Post the report on the pull request too.")
@flags.gate
@flags.pull_request
def report(config: Path | None, example: bool, **options: Any) -> int:
    """Render the report from saved results files, without measuring.

    With --artifact and --comment, this is the trusted half of the fork-safe setup: it treats the
    folder as untrusted data, checks which pull request it is for, and comments."""
    from carbon_gate.cli.check import report_command

    path = flags.required_config(config, example)
    publishing = flags.publishing(options)
    return report_command(path, GateOptions(publishing=publishing, **options), os.environ)


@cli.command()
@flags.report_file("report_path", "The rendered report to post.")
@click.option(
    "--mode",
    type=click.Choice(["update", "new"]),
    default="update",
    show_default=True,
    help="Edit the gate's earlier comment, or add a new one.",
)
@flags.pull_request
def comment(report_path: Path, mode: Literal["update", "new"], **options: Any) -> int:
    """Post a rendered report on the pull request (GITHUB_TOKEN from the environment)."""
    from carbon_gate.cli.comment import comment_command

    return comment_command(report_path, mode, flags.publishing(options), os.environ)


@cli.command()
@click.option(
    "--workflow",
    type=click.Choice(["fork-safe", "single", "none"]),
    default="fork-safe",
    show_default=True,
    help="GitHub workflows to write: a pair that measures, then comments (forks' pull requests "
    "too, once on the default branch); one that does both (no comment on forks' pull "
    "requests); or none.",
)
@click.option(
    "--action",
    metavar="OWNER/REPO@REF",
    help="The carbon-gate action the workflows use. [default: the commit this carbon-gate was "
    "installed from, if pip recorded it]",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def init(workflow: str, action: str | None, force: bool) -> int:
    """Add carbon-gate to this Git repository: a commented budget file and the workflows.

    Finds the model's inference function where it can, and prints the pre-commit snippet. Never
    overwrites a file without --force.
    """
    from carbon_gate.cli.init import init as run

    return run(Path.cwd(), workflow, action, force)


@cli.command()
def schema() -> int:
    """Print the JSON Schema of the budget file (for editors and check-jsonschema)."""
    from carbon_gate.budget import schema as budget_schema

    output.result(json.dumps(budget_schema.json_schema(), indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; errors are printed without a traceback."""
    try:
        code = cli.main(args=argv, prog_name="carbon-gate", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.exceptions.Abort:
        output.message("aborted")
        return 130
    return code if isinstance(code, int) else 0
