"""`check --base-ref` judges by the base's budget file: a pull request cannot loosen its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from git_repo import commit, git

from carbon_gate.budget import config
from carbon_gate.cli import base_policy
from carbon_gate.cli.main import cli
from carbon_gate.lifecycle import grid

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
  compare_duration: 20 s
  timeout: 60 s
"""
# Head and base measured in alternation, about ten seconds each: not in the fast tier.
measures = pytest.mark.slow
LOOSER = {"max_increase: 5 %": "max_increase: 900 %", "country: FRA": "country: SWE"}


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def edited(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "toymodel").mkdir()
    (tmp_path / "toymodel" / "__init__.py").write_text("")
    (tmp_path / "toymodel" / "bench.py").write_text(BENCH.format(work=2000))
    (tmp_path / "carbon-budget.yml").write_text(BUDGET)
    git(tmp_path, "init", "-q")
    commit(tmp_path, "model")
    return tmp_path


@measures
def test_a_pull_request_that_loosens_its_own_budget_and_grows_fails(repo: Path) -> None:
    """Five times the work, and the pull request's own file allows +900 % on a cleaner grid: the
    base's 5 % judges, and the report says first what happened to the pull request's file."""
    (repo / "toymodel" / "bench.py").write_text(BENCH.format(work=10000))
    (repo / "carbon-budget.yml").write_text(edited(BUDGET, LOOSER))
    commit(repo, "a costlier model, and a budget to match")
    code, out, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 1, err
    assert out.startswith("❌ carbon-gate: grew more than allowed")
    assert "more than the allowed 5%" in out
    said = out.splitlines()[2]  # said first, after the headline
    assert said.startswith(
        "this pull request changes carbon-budget.yml (budgets.max_increase, grid)"
    )
    assert "judged by the base's" in said
    assert said.endswith("by its own file it would pass — its values take effect once merged")
    report = (repo / "carbon-gate-report.md").read_text().splitlines()
    assert report[3].startswith("> **this pull request changes carbon-budget.yml")
    assert any(line.startswith("| location | FRA |") for line in report), report  # the base grid
    assert "note: this pull request changes carbon-budget.yml" in err  # said before measuring


@measures
def test_a_push_to_the_default_branch_is_judged_by_its_own_file(repo: Path) -> None:
    """The history's run of a merged commit: the raise was reviewed and merged with it."""
    (repo / "toymodel" / "bench.py").write_text(BENCH.format(work=10000))
    (repo / "carbon-budget.yml").write_text(edited(BUDGET, LOOSER))
    commit(repo, "merged: a costlier model, and the budget for it")
    args = ["check", "--base-ref", "HEAD~1", "--comment", "off"]
    code, out, err = run(args, {"GITHUB_EVENT_NAME": "push"})
    assert code == 0, err
    assert "within the allowed 900%" in out
    assert "pull request changes" not in out + err


@measures
def test_a_budget_file_the_pull_request_does_not_change_says_nothing(repo: Path) -> None:
    (repo / "README.md").write_text("a change that is no change of the model\n")
    commit(repo, "docs")
    code, out, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 0, err
    assert "pull request changes" not in out + err
    report = (repo / "carbon-gate-report.md").read_text().splitlines()
    assert not report[3].startswith(">")


