"""Whose budget file judges a pull request: the base's, the policy of the branch it merges into.

A pull request is code under review, its budget file too: were it judged by its own file, one
that raises its budget (or assumes a thousandth of the energy) would pass with it. So `check
--base-ref` reads the budget file at the base commit and judges with its budgets, assumptions,
grid and runners, and compares with the base for as long and in batches as long as it says. The
head keeps only what says how to run it: its benchmark's callable, setup, parameters and folders.
A pull request that changes those values is told so first, with what its own file would decide;
the new values take effect once merged.

With no budget file at the base (the pull request that adopts carbon-gate), or one that cannot
be read, there is no policy to apply: the pull request's own file judges, and the report says so
first.
"""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path
from typing import NamedTuple

from carbon_gate.budget import config
from carbon_gate.budget.settings import Config
from carbon_gate.errors import ConfigError
from carbon_gate.lifecycle import grid
from carbon_gate.measure.git import git

# How the comparison with the base is run: how long, in batches how long, by how many processes
# a side. The policy's, not the pull request's: with a few short batches no change is significant.
_TIMING_KEYS = {
    "compare_duration_s": "benchmark.compare_duration",
    "compare_batch_s": "benchmark.compare_batch",
    "compare_workers": "benchmark.compare_workers",
}


class Policy(NamedTuple):
    """The budget file that judges (the head's benchmark, the base's policy), and the sentence the
    report says first about it ("" when the pull request does not change it)."""

    config: Config
    said: str = ""
    own: Config | None = None  # the pull request's own file, when it changes the policy


def at_base(sha: str, root: Path, config_path: Path, head: Config, data: grid.GridData) -> Policy:
    """The policy of the base commit `sha` of repository `root`, for the head's budget file
    `config_path` (read as `head`)."""
    relative = config_path.resolve().relative_to(root.resolve()).as_posix()
    text = git(root, "show", f"{sha}:{relative}")
    short = sha[:12]
    if text is None:
        return Policy(
            head,
            f"the base {short} has no {relative}: this pull request is judged by its own budget "
            "file (from the next pull request on, the base's file judges)",
        )
    try:
        # No folder: the base's paths are not checked against the head's tree; only its
        # policy is taken.
        base = config.parse(text + "\n", f"{relative} at the base {short}", data)
    except ConfigError as error:
        return Policy(
            head,
            f"the base's {relative} ({short}) cannot be read ({error.problems[0]}): this pull "
            "request is judged by its own budget file",
        )
    judging = judged_by(head, base)
    changed = differences(head, judging)
    if not changed:
        return Policy(judging)
    return Policy(
        judging,
        f"this pull request changes {relative} ({', '.join(changed)}): it is judged by the "
        f"base's ({short}), the policy of the branch it merges into",
        own=head,
    )


def judged_by(head: Config, base: Config) -> Config:
    """The head's budget file with the base's policy: budgets, assumptions, grid, runners and
    how the comparison runs; the head's benchmark otherwise, its lines and its template."""
    bench = head.benchmark
    if bench is not None and base.benchmark is not None:
        bench = replace(bench, **{name: getattr(base.benchmark, name) for name in _TIMING_KEYS})
    return replace(
        head,
        assumptions=base.assumptions,
        budgets=base.budgets,
        runners=base.runners,
        benchmark=bench,
    )


def differences(own: Config, policy: Config) -> list[str]:
    """The budget-file keys whose values the pull request's own file changes, as it names them."""
    changed = [
        f"budgets.{item.name.removesuffix('_percent')}"
        for item in fields(own.budgets)
        if getattr(own.budgets, item.name) != getattr(policy.budgets, item.name)
    ]
    mine, theirs = own.assumptions, policy.assumptions
    changed += [
        "grid" if item.name == "location" else item.name
        for item in fields(mine)
        if item.name != "sources" and getattr(mine, item.name) != getattr(theirs, item.name)
    ]
    if own.runners != policy.runners:
        changed.append("runners")
    if own.benchmark is not None and policy.benchmark is not None:
        ours, base = own.benchmark, policy.benchmark
        changed += [k for n, k in _TIMING_KEYS.items() if getattr(ours, n) != getattr(base, n)]
    return changed
