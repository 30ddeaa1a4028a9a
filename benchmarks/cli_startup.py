"""How long `carbon-gate --help` and `carbon-gate estimate --example` take, end to end.

Run: python benchmarks/cli_startup.py [runs]   (uses the carbon-gate on PATH)
Each command runs as a fresh process, as a user or a pre-commit hook would run it; the script prints
the median and the spread of the wall times.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = [["--help"], ["validate", "--example"], ["estimate", "--example"]]


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Seconds per run of `argv`, each in a new process."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    exe = shutil.which("carbon-gate")
    if exe is None:
        print("carbon-gate is not on PATH: pip install . first", file=sys.stderr)
        return 2
    print(f"{'command':<32} {'median':>8} {'min':>8} {'max':>8}  ({runs} runs)")
    for args in COMMANDS:
        times = wall_times([exe, *args], runs)
        label = "carbon-gate " + " ".join(args)
        print(f"{label:<32} {statistics.median(times):>7.3f}s {min(times):>7.3f}s "
              f"{max(times):>7.3f}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
