"""The measuring process: runs the user's model under codecarbon, apart from carbon-gate itself.

    python -m carbon_gate.worker DIRECTORY            measure every repeat, then leave
    python -m carbon_gate.worker DIRECTORY --serve    measure one repeat per request

DIRECTORY holds `spec.json` (what to run and for how long). The worker writes the stage it is in to
`stage` before each step (so a hang or a crash can be placed). A one-shot worker writes its result,
or the user's error with its traceback, to `result.json`. A serving worker (two of them, head and
base, measured in alternation) answers on the pipes named in the spec's `control`: one JSON line
when it is ready, then one per `measure INDEX` request, until `stop` or the end of its input.
The user's code may print, raise, call `sys.exit` or hang: the parent reads only these files and
pipes, and kills the worker when its time is up.

Nothing the user's code starts may outlive the worker, nor the worker carbon-gate. On Linux the
worker is a child subreaper: a process the user's code started stays below it even when it leaves
the session or its own parent dies, so the walk down from the worker finds it. The worker's stdin
is a pipe that carbon-gate holds open and never writes to: a guard process, forked before the
user's code is imported (a thread could wait for the GIL behind a hung C call), waits for its end;
when carbon-gate is gone, however it went (SIGKILL included), the guard stops the worker and kills
everything below it, then the whole process group.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carbon_gate.processes import (
    PR_SET_CHILD_SUBREAPER,
    PR_SET_PDEATHSIG,
    kill_descendants,
    prctl,
)
from carbon_gate.workload import Prepared, UserCodeError, measure_repeat, prepare


def main(directory: str, serve: bool = False) -> int:
    """Run the benchmark described in DIRECTORY/spec.json; always answer, never hang."""
    _guarded_by_lifeline()
    folder = Path(directory)
    # On SIGUSR1 (sent by the parent when time is up), write every thread's stack for the user.
    stacks = (folder / "stacks.txt").open("w", encoding="utf-8")
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=False)
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))

    def mark(stage: str) -> None:
        (folder / "stage").write_text(stage, encoding="utf-8")

    if serve:
        _serve(spec, mark)
    else:
        result = _guarded(lambda: run(spec, mark))
        partial = folder / "result.json.partial"
        partial.write_text(json.dumps(result), encoding="utf-8")
        partial.replace(folder / "result.json")
    sys.stdout.flush()
    sys.stderr.flush()
    # What the user's code started must not outlive this process; its orphans are ours to kill.
    kill_descendants(os.getpid())
    # Leave now: a thread the user's code left running must not keep this process alive.
    os._exit(0)


def _guarded_by_lifeline() -> None:
    """Become the subreaper of what the user's code starts, and fork the guard that kills it all
    when carbon-gate is gone (stdin closed); the user's code gets /dev/null for stdin."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    lifeline = os.dup(0)  # not inheritable: the user's children never hold it
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    worker = os.getpid()
    if os.fork() == 0:
        try:
            _guard(worker, lifeline)
        finally:
            os._exit(0)
    os.close(lifeline)


def _guard(worker: int, lifeline: int) -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the worker gone first: nothing left to guard
    # Hold no pipe of the worker's (its answers to carbon-gate): only the lifeline.
    os.closerange(3, lifeline)
    os.closerange(lifeline + 1, 1 << 16)
    while os.read(lifeline, 1):  # carbon-gate never writes: this returns when it is gone
        pass
    if os.getppid() != worker:  # the worker died before carbon-gate: its pid may be another's
        return
    try:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGSTOP)  # it starts nothing more while we look
        kill_descendants(worker, spare=os.getpid())
    finally:  # the process group at least, whatever the walk met
        os.killpg(0, signal.SIGKILL)


def run(spec: dict[str, Any], mark: Callable[[str], object]) -> dict[str, Any]:
    """Import, set up, warm up and measure; the raw numbers of every repeat."""
    prepared = prepare(spec, mark)
    mark("measure")
    per_repeat = spec["duration_s"] / spec["repeats"] / len(prepared.workloads)
    repeats: dict[str, list[dict[str, float]]] = {w.name: [] for w in prepared.workloads}
    for index in range(spec["repeats"]):
        for name, figures in measure_repeat(prepared, index, per_repeat).items():
            repeats[name].append(figures)
    return {"ok": True, **prepared.description(), "repeats": repeats}


def _serve(spec: dict[str, Any], mark: Callable[[str], object]) -> None:
    """Answer the parent's requests until it says stop, or a step fails."""
    requests_fd, replies_fd = spec["control"]
    with (
        os.fdopen(requests_fd, "r", encoding="utf-8") as requests,
        os.fdopen(replies_fd, "w", encoding="utf-8") as replies,
    ):
        prepared: Prepared | None = None

        def ready() -> dict[str, Any]:
            nonlocal prepared
            prepared = prepare(spec, mark)
            return {"ok": True, **prepared.description()}

        answer = _guarded(ready)
        while answer["ok"] and prepared is not None:
            replies.write(json.dumps(answer) + "\n")
            replies.flush()
            verb, _, argument = requests.readline().strip().partition(" ")
            if verb != "measure":  # "stop", or the parent is gone
                return
            mark("measure")
            per_repeat = spec["duration_s"] / spec["repeats"] / len(prepared.workloads)
            answer = _guarded(functools.partial(_repeat, prepared, int(argument), per_repeat))
        replies.write(json.dumps(answer) + "\n")


def _repeat(prepared: Prepared, index: int, seconds: float) -> dict[str, Any]:
    return {"ok": True, "repeat": measure_repeat(prepared, index, seconds)}


def _guarded(step: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The step's answer, or its failure as an answer: the user's, or ours (never a hang)."""
    try:
        return step()
    except UserCodeError as error:
        return {"ok": False, "stage": error.stage, "error": error.message, "trace": error.trace}
    except Exception as error:  # a fault of ours or of codecarbon: report it, never hang
        return {
            "ok": False,
            "stage": "measurement",
            "error": f"{type(error).__name__}: {error}",
            "trace": traceback.format_exc(),
            "internal": True,
        }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], serve="--serve" in sys.argv[2:]))
