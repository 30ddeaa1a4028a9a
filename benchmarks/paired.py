"""How often the gate sees a change that is there, and cries wolf when there is none.

Builds a Git repository with the built-in example model and five versions of it: the base; the
base slowed down steadily by +3 %, +5 % and +10 % (each call busy-waits that share of its own time,
so the extra work is exact however busy the machine is); and "rare +20 %": every 200th call
busy-waits 20 % of the time the 200 calls before it took (a cache refill, a pause; the mean cost
grows by 20 %, while every 10 ms stretch between two such calls runs as fast as before). With
`budgets.max_increase: 0 %` (any significant increase is a regression) it then runs, RUNS times
each:

- paired:   `carbon-gate check --base-ref BASE` on each version: head and base measured in
            alternation, at most 30 s of measuring (benchmark.compare_duration), judged by both
            paired rules together (the typical call's and the whole cost's intervals);
- unpaired: `carbon-gate measure` once per version and run (15 s of measuring each, so 30 s per
            comparison), then `carbon-gate report --results HEAD --baseline BASE`, judged twice:
            with the default noise floor (20 %) and with none (0 %). The A/A comparisons take base
            runs j and j + 1.

It prints, per version, how often a regression was reported, and writes every run to --json.

Run: python benchmarks/paired.py [--runs 20] [--json paired-results.json] [--only paired|unpaired]
The paired part takes about 50 minutes with 20 runs, the unpaired part about as long; nothing
else should run on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "carbon_gate" / "example"
SLOWDOWNS = {"A/A": 0.0, "+3 %": 0.03, "+5 %": 0.05, "+10 %": 0.10, "rare +20 %": 0.20}
RARE_EVERY = 200  # calls
SLOWED = """

SLOWDOWN = {slowdown!r}  # the benchmark's injected slow-down: a share of the calls' own time
RARE = {rare!r}  # True: all of it in every {every}th call; False: a little in every call
_spent = [0.0, 0]  # the calls' own time since the last costly call, and their count


def _slowed(function: Any) -> Any:
    def call(net: Network) -> Any:
        start = time.perf_counter()
        result = function(net)
        own = time.perf_counter() - start
        if not RARE:
            extra = own * SLOWDOWN
        else:
            _spent[0] += own
            _spent[1] += 1
            extra = 0.0
            if _spent[1] == {every}:
                extra, _spent[:] = _spent[0] * SLOWDOWN, [0.0, 0]
        end = time.perf_counter() + extra
        while time.perf_counter() < end:
            pass
        return result

    return call


predict_slowed = _slowed(predict)
train_step_slowed = _slowed(train_step)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", type=Path, default=Path("paired-results.json"))
    parser.add_argument("--only", choices=("paired", "unpaired"))
    args = parser.parse_args()
    exe = shutil.which("carbon-gate")
    if exe is None:
        print("carbon-gate is not on PATH: pip install . first", file=sys.stderr)
        return 2
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="carbon-gate-paired-") as folder:
        repo = _repository(Path(folder) / "repo")
        if args.only != "unpaired":
            runs += _paired(exe, repo, args.runs)
        if args.only != "paired":
            runs += _unpaired(exe, repo, Path(folder), args.runs)
    args.json.write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    _summary(runs, args.runs)
    return 0


def _git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@invalid", *arguments],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _repository(repo: Path) -> Path:
    """The example model in a package of its own, one branch per slow-down."""
    (repo / "slowmodel").mkdir(parents=True)
    (repo / "slowmodel" / "__init__.py").write_text("", encoding="utf-8")
    model = (
        (EXAMPLE / "model.py")
        .read_text(encoding="utf-8")
        .replace("import itertools\n", "import itertools\nimport time\n")
    )
    budget = (EXAMPLE / "carbon-budget.yml").read_text(encoding="utf-8")
    for name in ("predict", "train_step"):
        budget = budget.replace(f"example.model:{name}", f"example.model:{name}_slowed")
    budget = budget.replace("carbon_gate.example.model", "slowmodel.model")
    budget = budget.replace("max_increase: 5 %", "max_increase: 0 %")
    budget = budget.replace("  repeats: 5", "  repeats: 10\n  compare_duration: 30 s")
    (repo / "carbon-budget.yml").write_text(budget, encoding="utf-8")
    _git(repo, "init", "-q", "-b", "base")
    for name, slowdown in SLOWDOWNS.items():
        if name != "A/A":
            _git(repo, "checkout", "-q", "-b", _branch(name), "base")
        (repo / "slowmodel" / "model.py").write_text(
            model
            + SLOWED.format(slowdown=slowdown, rare=name.startswith("rare"), every=RARE_EVERY),
            encoding="utf-8",
        )
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", name)
    return repo


def _branch(name: str) -> str:
    return (
        "base"
        if name == "A/A"
        else "slow-" + name.replace("+", "").replace(" %", "").replace(" ", "-")
    )


