"""How long the action's install step takes: a virtualenv from the runner's Python, then
`pip install` of this checkout into it — the same commands as action.yml's first step.

    python benchmarks/action_install.py [RUNS]

Prints each run's seconds with a warm pip cache (pip's default cache) and a cold one
(`--no-cache-dir`), then the medians. Network: the package registry, as the action itself.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def install(cache: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="carbon-gate-install-") as folder:
        venv = Path(folder) / "venv"
        start = time.perf_counter()
        subprocess.run(["python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        pip += ["--disable-pip-version-check"] + ([] if cache else ["--no-cache-dir"])
        subprocess.run([*pip, str(ROOT)], check=True, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        shutil.rmtree(venv)
    return seconds


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    install(cache=True)  # fill pip's cache once
    for cache in (True, False):
        times = [install(cache) for _ in range(runs)]
        label = "warm cache" if cache else "no cache  "
        shown = " ".join(f"{t:.1f}" for t in times)
        print(f"{label}: {shown} s; median {statistics.median(times):.1f} s")


if __name__ == "__main__":
    main()
