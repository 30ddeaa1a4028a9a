"""Comparing with the pull request's base: its commit checked out in a temporary `git worktree`,
measured in alternation with the head (see `interleave`), and compared pair by pair
(`gate.paired`).

The base runs its own code and its own budget file's assumptions and grid, with the timing the
gate was given (warm-up, batch length: the policy's, see `base_policy`), so that the pairs are
alike. When it cannot be measured (an unknown commit,
no budget file or no benchmark there yet, another benchmark, a benchmark that fails), the head is
measured alone, the gate goes on with its absolute figures, and the reason goes into the report: a
missing base is never an error of the head.
"""

from __future__ import annotations

import contextlib
import math
import random
import re
import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from carbon_gate import files, output
from carbon_gate.budget import config
from carbon_gate.budget.settings import MIN_PAIRS, Config
from carbon_gate.cli.base_policy import relative_path
from carbon_gate.cli.measure import Measured, measure_to_file, record, runnable
from carbon_gate.errors import ConfigError, MeasurementError, UsageError
from carbon_gate.gate import paired
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement
from carbon_gate.measure.git import git, worktree
from carbon_gate.measure.interleave import Plan, interleave
from carbon_gate.measure.run import Ready
from carbon_gate.measure.worker_process import terminate_as_interrupt
from carbon_gate.results import results_file
from carbon_gate.results.records import Comparison, Results

_SHA = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")


class Compared(NamedTuple):
    """The head's results; the base's, or None and why. The gate judges the pairs from the two
    results (`gate.trusted.pairs`), as it does from the files in the fork-safe setup's trusted
    half."""

    head: Measured
    base: Results | None
    reason: str = ""


class Paths(NamedTuple):
    """The budget file, and where the head's and the base's results go."""

    config: Path
    head_results: Path
    base_results: Path


