"""`carbon-gate check`, `report` and `comment` end to end: files, Actions outputs, and the comment
on a GitHub stand-in on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document
from github_server import FakeGitHub

from carbon_gate.cli.main import cli

BUDGET = (
    "grid: {country: FRA}\n" + LIFECYCLE_YAML + "budgets:\n  lifecycle: 1 kg\n  max_increase: 2 %\n"
)
SECRET = "bot-token"


@pytest.fixture
def workspace(tmp_path: Path, write_budget: Callable[[str], Path]) -> Path:
    """A checkout with a budget file, a base and a head results file, and an Actions event."""
    write_budget(BUDGET)
    for name, joules in (("base.json", 0.010), ("head.json", 0.0101), ("slower.json", 0.015)):
        document = results_document(joules, cv=0.01)
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    event = {
        "pull_request": {
            "number": 42,
            "head": {"sha": "b" * 40, "ref": "feature", "repo": {"full_name": "acme/model"}},
            "base": {"sha": "a" * 40, "ref": "main", "repo": {"full_name": "acme/model"}},
        }
    }
    (tmp_path / "event.json").write_text(json.dumps(event), encoding="utf-8")
    return tmp_path


def actions_env(workspace: Path, server: FakeGitHub, token: str = SECRET) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_EVENT_PATH": str(workspace / "event.json"),
        "GITHUB_STEP_SUMMARY": str(workspace / "summary.md"),
        "GITHUB_OUTPUT": str(workspace / "output.txt"),
        "GITHUB_JOB": "carbon",
        "GITHUB_TOKEN": token,
    }


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def outputs(workspace: Path) -> dict[str, str]:
    lines = (workspace / "output.txt").read_text(encoding="utf-8").splitlines()
    values, i = {}, 0
    while i < len(lines):
        name, delimiter = lines[i].split("<<")
        end = lines.index(delimiter, i + 1)
        values[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return values


def test_report_renders_from_saved_results(workspace: Path) -> None:
    code, out, _ = run(["report", "--results", "head.json", "--baseline", "base.json"])
    assert code == 0
    assert out.startswith("✅ carbon-gate: within budget — ")
    report = (workspace / "carbon-gate-report.md").read_text(encoding="utf-8")
    assert report.startswith("<!-- carbon-gate report id=carbon-budget.yml -->\n### ✅")


def test_check_comments_then_updates_in_place_and_fills_the_job(
    workspace: Path, server: FakeGitHub
) -> None:
    others = server.add_comment("alice", "LGTM")
    env = actions_env(workspace, server)
    args = ["check", "--results", "head.json", "--baseline", "base.json"]
    code, out, err = run(args, env)
    assert code == 0, err
    assert "comment created: https://github.test/c/" in err
    code, _, err = run(args, env)
    assert "comment updated" in err
    ours = [c for c in server.comments.values() if c["user"]["login"] == "github-actions[bot]"]
    assert len(ours) == 1
    assert ours[0]["body"].startswith("<!-- carbon-gate report id=carbon-budget.yml:carbon -->")
    assert server.comments[others]["body"] == "LGTM"
    assert "### ✅ carbon-gate" in (workspace / "summary.md").read_text(encoding="utf-8")
    values = outputs(workspace)
    assert values["status"] == "pass"
    assert values["report-path"] == "carbon-gate-report.md"
    assert float(values["lifecycle-delta-percent"]) == pytest.approx(1.0, abs=0.05)
    assert SECRET not in out + err


def test_a_regression_fails_with_an_annotation_at_the_budget_line(
    workspace: Path, server: FakeGitHub
) -> None:
    env = actions_env(workspace, server)
    code, out, _ = run(["check", "--results", "slower.json", "--baseline", "base.json"], env)
    assert code == 1
    # Every stage grew 50 %: one annotation at max_increase's line names them all.
    (annotation,) = [line for line in out.splitlines() if line.startswith("::error")]
    assert annotation.startswith(
        "::error file=carbon-budget.yml,line=5,col=17,title=carbon-gate%3A 5 stages::"
        "Inference, per 1,000: grew 50.0%25, more than the allowed 2%25"
    )
    assert "; Life cycle: grew 50.0%25, more than the allowed 2%25 and beyond the ±20%25" in out
    assert outputs(workspace)["status"] == "fail"
    posted = next(iter(server.comments.values()))["body"]
    assert "### ❌ carbon-gate: grew more than allowed" in posted  # no absolute budget exceeded


def test_warn_only_passes_a_regression(workspace: Path, server: FakeGitHub) -> None:
    env = actions_env(workspace, server)
    args = ["check", "--results", "slower.json", "--baseline", "base.json", "--warn-only"]
    code, out, _ = run(args, env)
    assert code == 0
    assert "::warning file=carbon-budget.yml" in out


def test_a_read_only_token_warns_and_the_decision_stands(
    workspace: Path, server: FakeGitHub
) -> None:
    env = actions_env(workspace, server, token="readonly-token")
    code, out, err = run(["check", "--results", "head.json", "--baseline", "base.json"], env)
    assert code == 0
    assert "could not comment on acme/model#42" in err
    assert "::warning title=carbon-gate::could not comment" in out
    assert "read-only token" in err
    assert (workspace / "summary.md").exists()
    assert server.comments == {}
    code, _, _ = run(["check", "--results", "slower.json", "--baseline", "base.json"], env)
    assert code == 1  # commenting never changes the decision
    code, _, _ = run(
        ["check", "--results", "head.json", "--baseline", "base.json", "--fail-on-comment-error"],
        env,
    )
    assert code == 3


def test_comment_off_and_outside_a_pull_request(workspace: Path, server: FakeGitHub) -> None:
    code, _, err = run(["check", "--results", "head.json"], {"GITHUB_TOKEN": SECRET})
    assert code == 0
    assert "not a pull request" in err
    env = actions_env(workspace, server)
    run(["check", "--results", "head.json", "--comment", "off"], env)
    assert server.comments == {}


def test_comment_posts_a_saved_report_with_a_marker(workspace: Path, server: FakeGitHub) -> None:
    (workspace / "mine.md").write_text("hand-written report", encoding="utf-8")
    env = {"GITHUB_API_URL": server.url, "GITHUB_TOKEN": SECRET, "GITHUB_ACTIONS": "true"}
    code, _, err = run(
        ["comment", "--report", "mine.md", "--repo", "acme/model", "--pr", "42"], env
    )
    assert code == 0, err
    body = next(iter(server.comments.values()))["body"]
    assert body == "<!-- carbon-gate report id=carbon-budget.yml -->\nhand-written report"


def test_a_results_file_from_another_benchmark_is_refused(workspace: Path) -> None:
    (workspace / "carbon-budget.yml").write_text(
        BUDGET + "benchmark: {callable: 'other.bench:predict'}\n", encoding="utf-8"
    )
    code, _, err = run(["report", "--results", "head.json"])
    assert code == 2
    assert "was measured for another benchmark" in err


def test_missing_and_broken_inputs_are_usage_errors(workspace: Path) -> None:
    code, _, err = run(["report", "--results", "head.json", "--baseline", "nope.json"])
    assert (code, "nope.json: no such file" in err) == (2, True)
    (workspace / "event.json").write_text("{broken", encoding="utf-8")
    code, _, err = run(
        ["report", "--results", "head.json"], {"GITHUB_EVENT_PATH": str(workspace / "event.json")}
    )
    assert code == 2
    assert "cannot read the event" in err


def test_a_users_template_without_the_marker_still_updates_in_place(
    workspace: Path, server: FakeGitHub
) -> None:
    (workspace / "mine.md.j2").write_text("My report: {{ headline|md }}\n", encoding="utf-8")
    (workspace / "carbon-budget.yml").write_text(
        BUDGET + "report: {template: mine.md.j2}\n", encoding="utf-8"
    )
    env = actions_env(workspace, server)
    for _ in range(3):
        code, _, err = run(["check", "--results", "head.json"], env)
        assert code == 0, err
    assert len(server.comments) == 1


def test_text_from_results_files_cannot_issue_workflow_commands(
    workspace: Path, server: FakeGitHub
) -> None:
    document = json.loads((workspace / "base.json").read_text(encoding="utf-8"))
    document["benchmark"]["callable"] = "x\n::add-mask::PWNED"
    (workspace / "other.json").write_text(json.dumps(document), encoding="utf-8")
    env = actions_env(workspace, server)
    code, out, _ = run(["check", "--results", "head.json", "--baseline", "other.json"], env)
    assert code == 0
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[start].removeprefix("::stop-commands::")
    end = lines.index(f"::{token}::")
    assert "PWNED" in "\n".join(lines[start:end])
    # Outside stop-commands only our own annotations start a line; theirs are escaped within.
    assert not any(line.startswith("::add-mask::") for line in lines)
    assert all(
        line.startswith(("::error", "::warning"))
        for line in lines[end + 1 :]
        if line.startswith("::")
    )


def test_a_broken_template_falls_back_to_the_built_in_report(workspace: Path) -> None:
    (workspace / "bad.md.j2").write_text("fine\n{{ nope( }}", encoding="utf-8")
    (workspace / "carbon-budget.yml").write_text(
        BUDGET + "report: {template: bad.md.j2}\n", encoding="utf-8"
    )
    code, out, err = run(["report", "--results", "slower.json", "--baseline", "base.json"])
    assert code == 1  # the decision is not lost to the template
    assert "bad.md.j2 (line 2): TemplateSyntaxError" in err
    assert "built-in report template was used instead" in err
    assert out.startswith("❌ carbon-gate: grew more than allowed")
    report = (workspace / "carbon-gate-report.md").read_text(encoding="utf-8")
    assert "### ❌ carbon-gate: grew more than allowed" in report


def test_a_template_that_does_not_exist_is_a_budget_file_problem(workspace: Path) -> None:
    (workspace / "carbon-budget.yml").write_text(
        BUDGET + "report: {template: nowhere.md.j2}\n", encoding="utf-8"
    )
    code, _, err = run(["validate"])
    assert code == 2
    assert "carbon-budget.yml:6:20: report.template: nowhere.md.j2 is not a file" in err


def test_a_baseline_of_another_benchmark_is_not_compared(workspace: Path) -> None:
    other = json.loads((workspace / "base.json").read_text(encoding="utf-8"))
    other["benchmark"]["callable"] = "elsewhere.bench:predict"
    other["estimate"]["stages"]["lifecycle"]["co2eq_kg"] = 1e-9
    (workspace / "other.json").write_text(json.dumps(other), encoding="utf-8")
    code, out, _ = run(["report", "--results", "slower.json", "--baseline", "other.json"])
    assert code == 0  # a warning, said first: the change was not judged
    assert out.startswith("⚠️ carbon-gate: change not judged — the change against the base was")
    assert "the base measured another benchmark (callable 'elsewhere.bench:predict'" in out
    code, out, _ = run(
        ["report", "--results", "slower.json", "--baseline", "other.json", "--require-comparison"]
    )
    assert code == 1
    assert out.startswith("❌ carbon-gate: change not judged (required) — ")


def test_the_job_summary_never_exceeds_its_limit(tmp_path: Path) -> None:
    from carbon_gate.github import actions

    path = tmp_path / "summary.md"
    actions.append_summary({"GITHUB_STEP_SUMMARY": str(path)}, "x" * (2 * actions.SUMMARY_LIMIT))
    assert len(path.read_bytes()) <= actions.SUMMARY_LIMIT
    path.unlink()
    actions.append_summary({"GITHUB_STEP_SUMMARY": str(path)}, "y" * actions.SUMMARY_LIMIT)
    assert len(path.read_bytes()) <= actions.SUMMARY_LIMIT


def test_in_a_subfolder_annotations_and_the_id_name_the_file_from_the_repository_root(
    workspace: Path, server: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The action's working-directory: GitHub finds annotated files from the workspace root."""
    project = workspace / "services" / "model"
    project.mkdir(parents=True)
    for name in ("carbon-budget.yml", "slower.json", "base.json"):
        (workspace / name).rename(project / name)
    monkeypatch.chdir(project)
    env = {**actions_env(workspace, server), "GITHUB_WORKSPACE": str(workspace)}
    code, out, _ = run(["check", "--results", "slower.json", "--baseline", "base.json"], env)
    assert code == 1
    assert "::error file=services/model/carbon-budget.yml,line=5," in out
    (body,) = [c["body"] for c in server.comments.values()]
    assert body.startswith("<!-- carbon-gate report id=services/model/carbon-budget.yml:carbon -->")
