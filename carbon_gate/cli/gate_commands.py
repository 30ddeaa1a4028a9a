"""The click declarations of `measure`, `check`, `report` and `comment`: the commands that measure,
judge and publish. Each hands its flags, as values, to its own module, imported when the command
runs (see `main`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import click

from carbon_gate.cli import flags
from carbon_gate.cli.options import GateOptions
from carbon_gate.github import status


@click.command("measure")
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


@click.command("check")
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
@flags.leg
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


@click.command("report")
@flags.budget_file
@click.option(
    "--results",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The head's results file.",
)
@flags.merge
@flags.comment("off", "Post the report on the pull request too.")
@flags.gate
@flags.pull_request
def report(config: Path | None, example: bool, **options: Any) -> int:
    """Render the report from saved results files, without measuring.

    With --artifact and --comment, this is the trusted half of the fork-safe setup: it treats the
    folder as untrusted data, checks which pull request it is for, and comments. With several
    --artifact and --expect, it merges a matrix's legs into one report: each leg judged by its
    own budget file, read from this checkout."""
    from carbon_gate.cli.report import error_status

    gate = GateOptions(publishing=flags.publishing(options), **options)
    try:
        return _report(config, example, gate)
    except Exception as error:
        error_status(gate, os.environ, error)
        raise


def _report(config: Path | None, example: bool, options: GateOptions) -> int:
    """`report`, once its flags are values: one artifact or results file, or a matrix's legs."""
    from carbon_gate.cli.report import report_command

    if len(options.artifacts) > 1 or options.expect:
        from carbon_gate.cli.merge import merge_command

        values = {
            "results": options.results,
            "baseline": options.baseline,
            "history": options.history,
            "runner": options.runner,
        }
        given = [f"--{name}" for name, value in values.items() if value]
        given += ["--config"] * bool(config) + ["--example"] * example
        if given:
            raise click.UsageError(
                f"merging legs reads each leg's own budget file and results: leave out "
                f"{', '.join(given)}"
            )

        return merge_command(options, os.environ)
    path = flags.required_config(config, example)
    return report_command(path, options, os.environ)


@click.command("comment")
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


@click.command("pending")
@click.option(
    "--commit-status",
    metavar="NAME",
    default=status.CONTEXT,
    show_default=True,
    callback=flags.status_context,
    help="The commit status to mark.",
)
def pending(commit_status: str) -> int:
    """Mark the pull request's head commit as waiting for the verdict (commit status: pending).

    For the fork-safe setup's trusted workflow, on `pull_request_target`: a branch rule that
    requires the status then waits for the trusted verdict from the first push on. A commit that
    has a status already keeps it. The token needs `statuses: write`.
    """
    from carbon_gate.cli.pending import pending_command

    return pending_command(commit_status, os.environ)
