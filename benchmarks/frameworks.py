"""False alarms and sensitivity of `check --base-ref` on three real frameworks.

Builds, for each framework installed, a Git repository with a model of its own kind, generated
with no download, and a budget file (`threads: 1`, the comparison's defaults: 60 s at most, batches
of 0.25 s, three workers per side):

- numpy: carbon-gate's example network (256 wide, 3 layers, 32 samples a call);
- scikit-learn: a RandomForestClassifier (30 trees) fitted on `load_digits()` in setup, predicting
  64 rows a call;
- PyTorch on the CPU: a small convolutional network (two 3×3 convolutions, 16 and 32 channels,
  each with max-pooling; a linear layer) on 16 images of 28×28.

A base for each allowed increase (the base's budget file is the policy that judges), and on each
`comment-…` (a comment added: identical code) and `slow-…` (every call busy-waits 5 % of its own
time, so the extra work is exact however busy the machine is). Then, each framework in turn and
the cases interleaved so that all see the same hours:

- A/A at `max_increase: 0 %` (RUNS runs): false alarms (exit 1), and changes significant in
  either direction (the typical call's or the whole cost's interval of the energy per inference
  without zero);
- unchanged at `max_increase: 5 %` (UNCHANGED runs): decided early, and the time to the verdict;
- +5 % at `max_increase: 0 %` (RUNS runs): found (exit 1).

Every run also records the spread between worker processes the gate measured. It prints a
Markdown table (for docs/development.md) and writes every run to --json.

Run: python benchmarks/frameworks.py [--runs 20] [--unchanged 10] [--only numpy,sklearn,torch]
        [--json frameworks.json]
About 40 s a run: some 100 minutes with the defaults for all three; nothing else should run on
the machine meanwhile. scikit-learn and PyTorch are optional (pip install scikit-learn
torch==2.13.0); a framework that is not installed is left out, and said so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import paired  # its git helper

EXAMPLE = Path(__file__).resolve().parent.parent / "carbon_gate" / "example"
MODELS = {
    "numpy": """\
from example_model import predict as _predict, setup as _setup


def setup():
    return _setup(width=256, depth=3, batch=32)


def predict(state):
    return _predict(state)
""",
    "sklearn": """\
def setup():
    from sklearn.datasets import load_digits
    from sklearn.ensemble import RandomForestClassifier

    x, y = load_digits(return_X_y=True)
    return RandomForestClassifier(n_estimators=30, random_state=0).fit(x, y), x[:64]


def predict(state):
    model, rows = state
    return model.predict(rows)
""",
    "torch": """\
import torch


def setup():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 10),
    ).eval()
    return net, torch.randn(16, 1, 28, 28)


def predict(state):
    net, images = state
    with torch.no_grad():
        return net(images)
""",
}
BATCH = {"numpy": 32, "sklearn": 64, "torch": 16}
SLOWED = """

import time as _time

_unslowed = predict


def predict(state):  # every call busy-waits 5 % of its own time
    start = _time.perf_counter()
    result = _unslowed(state)
    end = _time.perf_counter() + (_time.perf_counter() - start) * 0.05
    while _time.perf_counter() < end:
        pass
    return result
"""
BUDGET = """\
version: 1
grid: {{country: DEU}}
budgets:
  max_increase: 0 %
benchmark:
  setup: model:setup
  callable: model:predict
  batch_size: {batch}
  threads: 1
  warmup: 1 s
  duration: 5 s
  repeats: 5
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--unchanged", type=int, default=10)
    parser.add_argument("--only", default="numpy,sklearn,torch")
    parser.add_argument("--json", type=Path, default=Path("frameworks.json"))
    args = parser.parse_args()
    exe = shutil.which("carbon-gate")
    if exe is None:
        print("carbon-gate is not on PATH: pip install . first", file=sys.stderr)
        return 2
    found: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="carbon-gate-frameworks-") as folder:
        for framework in args.only.split(","):
            module = {"sklearn": "sklearn", "torch": "torch"}.get(framework, "numpy")
            if importlib.util.find_spec(module) is None:
                print(f"{framework}: not installed, left out", flush=True)
                continue
            repo = repository(Path(folder) / framework, framework)
            plan = [("unchanged, 5 %", "comment", 5)] * args.unchanged
            for _ in range(args.runs):
                plan += [("A/A, 0 %", "comment", 0), ("+5 %, 0 %", "slow", 0)]
            for case, branch, allowed in plan:
                measured = check(exe, repo, branch, allowed)
                found.append({"framework": framework, "case": case, **measured})
                print(line(found[-1]), flush=True)
    args.json.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    print()
    print(table(found))
    return 0


