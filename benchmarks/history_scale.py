"""How the history branch scales: appending a run and reading every run back, with 10,000 runs on
the branch, against a real bare repository in a temporary folder (no network).

    python benchmarks/history_scale.py [RUNS] [--repeats N]

Builds a history of RUNS runs (default 10,000) in one commit, then times, each N times (default 5):
`history record`'s append (fetch from the bare remote, commit, push: `branch.append`), reading every
run from the ref (`branch.read_ref`: one `git ls-tree`, one `git cat-file --batch`, each entry
checked), reading them from a checkout, and the whole `carbon-gate history html` and
`history badge` commands. Prints each time and the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from history_fixtures import entries, entry  # noqa: E402

from carbon_gate.history import branch, reader  # noqa: E402


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def timed(name: str, repeats: int, action: Callable[[], object]) -> float:
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    shown = ", ".join(f"{s:.3f}" for s in seconds)
    print(f"{name:<44} median {median:.3f} s  ({shown})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    given = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carbon-gate-history-scale-") as folder:
        scratch = Path(folder)
        remote, work = scratch / "remote.git", scratch / "work"
        git(scratch, "init", "-q", "--bare", "-b", "main", str(remote))
        git(scratch, "init", "-q", "-b", "main", str(work))
        git(work, "remote", "add", "origin", str(remote))
        runs = entries(given.runs)
        files = {
            branch.entry_path(run, f"{i:08x}"): json.dumps(run.as_json(), indent=1)
            for i, run in enumerate(runs)
        }
        start = time.perf_counter()
        tip = branch._commit(work, None, files, "a history of many runs")
        git(work, "push", "-q", "origin", f"{tip}:refs/heads/{branch.DEFAULT_BRANCH}")
        print(f"built a history of {given.runs:,} runs in {time.perf_counter() - start:.1f} s")

        extra = iter(range(given.runs, given.runs + given.repeats + 1))
        timed("append one run (fetch, commit, push)", given.repeats,
              lambda: branch.append(work, entry(next(extra), 120e-6)))  # fmt: skip
        count = len(reader.read_ref(remote, f"refs/heads/{branch.DEFAULT_BRANCH}"))
        print(f"the branch now holds {count:,} runs")
        timed("read every run from the ref", given.repeats,
              lambda: reader.read_ref(work, branch.PRIVATE_REF))  # fmt: skip
        checkout = scratch / "checkout"
        git(work, "worktree", "add", "-q", str(checkout), branch.PRIVATE_REF)
        timed("read every run from a checkout", given.repeats,
              lambda: reader.read(work, str(checkout)))  # fmt: skip
        command = shutil.which("carbon-gate", path=str(Path(sys.executable).parent))
        assert command, "carbon-gate is not installed beside this Python"
        env = {**os.environ, "GIT_DIR": str(work / ".git")}

        def run(*args: str) -> None:
            subprocess.run([command, "history", *args], cwd=work, env=env, check=True,
                           capture_output=True)  # fmt: skip

        site = scratch / "site"
        timed("carbon-gate history html (fetch, read, draw)", given.repeats,
              lambda: run("html", "--output", str(site)))  # fmt: skip
        timed("carbon-gate history badge (fetch, read, draw)", given.repeats,
              lambda: run("badge", "--output", str(site / "badge.svg")))  # fmt: skip
        print(f"index.html: {(site / 'index.html').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
