"""`check --base-ref`: the base measured in a real git worktree; every way it can be missing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from git_repo import commit, git

import carbon_gate
from carbon_gate.cli.main import cli

BENCH = """\
WORK = {work}


def predict():
    total = 0
    for i in range(WORK):
        total += i * i
    return total
"""
BUDGET = """\
version: 1
grid: {country: FRA}
budgets:
  max_increase: 5 %
benchmark:
  callable: toymodel.bench:predict
  warmup: 0.2 s
  duration: 1.5 s
  repeats: 5
  timeout: 60 s
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose second commit makes the model five times as costly."""
    (tmp_path / "toymodel").mkdir()
    (tmp_path / "toymodel" / "__init__.py").write_text("")
    (tmp_path / "toymodel" / "bench.py").write_text(BENCH.format(work=2000))
    (tmp_path / "carbon-budget.yml").write_text(BUDGET)
    git(tmp_path, "init", "-q")
    commit(tmp_path, "model")
    (tmp_path / "toymodel" / "bench.py").write_text(BENCH.format(work=10000))
    commit(tmp_path, "a costlier model")
    return tmp_path


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def head_and_base(repo: Path) -> tuple[float, float]:
    per_sample = [
        json.loads((repo / name).read_text())["summary"]["per_sample"]["median_j"]
        for name in ("carbon-gate-results.json", "carbon-gate-base-results.json")
    ]
    return per_sample[0], per_sample[1]


def test_the_base_is_measured_in_a_worktree_and_compared(repo: Path) -> None:
    code, out, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 1, err  # five times the work is far over a 5 % allowed increase
    assert "measuring the head and the base" in err
    assert "in alternation" in err
    head, base = head_and_base(repo)
    assert head > 2 * base
    report = (repo / "carbon-gate-report.md").read_text()
    assert "not judged" not in report
    assert "❌" in out
    assert "measured in alternation" in report
    change = json.loads((repo / "carbon-gate-results.json").read_text())["comparison"]
    whole = change["changes"]["whole_cost"]["inference_per_1000"]
    low, high = whole["ci"]
    assert 2 < low <= whole["fraction"] <= high  # ~ +400 %
    assert change["pairs"] >= 6
    assert f"(99 % CI {low:+.1%}".replace("-", "−") in report
    assert report.splitlines()[1].startswith("### ❌ carbon-gate: grew more than allowed — ")
    assert git(repo, "worktree", "list").count("\n") == 0  # the temporary worktree is gone
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""


def test_a_push_is_compared_with_what_the_remote_has(repo: Path) -> None:
    before = git(repo, "rev-parse", "HEAD~1")
    code, _, err = run(["check", "--comment", "off"], env={"PRE_COMMIT_FROM_REF": before})
    assert code == 1, err
    assert f"measuring the head and the base {before[:12]}" in err
    code, _, err = run(["check", "--comment", "off"], env={"PRE_COMMIT_FROM_REF": "0" * 40})
    assert code == 0, err  # a new branch: nothing to compare with, and no absolute budget
    assert "the base" not in err


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no-budget-file", "has no carbon-budget.yml"),
        ("broken-benchmark", "could not be measured"),
    ],
)
def test_a_base_that_cannot_be_measured_leaves_the_absolute_budgets(
    repo: Path, case: str, reason: str
) -> None:
    """The base commit gets the damage; the working tree (the head) is fine again."""
    damaged = {
        "no-budget-file": ("carbon-budget.yml", None),
        "broken-benchmark": ("toymodel/bench.py", "raise ImportError('broken on the base')\n"),
    }
    name, text = damaged[case]
    good = (repo / name).read_text()
    if text is None:
        (repo / name).unlink()
    else:
        (repo / name).write_text(text)
    commit(repo, f"damage: {case}")
    (repo / name).write_text(good)
    ref = git(repo, "rev-parse", "HEAD")
    code, out, err = run(["check", "--base-ref", ref, "--comment", "off"])
    assert code == 0, err  # first adoption (no budget file in the base) is a warning by default
    assert reason in err
    headline = (repo / "carbon-gate-report.md").read_text().splitlines()[1]
    assert headline.startswith(
        "### ⚠️ carbon-gate: change not judged — the change against the base was not judged: "
    )
    assert reason in headline
    assert out.startswith("⚠️ carbon-gate: change not judged")
    head = json.loads((repo / "carbon-gate-results.json").read_text())
    assert reason in head["base_not_measured"]  # for the fork-safe setup's trusted half
    assert git(repo, "worktree", "list").count("\n") == 0
    # A team that wants the gate to fail closed says so, here with the flag.
    code, out, _ = run(["check", "--base-ref", ref, "--comment", "off", "--require-comparison"])
    assert code == 1
    assert out.startswith("❌ carbon-gate: change not judged (required) — ")


@pytest.mark.parametrize("ref", ["mian", "0123456789abcdef0123456789abcdef01234567"])
def test_a_base_ref_that_does_not_resolve_is_a_usage_error(repo: Path, ref: str) -> None:
    code, _, err = run(["check", "--base-ref", ref, "--comment", "off"])
    assert code == 2
    assert f"--base-ref {ref}: no such commit, branch or tag here" in err
    assert ("fetch-depth: 0" in err) is (len(ref) == 40)
    assert not (repo / "carbon-gate-report.md").exists()  # refused before measuring


def test_a_baseline_and_a_base_ref_are_one_too_many(repo: Path) -> None:
    code, _, err = run(["check", "--base-ref", "HEAD~1", "--baseline", "x.json"])
    assert code == 2
    assert "--baseline and --base-ref both given" in err


def test_a_base_ref_that_looks_like_an_option_is_refused(repo: Path) -> None:
    code, _, err = run(["check", "--base-ref=--output=/tmp/x", "--comment", "off"])
    assert code == 2
    assert "not a commit, branch or tag name" in err


def test_a_base_ref_outside_a_repository_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "toymodel").mkdir()
    (tmp_path / "toymodel" / "bench.py").write_text(BENCH.format(work=10))
    (tmp_path / "carbon-budget.yml").write_text(BUDGET)
    code, _, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 2
    assert "is not in a Git repository" in err


def test_the_same_commit_shows_no_significant_change(repo: Path) -> None:
    code, _, err = run(["check", "--base-ref", "HEAD", "--comment", "off"])
    assert code == 0, err
    comparison = json.loads((repo / "carbon-gate-results.json").read_text())["comparison"]
    for kind in ("typical_call", "whole_cost"):
        low, high = comparison["changes"][kind]["inference_per_1000"]["ci"]
        assert low < 0.05  # never a significant growth beyond the allowed 5 %
        assert high - low < 0.3  # and a useful interval, not a shrug
    report = (repo / "carbon-gate-report.md").read_text()
    assert "measured in alternation" in report
    assert "❌" not in report
    for line in report.splitlines()[4:9]:  # every row: Δ CO2eq has the sign of Δ %
        cells = [cell.strip() for cell in line.split("|")]
        assert cells[4][0] == cells[5][0] or cells[5].startswith("+0.0%"), line


def test_a_base_that_fails_midway_leaves_the_head_measured_alone(repo: Path) -> None:
    bench = repo / "toymodel" / "bench.py"
    good = bench.read_text()
    bench.write_text(
        good + "\nCALLS = [0]\n_predict = predict\n\n\ndef predict():\n    CALLS[0] += 1\n"
        "    if CALLS[0] > 300:\n        raise RuntimeError('gave up midway')\n"
        "    return _predict()\n"
    )
    commit(repo, "a base that fails after a while")
    bench.write_text(good)
    code, _, err = run(["check", "--base-ref", "HEAD", "--comment", "off"])
    assert code == 0, err
    assert "could not be measured" in err
    assert "gave up midway" in err
    assert "while measuring" in err, err
    head = json.loads((repo / "carbon-gate-results.json").read_text())
    assert head["summary"]["per_sample"]["n"] >= 5  # the head went on to its repeats
    assert "comparison" not in head


def test_a_base_that_imports_the_heads_code_is_not_compared(tmp_path: Path) -> None:
    """The import path names the head's tree itself (as an editable install would): the base's
    worker would measure the head's code, so the base is not compared."""
    src = tmp_path / "src" / "toymodel"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "bench.py").write_text(BENCH.format(work=2000))
    (tmp_path / "carbon-budget.yml").write_text(BUDGET + f"  python_path: [{tmp_path / 'src'}]\n")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "a model found through an absolute path")
    code, _, err = run(["check", "--base-ref", "HEAD", "--comment", "off"])
    assert code == 0, err
    assert "the head's code, not the base's" in err
    assert "python_path" in err


