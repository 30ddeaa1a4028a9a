"""The worker process seen from carbon-gate: a one-shot run (and what `session` shares with it).

The edge of measuring (a subprocess, files, pipes, a clock). Whatever happens (success, failure,
timeout, Ctrl-C, SIGTERM, SIGHUP), the worker's whole process group is killed before control
returns, and on Linux every process below it too, even one that left its session, and all that
came up to carbon-gate from a supervisor the benchmark killed: nothing the user's code started
outlives the measurement. Should carbon-gate itself be killed outright, the worker's supervisor
sees its stdin, a pipe only carbon-gate writes to, close, and does the same (see
`worker.supervisor`).
Everything the worker says is shown with the secrets of carbon-gate's environment masked.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from carbon_gate.errors import MeasurementError
from carbon_gate.measure import redact, run
from carbon_gate.measure.processes import (
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    end_adopted,
    kill_descendants,
    prctl,
)

# What the worker was doing, by the stage it last wrote, for messages about a hang or a crash.
_STAGES = {
    "": "starting Python",
    "import": "importing the benchmark",
    "setup": "running setup",
    "tracker": "starting codecarbon",
    "warmup": "warming up (the first calls)",
    "measure": "measuring",
}


def run_worker(spec: dict[str, Any], timeout_s: float, python: str = sys.executable) -> run.Run:
    """Run the worker once, in its own process group; its run, or a `MeasurementError`."""
    with tempfile.TemporaryDirectory(prefix="carbon-gate-") as folder:
        directory = Path(folder)
        (directory / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        log = directory / "output.log"
        with log.open("wb") as sink, terminate_as_interrupt():
            process = start(spec, directory, sink, python)
            try:
                code = process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                raise timed_out(process, directory, timeout_s) from None
            finally:
                kill_group(process)
        result_file = directory / "result.json"
        if not result_file.exists():
            raise no_result(directory, code, log)
        result: dict[str, Any] = masked(json.loads(result_file.read_text(encoding="utf-8")))
        if not result["ok"]:
            raise failure(result)
        return run.run(result)


# `python -m carbon_gate.measure.worker` would put the working directory, the pull request's
# checkout, first on sys.path: a carbon_gate/ committed there would run in place of the worker and
# its supervisor. `-c` puts "" there (nothing under PYTHONSAFEPATH), dropped before anything is
# imported, so the worker's own code comes from where this carbon_gate lies (its PYTHONPATH). The
# worker adds the checkout to sys.path itself, once its own modules are in (`worker.workload`).
# (`-P` does the same, but only from Python 3.11 on.)
_ENTRY = """\
import sys
if sys.path[:1] == [""]:
    del sys.path[0]
import runpy
runpy.run_module("carbon_gate.measure.worker", run_name="__main__", alter_sys=True)
"""


def start(
    spec: dict[str, Any],
    directory: Path,
    sink: IO[bytes],
    python: str,
    pass_fds: tuple[int, ...] = (),
) -> subprocess.Popen[bytes]:
    """Start a worker (serving when given its pipes); stdin is its lifeline (see
    `worker.supervisor`)."""
    flags = ["--serve"] if pass_fds else []
    # The user's code must not read carbon-gate's environment (a token) from /proc/PID/environ.
    prctl(PR_SET_DUMPABLE, 0)
    # Should a benchmark kill its supervisor (`worker.supervisor`), what it started comes up to us,
    # not to init, whatever it did to its session or environment, and `kill_group` ends it.
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    process = subprocess.Popen(
        [python, "-c", _ENTRY, str(directory), *flags],
        stdin=subprocess.PIPE,  # never written: its end closes when carbon-gate is gone
        stdout=sink,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed as a whole by kill_group
        env={**_worker_environment(spec.get("threads")), **_padding()},
        pass_fds=pass_fds,
    )
    _running.add(process.pid)
    return process


def timed_out(
    process: subprocess.Popen[bytes], directory: Path, timeout_s: float
) -> MeasurementError:
    stacks = _stacks(process, directory / "stacks.txt")
    stage = _STAGES.get(_read(directory / "stage"), "running")
    return _error(
        f"the benchmark did not finish within {timeout_s:g} s; it was {stage} — "
        "make the call return, or raise benchmark.timeout",
        stacks or _tail(directory / "output.log"),
    )


def no_result(directory: Path, code: int, log: Path) -> MeasurementError:
    stage = _STAGES.get(_read(directory / "stage"), "running")
    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
    hint = (
        " (out of memory? check --base-ref holds the model in benchmark.compare_workers "
        "processes per side: 1 holds the fewest)"
        if code == -signal.SIGKILL
        else ""
    )
    return _error(f"the benchmark process {how}{hint} while {stage}, without a result", _tail(log))


def failure(result: dict[str, Any]) -> MeasurementError:
    where = _STAGES.get(result["stage"], result["stage"])
    who = "carbon-gate failed" if result.get("internal") else "the benchmark failed"
    return _error(f"{who} while {where}: {result['error']}", result["trace"])


def masked(document: Any) -> Any:
    """A document from the worker with the secrets of carbon-gate's environment masked."""
    return redact.document(document, redact.secrets(os.environ))


