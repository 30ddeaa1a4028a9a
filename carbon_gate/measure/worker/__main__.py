"""The measuring process: runs the user's model under codecarbon, apart from carbon-gate itself.

    python -m carbon_gate.measure.worker DIRECTORY            measure every repeat, then leave
    python -m carbon_gate.measure.worker DIRECTORY --serve    measure one repeat per request

(carbon-gate starts it so, but without the working directory on sys.path: `worker_process`.)
DIRECTORY holds `spec.json` (what to run and for how long). The worker writes the stage it is in to
`stage` before each step (so a hang or a crash can be placed). A one-shot worker writes its result,
or the user's error with its traceback, to `result.json`. A serving worker (two of them, head and
base, measured in alternation) answers on the pipes named in the spec's `control`: one JSON line
when it is ready, then one per `measure INDEX` request, until `stop` or the end of its input.
The user's code may print, raise, call `sys.exit` or hang: the parent reads only these files and
pipes, and kills the worker when its time is up.

Nothing the user's code starts outlives the worker: see `supervisor`, which forks first.
"""

from __future__ import annotations

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

from carbon_gate.measure.worker.repeat import measure_repeat
from carbon_gate.measure.worker.supervisor import guarded_by_lifeline
from carbon_gate.measure.worker.user_code import UserCodeError
from carbon_gate.measure.worker.workload import Prepared, prepare


def main(directory: str, serve: bool = False) -> int:
    """Run the benchmark described in DIRECTORY/spec.json; always answer, never hang."""
    guarded_by_lifeline()
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
    # Leave now: a thread the user's code left running must not keep this process alive. The
    # supervisor kills what the user's code started.
    os._exit(0)


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
