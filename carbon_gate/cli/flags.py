"""The flags several commands share, as click decorators, and the budget file they name.

Light on purpose: the command declarations import this module when `carbon-gate --help` runs,
so it imports click and the standard library only (see `main`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from carbon_gate.budget.values import LABEL
from carbon_gate.cli.options import Publishing

EXAMPLE_CONFIG = Path(__file__).resolve().parents[1] / "example" / "carbon-budget.yml"
F = TypeVar("F", bound=Callable[..., Any])


def config_path(config: Path | None, example: bool) -> Path | None:
    """The budget file to read: --example, --config, or ./carbon-budget.yml if there is one."""
    if example and config:
        raise click.UsageError("--example and --config both given: keep only one of them")
    if example:
        return EXAMPLE_CONFIG
    if config:
        return config
    default = Path("carbon-budget.yml")
    return default if default.exists() else None


def required_config(config: Path | None, example: bool) -> Path:
    """As `config_path`, for commands that need a budget file: a missing one is reported by the
    loader, with what to do."""
    return config_path(config, example) or Path("carbon-budget.yml")


def together(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    """Apply a list of click options, in order (the first one is listed first in --help)."""

    def decorate(function: F) -> F:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


# `--config FILE` and `--example`: every command that reads a budget file.
budget_file = together(
    [
        click.option(
            "--config",
            "config",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Budget file. [default: ./carbon-budget.yml]",
        ),
        click.option(
            "--example", is_flag=True, help="Use the budget file of the built-in example project."
        ),
    ]
)


def report_file(dest: str, help_text: str) -> Callable[[F], F]:
    """`--report FILE`, shared by `check`, `report` (they write it) and `comment` (it reads it)."""
    return click.option(
        "--report",
        dest,
        type=click.Path(path_type=Path, dir_okay=False),
        default="carbon-gate-report.md",
        show_default=True,
        help=help_text,
    )


def comment(default: str, help_text: str) -> Callable[[F], F]:
    """`--comment update|new|off`, shared by `check` (on by default) and `report` (off)."""
    return click.option(
        "--comment",
        type=click.Choice(["update", "new", "off"]),
        default=default,
        show_default=True,
        help=help_text,
    )


def artifact(help_text: str) -> Callable[[F], F]:
    """`--artifact FOLDER`: `check` writes it, `report` reads it (the fork-safe hand-over)."""
    return click.option(
        "--artifact", type=click.Path(path_type=Path, file_okay=False), help=help_text
    )


def _words(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A leg's name or a runner's label: plain words, as a matrix writes them."""
    for item in value if isinstance(value, tuple) else [value]:
        if item is not None and not re.fullmatch(LABEL, item):
            raise click.BadParameter(
                f"{item!r}: letters, digits, spaces and ._/@+- only (80 at most), e.g. classifier"
            )
    return value


# `check --artifact`: which leg of a matrix the folder holds.
leg = together(
    [
        click.option(
            "--leg",
            metavar="NAME",
            callback=_words,
            help="With --artifact: this leg's name in a matrix, as the merging `report --expect` "
            "names it. [default: the budget file, @RUNNER]",
        ),
        click.option(
            "--runner",
            metavar="LABEL",
            callback=_words,
            help="With --artifact: the kind of machine this leg ran on (e.g. cpu, gpu), shown "
            "beside its figures.",
        ),
    ]
)

# `report`: one artifact, or the legs of a matrix to merge into one report.
merge = together(
    [
        click.option(
            "--artifact",
            "artifacts",
            multiple=True,
            type=click.Path(path_type=Path, file_okay=False),
            help="A folder saved by `check --artifact`: the results, and the pull request to "
            "comment on, checked against the workflow_run event. Repeat it to merge a matrix's "
            "legs into one report (with --expect).",
        ),
        click.option(
            "--expect",
            metavar="LEG[:BUDGET-FILE[:RUNNER]]",
            multiple=True,
            help="Merging: a leg the matrix runs (repeat it for each), and the budget file and "
            "runner it must have measured: a leg's folder is the pull request's to write, so "
            "only this binds a leg to its budget file. A leg that did not report fails the merge.",
        ),
        click.option(
            "--runner",
            metavar="LABEL",
            callback=_words,
            help="One artifact: the kind of runner it was measured on, whose runners.LABEL.budgets "
            "apply (a folder's own word is not taken). Merging: each leg's, as --expect binds it.",
        ),
        click.option(
            "--json",
            "json_output",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Merging: also write every leg's verdict and figures to this JSON file.",
        ),
    ]
)


def results_output(dest: str, help_text: str) -> Callable[[F], F]:
    """`--output FILE` for the results file, shared by `measure` and `check`."""
    return click.option(
        "--output",
        dest,
        type=click.Path(path_type=Path, dir_okay=False),
        default="carbon-gate-results.json",
        show_default=True,
        help=help_text,
    )


def _login(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--comment-as must be a GitHub login: it decides whose comment may be edited."""
    from carbon_gate.github.comments import LOGIN

    if value and not LOGIN.fullmatch(value):
        raise click.BadParameter(
            f"{value!r} is not a GitHub login — e.g. github-actions[bot] or my-app[bot]"
        )
    return value or None


# Which pull request to comment on, and how: `check`, `report` and `comment`.
pull_request = together(
    [
        click.option("--repo", metavar="OWNER/NAME", help="Outside Actions: the repository."),
        click.option("--pr", type=int, metavar="NUMBER", help="Outside Actions: the pull request."),
        click.option(
            "--report-id", metavar="ID", help="Tells this gate's comment apart from another gate's."
        ),
        click.option(
            "--comment-as",
            metavar="LOGIN",
            envvar="CARBON_GATE_COMMENT_AS",
            callback=_login,
            help="The login the token comments as (a GitHub App's: my-app[bot]); only its comment "
            "is edited. [default: asked of GitHub; env: CARBON_GATE_COMMENT_AS]",
        ),
    ]
)


def publishing(options: dict[str, Any]) -> Publishing:
    """The `pull_request` flags as a value, taken out of `options` (what is left is the rest)."""
    return Publishing(
        repo=options.pop("repo"),
        pr=options.pop("pr"),
        report_id=options.pop("report_id"),
        comment_as=options.pop("comment_as"),
    )


def status_context(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--commit-status: a name GitHub takes for a status's context."""
    from carbon_gate.github import status

    if value is None:
        return None
    try:
        return status.check_context(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


# How `check` and `report` judge and where they write the report.
gate = together(
    [
        click.option(
            "--baseline",
            type=click.Path(path_type=Path, dir_okay=False),
            help="The base's results file (from `carbon-gate measure` on the base commit).",
        ),
        report_file("report_output", "Where to write the report."),
        click.option("--warn-only", is_flag=True, help="Report failures, but pass the check."),
        click.option(
            "--history",
            metavar="REF|FOLDER",
            help="Show the default branch's trend from this history (a git ref such as "
            "origin/carbon-gate-history, or a checkout of the branch). Context only: it decides "
            "nothing.",
        ),
        click.option(
            "--require-comparison",
            is_flag=True,
            help="Fail when the comparison with the base was asked for and could not be made "
            "(as budgets.require_comparison: true).",
        ),
        click.option(
            "--commit-status",
            metavar="NAME",
            callback=status_context,
            help="Also set the verdict as the commit status NAME (e.g. carbon-gate) on the pull "
            "request's head commit: the check a branch rule can require (the token needs "
            "`statuses: write`).",
        ),
    ]
)
