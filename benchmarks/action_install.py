"""How long the action's install step takes: action.yml's first step itself, run by bash as GitHub
runs it, installing this checkout into a virtualenv made from `python3`.

    python benchmarks/action_install.py [RUNS] [--installer uv|pip]

Prints each run's seconds with warm caches (pip's and uv's own) and cold ones (`PIP_NO_CACHE_DIR`,
`UV_NO_CACHE`: pip and uv download everything, uv itself included), then the medians. `--installer
pip` times the step as it was before uv: pip for everything. pip's configuration is left out
(`PIP_CONFIG_FILE=/dev/null`), as on GitHub's runners: pip's own package sources would make the
step choose pip. Network: the package registry, as the action itself.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PIP_SOURCES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INDEX")


def step_script() -> str:
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    return str(next(s for s in steps if s.get("id") == "install")["run"])


def step_environment(runner: Path, installer: str, cache: bool) -> dict[str, str]:
    """The step's environment as a runner gives it: its inputs, RUNNER_TEMP and GITHUB_OUTPUT in
    `runner`, and none of this machine's pip configuration; caches off unless `cache`."""
    env = {k: v for k, v in os.environ.items() if k not in PIP_SOURCES}
    env |= {
        "PIP_CONFIG_FILE": os.devnull,
        "RUNNER_TEMP": str(runner),
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_ACTION_PATH": str(ROOT),
        "CARBON_GATE_PYTHON": "python3",
        "CARBON_GATE_REQUIREMENTS": "",
        "CARBON_GATE_INSTALLER": installer,
    }
    if not cache:
        env |= {"PIP_NO_CACHE_DIR": "1", "UV_NO_CACHE": "1"}
    return env


def install(installer: str, cache: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="carbon-gate-install-") as folder:
        script = Path(folder) / "step.sh"
        script.write_text(step_script())
        env = step_environment(Path(folder), installer, cache)
        start = time.perf_counter()
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - start
    used = re.search(r"^installed .* with (\w+) in \d+ s$", done.stdout, re.MULTILINE)
    # The step falls back to pip where uv cannot install: those are not uv's figures.
    if not used or used[1] != installer:
        raise SystemExit(f"the step did not install with {installer}:\n{done.stdout}{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--installer", choices=("uv", "pip"), default="uv")
    args = parser.parse_args()
    install(args.installer, cache=True)  # fill the caches once
    for cache in (True, False):
        times = [install(args.installer, cache) for _ in range(args.runs)]
        label = "warm cache" if cache else "no cache  "
        shown = " ".join(f"{t:.1f}" for t in times)
        print(f"{args.installer} {label}: {shown} s; median {statistics.median(times):.1f} s")


if __name__ == "__main__":
    main()
