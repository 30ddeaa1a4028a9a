"""The user's benchmark inside the worker process: import it, set it up, warm it up, measure it.

Everything here runs the user's code, which may print, raise, call `sys.exit` or hang; its failures
become a `UserCodeError` that carries the stage and the user's own traceback (not ours).
"""

from __future__ import annotations

import array
import importlib
import math
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from carbon_gate.measure import tracker as codecarbon_tracker

STRETCH_S = 0.010  # see fastest_stretch
# Frames of carbon-gate's own worker files are left out of the user's tracebacks.
_OURS = {__file__, str(Path(__file__).with_name("worker.py"))}


class CommandFailed(Exception):
    """The benchmark's shell command exited with an error; carries the end of its output."""

    def __init__(self, code: int, output: str) -> None:
        super().__init__(f"exited with code {code}")
        self.output = output


class UserCodeError(Exception):
    """The user's code failed; carries the stage and the user's own traceback."""

    def __init__(self, stage: str, message: str, trace: str) -> None:
        super().__init__(message)
        self.stage, self.message, self.trace = stage, message, trace


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
    for path in reversed(spec["python_path"]):
        sys.path.insert(0, path)
    sys.path.insert(0, spec["working_directory"])

    mark("import")
    command = spec.get("command")
    infer = _command(command) if command else _load(spec["callable"])
    setup = _load(spec["setup"]) if spec.get("setup") else None
    train = _load(spec["train_step"]) if spec.get("train_step") else None

    mark("setup")
    state = _call(setup, spec["setup"], "setup", **spec["parameters"]) if setup else None
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


def measure_repeat(prepared: Prepared, index: int, seconds: float) -> dict[str, dict[str, float]]:
    """One repeat: each workload in turn for `seconds`, so that inference and training steps
    (whose ratio is the overhead factor k) are taken moments apart rather than minutes apart."""
    return {w.name: _measure(prepared.tracker, index, w, seconds) for w in prepared.workloads}


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


def _load(reference: str) -> Callable[..., Any]:
    module_name, _, attribute = reference.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except BaseException as error:  # a user's import may raise anything, even SystemExit
        reason = _describe(error).removeprefix("raised ")
        if isinstance(error, ModuleNotFoundError) and error.name == module_name.split(".")[0]:
            reason += " — is it installed here, or in a folder listed in benchmark.python_path?"
        raise UserCodeError(
            "import", f"cannot import {reference}: {reason}", _user_trace(error)
        ) from None
    if not callable(target):
        raise UserCodeError(
            "import", f"{reference} is not callable (it is {type(target).__name__})", ""
        )
    return target  # type: ignore[no-any-return]


def _call(function: Callable[..., Any], reference: str, stage: str, **kwargs: Any) -> Any:
    try:
        return function(**kwargs)
    except BaseException as error:  # SystemExit and KeyboardInterrupt included
        raise UserCodeError(stage, f"{reference} {_describe(error)}", _user_trace(error)) from None


def _describe(error: BaseException) -> str:
    if isinstance(error, CommandFailed):
        return str(error)
    if isinstance(error, SystemExit):
        return f"called sys.exit({error.code!r})"
    text = str(error)
    return f"raised {type(error).__name__}" + (f": {text}" if text else "")


def _user_trace(error: BaseException) -> str:
    """The traceback without carbon-gate's own frames: only the user's code, as they wrote it."""
    if isinstance(error, CommandFailed):
        return error.output
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename not in _OURS
        and not f.filename.startswith("<frozen")
        and "importlib" not in Path(f.filename).parts
    ]
    if not frames:
        return "".join(traceback.format_exception_only(type(error), error))
    return "Traceback (most recent call last):\n" + "".join(
        traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    )


def _bound(function: Callable[..., Any], state: Any, setup: object) -> Callable[[], Any]:
    """A call without arguments: the function, given the setup's result when there is a setup."""
    if setup is not None:
        return lambda: function(state)
    return function


def _command(command: str) -> Callable[[], Any]:
    def run_once() -> None:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CommandFailed(done.returncode, (done.stderr or done.stdout)[-4000:].strip())

    return run_once


def _warm_up(workload: Workload, seconds: float) -> dict[str, float]:
    start = time.perf_counter()
    calls = 0
    while True:
        _call(workload.call, workload.reference, "warmup")
        calls += 1
        if time.perf_counter() - start >= seconds:
            break
    return {"calls": calls, "seconds": time.perf_counter() - start}


def _measure(tracker: Any, index: int, workload: Workload, seconds: float) -> dict[str, float]:
    """Run the workload repeatedly for `seconds` inside one codecarbon task: its energy in J, its
    calls, and the time per call in its fastest stretch (see `fastest_stretch`)."""
    call = workload.call
    durations = array.array("d")  # each call's time, for the fastest stretch
    tracker.start_task(f"{workload.name}-{index}")
    start = last = time.perf_counter()
    try:
        while True:
            call()
            now = time.perf_counter()
            durations.append(now - last)
            last = now
            if now - start >= seconds:
                break
    except BaseException as error:  # the user's code may raise anything, even SystemExit
        tracker.stop_task()
        raise UserCodeError(
            "measure", f"{workload.reference} {_describe(error)}", _user_trace(error)
        ) from None
    elapsed = time.perf_counter() - start
    data = tracker.stop_task()
    joules = 3.6e6
    return {
        "calls": len(durations),
        "seconds": elapsed,
        "fastest_call_s": fastest_stretch(durations),
        "energy_j": data.energy_consumed * joules,
        "cpu_j": data.cpu_energy * joules,
        "ram_j": data.ram_energy * joules,
        "gpu_j": data.gpu_energy * joules,
        "cpu_w": data.cpu_power,
        "ram_w": data.ram_power,
        "gpu_w": data.gpu_power,
    }


def fastest_stretch(durations: Sequence[float], stretch_s: float = STRETCH_S) -> float:
    """The time per call in the fastest run of consecutive calls lasting `stretch_s` or more.

    On a shared machine other tenants slow whole stretches of calls down, by 5-10 % and more
    (benchmarks/paired.py): the mean of a batch moves with them, the fastest stretch hardly. A
    stretch is long enough to hold whatever recurs within it (a cache refill every few calls),
    and a change that recurs less often is seen by the absolute figures, not by this."""
    best, total, calls = math.inf, 0.0, 0
    for duration in durations:
        total += duration
        calls += 1
        if total >= stretch_s:
            best, total, calls = min(best, total / calls), 0.0, 0
    if best == math.inf:  # the whole batch is shorter than one stretch
        best = total / calls
    return best
