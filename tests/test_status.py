"""The verdict as the commit status `carbon-gate` on the pull request's head commit: set by the
trusted half (`report --artifact`, a merge) and by `check`, against the GitHub stand-in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import webhooks
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document
from github_server import FakeGitHub

from carbon_gate.cli.main import cli
from carbon_gate.github import status

HEAD_SHA, BASE_SHA = "b" * 40, "a" * 40
BUDGET = (
    f"grid: {{country: FRA}}\n{LIFECYCLE_YAML}budgets:\n  lifecycle: 1 kg\n  max_increase: 2 %\n"
)


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def saved(tmp_path: Path, write_budget: Callable[[str], Path]) -> Callable[[float], Path]:
    """The measuring half's artifact, the head costing `growth` times the base."""

    def save(growth: float) -> Path:
        write_budget(BUDGET)
        for name, joules in (("base.json", 0.010), ("head.json", 0.010 * growth)):
            (tmp_path / name).write_text(json.dumps(results_document(joules, cv=0.01)))
        event = webhooks.pull_request(42, BASE_SHA, HEAD_SHA, head_repository="fork/model")
        (tmp_path / "pr-event.json").write_text(json.dumps(event))
        env = {
            "GITHUB_EVENT_PATH": str(tmp_path / "pr-event.json"),
            "GITHUB_REPOSITORY": "acme/model",
        }
        args = ["check", "--results", "head.json", "--baseline", "base.json", "--comment", "off"]
        run([*args, "--artifact", "artifact"], env)
        return tmp_path / "artifact"

    return save


def trusted(tmp_path: Path, server: FakeGitHub, token: str = "bot-token") -> dict[str, str]:
    """The commenting half: a workflow_run of the fork's measuring run, the default branch's
    token."""
    event = webhooks.workflow_run(HEAD_SHA, head_repository="fork/model")
    (tmp_path / "run-event.json").write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": server.url,
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "99",
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_EVENT_PATH": str(tmp_path / "run-event.json"),
        "GITHUB_TOKEN": token,
    }


@pytest.mark.parametrize(
    ("growth", "code", "state", "words"),
    [(1.5, 1, "failure", "❌ carbon-gate: grew more than allowed"), (1.0, 0, "success", "✅")],
    ids=["grew", "unchanged"],
)
def test_the_trusted_half_sets_the_verdict_on_the_head_commit(  # noqa: PLR0917 (parametrized)
    saved: Callable[[float], Path],
    tmp_path: Path,
    server: FakeGitHub,
    growth: float,
    code: int,
    state: str,
    words: str,
) -> None:
    folder = saved(growth)
    args = [
        "report",
        "--artifact",
        str(folder),
        "--comment",
        "update",
        "--commit-status",
        "carbon-gate",
    ]
    got, _, err = run(args, trusted(tmp_path, server))
    assert got == code, err
    (said,) = server.statuses
    assert (said["sha"], said["context"], said["state"]) == (HEAD_SHA, "carbon-gate", state)
    assert said["description"].startswith(words)
    assert len(said["description"]) <= status.DESCRIPTION_LIMIT
    assert said["target_url"] == "https://github.test/c/1000"  # the comment it was judged in
    assert said["creator"] == "github-actions[bot]"
    assert f"commit status carbon-gate: {state} on acme/model@{HEAD_SHA[:12]}" in err


