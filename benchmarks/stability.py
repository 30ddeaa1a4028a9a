"""How much the per-sample energy of the example moves between separate `carbon-gate measure` runs.

Runs `carbon-gate measure --example` N times (each a fresh process) and prints every run's median
energy per sample and measured k, and the coefficient of variation across runs.

Run: python benchmarks/stability.py [runs]
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    exe = shutil.which("carbon-gate")
    if exe is None:
        print("carbon-gate is not on PATH: pip install . first", file=sys.stderr)
        return 2
    per_sample, overhead = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            out = Path(folder) / f"run-{run}.json"
            subprocess.run([exe, "measure", "--example", "--output", str(out)], check=True,
                           capture_output=True)  # fmt: skip
            summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
            per_sample.append(summary["per_sample"]["median_j"])
            overhead.append(summary["overhead_factor"]["median"])
            within = summary["per_sample"]["cv"]
            print(f"run {run + 1}: {per_sample[-1] * 1e6:8.2f} µJ per sample "
                  f"(CV within the run {within:.1%}), k = {overhead[-1]:.2f}")  # fmt: skip
    for name, values in (("energy per sample", per_sample), ("overhead factor k", overhead)):
        cv = statistics.stdev(values) / statistics.fmean(values)
        print(
            f"{name}: CV across {runs} runs {cv:.1%} (min {min(values):.4g}, max {max(values):.4g})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
