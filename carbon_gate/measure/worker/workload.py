"""The user's benchmark inside the worker process, made ready to measure: imported, set up and
warmed up, with codecarbon's tracker started (`repeat` measures it).

Takes the worker's spec; gives the `Prepared` benchmark. Everything here runs the user's code,
which may print, raise, call `sys.exit` or hang; its failures become a `UserCodeError`
(`user_code`) that carries the stage and the user's own traceback (not ours).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from carbon_gate.measure.worker import tracker as codecarbon_tracker
from carbon_gate.measure.worker import user_code


class Workload(NamedTuple):
    """One thing to measure: what the user calls it, and a call without arguments."""

    name: str  # "inference" or "train_step"
    reference: str  # "package.module:function", or the shell command
    call: Callable[[], Any]


class Prepared(NamedTuple):
    """A benchmark ready to measure: its workloads, codecarbon's tracker, what warming up took."""

    workloads: list[Workload]
    tracker: Any
    probe: Any  # the emissions data of codecarbon's first, empty task: it names the hardware
    warmup: dict[str, dict[str, float]]
    foreign_files: list[str]  # code it imported from under the spec's `watch_root`

    def description(self) -> dict[str, Any]:
        """The machine and the power sources, as the results file records them."""
        return {
            "environment": codecarbon_tracker.environment(self.probe),
            "power_sources": codecarbon_tracker.power_sources(self.tracker),
            "warmup": self.warmup,
            "code_files": _code_files(self.workloads),
            "foreign_files": self.foreign_files,
        }


def prepare(spec: dict[str, Any], mark: Callable[[str], object]) -> Prepared:
    """Import, set up and warm up the benchmark, with codecarbon's tracker started."""
    os.chdir(spec["working_directory"])
    # The checkout comes onto sys.path only now, carbon-gate's own modules imported: a carbon_gate/
    # in it can no longer stand in for them (see `worker_process._ENTRY`).
    for path in reversed(spec["python_path"]):
        sys.path.insert(0, path)
    sys.path.insert(0, spec["working_directory"])

    mark("import")
    command = spec.get("command")
    infer = user_code.shell_command(command) if command else user_code.load(spec["callable"])
    setup = user_code.load(spec["setup"]) if spec.get("setup") else None
    train = user_code.load(spec["train_step"]) if spec.get("train_step") else None

    mark("setup")
    state = user_code.call(setup, spec["setup"], "setup", **spec["parameters"]) if setup else None
    workloads = [Workload("inference", command or spec["callable"], _bound(infer, state, setup))]
    if train is not None:
        workloads.append(Workload("train_step", spec["train_step"], _bound(train, state, setup)))

    # codecarbon probes the hardware for ~1.4 s before its first measurement. That probe runs in a
    # thread while the model warms up: nothing is measured yet, and the user waits once, not twice.
    mark("warmup")
    probing = codecarbon_tracker.Probe(spec)
    probing.start()
    each = spec["warmup_s"] / len(workloads)
    warmup = {w.name: _warm_up(w, each) for w in workloads}
    mark("tracker")
    tracker, probe = probing.result()
    return Prepared(workloads, tracker, probe, warmup, _imported_from(spec.get("watch_root")))


# Folders of installed packages, wherever the environment lives: a virtualenv inside the
# repository (.venv, venv, .tox/…) holds packages, not the head's code.
_INSTALLED = {"site-packages", "dist-packages", "__pypackages__"}


def _imported_from(root: str | None) -> list[str]:
    """The first few modules loaded from under `root` (for the base's worker: the head's tree,
    which the base must not run), leaving out the running interpreter's environment and any
    installed packages: only the user's own source files count."""
    if not root:
        return []
    top = Path(root).resolve()
    environments = {
        Path(prefix).resolve() for prefix in {sys.prefix, sys.exec_prefix, sys.base_prefix}
    }
    found = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path:
            continue
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(top) or _INSTALLED & set(resolved.parts):
            continue
        # An environment that holds the repository (cloned inside a virtualenv, or into /usr/src
        # with the system's Python) would hide everything: only environments inside it count.
        if any(
            resolved.is_relative_to(env) and not top.is_relative_to(env) for env in environments
        ):
            continue
        found.append(str(resolved))
    return sorted(found)[:5]


def _code_files(workloads: list[Workload]) -> dict[str, str]:
    """Where each callable's module was imported from: the base's worker must run the base's."""
    files = {}
    for workload in workloads:
        module = sys.modules.get(workload.reference.partition(":")[0])
        path = getattr(module, "__file__", None)
        if ":" in workload.reference and path:
            files[workload.reference] = str(Path(path).resolve())
    return files


def _bound(function: Callable[..., Any], state: Any, setup: object) -> Callable[[], Any]:
    """A call without arguments: the function, given the setup's result when there is a setup."""
    if setup is not None:
        return lambda: function(state)
    return function


def _warm_up(workload: Workload, seconds: float) -> dict[str, float]:
    start = time.perf_counter()
    calls = 0
    while True:
        user_code.call(workload.call, workload.reference, "warmup")
        calls += 1
        if time.perf_counter() - start >= seconds:
            break
    return {"calls": calls, "seconds": time.perf_counter() - start}