def repository(repo: Path, framework: str) -> Path:
    """The framework's model: a base for each allowed increase (0 and 5 %; the base's budget
    file is the policy that judges), and on each a comment added (identical code) and a model
    5 % slower."""
    repo.mkdir(parents=True)
    shutil.copy(EXAMPLE / "model.py", repo / "example_model.py")
    (repo / "model.py").write_text(MODELS[framework], encoding="utf-8")
    (repo / "carbon-budget.yml").write_text(BUDGET.format(batch=BATCH[framework]))
    paired._git(repo, "init", "-q", "-b", "base-0")
    paired._git(repo, "add", "-A")
    paired._git(repo, "commit", "-q", "-m", "base, nothing more allowed")
    budget = (repo / "carbon-budget.yml").read_text(encoding="utf-8")
    paired._git(repo, "checkout", "-q", "-b", "base-5")
    (repo / "carbon-budget.yml").write_text(
        budget.replace("max_increase: 0 %", "max_increase: 5 %")
    )
    paired._git(repo, "commit", "-q", "-am", "base, 5 % allowed")
    for allowed in (0, 5):
        for branch, change in (("comment", "\n# a comment only\n"), ("slow", SLOWED)):
            paired._git(repo, "checkout", "-q", "-b", f"{branch}-{allowed}", f"base-{allowed}")
            with (repo / "model.py").open("a", encoding="utf-8") as model:
                model.write(change)
            paired._git(repo, "commit", "-q", "-am", branch)
    return repo


def check(exe: str, repo: Path, branch: str, allowed: int) -> dict[str, Any]:
    """One `check --base-ref base-ALLOWED` of `branch-ALLOWED`."""
    paired._git(repo, "checkout", "-q", f"{branch}-{allowed}")
    start = time.monotonic()
    done = subprocess.run(
        [exe, "check", "--base-ref", f"base-{allowed}", "--comment", "off"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}):\n{done.stderr}")
    comparison = json.loads((repo / "carbon-gate-results.json").read_text())["comparison"]
    changes = comparison["changes"] or {}
    energy = {kind: stages["inference_per_1000"] for kind, stages in changes.items()}
    return {
        "fails": done.returncode == 1,
        "significant": any(c["ci"][0] > 0 or c["ci"][1] < 0 for c in energy.values()),
        "typical": energy.get("typical_call", {}).get("fraction"),
        "spread": energy.get("typical_call", {}).get("process_spread"),
        "pairs": comparison["pairs"],
        "stopped": comparison["stopped"],
        "wall_s": round(wall, 1),
    }


def line(run: dict[str, Any]) -> str:
    typical = "" if run["typical"] is None else f"typical {run['typical']:+.1%}, "
    spread = "" if run["spread"] is None else f"spread {run['spread']:.1%}, "
    return (
        f"{run['framework']:8} {run['case']:15} {'FAIL' if run['fails'] else 'pass'} "
        f"{'significant' if run['significant'] else '':11} {typical}{spread}"
        f"{run['pairs']} pairs ({run['stopped']}), {run['wall_s']} s"
    )


def table(found: list[dict[str, Any]]) -> str:
    """The figures as docs/development.md shows them, one row per framework."""
    rows = [
        f"Measured {date.today()} on {platform.machine()} ({_cpus()} CPUs), commit {_commit()}.",
        "",
        "| framework | A/A 0 %: false alarms | A/A: significant | unchanged 5 %: early "
        "| median wall | +5 % found | spread between processes (median) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for framework in dict.fromkeys(r["framework"] for r in found):
        mine = [r for r in found if r["framework"] == framework]

        def of(case: str, mine: list[dict[str, Any]] = mine) -> list[dict[str, Any]]:
            return [r for r in mine if r["case"] == case]

        same, unchanged, slower = of("A/A, 0 %"), of("unchanged, 5 %"), of("+5 %, 0 %")
        spreads = [r["spread"] for r in mine if r["spread"] is not None]
        wall = statistics.median(r["wall_s"] for r in unchanged) if unchanged else 0.0
        rows.append(
            f"| {framework} | {_count(same, 'fails')} | {_count(same, 'significant')} "
            f"| {sum(r['stopped'] == 'clear' for r in unchanged)}/{len(unchanged)} "
            f"| {wall:.0f} s | {_count(slower, 'fails')} "
            f"| {statistics.median(spreads) if spreads else 0:.1%} |"
        )
    return "\n".join(rows)


def _count(runs: list[dict[str, Any]], key: str) -> str:
    return f"{sum(bool(r[key]) for r in runs)}/{len(runs)}"


def _cpus() -> str:
    return str(os.cpu_count())


def _commit() -> str:
    here = Path(__file__).resolve().parent
    return paired._git(here, "rev-parse", "--short", "HEAD")


if __name__ == "__main__":
    raise SystemExit(main())
