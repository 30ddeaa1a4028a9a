"""Nothing a measurement started outlives carbon-gate, however carbon-gate ends: real CLI processes,
killed or hung up on, over a benchmark that hangs with children that left its session."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_repo import commit, git
from process_probe import alive, all_gone

from carbon_gate.cli.main import cli
from carbon_gate.measure.processes import end_adopted

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

# A child that leaves the benchmark's session (a server, a data loader's daemon); with "double" it
# forks once more and its parent exits, as a daemon does, so that it is no longer anyone's child.
DAEMON = """\
import os, sys, time
if sys.argv[2] == "bare":  # again, with no trace of carbon-gate in its environment
    os.execve(sys.executable, [sys.executable, __file__, sys.argv[1], "stripped"], {})
os.setsid()
if sys.argv[2] == "double" and os.fork():
    os._exit(0)
with open(sys.argv[1], "a") as pids:
    pids.write(f"{os.getpid()} ")
time.sleep(300)
"""
BENCH = """\
import os, subprocess, sys, time

PIDS = {pids!r}
DAEMON = {daemon!r}


def predict():
    if os.environ.get("HANG") != "1":
        return sum(i * i for i in range(300))
    with open(PIDS, "a") as pids:
        pids.write(f"{{os.getpid()}} ")
    kinds = ("single", "double", "bare") if os.environ.get("DIE") else ("single", "double")
    for how in kinds:
        subprocess.Popen([sys.executable, DAEMON, PIDS, how])
    if os.environ.get("DIE"):  # the benchmark's own process dies first, its daemons started
        while len(open(PIDS).read().split()) < 4:
            time.sleep(0.01)
        if os.environ["DIE"] == "exit":
            os._exit(0)
        os.kill(os.getpid(), 9)
    time.sleep(3600)
"""
BUDGET = """\
version: 1
grid: {country: FRA}
budgets:
  max_increase: 5 %
benchmark:
  callable: toymodel.bench:predict
  warmup: 0.2 s
  duration: 0.5 s
  repeats: 5
  compare_duration: 2 s
  compare_batch: 0.1 s
  timeout: 60 s
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose benchmark hangs when HANG=1, leaving three pids per worker in `pids`."""
    root = tmp_path / "repo"
    (root / "toymodel").mkdir(parents=True)
    (root / "toymodel" / "__init__.py").write_text("")
    (tmp_path / "daemon.py").write_text(DAEMON)
    bench = BENCH.format(pids=str(tmp_path / "pids"), daemon=str(tmp_path / "daemon.py"))
    (root / "toymodel" / "bench.py").write_text(bench)
    (root / "carbon-budget.yml").write_text(BUDGET)
    git(root, "init", "-q")
    commit(root, "model")
    return root


def _pids(path: Path, count: int, within_s: float = 30.0) -> list[int]:
    """The first `count` pids the benchmark wrote, once they are all there."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        pids = [int(p) for p in path.read_text().split()] if path.exists() else []
        if len(pids) >= count:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"the benchmark wrote {path.read_text() if path.exists() else 'nothing'}")


