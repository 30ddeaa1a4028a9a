"""The baseline for measure_overhead.py: the example model measured with codecarbon alone.

What a user would write without carbon-gate: set the model up, warm it up, start an offline tracker,
run inference for the measuring time, stop the tracker. Same model, same times as the example.
Run: python benchmarks/bare_codecarbon.py WARMUP_S DURATION_S
"""

from __future__ import annotations

import sys
import time

from codecarbon import OfflineEmissionsTracker

from carbon_gate.example import model


def main() -> int:
    warmup_s, duration_s = float(sys.argv[1]), float(sys.argv[2])
    net = model.setup(width=256, depth=3, batch=32)
    start = time.perf_counter()
    while time.perf_counter() - start < warmup_s:
        model.predict(net)
    tracker = OfflineEmissionsTracker(
        country_iso_code="DEU", save_to_file=False, log_level="error", allow_multiple_runs=True
    )
    tracker.start()
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < duration_s:
        model.predict(net)
        calls += 1
    tracker.stop()
    energy_j = tracker.final_emissions_data.energy_consumed * 3.6e6
    print(f"{energy_j / calls / 32:.6g} J per sample")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
