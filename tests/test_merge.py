"""A matrix's legs merged into one report: `report --artifact DIR --artifact DIR … --expect LEG`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document

from carbon_gate.cli.main import cli
from carbon_gate.github import artifact
from carbon_gate.github.pull_request import PullRequest

# The head's life cycle is about 0.27 kg at 10 mJ a sample under these assumptions.
BUDGET = "version: 1\ngrid: {country: FRA}\n" + LIFECYCLE_YAML + "budgets: {lifecycle: %s}\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def budget(path: str, limit: str = "1 kg") -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(BUDGET % limit, encoding="utf-8")


def leg(folder: str, name: str, config: str, runner: str = "", joules: float = 0.01) -> Path:
    """A leg's folder as `check --artifact --leg` leaves it."""
    path = Path(folder)
    path.mkdir(parents=True)
    (path / "head.json").write_text(json.dumps(results_document(joules)), encoding="utf-8")
    artifact.save_leg(path, artifact.Leg(name, config, runner))
    return path


def merge(*args: str) -> tuple[int, str, str]:
    return run("report", *args, "--json", "legs.json")


def test_two_models_one_over_its_budget_give_one_failing_report_naming_both() -> None:
    budget("models/classifier/carbon-budget.yml")
    budget("models/embedder/carbon-budget.yml", "10 g")
    leg("legs/a", "classifier", "models/classifier/carbon-budget.yml")
    leg("legs/b", "embedder", "models/embedder/carbon-budget.yml")
    code, out, _ = merge(
        "--artifact", "legs/a", "--artifact", "legs/b", "--expect", "classifier",
        "--expect", "embedder",
    )  # fmt: skip
    assert code == 1
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    first = markdown.splitlines()[1]
    assert first.startswith("### ❌ carbon-gate: a leg failed \\(2 legs\\) — embedder: over budget")
    assert (
        "| classifier | — (Test CPU) | models/classifier/carbon-budget.yml | ✅ pass |" in markdown
    )
    assert "#### embedder" in markdown
    assert "| Life cycle |" in markdown.split("#### embedder")[1]
    assert "pass     classifier (models/classifier/carbon-budget.yml)" in out
    document = json.loads(Path("legs.json").read_text(encoding="utf-8"))
    assert document["status"] == "fail"
    assert [(leg["name"], leg["status"]) for leg in document["legs"]] == [
        ("classifier", "pass"),
        ("embedder", "fail"),
    ]


def test_a_leg_that_did_not_report_fails_the_merge_with_its_name() -> None:
    budget("carbon-budget.yml")
    leg("legs/a", "classifier", "carbon-budget.yml")
    code, out, _ = merge("--artifact", "legs/a", "--expect", "classifier", "--expect", "embedder")
    assert code == 2
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    assert "a leg was not checked \\(2 legs\\) — embedder: did not report" in markdown
    assert "| embedder | — | — | ❔ | **did not report** |" in markdown
    assert "unknown  embedder: did not report" in out
    assert json.loads(Path("legs.json").read_text(encoding="utf-8"))["missing"] == ["embedder"]


def test_one_benchmark_over_budget_on_one_runner_and_within_on_another_shows_both() -> None:
    budget("carbon-budget.yml", "400 g")
    leg("legs/cpu", "model-cpu", "carbon-budget.yml", "cpu", joules=0.01)
    leg("legs/gpu", "model-gpu", "carbon-budget.yml", "gpu", joules=0.02)
    code, _, _ = merge(
        "--artifact", "legs/cpu", "--artifact", "legs/gpu", "--expect", "model-cpu",
        "--expect", "model-gpu",
    )  # fmt: skip
    assert code == 1
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    assert "| model-cpu | cpu (Test CPU) | carbon-budget.yml | ✅ pass |" in markdown
    assert "| model-gpu | gpu (Test CPU) | carbon-budget.yml | ❌ fail | over budget |" in markdown
    assert "#### model-cpu · cpu" in markdown
    assert "#### model-gpu · gpu" in markdown


def test_merging_without_the_expected_legs_is_refused() -> None:
    code, _, err = run("report", "--artifact", "a", "--artifact", "b")
    assert code == 2
    assert "merging legs needs --expect LEG for each leg the matrix runs" in err


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"config": "../outside.yml"}, "config: must be a budget file relative to the repository"),
        ({"config": "/etc/carbon.yml"}, "config: must be a budget file relative to the repository"),
        ({"name": "[x](https://e.example) @admin"}, "name: must be a leg's name of plain words"),
        ({"config": "absent/carbon-budget.yml"}, "absent/carbon-budget.yml: no such budget file"),
        ({"format": "other"}, "not a carbon-gate leg file"),
    ],
    ids=["parent", "absolute", "hostile-name", "absent", "format"],
)
def test_a_leg_folder_that_cannot_be_judged_counts_as_not_checked(
    document: dict[str, Any], reason: str
) -> None:
    budget("carbon-budget.yml")
    leg("legs/a", "model", "carbon-budget.yml")
    path = Path("legs/a/leg.json")
    path.write_text(json.dumps({**json.loads(path.read_text()), **document}), encoding="utf-8")
    code, _, _ = merge("--artifact", "legs/a", "--expect", "model")
    assert code == 2
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    assert "was not judged: " in markdown
    assert reason.replace("(", "\\(").split(":")[0] in markdown
    assert "https://e.example" not in markdown.replace("https://e\\.example", "")


