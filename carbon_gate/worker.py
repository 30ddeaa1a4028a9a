"""The measuring process: runs the user's model under codecarbon, apart from carbon-gate itself.

    python -m carbon_gate.worker DIRECTORY

DIRECTORY holds `spec.json` (what to run and for how long). The worker writes the stage it is in to
`stage` before each step (so a hang or a crash can be placed), and its result, or the user's error
with its traceback, to `result.json`. The user's code may print, raise, call `sys.exit` or hang:
the parent process reads only these files, and kills the worker when its time is up.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple


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


def main(directory: str) -> int:
    """Run the benchmark described in DIRECTORY/spec.json; always leave a result.json."""
    folder = Path(directory)
    # On SIGUSR1 (sent by the parent when time is up), write every thread's stack for the user.
    stacks = (folder / "stacks.txt").open("w", encoding="utf-8")
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=False)
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    try:
        result = run(spec, lambda stage: (folder / "stage").write_text(stage, encoding="utf-8"))
    except UserCodeError as error:
        result = {"ok": False, "stage": error.stage, "error": error.message, "trace": error.trace}
    except Exception as error:  # a fault of ours or of codecarbon: report it, never hang
        result = {
            "ok": False,
            "stage": "measurement",
            "error": f"{type(error).__name__}: {error}",
            "trace": traceback.format_exc(),
            "internal": True,
        }
    partial = folder / "result.json.partial"
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.replace(folder / "result.json")
    sys.stdout.flush()
    sys.stderr.flush()
    # Leave now: a thread the user's code left running must not keep this process alive.
    os._exit(0)


class Workload(NamedTuple):
    """One thing to measure: what the user calls it, and a call without arguments."""

    name: str  # "inference" or "train_step"
    reference: str  # "package.module:function", or the shell command
    call: Callable[[], Any]


def run(spec: dict[str, Any], mark: Callable[[str], object]) -> dict[str, Any]:
    """Import, set up, warm up and measure; the raw numbers of every repeat."""
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
    probing = _Probe(spec)
    probing.start()
    each = spec["warmup_s"] / len(workloads)
    warmup = {w.name: _warm_up(w, each) for w in workloads}
    mark("tracker")
    tracker, probe = probing.result()
    mark("measure")
    per_repeat = spec["duration_s"] / spec["repeats"] / len(workloads)
    repeats: dict[str, list[dict[str, float]]] = {w.name: [] for w in workloads}
    # Inference and training steps alternate, so that their ratio (the overhead factor k) compares
    # repeats taken moments apart rather than minutes apart.
    for index in range(spec["repeats"]):
        for workload in workloads:
            repeats[workload.name].append(_measure(tracker, index, workload, per_repeat))
    return {
        "ok": True,
        "environment": _environment(probe),
        "power_sources": _power_sources(tracker),
        "warmup": warmup,
        "repeats": repeats,
    }


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
        if f.filename != __file__
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


def _tracker(spec: dict[str, Any]) -> tuple[Any, Any]:
    """codecarbon's offline tracker (silent, writing nothing, PUE left to the estimator), and the
    emissions data of its first, empty task, which names the hardware."""
    from codecarbon import OfflineEmissionsTracker

    tracker = OfflineEmissionsTracker(
        country_iso_code=spec["country"],
        save_to_file=False,
        log_level="error",
        pue=1.0,
        measure_power_secs=1,
        # A shell command's energy is the whole machine's; a callable's is this process's.
        tracking_mode="machine" if spec.get("command") else "process",
        allow_multiple_runs=True,
        # Explicit, so that no .codecarbon.config file can force made-up power figures.
        force_cpu_power=None,
        force_ram_power=None,
        gpu_ids=None,
    )
    logging.getLogger("codecarbon").disabled = True
    # The hardware probe (~1.4 s) happens on the first task: do it now, outside any measurement.
    tracker.start_task("probe")
    return tracker, tracker.stop_task()


class _Probe(threading.Thread):
    """Starts codecarbon's tracker in the background; `result()` waits for it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(name="carbon-gate-probe", daemon=True)
        self.spec = spec
        self.tracker: tuple[Any, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.tracker = _tracker(self.spec)
        except BaseException as error:  # handed to the main thread by result()
            self.error = error

    def result(self) -> tuple[Any, Any]:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.tracker is not None
        return self.tracker


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
    """Run the workload repeatedly for `seconds` inside one codecarbon task; its energy in J."""
    call = workload.call
    tracker.start_task(f"{workload.name}-{index}")
    start = time.perf_counter()
    calls = 0
    try:
        while True:
            call()
            calls += 1
            if time.perf_counter() - start >= seconds:
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
        "calls": calls,
        "seconds": elapsed,
        "energy_j": data.energy_consumed * joules,
        "cpu_j": data.cpu_energy * joules,
        "ram_j": data.ram_energy * joules,
        "gpu_j": data.gpu_energy * joules,
        "cpu_w": data.cpu_power,
        "ram_w": data.ram_power,
        "gpu_w": data.gpu_power,
    }


def _environment(data: Any) -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "cpu_model": data.cpu_model,
        "cpu_count": data.cpu_count,
        "gpu_model": data.gpu_model or None,
        "gpu_count": data.gpu_count or 0,
        "ram_total_gb": data.ram_total_size,
        "tracking_mode": data.tracking_mode,
        "os": platform.platform(),
        "python": platform.python_version(),
        "codecarbon": version("codecarbon"),
    }


def _power_sources(tracker: Any) -> dict[str, Any]:
    from carbon_gate.power_sources import classify

    return classify(getattr(tracker, "_hardware", []))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
