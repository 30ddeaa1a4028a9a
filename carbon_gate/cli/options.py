"""The flags of `check`, `report`, `comment` and `estimate`, as values: what click parsed, handed to
the command whole. Defaults are click's (`budget_commands`, `gate_commands`), so that a flag's
default is stated once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Comment = Literal["update", "new", "off"]


@dataclass(frozen=True)
class Publishing:
    """Which pull request the report is for, and how its comment is told apart and published."""

    repo: str | None = None  # OWNER/NAME, outside Actions
    pr: int | None = None  # the pull request's number, outside Actions
    report_id: str | None = None  # tells this gate's comment apart from another gate's
    comment_as: str | None = None  # the login the token comments as; None: ask GitHub


@dataclass(frozen=True)
class GateOptions:
    """The flags of `check` and `report`. Those only `check` has keep their defaults in `report`:
    it measures nothing, so it writes no results and has no base to check out."""

    report_output: Path
    publishing: Publishing
    comment: Comment = "off"
    results: Path | None = None  # the head's results file, instead of measuring
    baseline: Path | None = None  # the base's results file
    artifact: Path | None = None  # `check` writes the fork-safe hand-over, `report` reads it
    warn_only: bool = False
    require_comparison: bool = False
    fail_on_comment_error: bool = False
    base_ref: str | None = None  # measure this commit beside the head
    results_output: Path | None = None  # where `check` writes the head's results
    base_output: Path | None = None  # where `check` writes the base's results
    history: str | None = None  # the default branch's history, for the trend: a ref or a checkout
    leg: str | None = None  # `check --artifact`: which leg of a matrix this is
    runner: str | None = None  # `check --artifact`: the kind of runner the leg ran on
    artifacts: tuple[Path, ...] = ()  # `report`: one folder, or a matrix's legs to merge
    expect: tuple[str, ...] = ()  # `report`, merging: the legs the matrix runs
    json_output: Path | None = None  # `report`, merging: every leg as JSON
    commit_status: str | None = None  # the commit status to set on the head commit (its context)


@dataclass(frozen=True)
class EstimateFlags:
    """The flags of `estimate`. The overrides are the text the user typed (None: not given), read
    by `cli.estimate` like the budget-file key each overrides."""

    output_format: Literal["table", "json", "markdown"]
    results_path: Path | None = None  # the results file of `carbon-gate measure`, for I
    per_inference: str | None = None
    training_samples: str | None = None
    epochs: str | None = None
    overhead_factor: str | None = None
    search_trials: str | None = None
    trial_share: str | None = None
    inferences: str | None = None
    hardware_transfer: str | None = None
    pue: str | None = None
    region: str | None = None
    intensity: str | None = None
    processors: str | None = None
    hours: str | None = None
    watts: str | None = None
