"""How long the gate takes to decide, and whether deciding early costs it anything.

The example model in a Git repository of its own (as benchmarks/paired.py builds it: the base,
and the base slowed down steadily by +3 %), judged by `carbon-gate check --base-ref base` with
the budget file's defaults for the comparison (compare_duration 60 s, compare_batch 0.25 s,
compare_workers 3), in one
run of this script:

- unchanged, `max_increase: 5 %` (UNCHANGED runs): the time to the verdict, and whether it came
  before the time budget ran out. "Measuring" is the seconds of every batch of both sides; "wall"
  is the whole `check`, start-up and report included.
- A/A and +3 %, `max_increase: 0 %` (RUNS runs each): false alarms, and the slow-down found.
- the whole gate (WHOLE runs): action.yml's install step itself (carbon-gate from this checkout,
  pip's and uv's caches off) followed by the same `check` of the unchanged model.

Run: python benchmarks/time_to_verdict.py [--unchanged 10] [--runs 20] [--whole 3]
        [--json time-to-verdict.json]
About 35 minutes with the defaults; nothing else should run on the machine meanwhile.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import action_install  # action.yml's install step, as GitHub runs it
import paired  # the repository of slowed-down versions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unchanged", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--whole", type=int, default=3)
    parser.add_argument("--json", type=Path, default=Path("time-to-verdict.json"))
    args = parser.parse_args()
    exe = shutil.which("carbon-gate")
    if exe is None:
        print("carbon-gate is not on PATH: pip install . first", file=sys.stderr)
        return 2
    found: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="carbon-gate-verdict-") as folder:
        repo = paired._repository(Path(folder) / "repo")
        committed = (repo / "carbon-budget.yml").read_text(encoding="utf-8")
        # The defaults of the comparison: no compare_duration, no compare_batch, repeats 5.
        defaults = committed.replace("  repeats: 10\n  compare_duration: 30 s", "  repeats: 5")
        plan = [("unchanged, 5 %", "base", 5, args.unchanged)]
        for _ in range(args.runs):  # A/A and +3 % in turn, so that both see the same hours
            plan += [("A/A, 0 %", "base", 0, 1), ("+3 %, 0 %", "slow-3", 0, 1)]
        for label, branch, allowed, count in plan:
            for _ in range(count):
                paired._git(repo, "checkout", "-q", branch)
                budget = defaults.replace("max_increase: 0 %", f"max_increase: {allowed} %")
                (repo / "carbon-budget.yml").write_text(budget, encoding="utf-8")
                found.append({"case": label, **check(exe, repo, allowed)})
                paired._git(repo, "checkout", "-q", "--", "carbon-budget.yml")
                print(line(found[-1]), flush=True)
        paired._git(repo, "checkout", "-q", "base")
        budget = defaults.replace("max_increase: 0 %", "max_increase: 5 %")
        for _ in range(args.whole):
            (repo / "carbon-budget.yml").write_text(budget, encoding="utf-8")
            found.append({"case": "whole gate", **whole_gate(repo, Path(folder))})
            paired._git(repo, "checkout", "-q", "--", "carbon-budget.yml")
            print(line(found[-1]), flush=True)
    args.json.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    summary(found)
    return 0


def check(exe: str, repo: Path, allowed: float) -> dict[str, Any]:
    """One `check --base-ref base`: its verdict, pairs, why it stopped, and its times."""
    start = time.monotonic()
    done = subprocess.run(
        [exe, "check", "--base-ref", "base", "--comment", "off"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"check failed ({done.returncode}):\n{done.stderr}")
    head = json.loads((repo / "carbon-gate-results.json").read_text(encoding="utf-8"))
    base = json.loads((repo / "carbon-gate-base-results.json").read_text(encoding="utf-8"))
    measuring = sum(
        batch["seconds"]
        for side in (head, base)
        for column in side["repeats"].values()
        for batch in column or []
    )
    comparison = head["comparison"]
    changes = comparison["changes"] or {}
    return {
        "fails": done.returncode == 1,
        # Which measure's interval lay wholly above the allowed increase, at the verdict's level.
        "by": sorted(
            f"{measure} {key}"
            for measure, stages in changes.items()
            for key, change in stages.items()
            if change["ci"][0] > allowed / 100
        ),
        "pairs": comparison["pairs"],
        "stopped": comparison["stopped"],
        "measuring_s": round(measuring, 1),
        "wall_s": round(wall, 1),
    }


def whole_gate(repo: Path, folder: Path) -> dict[str, Any]:
    """action.yml's install step itself (as benchmarks/action_install.py runs it, pip's and uv's
    caches off), then the check with the carbon-gate it installed."""
    runner = folder / "runner"
    shutil.rmtree(runner, ignore_errors=True)
    runner.mkdir()
    script = runner / "step.sh"
    script.write_text(action_install.step_script(), encoding="utf-8")
    env = action_install.step_environment(runner, "uv", cache=False)
    start = time.monotonic()
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env=env,
        cwd=repo,
        capture_output=True,
        check=True,
    )
    installed = time.monotonic() - start
    outputs = dict(
        line.split("=", 1) for line in (runner / "output").read_text().splitlines() if "=" in line
    )
    result = check(str(Path(outputs["bin"]) / "carbon-gate"), repo, 5)
    total = installed + result["wall_s"]
    return {**result, "install_s": round(installed, 1), "wall_s": round(total, 1)}


def line(run: dict[str, Any]) -> str:
    install = f", install {run['install_s']} s" if "install_s" in run else ""
    return (
        f"{run['case']:15} {'FAIL' if run['fails'] else 'pass':4} {run['pairs']:3} pairs "
        f"({run['stopped']}): measuring {run['measuring_s']} s, wall {run['wall_s']} s{install}"
        + (f"; beyond by {', '.join(run['by'])}" if run["by"] else "")
    )


def summary(found: list[dict[str, Any]]) -> None:
    print()
    for case in dict.fromkeys(r["case"] for r in found):
        chosen = [r for r in found if r["case"] == case]
        early = sum(r["stopped"] == "clear" for r in chosen)
        fails = sum(r["fails"] for r in chosen)
        measuring = statistics.median(r["measuring_s"] for r in chosen)
        wall = statistics.median(r["wall_s"] for r in chosen)
        extra = ""
        if case == "whole gate":
            extra = f", install {statistics.median(r['install_s'] for r in chosen):.1f} s"
        print(
            f"{case:15}: {fails}/{len(chosen)} failed, {early}/{len(chosen)} decided early; "
            f"median measuring {measuring:.1f} s, wall {wall:.1f} s{extra}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
