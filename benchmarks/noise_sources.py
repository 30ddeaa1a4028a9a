"""Where the noise of a batch comes from, and how much two worker processes of the same code differ.

1. In one process, back-to-back batches of the example's predict: the coefficient of variation of
   each batch's mean time per call, median call, and time per call in its fastest 10 ms stretch
   (what `check --base-ref` compares), for several batch lengths.
2. RUNS A/A comparisons in alternation (two workers, the same code, 10 pairs of 1 s batches): the
   change of each workload (the mean of the fastest stretches' log ratios). Their standard
   deviation holds two things: how much two processes differ, and each run's own sampling error
   (the standard error of its mean). What is left of the variance once the
   sampling error's is taken out is the difference between processes: what `PROCESS_SPREAD` in
   carbon_gate/gate/paired.py stands for.

Run: python benchmarks/noise_sources.py [RUNS]   (about 25 s per A/A run; nothing else running)
"""

from __future__ import annotations

import dataclasses
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the example's budget file runs it

from carbon_gate.budget import config
from carbon_gate.example import model
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement
from carbon_gate.measure.interleave import Plan, interleave
from carbon_gate.measure.worker.repeat import fastest_stretch


def batches_in_one_process(seconds: float, count: int = 16) -> dict[str, float]:
    net = model.setup()
    for _ in range(2000):
        model.predict(net)
    kinds: dict[str, list[float]] = {"mean": [], "median": [], "fastest 10 ms": []}
    for _ in range(count):
        durations, start = [], time.perf_counter()
        while time.perf_counter() - start < seconds:
            began = time.perf_counter()
            model.predict(net)
            durations.append(time.perf_counter() - began)
        kinds["mean"].append(statistics.fmean(durations))
        kinds["median"].append(statistics.median(durations))
        kinds["fastest 10 ms"].append(fastest_stretch(durations))
    return {k: statistics.stdev(v) / statistics.fmean(v) for k, v in kinds.items()}


def a_a_changes(runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    data = grid.load()
    loaded = config.load(Path(model.__file__).with_name("carbon-budget.yml"), data)
    assert loaded.benchmark is not None
    bench = dataclasses.replace(loaded.benchmark, duration_s=10.0, repeats=10)
    spec = measurement.worker_spec(bench, data.country_of(loaded.assumptions.location))
    changes: dict[str, list[float]] = {"inference": [], "train_step": []}
    errors: dict[str, list[float]] = {"inference": [], "train_step": []}  # standard errors (log)
    for run in range(runs):
        outcome = interleave(
            spec, spec, Plan(10, 10, 1e9, 120), lambda head, base, processes: len(head) >= 10,
            rng=random.Random(run),
        )  # fmt: skip
        assert outcome.base is not None
        for name, found in changes.items():
            head = outcome.head.batches.by_workload()[name]
            base = outcome.base.batches.by_workload()[name]
            ratios = [
                math.log(h.fastest_call_s / b.fastest_call_s)
                for h, b in zip(head, base, strict=True)
            ]
            # The mean of the log ratios and its standard error: their variances add up exactly
            # (between processes + sampling), which an interval's width does not promise.
            found.append(statistics.fmean(ratios))
            errors[name].append(statistics.stdev(ratios) / math.sqrt(len(ratios)))
        print(f"A/A run {run + 1}: " + ", ".join(f"{k} {v[-1]:+.2%}" for k, v in changes.items()))
    return changes, errors


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    for seconds in (0.01, 0.1, 1.0):
        cvs = batches_in_one_process(seconds)
        print(f"batches of {seconds:g} s, CV: " + ", ".join(f"{k} {v:.2%}" for k, v in cvs.items()))
    changes, errors = a_a_changes(runs)
    for name, values in changes.items():
        total = statistics.stdev(values)
        sampling = math.sqrt(statistics.fmean(e * e for e in errors[name]))
        between = math.sqrt(max(total**2 - sampling**2, 0.0))
        print(
            f"{name}: A/A change SD {total:.2%} over {runs} runs, of which sampling "
            f"{sampling:.2%}: between processes {between:.2%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