def test_results_and_a_base_ref_are_one_too_many(repo: Path) -> None:
    code, _, err = run(["check", "--base-ref", "HEAD~1", "--results", "x.json"])
    assert code == 2
    assert "--results and --base-ref both given" in err


def test_the_comparison_travels_in_the_artifact_and_only_with_its_own_base(repo: Path) -> None:
    code, _, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off", "--artifact", "out"])
    assert code == 1, err
    code, _, err = run(["report", "--artifact", "out"])
    assert code == 1, err
    assert "measured in alternation" in (repo / "carbon-gate-report.md").read_text()

    base = json.loads((repo / "out" / "base.json").read_text())
    base["comparison_id"] = "another-run"
    (repo / "out" / "base.json").write_text(json.dumps(base))
    run(["report", "--artifact", "out"])
    report = (repo / "carbon-gate-report.md").read_text()
    assert "measured in alternation" not in report  # judged as two separate runs
    assert "separate runs" in report

    head = json.loads((repo / "out" / "head.json").read_text())
    base["comparison_id"] = head["comparison"]["id"]
    forged = {"fraction": -0.45, "ci": [-0.5, -0.4], "confidence": 99}
    head["comparison"]["changes"]["whole_cost"]["inference_per_1000"] = forged
    head["estimate"]["per_1000_inferences"]["co2eq_kg"] = 1e-12
    (repo / "out" / "base.json").write_text(json.dumps(base))
    (repo / "out" / "head.json").write_text(json.dumps(head))
    code, _, err = run(["report", "--artifact", "out"])
    assert code == 1, err  # judged again from the batches: the forged figures are not read
    report = (repo / "carbon-gate-report.md").read_text()
    assert "measured in alternation" in report
    assert "−45" not in report


