"""History entries for the tests: a default branch's runs, as `history record` would write them.

The docs' image of the dashboard is made from `entries(40)`, in Debian's chromium, by:

    python tests/browser.py docs/images/history-dashboard.png
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

from carbon_gate.history.entries import Entry, Figure, Hardware, Stage

EPYC = Hardware(
    cpu_model="AMD EPYC 7763 64-Core Processor",
    cpu_count=4,
    tracking_mode="process",
    energy_kind="estimated",
    runner=("ubuntu-latest",),
)
XEON = Hardware(
    cpu_model="Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
    cpu_count=4,
    tracking_mode="process",
    energy_kind="estimated",
    runner=("ubuntu-latest",),
)
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')

INFERENCES = 1e9
TRAINING_SAMPLES = 1e7  # samples × epochs
G_PER_KWH = 56.0


def commit(i: int) -> str:
    """The i-th run's commit: 40 hex digits, different for every i."""
    return hashlib.sha1(f"commit {i}".encode()).hexdigest()


def recorded(i: int) -> str:
    """The i-th run's time: one run a day from 2026-01-01 (30-day months are enough here)."""
    month, day = divmod(i, 28)
    year, month = divmod(month, 12)
    return f"{2026 + year}-{month + 1:02d}-{day + 1:02d}T08:{i % 60:02d}:00Z"


def _figure(value: float, spread: float) -> Figure:
    return Figure(value, value * (1 - spread), value * (1 + spread))


def entry(
    i: int,
    per_sample_j: float,
    *,
    hardware: Hardware = EPYC,
    config: str = "carbon-budget.yml",
    spread: float = 0.03,
    k: float = 6.0,
) -> Entry:
    """The i-th run, with inference at `per_sample_j` joules a sample and training k times that:
    the stages as the estimator gives them for 1e9 inferences and 1e7 training samples."""
    inference_kwh = per_sample_j * INFERENCES / 3.6e6
    training_kwh = per_sample_j * k * TRAINING_SAMPLES / 3.6e6

    def stage(kwh: float) -> Stage:
        return Stage(_figure(kwh * G_PER_KWH / 1000, spread), _figure(kwh, spread))

    inference, training = stage(inference_kwh), stage(training_kwh)
    return Entry(
        commit=commit(i),
        recorded=recorded(i),
        config=config,
        benchmark="python -m example.model",
        hardware=hardware,
        per_sample_j=_figure(per_sample_j, spread),
        overhead_factor=_figure(k, spread),
        location="FRA",
        g_per_kwh=G_PER_KWH,
        stages={
            "search": None,  # the budget file has no search section: no chart for it
            "training": training,
            "inference": inference,
            "lifecycle": stage(inference_kwh + training_kwh),
            "inference_per_1000": stage(inference_kwh / INFERENCES * 1000),
        },
    )


def entries(n: int, *, change_at: int | None = None, seed: int = 7) -> list[Entry]:
    """`n` runs, oldest first, on EPYC and from run `change_at` (default: the middle) on XEON,
    which draws about 20 % more; a 4 % regression lands a quarter of the way in and stays."""
    change = n // 2 if change_at is None else change_at
    draw = random.Random(seed)
    runs = []
    for i in range(n):
        base = 120e-6 * (1.04 if i >= n // 4 else 1.0) * (1.2 if i >= change else 1.0)
        per_sample = base * draw.gauss(1.0, 0.02)
        hardware = XEON if i >= change else EPYC
        runs.append(entry(i, per_sample, hardware=hardware, spread=draw.uniform(0.015, 0.04)))
    return runs


def hostile(run: Entry) -> Entry:
    """`run` with every text an attacker with push access could choose set to markup."""
    script, image = HOSTILE
    hardware = replace(run.hardware, cpu_model=script, gpu_model=image, runner=(image, script))
    return replace(run, config=f"{image}.yml", benchmark=script, hardware=hardware)
