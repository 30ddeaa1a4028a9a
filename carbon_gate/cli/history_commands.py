"""The click declarations of `history record`, `history html` and `history badge`: the default
branch's history, kept on a branch of the repository's own Git. Each hands its flags to
`cli.history`, imported when the command runs (see `main`)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from carbon_gate.cli import flags

# Where the history is: fetched from the remote's branch, or read from a ref or folder at hand.
_where = flags.together(
    [
        click.option(
            "--branch",
            default="carbon-gate-history",
            show_default=True,
            help="The history's branch on the remote.",
        ),
        click.option(
            "--remote", default="origin", show_default=True, help="The git remote that holds it."
        ),
    ]
)
_source = click.option(
    "--from",
    "source",
    metavar="REF|FOLDER",
    help="Read the history from this git ref, or from a checkout of the branch, instead of "
    "fetching it from the remote.",
)


@click.group("history")
def history() -> None:
    """The default branch's history: record a run, draw the dashboard, make the badge.

    The history is kept on a branch of the repository itself (one small file per run); nothing is
    sent anywhere else.
    """


@history.command("record")
@flags.budget_file
@click.option(
    "--results",
    "results_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default="carbon-gate-results.json",
    show_default=True,
    help="The results file of the run to record (from `measure` or `check`).",
)
@click.option(
    "--commit",
    metavar="SHA",
    help="The commit that was measured. [default: $GITHUB_SHA, else HEAD]",
)
@click.option(
    "--runner",
    "runner",
    multiple=True,
    metavar="LABEL",
    help="A label of the runner, kept with the run (repeatable). [default: the runner's OS, "
    "architecture and environment, from Actions' variables]",
)
@_where
def record(
    *,
    config: Path | None,
    example: bool,
    results_path: Path,
    commit: str | None,
    runner: tuple[str, ...],
    branch: str,
    remote: str,
) -> int:
    """Add a run of the default branch to the history, and push it.

    The figures are computed again from what the results file measured, under the budget file
    given here. Another run pushing at the same time is no problem: the push is tried again.
    """
    from carbon_gate.cli.history import record_command

    path = flags.required_config(config, example)
    where = {"branch": branch, "remote": remote}
    return record_command(path, results_path, commit=commit, runner=runner, **where, env=os.environ)


@history.command("html")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default="carbon-gate-history",
    show_default=True,
    help="The folder to write the page into (index.html, with the badge beside it).",
)
@click.option(
    "--commit-url",
    metavar="URL",
    help="Link each commit to URL + its SHA. [default: the repository on GitHub, in Actions]",
)
@_source
@_where
def html(
    *, output: Path, commit_url: str | None, source: str | None, branch: str, remote: str
) -> int:
    """Write the history's dashboard: a static page, one chart per stage, and the table of runs.

    Self-contained: it works from a file and on GitHub Pages.
    """
    from carbon_gate.cli.history import html_command

    return html_command(
        output, commit_url, source=source, branch=branch, remote=remote, env=os.environ
    )


@history.command("badge")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default="carbon-gate-badge.svg",
    show_default=True,
    help="The SVG badge to write; the shields.io endpoint JSON goes beside it (.json).",
)
@click.option(
    "--config",
    "config",
    metavar="FILE",
    help="Only the runs of this budget file (needed when the history holds several).",
)
@_source
@_where
def badge(*, output: Path, config: str | None, source: str | None, branch: str, remote: str) -> int:
    """Write a badge of the default branch's life-cycle CO2eq and its trend."""
    from carbon_gate.cli.history import badge_command

    return badge_command(output, config, source=source, branch=branch, remote=remote)