@contextlib.contextmanager
def _carbon_gate(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`carbon-gate ARGS` in `repo`, its benchmark hanging; whatever it leaves is killed after the
    test (the pids its benchmark wrote), so that a failing test leaks nothing."""
    process = subprocess.Popen(
        [sys.executable, "-m", "carbon_gate", *args],
        cwd=repo,
        env={**os.environ, "HANG": "1", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()
        pids = repo.parent / "pids"
        for pid in [int(p) for p in pids.read_text().split()] if pids.exists() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGHUP], ids=["sigkill", "sighup"])
def test_the_worker_and_the_children_that_left_its_session_die_with_carbon_gate(
    repo: Path, stop: signal.Signals
) -> None:
    with _carbon_gate(repo, "measure") as cli_process:
        pids = _pids(repo.parent / "pids", 3)  # the worker, a daemon, a double-forked daemon
        cli_process.send_signal(stop)
        cli_process.wait(timeout=30)
        assert all_gone(pids), [pid for pid in pids if alive(pid)]


@pytest.mark.parametrize("death", ["exit", "kill"])
def test_the_children_of_a_benchmark_that_died_first_die_before_carbon_gate_ends(
    repo: Path, death: str
) -> None:
    """The worker dies (os._exit, SIGKILL: the OOM killer) before anything could walk below it:
    its daemons, one in its own session, one double-forked, one with an empty environment, are
    carbon-gate's to end."""
    with _carbon_gate(repo, "measure", env={"DIE": death}) as cli_process:
        assert cli_process.wait(timeout=60) == 3  # the benchmark process died: a measurement error
        pids = _pids(repo.parent / "pids", 4, within_s=1.0)
        assert all_gone(pids, within_s=0.2), [pid for pid in pids if alive(pid)]


def _worktrees(repo: Path) -> list[str]:
    return [
        line.removeprefix("worktree ")
        for line in git(repo, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def test_a_killed_check_leaves_nothing_running_and_the_next_prunes_its_worktree(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run killed outright cannot clean up: its worktree stays registered until the next run,
    which removes it, and leaves alone the user's own worktree and that of a run still going."""
    mine = tmp_path / "mine"
    git(repo, "worktree", "add", "--quiet", "--detach", str(mine))
    with _carbon_gate(repo, "check", "--base-ref", "HEAD", "--comment", "off") as killed:
        pids = _pids(tmp_path / "pids", 6)  # the head's and the base's workers, each with two
        killed.kill()
        killed.wait(timeout=30)
        assert all_gone(pids), [pid for pid in pids if alive(pid)]
    stale = [t for t in _worktrees(repo) if t not in (str(repo), str(mine))]
    assert len(stale) == 1  # left registered: nothing ran after SIGKILL
    (tmp_path / "pids").unlink()
    with _carbon_gate(repo, "check", "--base-ref", "HEAD", "--comment", "off") as running:
        _pids(tmp_path / "pids", 6)
        live = [t for t in _worktrees(repo) if t not in (str(repo), str(mine), *stale)]
        assert len(live) == 1

        monkeypatch.chdir(repo)
        result = CliRunner().invoke(cli, ["check", "--base-ref", "HEAD", "--comment", "off"])
        assert result.exit_code == 0, result.stderr
        assert sorted(_worktrees(repo)) == sorted([str(repo), str(mine), *live])
        assert not Path(stale[0]).exists()
        assert running.poll() is None


def test_a_hung_up_check_cleans_up_as_on_ctrl_c(repo: Path, tmp_path: Path) -> None:
    """SIGHUP (the terminal closed, an SSH session lost) unwinds like SIGTERM: the workers, their
    children and the temporary worktree are gone when carbon-gate exits."""
    with _carbon_gate(repo, "check", "--base-ref", "HEAD", "--comment", "off") as hung_up:
        pids = _pids(tmp_path / "pids", 6)
        hung_up.send_signal(signal.SIGHUP)
        assert hung_up.wait(timeout=30) == 130
        assert _worktrees(repo) == [str(repo)]
        assert all_gone(pids, within_s=0.5)


# A process in a session of its own with an empty environment (`setsid env -i`): nothing about it
# says carbon-gate's; then the benchmark kills its supervisor, which would have ended it.
ESCAPES = """\
import os, subprocess, sys, time


def predict():
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
    child = subprocess.Popen(sleeper, start_new_session=True, env={{}})
    with open({pids!r}, "w") as pids:
        pids.write(str(child.pid))
    os.kill(os.getppid(), 9)
    time.sleep(60)
"""


def test_what_a_benchmark_that_killed_its_supervisor_left_dies_before_carbon_gate_ends(
    tmp_path: Path,
) -> None:
    """The process it started comes up to carbon-gate, a child subreaper, whatever it did to its
    session and environment: carbon-gate ends it before it exits."""
    pids = tmp_path / "pids"
    (tmp_path / "escapes.py").write_text(ESCAPES.format(pids=str(pids)))
    (tmp_path / "carbon-budget.yml").write_text(
        "grid: {country: FRA}\n"
        "benchmark: {callable: 'escapes:predict', warmup: 0.1 s, duration: 0.5 s, repeats: 2, "
        "timeout: 30 s}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "carbon_gate", "measure"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    pid = int(pids.read_text())
    try:
        assert done.returncode == 3, done.stderr  # the benchmark process was killed
        assert all_gone([pid], within_s=0.5)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_only_children_in_another_session_but_the_workers_are_ended() -> None:
    """carbon-gate's own children (git) share its session: left alone, their exit theirs to read.
    A child in another session is a worker, or came up from one: the others are ended."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(300)"]
    own = subprocess.Popen(sleeper)
    worker = subprocess.Popen(sleeper, start_new_session=True)
    adopted = subprocess.Popen(sleeper, start_new_session=True)
    try:
        end_adopted(workers={worker.pid})
        assert not alive(adopted.pid)
        assert alive(own.pid)
        assert alive(worker.pid)
        own.terminate()
        assert own.wait(timeout=5) == -signal.SIGTERM
    finally:
        for process in (own, worker, adopted):
            process.kill()
            process.wait()
