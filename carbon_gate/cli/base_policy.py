"""Whose budget file judges a pull request: the base's, the policy of the branch it merges into.

A pull request is code under review, its budget file too: were it judged by its own file, one
that raises its budget (or assumes a thousandth of the energy) would pass with it. So `check
--base-ref` reads the budget file at the base commit and judges with its budgets, assumptions,
grid and runners, and compares with the base for as long and in batches as long as it says. The
head keeps only what says how to run it: its benchmark's callable, setup, parameters and folders.
A pull request that changes those values is told so first, with what its own file would decide;
the new values take effect once merged.

With no budget file at the base (the pull request that adopts carbon-gate) there is no policy to
apply: the pull request's own file judges, and the report says so first. A base whose budget file
cannot be read has a policy nobody can know: that is an error (exit 2), never a fall-back to the
pull request's file. The file is found by the path it was given, not by where the head's links
lead, and read with the base's own links.
"""

from __future__ import annotations

import os
from dataclasses import fields, replace
from pathlib import Path
from typing import NamedTuple

from carbon_gate.budget import config, yamlfile
from carbon_gate.budget.settings import Config
from carbon_gate.errors import ConfigError, UsageError
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement
from carbon_gate.measure.git import file_at
from carbon_gate.results import results_file

# How the comparison with the base is run: how long, in batches how long, by how many processes
# a side. The policy's, not the pull request's: with a few short batches no change is significant.
_TIMING_KEYS = {
    "warmup_s": "benchmark.warmup",
    "duration_s": "benchmark.duration",
    "repeats": "benchmark.repeats",
    "compare_duration_s": "benchmark.compare_duration",
    "compare_batch_s": "benchmark.compare_batch",
    "compare_workers": "benchmark.compare_workers",
}


class Policy(NamedTuple):
    """The budget file that judges (the head's benchmark, the base's policy), and the sentence the
    report says first about it ("" when the pull request does not change it)."""

    config: Config
    sentence: str = ""
    own: Config | None = None  # the pull request's own file, when it changes the policy
    # How the pull request changes what its benchmark runs (callable, parameters, batch size…):
    # then it cannot be compared with the base, and that is not a pass.
    benchmark_changed: str = ""


def at_base(sha: str, root: Path, config_path: Path, head: Config, data: grid.GridData) -> Policy:
    """The policy of the base commit `sha` of repository `root`, for the head's budget file
    `config_path` (read as `head`); a `UsageError` when the base has one that cannot be read:
    the policy is then unknown, which is no reason to fall back on the pull request's."""
    relative = relative_path(root, config_path)
    short = sha[:12]
    name = f"{relative} at the base {short}"
    try:
        found = file_at(root, sha, relative)
    except OSError as error:  # the path leads outside the commit, in circles, or git cannot say
        raise UsageError(f"{name}: {error.strerror} — the policy that judges is unknown") from None
    if found is None:
        return Policy(
            head,
            f"the base {short} has no {relative}: this pull request is judged by its own budget "
            "file (from the next pull request on, the base's file judges)",
        )
    try:
        # No folder: the base's paths are not checked against the head's tree; only its
        # policy is taken.
        base = config.parse(yamlfile.decode(found, name), name, data)
    except ConfigError as error:
        raise UsageError(
            f"{error.problems[0]} — the base's budget file judges this pull request, and it "
            "cannot be read: repair it on the base branch first (a pull request that repairs it "
            "is judged by it too: an administrator merges that one)"
        ) from None
    judging = judged_by(head, base)
    changed = differences(head, judging)
    bench_changed = ""
    if judging.benchmark is not None and base.benchmark is not None:
        bench_changed = results_file.benchmark_changes(
            measurement.identity(base.benchmark), measurement.identity(judging.benchmark)
        )
    if bench_changed:
        changed.append(f"what its benchmark runs: {bench_changed}")
        judging = judging.requiring_comparison()
    if not changed:
        return Policy(judging)
    sentence = (
        f"this pull request changes {relative} ({', '.join(changed)}): it is judged by the "
        f"base's ({short}), the policy of the branch it merges into"
    )
    if bench_changed:
        sentence += (
            "; a benchmark that runs something else cannot be compared with the base's, so its "
            "change is not judged, which fails"
        )
    return Policy(judging, sentence, own=head, benchmark_changed=bench_changed)


def relative_path(root: Path, config_path: Path) -> str:
    """The budget file's path in the repository `root` as it was given: none of its links
    followed, so that a link the pull request adds (the file, or a folder on its way) cannot point
    the base's policy at another file. The folders above the repository may be links."""
    given = Path(os.path.abspath(config_path))
    top = root.resolve()
    for depth in range(1, len(given.parts)):  # the shortest way to the top: above it, not below
        if Path(*given.parts[:depth]).resolve() == top:
            return Path(*given.parts[depth:]).as_posix()
    raise UsageError(f"{config_path}: not inside the repository {root}")


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
