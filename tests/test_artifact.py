"""The fork-safe setup's hand-over: `check --artifact` saves, `report --artifact --comment` posts
from a `workflow_run` event, after checking which pull request the untrusted folder names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import webhooks
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document
from github_server import FakeGitHub

from carbon_gate.cli.main import cli
from carbon_gate.github import artifact

HEAD_SHA, BASE_SHA = "b" * 40, "a" * 40


@pytest.fixture
def saved(tmp_path: Path, write_budget: Callable[[str], Path]) -> Path:
    """The measuring half's artifact folder, saved by `check` in a pull_request event."""
    write_budget(
        f"grid: {{country: FRA}}\n{LIFECYCLE_YAML}"
        "budgets:\n  lifecycle: 1 kg\n  max_increase: 2 %\n"
    )
    for name, joules in (("base.json", 0.010), ("head.json", 0.015)):
        (tmp_path / name).write_text(json.dumps(results_document(joules, cv=0.01)))
    pull_request = webhooks.pull_request(42, BASE_SHA, HEAD_SHA, head_repository="fork/model")
    (tmp_path / "pr-event.json").write_text(json.dumps(pull_request))
    args = ["check", "--results", "head.json", "--baseline", "base.json", "--comment", "off"]
    env = {"GITHUB_EVENT_PATH": str(tmp_path / "pr-event.json"), "GITHUB_REPOSITORY": "acme/model"}
    code, _, err = run([*args, "--artifact", "artifact"], env)
    assert code == 1, err  # +50 %: the measuring half fails the pull request's check
    return tmp_path / "artifact"


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def workflow_run(tmp_path: Path, server: FakeGitHub, **run_fields: Any) -> dict[str, str]:
    """The commenting half's environment: a workflow_run event, the default branch's token."""
    event = webhooks.workflow_run(HEAD_SHA, head_repository="fork/model")
    event["workflow_run"].update(run_fields)
    (tmp_path / "run-event.json").write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_EVENT_PATH": str(tmp_path / "run-event.json"),
        "GITHUB_TOKEN": "bot-token",
    }


def test_the_artifact_holds_both_results_and_the_pull_request(saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == [
        "base.json",
        "head.json",
        "leg.json",  # which budget file it belongs to, for a merge of a matrix's legs
        "pull-request.json",
    ]
    assert artifact.load_leg(saved) == artifact.Leg("carbon-budget.yml", "carbon-budget.yml", "")
    claim = json.loads((saved / "pull-request.json").read_text())
    assert (claim["number"], claim["head_sha"], claim["base_sha"]) == (42, HEAD_SHA, BASE_SHA)
    for name in ("head.json", "base.json"):  # the results files judged, as they were
        assert (saved / name).read_bytes() == (saved.parent / name).read_bytes()


def test_a_forks_pull_request_is_looked_up_then_commented(
    saved: Path, tmp_path: Path, server: FakeGitHub
) -> None:
    env = workflow_run(tmp_path, server)
    args = ["report", "--artifact", str(saved), "--comment", "update"]
    code, _, err = run(args, env)
    assert code == 1, err  # the decision is the same as the measuring half's
    assert ("GET", "/repos/acme/model/pulls/42") in server.requests
    assert "comment created" in err
    code, _, err = run(args, env)
    assert "comment updated" in err
    (body,) = [c["body"] for c in server.comments.values()]
    assert "❌" in body
    assert "fork" in body.lower()


def test_a_listed_pull_request_is_still_checked_with_github(
    saved: Path, tmp_path: Path, server: FakeGitHub
) -> None:
    listed = [{"number": 42, "head": {"sha": HEAD_SHA}}]
    env = workflow_run(tmp_path, server, pull_requests=listed, head_repository=None)
    code, _, err = run(["report", "--artifact", str(saved), "--comment", "update"], env)
    assert code == 1, err
    assert "comment created" in err
    assert ("GET", "/repos/acme/model/pulls/42") in server.requests


@pytest.mark.parametrize("number", [42, 7])
def test_a_pull_request_not_at_the_measured_commit_gets_nothing(
    saved: Path, tmp_path: Path, server: FakeGitHub, number: int
) -> None:
    """#42 moved on since (a newer push), or the claim names #7, which is elsewhere: no comment,
    a warning, and the commenting job does not fail for it."""
    server.pull_heads = {42: "e" * 40, 7: "d" * 40}
    path = saved / "pull-request.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "number": number}))
    env = workflow_run(tmp_path, server)
    code, _, err = run(["report", "--artifact", str(saved), "--comment", "update"], env)
    assert code == 1, err  # the decision's code only
    assert f"#{number} of acme/model is at " in err
    assert "nothing was posted" in err
    assert server.comments == {}


def test_without_commenting_the_claim_is_not_needed(saved: Path, server: FakeGitHub) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/model"}
    code, out, err = run(["report", "--artifact", str(saved)], env)
    assert code == 1, err
    assert "❌" in out
    assert server.requests == []


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ({"head_sha": "c" * 40}, "the artifact is for commit cccccccccccc"),
        ({"number": "42; rm -rf /"}, "must be a pull request's number"),
        ({"number": 0}, "must be a pull request's number"),
        ({"head_sha": "$(id)"}, "must be a commit's SHA"),
        ({"format": "other"}, "not a carbon-gate pull-request file"),
    ],
)
def test_a_tampered_claim_posts_nothing(
    saved: Path,
    tmp_path: Path,
    server: FakeGitHub,
    tamper: dict[str, Any],
    message: str,
) -> None:
    server.pull_heads[7] = "d" * 40  # another pull request, at another commit
    path = saved / "pull-request.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **tamper}))
    env = workflow_run(tmp_path, server)
    code, _, err = run(["report", "--artifact", str(saved), "--comment", "update"], env)
    assert code == 2
    assert message in err
    assert server.comments == {}


