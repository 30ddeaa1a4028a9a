"""One repeat of the measurement: each workload run for a while inside a codecarbon task.

Takes a prepared benchmark (`workload`) and gives, per workload, its energy in J by
component, its calls and seconds, and the time per call in its fastest stretch.
"""

from __future__ import annotations

import array
import math
import time
from collections.abc import Sequence
from typing import Any

from carbon_gate.measure.worker import user_code
from carbon_gate.measure.worker.workload import Prepared, Workload

STRETCH_S = 0.010  # see fastest_stretch


def measure_repeat(prepared: Prepared, index: int, seconds: float) -> dict[str, dict[str, float]]:
    """One repeat: each workload in turn for `seconds`, so that inference and training steps
    (whose ratio is the overhead factor k) are taken moments apart rather than minutes apart."""
    return {w.name: _measure(prepared.tracker, index, w, seconds) for w in prepared.workloads}


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
        raise user_code.UserCodeError(
            "measure",
            f"{workload.reference} {user_code.describe(error)}",
            user_code.user_trace(error),
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