def test_without_commenting_the_status_links_the_run(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    folder = saved(1.5)
    args = ["report", "--artifact", str(folder), "--commit-status", "carbon-gate"]
    code, _, err = run(args, trusted(tmp_path, server))
    assert code == 1, err
    assert server.comments == {}
    (said,) = server.statuses
    assert said["target_url"] == "https://github.test/acme/model/actions/runs/99"


def test_a_status_the_trusted_half_cannot_set_fails_its_job(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    """Without `statuses: write` the verdict would reach no branch rule: the job says so and
    fails, even for a pull request within its budgets."""
    folder = saved(1.0)
    args = ["report", "--artifact", str(folder), "--commit-status", "carbon-gate"]
    code, out, err = run(args, trusted(tmp_path, server, token="readonly-token"))
    assert code == 3, err
    assert "could not set the commit status carbon-gate on acme/model@bbbbbbbbbbbb" in out + err
    assert "`permissions: statuses: write`" in out + err
    assert server.statuses == []


def test_a_missing_artifact_sets_an_error_on_the_measured_commit(
    tmp_path: Path, server: FakeGitHub, write_budget: Callable[[str], Path]
) -> None:
    """The measuring run uploaded nothing (it failed, or a fork's workflow left it out): the
    commit it measured, as GitHub's event names it, is told the gate could not judge it."""
    write_budget(BUDGET)
    args = ["report", "--artifact", str(tmp_path / "none"), "--commit-status", "carbon-gate"]
    code, _, err = run(args, trusted(tmp_path, server))
    assert code == 2, err
    (said,) = server.statuses
    assert (said["sha"], said["state"]) == (HEAD_SHA, "error")
    assert said["description"].startswith("not judged: ")


def test_a_tampered_claim_is_an_error_on_the_measured_commit_not_on_the_claimed_one(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    folder = saved(1.0)
    claim = json.loads((folder / "pull-request.json").read_text())
    claim.update(number=7, head_sha="d" * 40)  # another pull request's head: make it pass
    (folder / "pull-request.json").write_text(json.dumps(claim))
    server.pull_heads[7] = "d" * 40
    args = ["report", "--artifact", str(folder), "--commit-status", "carbon-gate"]
    code, _, err = run(args, trusted(tmp_path, server))
    assert code == 2, err
    assert [(s["sha"], s["state"]) for s in server.statuses] == [(HEAD_SHA, "error")]


def test_check_sets_the_status_and_a_forks_read_only_token_only_warns(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    """In the one-workflow setup the job's own result is the verdict: a status that a fork's
    token may not set is a warning, and the exit code stays the verdict's."""
    saved(1.5)
    env = {
        "GITHUB_API_URL": server.url,
        "GITHUB_EVENT_PATH": str(tmp_path / "pr-event.json"),
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_TOKEN": "bot-token",
    }
    args = ["check", "--results", "head.json", "--baseline", "base.json", "--commit-status", "cg"]
    code, _, err = run([*args, "--comment", "off"], env)
    assert code == 1, err
    assert [(s["sha"], s["context"], s["state"]) for s in server.statuses] == [
        (HEAD_SHA, "cg", "failure")
    ]
    code, _, err = run([*args, "--comment", "off"], {**env, "GITHUB_TOKEN": "readonly-token"})
    assert code == 1, err
    assert "This pull request comes from a fork: its token is read-only." in err
    assert len(server.statuses) == 1


@pytest.mark.parametrize(
    ("verdict", "state"),
    [("pass", "success"), ("warn", "success"), ("fail", "failure"), ("unknown", "error")],
)
def test_each_verdict_has_its_state(verdict: str, state: str) -> None:
    assert status.of_verdict(verdict, "x").state == state
    assert status.of_verdict("fail", "over budget", warn_only=True) == status.Status(
        "success", "warn-only: over budget"
    )


def test_a_description_is_one_line_that_fits() -> None:
    said = status.one_line("a\nb\x1b[31m " + "x" * 500)
    assert said.startswith("a b [31m x")
    assert len(said) == status.DESCRIPTION_LIMIT
    assert said.endswith("…")


@pytest.mark.parametrize("name", ["", "-x", "a" * 101, "bad\nname", "é"])
def test_a_context_github_would_not_show_is_refused(name: str) -> None:
    code, _, err = run(["report", "--results", "x.json", "--commit-status", name])
    assert code == 2
    assert "cannot name a commit status" in err


def pull_request_target(
    tmp_path: Path, server: FakeGitHub, token: str = "bot-token"
) -> dict[str, str]:
    """The trusted workflow on `pull_request_target`: the fork's pull request, the default
    branch's token."""
    event = webhooks.pull_request(42, BASE_SHA, HEAD_SHA, head_repository="fork/model")
    (tmp_path / "target-event.json").write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": server.url,
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_EVENT_PATH": str(tmp_path / "target-event.json"),
        "GITHUB_TOKEN": token,
    }


def test_a_new_head_commit_waits_for_the_verdict_and_a_verdict_stays(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    """Pushed: pending at once. Judged: the verdict. Marked again (a re-run): the verdict stays."""
    env = pull_request_target(tmp_path, server)
    code, _, err = run(["pending"], env)
    assert code == 0, err
    assert [(s["sha"], s["context"], s["state"]) for s in server.statuses] == [
        (HEAD_SHA, "carbon-gate", "pending")
    ]
    folder = saved(1.5)
    args = ["report", "--artifact", str(folder), "--commit-status", "carbon-gate"]
    assert run(args, trusted(tmp_path, server))[0] == 1
    code, _, err = run(["pending"], env)
    assert code == 0, err
    assert "is failure already: left as it is" in err
    assert [s["state"] for s in server.statuses] == ["pending", "failure"]


def test_a_pending_mark_github_refuses_fails_and_says_why(
    tmp_path: Path, server: FakeGitHub
) -> None:
    code, _, err = run(["pending"], pull_request_target(tmp_path, server, "readonly-token"))
    assert code == 3
    assert "could not mark acme/model@bbbbbbbbbbbb as waiting for carbon-gate" in err
    assert "`permissions: statuses: write`" in err
    code, _, err = run(["pending"], {})
    assert code == 2
    assert "no pull request to mark" in err


def test_an_artifact_that_names_no_pull_request_is_an_error_on_the_measured_commit(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    """A fork's workflow can leave out the claim: its head is told why it has no verdict."""
    folder = saved(1.5)
    (folder / "pull-request.json").unlink()
    args = ["report", "--artifact", str(folder), "--commit-status", "carbon-gate"]
    code, _, err = run(args, trusted(tmp_path, server))
    assert code == 2, err
    assert "names no pull request, but the workflow run was for one" in err
    assert [(s["sha"], s["state"]) for s in server.statuses] == [(HEAD_SHA, "error")]


def test_a_retargeted_pull_request_waits_again(
    saved: Callable[[float], Path], tmp_path: Path, server: FakeGitHub
) -> None:
    """Its verdict was another base's policy: the head waits for a new one, and says how."""
    folder = saved(1.0)
    args = ["report", "--artifact", str(folder), "--commit-status", "carbon-gate"]
    assert run(args, trusted(tmp_path, server))[0] == 0
    env = pull_request_target(tmp_path, server)
    event = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text())
    event.update(action="edited", changes={"base": {"ref": {"from": "feature"}}})
    Path(env["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
    code, _, err = run(["pending"], env)
    assert code == 0, err
    assert [s["state"] for s in server.statuses] == ["success", "pending"]
    assert server.statuses[-1]["description"].startswith("the base changed: waiting for a new")