def test_a_virtualenv_inside_the_repository_is_not_the_heads_code(repo: Path) -> None:
    """The most common layout: `.venv/` in the repository, holding carbon-gate and the model's
    dependencies. Its site-packages are installed packages, not the head's code: the base is
    measured beside the head, and the costlier head fails."""
    venv = repo / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    package = Path(carbon_gate.__file__).parent
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(package, site / "carbon_gate", ignore=ignore)  # as `pip install` puts it
    if not (package / "templates").is_dir():  # a checkout: the wheel would hold them inside
        shutil.copytree(package.parent / "templates", site / "carbon_gate" / "templates")
    # click, codecarbon and the rest from the environment running the tests, after the venv's own.
    outer = [path for path in sys.path if path.endswith("-packages") and Path(path).is_dir()]
    (site / "dependencies.pth").write_text("\n".join(outer) + "\n")
    (repo / ".gitignore").write_text(".venv/\n")
    python = venv / "bin" / "python"
    found = subprocess.run(
        [python, "-c", "import carbon_gate; print(carbon_gate.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(found.stdout.strip()).is_relative_to(site)  # the copy inside the repository
    done = subprocess.run(
        [python, "-m", "carbon_gate", "check", "--base-ref", "HEAD~1", "--comment", "off"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "in alternation" in done.stderr
    assert "not judged" not in done.stdout + done.stderr
    assert done.stdout.startswith("❌ carbon-gate: grew more than allowed")


INTERMITTENT = """\
import time

CALLS = [0]


def predict():
    CALLS[0] += 1
    if {pause} and CALLS[0] % 2000 == 0:  # now and then a call much costlier: a cache refill
        end = time.perf_counter() + 0.03
        while time.perf_counter() < end:
            pass
    total = 0
    for i in range(300):
        total += i * i
    return total
"""


def test_rare_calls_much_costlier_fail_though_the_typical_call_is_unchanged(
    tmp_path: Path,
) -> None:
    """Every 2,000th call busy-waits 30 ms (about twice the whole cost; every 10 ms stretch
    between them untouched): the fastest stretch cannot see it, the whole cost does."""
    (tmp_path / "toymodel").mkdir()
    (tmp_path / "toymodel" / "__init__.py").write_text("")
    bench = tmp_path / "toymodel" / "bench.py"
    bench.write_text(INTERMITTENT.format(pause=False))
    (tmp_path / "carbon-budget.yml").write_text(BUDGET)
    git(tmp_path, "init", "-q")
    commit(tmp_path, "model")
    bench.write_text(INTERMITTENT.format(pause=True))
    code, out, err = run(["check", "--base-ref", "HEAD", "--comment", "off"])
    assert code == 1, err
    assert out.startswith("❌ carbon-gate: grew more than allowed")
    assert "some calls became much slower: mean cost +" in out
    comparison = json.loads((tmp_path / "carbon-gate-results.json").read_text())["comparison"]
    typical = comparison["changes"]["typical_call"]["inference_per_1000"]
    assert typical["ci"][0] < 0.05  # the typical call did not grow beyond the allowance