def _paired(exe: str, repo: Path, count: int) -> list[dict[str, Any]]:
    runs = []
    for run in range(count):
        for name in SLOWDOWNS:
            _git(repo, "checkout", "-q", _branch(name))
            start = time.monotonic()
            done = subprocess.run(
                [exe, "check", "--base-ref", "base", "--comment", "off"],
                cwd=repo,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.monotonic() - start
            if done.returncode not in (0, 1):
                raise SystemExit(f"check failed ({done.returncode}):\n{done.stderr}")
            comparison = json.loads((repo / "carbon-gate-results.json").read_text())["comparison"]
            changes = comparison["changes"] or {}
            whole = changes.get("whole_cost", {}).get("lifecycle", {})
            typical = changes.get("typical_call", {}).get("lifecycle", {})
            runs.append(
                {
                    "method": "paired",
                    "version": name,
                    "run": run,
                    "regression": done.returncode == 1,
                    "lifecycle_change": whole.get("fraction"),
                    "lifecycle_ci99": whole.get("ci"),
                    "typical_change": typical.get("fraction"),
                    "typical_ci95": typical.get("ci"),
                    "by_typical": bool(typical) and typical["ci"][0] > 0,
                    "by_whole": bool(whole) and whole["ci"][0] > 0,
                    "pairs": comparison["pairs"],
                    "stopped": comparison["stopped"],
                    "seconds": round(seconds, 1),
                }
            )
            print(_line(runs[-1]), flush=True)
    return runs


def _unpaired(exe: str, repo: Path, folder: Path, count: int) -> list[dict[str, Any]]:
    """Separate `measure` runs of each version; judged with and without the noise floor."""
    budget = (repo / "carbon-budget.yml").read_text(encoding="utf-8")
    measured: dict[str, list[Path]] = {}
    for run in range(count):
        for name in SLOWDOWNS:
            if name == "A/A":
                continue  # A/A compares base runs with one another
            versions = ["base", name] if name == "+3 %" else [name]
            for version in versions:
                branch = "base" if version == "base" else _branch(version)
                _git(repo, "checkout", "-q", branch)
                (repo / "carbon-budget.yml").write_text(
                    budget.replace("duration: 10 s", "duration: 15 s"), encoding="utf-8"
                )
                out = folder / f"{branch}-{run}.json"
                command = [exe, "measure", "--output", str(out)]
                subprocess.run(command, cwd=repo, capture_output=True, check=True)
                _git(repo, "checkout", "-q", "--", "carbon-budget.yml")
                measured.setdefault(version, []).append(out)
                print(f"unpaired: measured {version} run {run + 1}", flush=True)
    runs = []
    for floor in (20, 0):
        config = folder / f"floor-{floor}.yml"
        config.write_text(
            budget.replace("max_increase: 0 %", f"max_increase: 0 %\n  noise_floor: {floor} %"),
            encoding="utf-8",
        )
        for run in range(count):
            for name in SLOWDOWNS:
                base = measured["base"][run]
                head = measured["base"][(run + 1) % count] if name == "A/A" else measured[name][run]
                done = subprocess.run(
                    [exe, "report", "--config", str(config), "--results", str(head),
                     "--baseline", str(base), "--report", str(folder / "report.md")],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                head_kg = _lifecycle(head)
                runs.append(
                    {
                        "method": f"unpaired, noise floor {floor} %",
                        "version": name,
                        "run": run,
                        "regression": done.returncode == 1,
                        "lifecycle_change": head_kg / _lifecycle(base) - 1,
                    }
                )
    return runs


def _lifecycle(path: Path) -> float:
    stages = json.loads(path.read_text(encoding="utf-8"))["estimate"]["stages"]
    return float(stages["lifecycle"]["co2eq_kg"])


def _line(run: dict[str, Any]) -> str:
    def shown(change: float | None) -> str:
        return "—" if change is None else f"{change:+.2%}"

    return (
        f"{run['method']:8} {run['version']:10} run {run['run'] + 1:2}: "
        f"{'REGRESSION' if run['regression'] else 'no regression':13} life cycle: whole cost "
        f"{shown(run['lifecycle_change'])}, typical call {shown(run['typical_change'])}; "
        f"{run['pairs']} pairs in {run['seconds']} s ({run['stopped']})"
    )


def _summary(runs: list[dict[str, Any]], count: int) -> None:
    print(f"\nRegressions reported, out of {count} runs (max_increase 0 %):")
    methods = list(dict.fromkeys(str(r["method"]) for r in runs))
    print(f"{'':32}" + "".join(f"{name:>12}" for name in SLOWDOWNS))
    for method in methods:
        cells = []
        for name in SLOWDOWNS:
            chosen = [r for r in runs if r["method"] == method and r["version"] == name]
            cells.append(f"{sum(bool(r['regression']) for r in chosen)}/{len(chosen)}")
        print(f"{method:32}" + "".join(f"{cell:>12}" for cell in cells))
        if method == "paired":
            for rule in ("by_typical", "by_whole"):
                cells = []
                for name in SLOWDOWNS:
                    chosen = [r for r in runs if r["method"] == method and r["version"] == name]
                    cells.append(f"{sum(bool(r[rule]) for r in chosen)}/{len(chosen)}")
                label = f"  of which {rule.replace('_', ' ')}"
                print(f"{label:32}" + "".join(f"{cell:>12}" for cell in cells))
    for name in SLOWDOWNS:
        chosen = [r for r in runs if r["method"] == "paired" and r["version"] == name]
        if chosen:
            seconds = [r["seconds"] for r in chosen]
            parts = []
            for key, label in (("lifecycle_change", "whole cost"), ("typical_change", "typical")):
                changes = [r[key] for r in chosen if r[key] is not None]
                if changes:
                    parts.append(
                        f"{label} median {statistics.median(changes):+.2%} "
                        f"(min {min(changes):+.2%}, max {max(changes):+.2%})"
                    )
            print(
                f"paired {name:10}: life cycle {'; '.join(parts)}; "
                f"{statistics.median(seconds):.0f} s per check (median)"
            )


if __name__ == "__main__":
    raise SystemExit(main())