def test_two_folders_claiming_one_leg_are_both_refused() -> None:
    budget("carbon-budget.yml")
    leg("legs/a", "model", "carbon-budget.yml")
    leg("legs/b", "model", "carbon-budget.yml")
    code, _, _ = merge("--artifact", "legs/a", "--artifact", "legs/b", "--expect", "model")
    assert code == 2
    assert "2 artifacts say they are this leg: none is taken" in Path(
        "carbon-gate-report.md"
    ).read_text(encoding="utf-8")


def test_a_leg_not_expected_is_shown_and_judged_too() -> None:
    budget("carbon-budget.yml")
    budget("other/carbon-budget.yml", "1 g")
    leg("legs/a", "model", "carbon-budget.yml")
    leg("legs/b", "surprise", "other/carbon-budget.yml")
    code, _, _ = merge("--artifact", "legs/a", "--artifact", "legs/b", "--expect", "model")
    assert code == 1
    assert (
        "| surprise | — (Test CPU) | other/carbon-budget.yml | ❌ fail | over budget "
        "(not expected) |" in (Path("carbon-gate-report.md").read_text(encoding="utf-8"))
    )


def test_check_names_its_leg_only_with_an_artifact() -> None:
    budget("carbon-budget.yml")
    code, _, err = run("check", "--results", "x.json", "--leg", "model")
    assert code == 2
    assert "--leg names the leg --artifact saves" in err
    code, _, err = run("check", "--artifact", "out", "--leg", "bad<leg>")
    assert code == 2
    assert "letters, digits, spaces and ._/@+- only" in err


def test_check_records_its_leg_in_the_artifact() -> None:
    budget("models/a/carbon-budget.yml")
    Path("head.json").write_text(json.dumps(results_document(0.01)), encoding="utf-8")
    code, _, _ = run(
        "check", "--config", "models/a/carbon-budget.yml", "--results", "head.json",
        "--artifact", "out", "--runner", "gpu", "--comment", "off",
    )  # fmt: skip
    assert code == 0
    assert artifact.load_leg(Path("out")) == artifact.Leg(
        "models/a/carbon-budget.yml@gpu", "models/a/carbon-budget.yml", "gpu"
    )


def test_budgets_can_differ_by_the_kind_of_runner() -> None:
    Path("carbon-budget.yml").write_text(
        BUDGET % "400 g" + "runners:\n  gpu:\n    budgets: {lifecycle: 1 kg}\n", encoding="utf-8"
    )
    leg("legs/cpu", "model-cpu", "carbon-budget.yml", "cpu", joules=0.02)
    leg("legs/gpu", "model-gpu", "carbon-budget.yml", "gpu", joules=0.02)
    code, _, _ = merge(
        "--artifact", "legs/cpu", "--artifact", "legs/gpu", "--expect", "model-cpu",
        "--expect", "model-gpu",
    )  # fmt: skip
    assert code == 1
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    # The same 541 g: over the file's 400 g on the CPU runner, within the GPU runner's 1 kg.
    assert (
        "| model-cpu | cpu (Test CPU) | carbon-budget.yml | ❌ fail | over budget | "
        "Life cycle: 541 g |" in markdown
    )
    assert (
        "| model-gpu | gpu (Test CPU) | carbon-budget.yml | ✅ pass | within budget | "
        "Life cycle: 541 g |" in markdown
    )
    assert "| Life cycle | — | 541 g | — | — | ≤ 1.00 kg | ✅ pass |" in markdown
    # The CPU runner has no budgets of its own: said, and the file's apply.
    assert "sets budgets for the runners gpu, not for cpu: its own budgets apply" in markdown