@measures
def test_the_pull_request_that_adopts_the_gate_is_judged_by_its_own_file(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("a model, not yet gated\n")
    git(tmp_path, "init", "-q")
    commit(tmp_path, "before carbon-gate")
    (tmp_path / "toymodel").mkdir()
    (tmp_path / "toymodel" / "__init__.py").write_text("")
    (tmp_path / "toymodel" / "bench.py").write_text(BENCH.format(work=2000))
    (tmp_path / "carbon-budget.yml").write_text(BUDGET.replace("1.5 s", "0.5 s"))
    commit(tmp_path, "carbon-gate")
    code, _, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 0, err
    first = (tmp_path / "carbon-gate-report.md").read_text().splitlines()[3]
    assert "has no carbon-budget.yml: this pull request is judged by its own budget file" in first


def _configs(head_text: str, base_text: str, tmp_path: Path) -> tuple[config.Config, ...]:
    data = grid.load()
    (tmp_path / "toymodel").mkdir(exist_ok=True)
    head = config.parse(head_text, "carbon-budget.yml", data, tmp_path)
    return head, config.parse(base_text, "carbon-budget.yml at the base", data)


def test_the_policy_is_the_bases_and_the_benchmark_the_heads(tmp_path: Path) -> None:
    """How the head runs is its own (its callable); how it is judged and how long the
    comparison may take is the base's: one second of pairs would judge nothing."""
    head_text = edited(
        BUDGET,
        {
            **LOOSER,
            "compare_duration: 20 s": "compare_duration: 1 s\n  compare_batch: 0.05 s",
            "toymodel.bench:predict": "toymodel.fast:predict",
        },
    )
    head, base = _configs(head_text, BUDGET, tmp_path)
    policy = base_policy.judged_by(head, base)
    assert policy.budgets == base.budgets
    assert policy.assumptions == base.assumptions
    assert policy.benchmark is not None
    assert policy.benchmark.callable == "toymodel.fast:predict"
    assert (policy.benchmark.compare_duration_s, policy.benchmark.compare_batch_s) == (20.0, 0.25)
    assert base_policy.differences(head, policy) == [
        "budgets.max_increase",
        "grid",
        "benchmark.compare_duration",
        "benchmark.compare_batch",
    ]


def test_comments_and_order_are_no_change_of_policy(tmp_path: Path) -> None:
    moved = (
        "# our budget\n"
        + BUDGET.replace("grid: {country: FRA}\n", "")
        + "grid: {country: FRA}  # where it runs\n"
    )
    head, base = _configs(moved, BUDGET, tmp_path)
    assert base_policy.differences(head, base_policy.judged_by(head, base)) == []


def test_a_command_longer_than_a_results_file_keeps_is_refused_in_the_budget_file(
    tmp_path: Path,
) -> None:
    """What the budget file accepts, the results file and the history keep: no budget file passes
    `validate` whose every pull request the trusted half would then refuse."""
    (tmp_path / "carbon-budget.yml").write_text(
        "version: 1\nbenchmark:\n  command: echo " + "x" * 1000 + "\n"
    )
    code, _, err = run(["validate", "--config", str(tmp_path / "carbon-budget.yml")])
    assert code == 2
    assert "benchmark.command: is 1,005 characters long, more than the 1,000" in err


def _costlier(repo: Path) -> None:
    (repo / "toymodel" / "bench.py").write_text(BENCH.format(work=10000))


@measures
@pytest.mark.parametrize(
    "how", ["file", "folder", "folder-to-the-top"], ids=lambda how: f"a-link-to-{how}"
)
def test_a_link_the_pull_request_adds_does_not_point_the_policy_elsewhere(
    tmp_path: Path, how: str
) -> None:
    """The budget file is found by the path the gate was given, in the base: the pull request's
    links (to a file of its own, a folder of its own, or back to the top) do not redirect it."""
    (tmp_path / "toymodel").mkdir()
    (tmp_path / "toymodel" / "__init__.py").write_text("")
    (tmp_path / "toymodel" / "bench.py").write_text(BENCH.format(work=2000))
    (tmp_path / "models" / "x").mkdir(parents=True)
    strict = BUDGET.replace(
        "toymodel.bench:predict", "toymodel.bench:predict\n  working_directory: ../.."
    )
    (tmp_path / "models" / "x" / "carbon-budget.yml").write_text(strict)
    git(tmp_path, "init", "-q")
    commit(tmp_path, "model")
    _costlier(tmp_path)
    loose = edited(strict, {"max_increase: 5 %": "max_increase: 900 %"})
    given = tmp_path / "models" / "x" / "carbon-budget.yml"
    if how == "file":
        (tmp_path / "loose.yml").write_text(loose)
        given.unlink()
        given.symlink_to("../../loose.yml")
    elif how == "folder":
        (tmp_path / "mine").mkdir()
        (tmp_path / "mine" / "carbon-budget.yml").write_text(loose.replace("../..", ".."))
        given.unlink()
        (tmp_path / "models" / "x").rmdir()
        (tmp_path / "models" / "x").symlink_to("../mine")
    else:  # models -> . ; x/carbon-budget.yml at the top
        (tmp_path / "x").mkdir()
        (tmp_path / "x" / "carbon-budget.yml").write_text(loose.replace("../..", ".."))
        given.unlink()
        (tmp_path / "models" / "x").rmdir()
        (tmp_path / "models").rmdir()
        (tmp_path / "models").symlink_to(".")
    commit(tmp_path, "a costlier model, and a link to a budget to match")
    args = ["check", "--config", "models/x/carbon-budget.yml", "--base-ref", "HEAD~1"]
    code, out, err = run([*args, "--comment", "off"])
    assert code == 1, err
    assert "more than the allowed 5%" in out
    assert "this pull request changes models/x/carbon-budget.yml (budgets.max_increase)" in out


@measures
def test_the_bases_own_link_is_followed_within_the_base(repo: Path) -> None:
    """A base whose budget file is a link to another file of its own: that file is its policy."""
    (repo / "configs").mkdir()
    (repo / "carbon-budget.yml").rename(repo / "configs" / "prod.yml")
    (repo / "carbon-budget.yml").symlink_to("configs/prod.yml")
    commit(repo, "the budget file lives in configs/")
    _costlier(repo)
    (repo / "carbon-budget.yml").unlink()
    (repo / "carbon-budget.yml").write_text(edited(BUDGET, LOOSER))
    commit(repo, "a costlier model, and a file of its own")
    code, out, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 1, err
    assert "more than the allowed 5%" in out


@pytest.mark.parametrize(
    ("base_file", "words"),
    [
        (BUDGET.replace("version: 1", "version: 7"), "version"),
        ("budgets: [unterminated", "carbon-budget.yml at the base"),
    ],
    ids=["invalid", "not-yaml"],
)
def test_a_base_whose_budget_file_cannot_be_read_judges_nothing(
    repo: Path, base_file: str, words: str
) -> None:
    """The policy is unknown: an error before anything is measured, never the pull request's
    own file in its place."""
    (repo / "carbon-budget.yml").write_text(base_file)
    commit(repo, "a budget file that cannot be read")
    (repo / "carbon-budget.yml").write_text(edited(BUDGET, LOOSER))
    _costlier(repo)
    commit(repo, "a costlier model, and a budget to match")
    code, _, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 2, err
    assert words in err
    assert "the base's budget file judges this pull request, and it cannot be read" in err
    assert not (repo / "carbon-gate-report.md").exists()


@measures
def test_a_pull_request_that_changes_what_is_measured_fails(repo: Path) -> None:
    """Ten times the samples per call divides every per-inference figure by ten: a benchmark that
    runs something else is not compared with the base's, and that is not a pass."""
    (repo / "carbon-budget.yml").write_text(
        BUDGET.replace("budgets:\n", "budgets:\n  inference_per_1000: 1 g\n")
    )
    commit(repo, "an absolute budget")
    _costlier(repo)
    text = BUDGET.replace("budgets:\n", "budgets:\n  inference_per_1000: 1 g\n")
    (repo / "carbon-budget.yml").write_text(
        text.replace("  warmup:", "  batch_size: 1000\n  warmup:")
    )
    commit(repo, "a costlier model, counted as a thousand inferences a call")
    code, out, err = run(["check", "--base-ref", "HEAD~1", "--comment", "off"])
    assert code == 1, err
    assert out.startswith("❌ carbon-gate: change not judged (required)")
    said = out.splitlines()[2]
    assert "what its benchmark runs: batch_size 1 → 1000" in said
    assert "its change is not judged, which fails" in said
