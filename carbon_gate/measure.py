"""Measuring the user's benchmark: run the worker process, then summarise what it measured.

`run_worker` is the edge (a subprocess, files, a clock); `summarize_run` is pure.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_gate import power_sources
from carbon_gate.config import Benchmark
from carbon_gate.errors import MeasurementError
from carbon_gate.stats import Summary, summarize

# What the worker was doing, by the stage it last wrote, for messages about a hang or a crash.
_STAGES = {
    "": "starting Python",
    "import": "importing the benchmark",
    "setup": "running setup",
    "tracker": "starting codecarbon",
    "warmup": "warming up (the first calls)",
    "measure": "measuring",
}
SPREAD_WARNING_CV = 0.10  # repeats that differ more than this are flagged as too noisy to trust
MIN_CALLS_PER_REPEAT = 5


@dataclass(frozen=True)
class Measurement:
    """What one benchmark run measured, per sample and per call, with its spread."""

    per_sample_j: Summary
    per_call_j: Summary
    batch_size: int
    raw: dict[str, Any]
    train_per_sample_j: Summary | None = None
    overhead_factor: Summary | None = None  # k measured: train step / inference, per sample
    warnings: list[str] = field(default_factory=list)

    @property
    def power_sources(self) -> dict[str, Any]:
        return dict(self.raw["power_sources"])

    @property
    def environment(self) -> dict[str, Any]:
        return dict(self.raw["environment"])

    @property
    def energy_kind(self) -> str:
        """ "measured", "estimated" (codecarbon only modelled it) or "partly measured"."""
        return power_sources.energy_kind(self.power_sources)


def identity(bench: Benchmark) -> dict[str, Any]:
    """What the benchmark runs, as the results file records it (no machine-specific paths)."""
    return {
        "callable": bench.callable,
        "setup": bench.setup,
        "train_step": bench.train_step,
        "command": bench.command,
        "parameters": bench.parameters,
        "batch_size": bench.batch_size,
        "threads": bench.threads,
        "warmup_s": bench.warmup_s,
        "duration_s": bench.duration_s,
        "repeats": bench.repeats,
    }


def worker_spec(bench: Benchmark, country: str) -> dict[str, Any]:
    """The JSON the worker reads: everything it needs, and nothing it must look up itself.

    The budget-file loader has checked the times and the folders, with their lines."""
    return {
        **identity(bench),
        "working_directory": str(bench.working_directory.resolve()),
        "python_path": [str(p.resolve()) for p in bench.python_path],
        "country": country,
    }


def run_worker(
    spec: dict[str, Any], timeout_s: float, python: str = sys.executable
) -> dict[str, Any]:
    """Run the worker in its own process group; its raw result, or a `MeasurementError`.

    Whatever happens (success, failure, timeout, Ctrl-C, SIGTERM), the whole process group is
    killed before this returns: nothing the user's code started outlives the measurement."""
    with tempfile.TemporaryDirectory(prefix="carbon-gate-") as folder:
        directory = Path(folder)
        (directory / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        log = directory / "output.log"
        with log.open("wb") as sink, _terminate_as_interrupt():
            process = subprocess.Popen(
                [python, "-m", "carbon_gate.worker", str(directory)],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole below
                env=_worker_environment(spec.get("threads")),
            )
            try:
                code = process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                stacks = _stacks(process, directory / "stacks.txt")
                stage = _STAGES.get(_read(directory / "stage"), "running")
                raise MeasurementError(
                    f"the benchmark did not finish within {timeout_s:g} s; it was {stage} — "
                    "make the call return, or raise benchmark.timeout",
                    stacks or _tail(log),
                ) from None
            finally:
                _kill_group(process)
        return _result(directory, code, log)


def _result(directory: Path, code: int, log: Path) -> dict[str, Any]:
    result_file = directory / "result.json"
    if not result_file.exists():
        stage = _STAGES.get(_read(directory / "stage"), "running")
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        hint = " (out of memory?)" if code == -signal.SIGKILL else ""
        raise MeasurementError(
            f"the benchmark process {how}{hint} while {stage}, without a result", _tail(log)
        )
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    if not result["ok"]:
        where = _STAGES.get(result["stage"], result["stage"])
        who = "carbon-gate failed" if result.get("internal") else "the benchmark failed"
        raise MeasurementError(f"{who} while {where}: {result['error']}", result["trace"])
    return result


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While measuring, SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so cleanup runs."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    ours = ("carbon_gate", "<frozen", "Stack (most recent call first)")
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


def _worker_environment(threads: int | None = None) -> dict[str, str]:
    # codecarbon reads CODECARBON_* settings (forced power, output files, its API): the gate
    # decides how codecarbon runs, so none of them may change what it measures.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("CODECARBON_")}
    # The benchmark may be a pull request's code, from a fork: it gets no token of the gate's.
    env.pop("GITHUB_TOKEN", None)
    # The worker must find the carbon_gate that is running now, even from a source checkout.
    here = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if threads is not None:  # read by the libraries when they load, so set before the import
        env.update(dict.fromkeys(_THREAD_VARIABLES, str(threads)))
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _tail(path: Path, lines: int = 30) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    kept = [line for line in text.splitlines() if "[codecarbon " not in line]
    return "\n".join(kept[-lines:])


def summarize_run(raw: dict[str, Any], batch_size: int) -> Measurement:
    """Per-sample and per-call energy of every repeat, summarised, with warnings where due."""
    for name, repeats in raw["repeats"].items():
        for repeat in repeats:
            energy = repeat["energy_j"]
            if not (math.isfinite(energy) and energy > 0):
                raise MeasurementError(
                    f"codecarbon reported {energy} J for a {name} repeat of "
                    f"{repeat['seconds']:.2f} s — no energy was measured; check that codecarbon "
                    "can see this machine's hardware (its log is in the output above)"
                )
    inference = raw["repeats"]["inference"]
    per_call = [r["energy_j"] / r["calls"] for r in inference]
    per_sample = [e / batch_size for e in per_call]
    warnings = _warnings(raw, per_sample)
    train_summary = overhead = None
    training = raw["repeats"].get("train_step")
    if training:
        train_per_sample = [r["energy_j"] / r["calls"] / batch_size for r in training]
        train_summary = summarize(train_per_sample)
        ratios = [t / i for t, i in zip(train_per_sample, per_sample, strict=True)]
        overhead = summarize(ratios)
    return Measurement(
        per_sample_j=summarize(per_sample),
        per_call_j=summarize(per_call),
        batch_size=batch_size,
        raw=raw,
        train_per_sample_j=train_summary,
        overhead_factor=overhead,
        warnings=warnings,
    )


def _warnings(raw: dict[str, Any], per_sample: list[float]) -> list[str]:
    warnings = []
    spread = summarize(per_sample)
    if spread.cv > SPREAD_WARNING_CV:
        warnings.append(
            f"the energy per sample varies by {spread.cv:.0%} between repeats (coefficient of "
            "variation): more repeats or a longer benchmark.duration will narrow it"
        )
    training = raw["repeats"].get("train_step")
    if training:
        per_train = [r["energy_j"] / r["calls"] for r in training]
        per_infer = [r["energy_j"] / r["calls"] for r in raw["repeats"]["inference"]]
        k = summarize([t / i for t, i in zip(per_train, per_infer, strict=True)]).median
        if k < 1:
            warnings.append(
                f"the measured overhead factor k is {k:.2f}: a training step costs less than an "
                "inference call — check that train_step and the callable process the same batch"
            )
    for name, repeats in raw["repeats"].items():
        fewest = min(r["calls"] for r in repeats)
        if fewest < MIN_CALLS_PER_REPEAT:
            warnings.append(
                f"a {name} repeat ran only {fewest} call(s): one call takes about as long as a "
                "repeat; raise benchmark.duration so that each repeat runs many calls"
            )
    return warnings