def test_a_runners_label_in_the_budget_file_is_checked_with_its_line(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget(BUDGET % "1 kg" + "runners:\n  gpu:\n    budgets: {lifecycel: 1 kg}\n")
    code, _, err = run("validate")
    assert code == 2
    assert (
        "carbon-budget.yml:7:15: runners.gpu.budgets.lifecycel: unknown key — did you mean" in err
    )


def test_a_leg_is_held_to_the_budget_file_and_runner_the_merge_binds_it_to() -> None:
    budget("models/strict/carbon-budget.yml", "10 g")
    budget("models/lenient/carbon-budget.yml", "1 t")
    # The pull request's run wrote this folder: it claims the lenient file for the strict leg.
    leg("legs/a", "strict", "models/lenient/carbon-budget.yml", "cpu")
    code, _, _ = merge(
        "--artifact", "legs/a", "--expect", "strict:models/strict/carbon-budget.yml:cpu"
    )
    assert code == 2
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    assert (
        "the leg says it measured the budget file 'models/lenient/carbon-budget.yml', but the "
        in (markdown.replace("\\", ""))
    )
    leg("legs/b", "strict-gpu", "models/strict/carbon-budget.yml", "gpu")
    code, _, _ = merge(
        "--artifact", "legs/b", "--expect", "strict-gpu:models/strict/carbon-budget.yml:cpu"
    )
    assert code == 2
    assert "the leg says it measured the runner 'gpu'" in Path("carbon-gate-report.md").read_text(
        encoding="utf-8"
    ).replace("\\", "")


@pytest.mark.parametrize(
    "text",
    ["a:b:c:d", "a:../x.yml", "a:x.yml:bad<", "<a>"],
    ids=["parts", "path", "runner", "name"],
)
def test_an_expectation_that_is_not_a_binding_is_refused(text: str) -> None:
    code, _, err = run("report", "--artifact", "x", "--expect", text)
    assert code == 2
    assert f"--expect {text!r}" in err


def test_a_single_artifact_never_picks_its_runners_budgets_itself() -> None:
    Path("carbon-budget.yml").write_text(
        BUDGET % "400 g" + "runners:\n  gpu:\n    budgets: {lifecycle: 1 t}\n", encoding="utf-8"
    )
    leg("legs/a", "model", "carbon-budget.yml", "gpu", joules=0.02)  # says gpu: lenient
    code, _, _ = run("report", "--artifact", "legs/a")
    assert code == 1  # judged by the file's own 400 g: the folder's runner is not taken
    code, _, _ = run("report", "--artifact", "legs/a", "--runner", "gpu")
    assert code == 0  # the trusted workflow says gpu


def test_a_leg_naming_no_pull_request_beside_legs_that_do_is_not_judged() -> None:
    budget("carbon-budget.yml")
    a, b = leg("legs/a", "a", "carbon-budget.yml"), leg("legs/b", "b", "carbon-budget.yml")
    artifact.save(a, a / "head.json", None, PullRequest("acme/model", 42, "b" * 40, "a" * 40))
    code, _, _ = merge(
        "--artifact", "legs/a", "--artifact", str(b), "--expect", "a", "--expect", "b"
    )
    assert code == 2
    assert "its folder names no pull request, where the other legs name" in Path(
        "carbon-gate-report.md"
    ).read_text(encoding="utf-8")


def test_a_broken_budget_file_spoils_only_its_own_leg() -> None:
    budget("carbon-budget.yml")
    Path("broken.yml").write_text("budgets: {lifecycle: a lot}\n", encoding="utf-8")
    leg("legs/a", "good", "carbon-budget.yml")
    leg("legs/b", "bad", "broken.yml")
    code, _, _ = merge("--artifact", "legs/a", "--artifact", "legs/b", "--expect", "good",
                       "--expect", "bad")  # fmt: skip
    assert code == 2
    markdown = Path("carbon-gate-report.md").read_text(encoding="utf-8")
    assert "| good | — (Test CPU) | carbon-budget.yml | ✅ pass |" in markdown
    assert "**bad** was not judged: broken.yml:1:22: budgets.lifecycle: expected a mass" in markdown


def test_a_budget_file_inside_a_legs_folder_is_never_read() -> None:
    budget("carbon-budget.yml")
    leg("legs/a", "model", "legs/a/lenient.yml")
    Path("legs/a/lenient.yml").write_text(BUDGET % "1000 t", encoding="utf-8")
    code, _, _ = merge("--artifact", "legs/a", "--expect", "model")
    assert code == 2
    assert "legs/a/lenient.yml: no such budget file in this checkout" in Path(
        "carbon-gate-report.md"
    ).read_text(encoding="utf-8")


def test_in_the_commenting_workflow_every_leg_must_be_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_run")
    code, _, err = run("report", "--artifact", "a", "--expect", "model")
    assert code == 2
    assert "in the commenting workflow every leg must be bound" in err


def test_merging_takes_no_budget_file_or_results_of_its_own() -> None:
    code, _, err = run("report", "--config", "x.yml", "--artifact", "a", "--expect", "m")
    assert code == 2
    assert "merging legs reads each leg's own budget file and results: leave out --config" in err