def test_oversized_or_linked_files_are_refused(saved: Path, tmp_path: Path) -> None:
    (saved / "base.json").write_bytes(b" " * (4 * 1024 * 1024 + 1))
    code, _, err = run(["report", "--artifact", str(saved)])
    assert code == 2
    assert "too large" in err
    (saved / "base.json").unlink()
    (tmp_path / "secret.json").write_text(json.dumps(results_document(0.02)))
    (saved / "head.json").unlink()
    (saved / "head.json").symlink_to(tmp_path / "secret.json")
    code, _, err = run(["report", "--artifact", str(saved)])
    assert code == 2
    assert "holds no results" in err


def test_a_claim_outside_workflow_run_needs_pr(
    saved: Path, tmp_path: Path, server: FakeGitHub
) -> None:
    env = workflow_run(tmp_path, server)
    (tmp_path / "run-event.json").write_text(json.dumps({"pull_request": {}}))
    code, _, err = run(["report", "--artifact", str(saved), "--comment", "update"], env)
    assert code == 2
    assert "only trusted in a `workflow_run` event" in err
    args = ["report", "--artifact", str(saved), "--comment", "update", "--pr", "42"]
    code, _, err = run(args, env)
    assert code == 1, err
    assert "comment created" in err


def test_results_and_artifact_are_one_too_many(saved: Path) -> None:
    code, _, err = run(["report", "--artifact", str(saved), "--results", "head.json"])
    assert code == 2
    assert "leave out --results and --baseline" in err
    code, _, err = run(["report"])
    assert code == 2
    assert "--results FILE, or --artifact FOLDER" in err


# The trusted budget file of the commenting half: a thousand times the inferences the pull request's
# run assumed, and an inference budget that this many would exceed.
TRUSTED = (
    "grid: {country: FRA}\n"
    "lifecycle: {training_samples: 1000000, epochs: 10, search: {trials: 4, trial_share: 0.25}, "
    "inferences: 1000000000000}\n"
    "budgets:\n  inference: 1 kg\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--results", "head.json", "--comment", "off"],
        ["report", "--results", "head.json"],
        ["report", "--artifact", "artifact"],
    ],
    ids=["check-results", "report-results", "report-artifact"],
)
def test_results_are_judged_by_the_trusted_budget_file_not_by_their_own_estimate(
    saved: Path, args: list[str]
) -> None:
    """The results were measured (and estimated) under 1e9 inferences; the budget file the gate
    is given says 1e12: the verdict and the Assumptions table follow the budget file."""
    workspace = saved.parent
    (workspace / "head.json").write_text(json.dumps(results_document(0.010, cv=0.01)))
    (saved / "head.json").write_text((workspace / "head.json").read_text())
    (saved / "base.json").unlink()
    stored = json.loads((saved / "head.json").read_text())["estimate"]["stages"]["inference"]
    assert stored["co2eq_kg"] < 1  # within budget, by the results file's own estimate
    (workspace / "carbon-budget.yml").write_text(TRUSTED)
    code, out, err = run(args)
    assert code == 1, err + out
    assert out.startswith("❌ carbon-gate: over budget — ")
    assert "Inference, lifetime: over budget" in out
    report = (workspace / "carbon-gate-report.md").read_text()
    inferences = next(line for line in report.splitlines() if line.startswith("| inferences"))
    assert "1.00 trillion" in inferences
    assert "carbon-budget.yml:2" in inferences


@pytest.mark.parametrize(
    "text",
    ['{"number": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000, '{"number": 1e999}'],
    ids=["digits-past-pythons-limit", "nested-deeper-than-the-parser-goes", "infinite"],
)
def test_a_claim_no_parser_can_hold_is_refused_cleanly(
    saved: Path, tmp_path: Path, server: FakeGitHub, text: str
) -> None:
    (saved / "pull-request.json").write_text(text)
    code, _, err = run(
        ["report", "--artifact", str(saved), "--comment", "update"], workflow_run(tmp_path, server)
    )
    assert code == 2, err
    assert "pull-request.json" in err
    assert server.comments == {}