def _error(message: str, details: str = "") -> MeasurementError:
    hidden = redact.secrets(os.environ)
    return MeasurementError(redact.text(message, hidden), redact.text(details, hidden))


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While measuring, SIGTERM (a CI job cancelled) and SIGHUP (its terminal closed) unwind like
    Ctrl-C, so cleanup runs."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    stops = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    try:
        previous = {stop: signal.signal(stop, interrupt) for stop in stops}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def _stacks(process: subprocess.Popen[bytes], path: Path) -> str:
    """Ask a hung worker where it is (faulthandler on SIGUSR1); the user's frames, if any."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGUSR1)
    text, previous = "", None
    for _ in range(40):  # up to two seconds for the dump to land, whole
        text = _read(path)
        if text and text == previous:
            break
        previous = text
        time.sleep(0.05)
    # Our frames: carbon-gate's modules, Python's frozen ones, and the worker's entry (`_ENTRY`).
    ours = ("carbon_gate", "<frozen", 'File "<string>"', "Stack (most recent call first)")
    lines = [line for line in text.splitlines() if not any(mark in line for mark in ours)]
    return (
        "Where the benchmark was when it was stopped (most recent call first):\n" + "\n".join(lines)
        if any("File" in line for line in lines)
        else ""
    )


_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)

# glibc's malloc moves its thresholds as a process runs: when a large block is freed it starts to
# keep such blocks instead of returning them to the system, and it gives the top of its heap back
# once enough of it is free. When that happens depends on everything the process allocated
# before, so two processes of the same code can differ for good: the example's train step ran at
# 780 µs per call in one worker and 1190 µs in the other (210 page faults per call), on the same
# machine, in the same run. Fixed thresholds make every worker allocate alike (no dynamic
# threshold, no trimming below 1 GiB; blocks of 32 MiB and more, glibc's largest threshold on
# 64-bit, are still mapped one by one, in every worker the same). A user's own setting of either
# threshold (the variable, or its glibc.malloc tunable) is kept.
_STEADY_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}

_running: set[int] = set()  # the workers started and not yet killed


def _worker_environment(threads: int | None = None) -> dict[str, str]:
    # codecarbon reads CODECARBON_* settings (forced power, output files, its API): the gate
    # decides how codecarbon runs, so none of them may change what it measures.
    # The benchmark may be a pull request's code, from a fork: it gets no token of GitHub's.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith("CODECARBON_") and not redact.withheld(k)
    }
    # The worker must find the carbon_gate that is running now, even from a source checkout.
    here = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if threads is not None:  # read by the libraries when they load, so set before the import
        env.update(dict.fromkeys(_THREAD_VARIABLES, str(threads)))
    for name, value in _STEADY_MALLOC.items():
        if not _sets(env, name):
            env[name] = value
    return env


def _padding() -> dict[str, str]:
    """A variable of random length for each worker: a safeguard. The environment's size moves
    where the stack starts, and with it how the program's data falls in the caches, so anything
    fixed about how one side's workers start could make that side faster for good. Linux's
    address randomisation varies it already; where that is off, this does. Either way it is one
    more difference between processes, which several workers per side average out."""
    return {"CARBON_GATE_PADDING": "x" * secrets.randbelow(4096)}


def _sets(env: dict[str, str], name: str) -> bool:
    """Whether the user set this malloc threshold themselves: the variable, or its tunable."""
    tunable = "glibc.malloc." + name.removeprefix("MALLOC_").removesuffix("_").lower() + "="
    return name in env or tunable in env.get("GLIBC_TUNABLES", "")


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the worker, its process group and (Linux) every process below it; cut its lifeline."""
    if process.returncode is None:  # not reaped yet, so its pid cannot name another process
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGSTOP)  # it starts nothing more while we look
        kill_descendants(process.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _running.discard(process.pid)
    end_adopted(_running)  # what a supervisor killed by its benchmark left
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    kept = [line for line in text.splitlines() if "[codecarbon " not in line]
    return "\n".join(kept[-lines:])
