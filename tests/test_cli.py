from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from github_server import FakeGitHub

from carbon_gate.cli.main import cli
from carbon_gate.report import pr_report

BUDGET = """\
grid:
  country: FRA
lifecycle:
  per_inference: 10 mJ
  training_samples: 1000
  epochs: 10
  search: {trials: 0}
  inferences: 1M
budgets:
  lifecycle: 1 kg
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_validate_a_good_file(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET)
    code, out, _ = run("validate")
    assert code == 0
    assert out.startswith("carbon-budget.yml: valid — grid FRA")


def test_validate_lists_every_problem_and_exits_2(write_budget: Callable[[str], Path]) -> None:
    write_budget("grid:\n  contry: FRA\nlifecycle:\n  epochs: 0\n")
    code, out, err = run("validate")
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "carbon-budget.yml:2:3: grid.contry: unknown key — did you mean `country`?",
        "carbon-budget.yml:4:11: lifecycle.epochs: must be more than zero — remove the key if it "
        "does not apply",
        "error: 2 problems in the budget file",
    ]
    assert "Traceback" not in err


def test_validate_without_a_file_says_what_to_do() -> None:
    code, _, err = run("validate")
    assert code == 2
    assert "carbon-budget.yml: no such file" in err


def test_every_command_that_reads_the_file_rejects_a_broken_one(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget("grid: [\n")
    code, _, err = run("estimate")
    assert code == 2
    assert "carbon-budget.yml:2:1: YAML syntax error" in err


def test_estimate_table_from_the_budget_file(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET)
    code, out, _ = run("estimate")
    assert code == 0
    assert out.startswith("Life-cycle estimate — France (FRA)")
    assert "life cycle" in out
    assert "carbon-budget.yml:5 (lifecycle.training_samples)" in out


def test_estimate_json_contract(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET)
    code, out, _ = run("estimate", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["format"] == "carbon-gate/estimate"
    assert doc["version"] == 1
    assert set(doc["stages"]) == {"search", "training", "inference", "lifecycle"}
    i = 0.010 * 1.58
    stages = {name: s["energy_kwh"] * 3.6e6 for name, s in doc["stages"].items()}
    assert math.isclose(stages["training"], i * 1000 * 10 * 5)
    assert math.isclose(stages["inference"], i * 1e6)
    assert stages["search"] == 0
    assert math.isclose(stages["lifecycle"], stages["training"] + stages["inference"])
    intensity = doc["emission_factor"]["g_per_kwh"]
    co2 = doc["stages"]["lifecycle"]["co2eq_kg"]
    assert math.isclose(co2, stages["lifecycle"] / 3.6e6 * intensity / 1000)
    assert doc["emission_factor"]["year"] is not None
    assert doc["assumptions"]["epochs"] == {
        "value": 10,
        "unit": "epochs",
        "source": "carbon-budget.yml:6 (lifecycle.epochs)",
    }
    assert doc["assumptions"]["pue"]["source"].startswith("default")
    assert doc["budgets"] == [
        {"key": "lifecycle", "status": "pass", "limit": {"co2eq_kg": 1.0},
         "value": {"co2eq_kg": co2}}
    ]  # fmt: skip


def test_flags_win_over_the_file_and_say_so(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET)
    _, out, _ = run("estimate", "--format", "json", "--epochs", "20", "--region", "DEU")
    doc = json.loads(out)
    assert doc["assumptions"]["epochs"] == {"value": 20, "unit": "epochs", "source": "--epochs"}
    assert doc["emission_factor"]["location"] == "DEU"


def test_stage_without_inputs_is_null_never_zero() -> None:
    code, out, _ = run("estimate", "--format", "json", "--per-inference", "5 mJ", "--region",
                       "FRA")  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["stages"] == {"search": None, "training": None, "inference": None,
                             "lifecycle": None}  # fmt: skip
    assert "lifecycle.epochs (E)" in doc["missing"]["training"]
    assert doc["per_inference"]["energy_j"] == pytest.approx(0.005 * 1.58)


def test_hardware_estimate_from_flags() -> None:
    code, out, _ = run("estimate", "--format", "json", "--processors", "8", "--hours", "36",
                       "--watts", "300 W", "--pue", "1.1", "--intensity", "400 g/kWh")  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["training_method"] == "hardware"
    assert doc["stages"]["training"]["energy_kwh"] == pytest.approx(36 * 8 * 300 * 1.1 / 1000)
    assert doc["stages"]["training"]["co2eq_kg"] == pytest.approx(36 * 8 * 300 * 1.1 / 1e6 * 400)


def test_over_budget_exits_1_and_says_which(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET)
    code, out, _ = run("estimate", "--inferences", "1e12")
    assert code == 1
    assert "Over budget: life cycle." in out
    code, _, err = run("estimate", "--inferences", "1e12", "--format", "json")
    assert code == 1
    assert "over budget: budgets.lifecycle" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--per-inference", "12 parsec"], "--per-inference: unknown unit 'parsec'"),
        (["--epochs", "0"], "--epochs: must be more than zero"),
        (["--pue", "abc"], "--pue: expected a number, got 'abc' — write e.g. 1.58"),
        (["--per-inference", "-1"], "--per-inference: must be more than zero"),
        (["--intensity", "-5"], "--intensity: must not be negative"),
        (["--training-samples", "-5"], "--training-samples: must be more than zero"),
        (["--search-trials", "-1"], "--search-trials: must not be negative"),
        (["--search-trials", "2.5"], "--search-trials: must be a whole number"),
        (["--inferences", "-5"], "--inferences: must be more than zero"),
        (["--inferences", "50M/day"], "--inferences: unknown suffix 'M/day'"),
        (["--processors", "2.5", "--hours", "1", "--watts", "1"], "must be a whole number"),
        (["--trial-share", "1.5"], "--trial-share: must be at most 1"),
        (["--epochs", "nan"], "--epochs: expected a number, got 'nan'"),
        (["--region", " "], "--region: is empty"),
        (["--region", "XYZ"], "no emission factor for country code 'XYZ'"),
        (["--region", "DEU", "--intensity", "300"], "--region and --intensity both given"),
        (["--hours", "3"], "--processors, --watts missing"),
        (["--config", "missing.yml"], "missing.yml: no such file"),
        ([], "no grid location given"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v,
)
def test_bad_flags_exit_2_with_a_message(args: list[str], message: str) -> None:
    code, out, err = run("estimate", *args)
    assert code == 2, err
    assert message in err
    assert out == ""


def test_markdown_escapes_strings_from_the_file(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET.replace("country: FRA", 'intensity: "300 g/kWh"'))
    code, out, _ = run("estimate", "--format", "markdown")
    assert code == 0
    assert out.startswith("### Carbon life-cycle estimate")
    assert "| life cycle |" in out
    assert "\\<" not in out.split("<details>")[0]


def test_example_runs_without_a_budget_file_of_ones_own() -> None:
    code, out, _ = run("estimate", "--example")
    assert code == 0
    assert "Germany (DEU)" in out


def test_schema_command_prints_the_shipped_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    shipped = Path(__file__).parents[1] / "carbon_gate" / "schema" / "carbon-budget.schema.json"
    assert json.loads(out) == json.loads(shipped.read_text(encoding="utf-8"))


def test_help_is_instant_and_does_not_import_codecarbon() -> None:
    code = (
        "import sys, carbon_gate.cli.main as c; c.main(['--help']); "
        "print('codecarbon' in sys.modules)"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    assert done.stdout.strip().endswith("False")
    assert elapsed < 5  # generous for a loaded CI machine; the benchmark script has the real figure


def test_python_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "carbon_gate", "--version"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.startswith("carbon-gate, version")


def test_templates_ship_with_the_package() -> None:
    from carbon_gate.report import templates

    assert (templates.directory() / "estimate.md.j2").is_file()


def test_the_example_is_named_by_its_place_in_the_package() -> None:
    code, out, _ = run("validate", "--example")
    assert code == 0
    assert out.startswith("carbon_gate/example/carbon-budget.yml: valid — grid DEU")


def test_a_budget_that_cannot_be_checked_is_not_a_pass(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget("grid: {country: FRA}\nlifecycle: {per_inference: 1 J}\nbudgets: {search: 1 kg}\n")
    code, out, _ = run("estimate")
    assert code == 2
    assert "Not checked: the budget for search — needs lifecycle.search.trials" in out
    code, out, err = run("estimate", "--format", "json")
    assert code == 2
    assert json.loads(out)["status"] == "unknown"
    assert "error: budgets.search cannot be checked: needs lifecycle.search.trials" in err
    code, out, _ = run("estimate", "--format", "markdown")
    assert out.startswith("### Carbon life-cycle estimate: budget not checked — search")


def test_percentages_work_where_a_share_is_meant(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET.replace("search: {trials: 0}", "search: {trials: 4, trial_share: 25 %}"))
    _, out, _ = run("estimate", "--format", "json")
    doc = json.loads(out)
    assert doc["assumptions"]["trial_share"]["value"] == 0.25
    assert doc["stages"]["search"]["energy_kwh"] == pytest.approx(
        doc["stages"]["training"]["energy_kwh"]
    )


def test_validate_warns_about_what_estimate_will_miss(write_budget: Callable[[str], Path]) -> None:
    write_budget("lifecycle: {per_inference: 1 J}\nbudgets: {training: 1 kg}\n")
    code, _, err = run("validate")
    assert code == 0
    assert "warning: carbon-budget.yml: no grid location" in err
    write_budget(
        "grid: {country: FRA}\nlifecycle: {per_inference: 1 J}\nbudgets: {training: 1 kg}\n"
    )
    code, _, err = run("validate")
    assert code == 0
    assert "budgets.training cannot be checked: needs lifecycle.training_samples (D)" in err


def test_json_floats_carry_no_binary_noise(write_budget: Callable[[str], Path]) -> None:
    write_budget(BUDGET)
    _, out, _ = run("estimate", "--format", "json")
    assert "0000000000" not in out
    assert "9999999999" not in out


def test_validate_says_when_max_increase_is_below_the_noise_floor(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget("grid: {country: FRA}\nbudgets: {max_increase: 5 %}\n")
    code, out, err = run("validate")
    assert code == 0
    assert "max increase 5 % (judged beyond the noise floor, 20 %, between separate runs)" in out
    assert "warning" not in err
    write_budget("grid: {country: FRA}\nbudgets: {max_increase: 5 %, noise_floor: 3 %}\n")
    _, out, _ = run("validate")
    assert "noise floor" not in out


def test_a_repository_must_be_owner_slash_name() -> None:
    result = CliRunner().invoke(
        cli, ["report", "--example", "--results", "x.json", "--repo", "acme", "--pr", "1"]
    )
    assert result.exit_code == 2
    assert "--repo must be OWNER/NAME, got 'acme'" in result.stderr


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_comment_as_names_the_apps_comment_when_github_cannot(
    server: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str
) -> None:
    server.graphql = False  # nothing can tell who the App's token is: only comment-as
    marker = pr_report.marker("carbon-budget.yml")
    others = server.add_comment("github-actions[bot]", f"{marker}\nanother workflow's")
    ours = server.add_comment("my-app[bot]", f"{marker}\nrun 1")
    (tmp_path / "report.md").write_text("run 2\n")
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_TOKEN", "app-token")
    args = ["comment", "--report", "report.md", "--repo", "acme/model", "--pr", "42"]
    if how == "flag":
        args += ["--comment-as", "my-app[bot]"]
    else:
        monkeypatch.setenv("CARBON_GATE_COMMENT_AS", "my-app[bot]")
    code, _, err = run(*args)
    assert code == 0, err
    assert "comment updated" in err
    assert server.comments[ours]["body"] == f"{marker}\nrun 2\n"
    assert server.comments[others]["body"].endswith("another workflow's")


def test_without_comment_as_an_unknown_identity_is_a_warning_that_says_what_to_set(
    server: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server.graphql = False
    (tmp_path / "report.md").write_text("run\n")
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_TOKEN", "app-token")
    code, _, err = run("comment", "--report", "report.md", "--repo", "acme/model", "--pr", "42")
    assert code == 3
    assert "cannot tell which account the token comments as" in err
    assert "set `comment-as`" in err
    assert "app-token" not in err
    assert server.comments == {}


@pytest.mark.parametrize("command", ["comment", "check", "report"])
def test_a_comment_as_that_is_not_a_login_exits_2(command: str) -> None:
    code, _, err = run(command, "--comment-as", "my app[bot]")
    assert code == 2
    assert "'my app[bot]' is not a GitHub login" in err


def test_the_action_passes_its_comment_as_input_to_carbon_gate() -> None:
    action = yaml.safe_load((Path(__file__).resolve().parents[1] / "action.yml").read_text())
    assert action["inputs"]["comment-as"]["default"] == ""
    assert "my-app[bot]" in action["inputs"]["comment-as"]["description"]
    (gate,) = [step for step in action["runs"]["steps"] if step.get("id") == "gate"]
    assert gate["env"]["CARBON_GATE_COMMENT_AS"] == "${{ inputs.comment-as }}"


def test_a_comment_as_that_is_not_the_tokens_login_is_reported(
    server: FakeGitHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "report.md").write_text("run\n")
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_TOKEN", "app-token")
    monkeypatch.setenv("CARBON_GATE_COMMENT_AS", "github-actions[bot]")
    code, _, err = run("comment", "--report", "report.md", "--repo", "acme/model", "--pr", "42")
    assert code == 0
    assert "warning: the comment was posted as my-app[bot]" in err
    assert "set `comment-as` to my-app[bot]" in err
