"""What `carbon-gate measure` costs beyond the measuring time it was asked for.

Runs, each as a fresh process, several times:
  A. `carbon-gate measure` on the built-in example (warm-up W s + duration D s, train step removed
     so that both sides measure inference only);
  B. benchmarks/bare_codecarbon.py: the same model, the same W and D, with codecarbon alone.
Prints the median wall time of each, and its overhead over W + D.

Run: python benchmarks/measure_overhead.py [runs] [warmup_s] [duration_s]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from carbon_gate.cli.flags import EXAMPLE_CONFIG

HERE = Path(__file__).resolve().parent


def example_config(folder: Path, warmup_s: float, duration_s: float) -> Path:
    """The example's budget file, measuring inference only, for the given times."""
    lines = [
        line for line in EXAMPLE_CONFIG.read_text(encoding="utf-8").splitlines()
        if "train_step:" not in line
    ]  # fmt: skip
    text = "\n".join(lines) + "\n"
    text = text.replace("warmup: 2 s", f"warmup: {warmup_s} s")
    text = text.replace("duration: 10 s", f"duration: {duration_s} s")
    path = folder / "carbon-budget.yml"
    path.write_text(text, encoding="utf-8")
    return path


def wall_time(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    warmup_s = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    duration_s = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    exe = shutil.which("carbon-gate")
    if exe is None:
        print("carbon-gate is not on PATH: pip install . first", file=sys.stderr)
        return 2
    asked = warmup_s + duration_s
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = example_config(work, warmup_s, duration_s)
        commands = {
            "carbon-gate measure": [exe, "measure", "--config", str(config)],
            "bare codecarbon script": [
                sys.executable, str(HERE / "bare_codecarbon.py"), str(warmup_s), str(duration_s)
            ],
        }  # fmt: skip
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):  # alternate, so that both see the same machine
            for name, argv in commands.items():
                times[name].append(wall_time(argv, work))
    print(f"asked for {asked:g} s of warm-up + measuring; {runs} runs each, median (min – max):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<24} {median:6.2f} s ({min(values):.2f} – {max(values):.2f}), "
              f"overhead {median - asked:+.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