def repository_root(ref: str, config_path: Path) -> Path:
    """The Git repository the budget file is in; a `UsageError` when it is in none, or when the
    ref could be taken for an option of git's."""
    if not ref.strip() or ref.startswith("-"):
        raise UsageError(f"--base-ref {ref!r}: not a commit, branch or tag name")
    top = git(config_path.resolve().parent, "rev-parse", "--show-toplevel")
    if top is None:
        raise UsageError(
            f"--base-ref {ref}: {config.display_name(config_path)} is not in a Git repository"
        )
    if git(Path(top), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        # A mistyped name must not pass as "no base to compare with".
        hint = (
            "a shallow clone lacks it: check out with `fetch-depth: 0`, or fetch it"
            if _SHA.fullmatch(ref)
            else "is it mistyped? `git branch -a` lists the branches"
        )
        raise UsageError(f"--base-ref {ref}: no such commit, branch or tag here — {hint}")
    return Path(top)


def compare_with_base(ref: str, loaded: Config, paths: Paths, data: grid.GridData) -> Compared:
    """Measure the head beside the base `ref`; the head alone, with the reason, when the base
    cannot be measured."""
    bench = runnable(loaded, paths.config, paths.head_results, data)
    files.writable(paths.base_results)
    root = repository_root(ref, paths.config)
    # A cancelled job (SIGTERM) unwinds like Ctrl-C: the worktree is removed whatever happens.
    with terminate_as_interrupt(), _checked_out(ref, root) as (tree, sha):
        if isinstance(tree, str):
            return _alone(loaded, paths, data, tree)
        # The path as given, as the policy is found (`base_policy`): not where a link of the
        # pull request's leads. In the base's tree, the base's own links are followed.
        relative = relative_path(root, paths.config)
        base_config = tree / relative
        try:
            base_loaded = config.load(base_config, data) if base_config.is_file() else None
        except ConfigError as error:
            return _alone(
                loaded, paths, data, f"the base's {relative} has a problem: {error.problems[0]}"
            )
        if base_loaded is None or base_loaded.benchmark is None:
            what = "no benchmark in" if base_loaded else "no"
            return _alone(loaded, paths, data, f"the base {sha[:12]} has {what} {relative}")
        changed = results_file.benchmark_changes(
            measurement.identity(base_loaded.benchmark), measurement.identity(bench)
        )
        if changed:
            # What follows is the policy's to say (a warning, or a failure): not this reason.
            return _alone(loaded, paths, data, f"the base measured another benchmark ({changed})")
        # The gate's timing for both (the policy's): batches of one length make like-for-like pairs.
        base_bench = replace(
            base_loaded.benchmark,
            warmup_s=bench.warmup_s,
            duration_s=bench.duration_s,
            repeats=bench.repeats,
            compare_batch_s=bench.compare_batch_s,
        )
        output.message(
            f"measuring the head and the base {sha[:12]} (in a temporary worktree) in "
            f"alternation: batches of {bench.compare_batch_s:g} s, "
            f"at most {bench.compare_duration_s:g} s"
        )
        base_loaded = replace(base_loaded, benchmark=base_bench)
        return _in_pairs(loaded, base_loaded, paths, data, _Base(sha, tree, root))


@contextlib.contextmanager
def _checked_out(ref: str, root: Path) -> Iterator[tuple[Path | str, str]]:
    """The base's tree in a temporary worktree, removed afterwards; or why it cannot be had."""
    sha = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if sha is None:  # resolved a moment ago (repository_root): gone since
        raise UsageError(f"--base-ref {ref}: no such commit, branch or tag here")
    with worktree(root, sha) as tree:
        yield (f"git could not check out the base {sha[:12]}" if tree is None else tree), sha


class _Base(NamedTuple):
    sha: str
    tree: Path  # its worktree
    head_root: Path  # the head's repository, which the base's worker must not import from


def _alone(loaded: Config, paths: Paths, data: grid.GridData, reason: str) -> Compared:
    output.message(f"{reason}: measuring the head alone")
    # The head's results say why: the fork-safe setup's trusted half sees only the results.
    head = measure_to_file(loaded, paths.config, paths.head_results, data, base_not_measured=reason)
    return Compared(head, None, reason)


def _in_pairs(
    loaded: Config,
    base_loaded: Config,
    paths: Paths,
    data: grid.GridData,
    base_commit: _Base,
) -> Compared:
    bench, base_bench = loaded.benchmark, base_loaded.benchmark
    assert bench is not None
    assert base_bench is not None
    # One estimator for both sides: the policy the gate was given (the base's budget file, with the
    # head's benchmark: `base_policy`). The base's own file says how to run the base.
    pricing = _pricing(loaded, data)

    sha = base_commit.sha
    allowed = loaded.budgets.max_increase_percent
    alone = max(bench.repeats, math.ceil(bench.duration_s / bench.compare_batch_s))
    workers = bench.compare_workers
    base_spec = measurement.worker_spec(
        base_bench.in_pairs(), data.country_of(base_loaded.assumptions.location)
    )
    outcome = interleave(
        measurement.worker_spec(bench.in_pairs(), data.country_of(loaded.assumptions.location)),
        {**base_spec, "watch_root": str(base_commit.head_root)},
        # Alone (the base failed), the head measures as long as `measure` would: duration.
        Plan(MIN_PAIRS, alone, bench.compare_duration_s, bench.timeout_s, workers),
        lambda head, base, processes: _decisive(
            paired.priced(pricing, head, base, processes), allowed
        ),
        rng=random.Random(secrets.randbits(64)),
        vet=lambda head, base: _imported_elsewhere(head, base, base_commit.tree),
    )
    if len(outcome.head.batches.inference) < 2:
        raise MeasurementError(
            f"fewer than 2 batches fit in benchmark.compare_duration ({bench.compare_duration_s:g} "
            "s): one call takes longer than a batch — raise compare_duration, or compare_batch"
        )
    if outcome.base is None:
        reason = f"the base {sha[:12]} could not be measured: {outcome.base_failure}"
        head = record(
            loaded,
            paths.config,
            paths.head_results,
            data,
            outcome.head,
            base_not_measured=reason,
        )
        return Compared(head, None, reason)
    found = None  # too few pairs: the gate says so (trusted.pairs)
    if outcome.pairs >= MIN_PAIRS:
        found = paired.judge(
            pricing,
            outcome.head.batches.repeats(),
            outcome.base.batches.repeats(),
            list(outcome.processes),
        )
    token = secrets.token_hex(8)
    comparison = Comparison(
        id=token,
        base_commit=sha,
        pairs=outcome.pairs,
        stopped=outcome.stopped,
        max_seconds=bench.compare_duration_s,
        changes=None if found is None else paired.to_json(found),
        processes=outcome.processes,
    )
    head = record(
        loaded, paths.config, paths.head_results, data, outcome.head, comparison=comparison
    )
    base = record(
        base_loaded, paths.config, paths.base_results, data, outcome.base, comparison_id=token
    )
    stopped = paired.describe_stop(outcome.stopped, outcome.pairs, bench.compare_duration_s)
    output.message(f"{outcome.pairs} pairs measured: {stopped}")
    return Compared(head, base.results)


def _decisive(found: paired.Priced, allowed: float | None) -> bool:
    """Whether the pairs so far decide, judged at both levels from one pricing of them."""
    return paired.decisive(found.judged(interim=True), found.judged(), allowed)


def _imported_elsewhere(head: Ready, base: Ready, tree: Path) -> str:
    """Why the base's worker ran the head's code, if it did: anything imported from the head's
    repository, or the very file of a callable that the head's uses, from outside the base's
    worktree (a package installed in editable mode, say)."""
    foreign = base.foreign_files
    if foreign:
        return (
            f"its worker imported {foreign[0]}, the head's code, not the base's — list the "
            "package's folder in benchmark.python_path"
        )
    resolved = tree.resolve()
    for reference, path in base.code_files.items():
        same = path == head.code_files.get(reference)
        if same and not Path(path).is_relative_to(resolved):
            return (
                f"its worker imported {reference} from {path}, the head's code, not the base's — "
                "list the package's folder in benchmark.python_path"
            )
    return ""


def _pricing(loaded: Config, data: grid.GridData) -> paired.Pricing:
    assert loaded.benchmark is not None
    factor = data.factor(loaded.assumptions.location)
    return paired.Pricing(loaded.assumptions, factor, loaded.benchmark.batch_size)
