"""Measuring the pull request's base: its commit checked out in a temporary `git worktree`.

The base is measured with its own budget file and its own code, exactly as `carbon-gate measure`
would have measured it on that commit. When it cannot be measured (an unknown commit, no budget
file or no benchmark there yet, a benchmark that fails), the gate goes on with the head's absolute
figures, and the reason goes into the report: a missing base is never an error of the head.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from carbon_gate import config, grid, output
from carbon_gate.errors import ConfigError, MeasurementError, UsageError
from carbon_gate.git import git


class Base(NamedTuple):
    """The base's results file content, or None and why it could not be measured."""

    content: dict[str, Any] | None
    reason: str = ""


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
    return Path(top)


def measure_base(ref: str, config_path: Path, results_path: Path, data: grid.GridData) -> Base:
    """Check out `ref` beside the working tree, measure its benchmark, write `results_path`."""
    from carbon_gate.commands.measure import measure_to_file

    root = repository_root(ref, config_path)
    sha = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if sha is None:
        return Base(
            None,
            f"the base {ref} is not in this clone (check out with `fetch-depth: 0`, or fetch it)",
        )
    relative = config_path.resolve().relative_to(root)
    with tempfile.TemporaryDirectory(prefix="carbon-gate-base-") as folder:
        tree = Path(folder) / "base"
        if git(root, "worktree", "add", "--detach", "--quiet", str(tree), sha) is None:
            return Base(None, f"git could not check out the base {sha[:12]}")
        try:
            base_config = tree / relative
            if not base_config.is_file():
                return Base(None, f"the base {sha[:12]} has no {relative}")
            output.message(f"measuring the base {sha[:12]} in a temporary worktree")
            try:
                loaded = config.load(base_config, data)
                done = measure_to_file(loaded, base_config, results_path, data)
            except ConfigError as error:
                first = error.problems[0]
                return Base(None, f"the base's {relative} has a problem: {first.message}")
            except (MeasurementError, UsageError) as error:
                return Base(None, f"the benchmark could not run on the base {sha[:12]}: {error}")
            return Base(done.content)
        finally:
            git(root, "worktree", "remove", "--force", str(tree))
            git(root, "worktree", "prune")
