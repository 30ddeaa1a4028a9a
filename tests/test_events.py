"""What the gate reads of GitHub's real webhook deliveries (@octokit/webhooks-examples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import webhooks

from carbon_gate.errors import UsageError
from carbon_gate.github import artifact
from carbon_gate.github.pull_request import from_environment

HEAD_SHA, BASE_SHA = "b" * 40, "a" * 40


def env_for(tmp_path: Path, event: dict[str, object]) -> dict[str, str]:
    (tmp_path / "event.json").write_text(json.dumps(event))
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "Codertocat/Hello-World",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
    }


def test_every_real_pull_request_delivery_names_its_pull_request(tmp_path: Path) -> None:
    examples = webhooks.deliveries("pull_request")
    assert len(examples) >= 20  # every action GitHub sends: opened, synchronize, labeled, …
    for event in examples:
        pr = from_environment(env_for(tmp_path, event))
        sent = event["pull_request"]
        assert pr is not None, event["action"]
        assert (pr.number, pr.head_sha, pr.base_sha, pr.head_ref) == (
            sent["number"], sent["head"]["sha"], sent["base"]["sha"], sent["head"]["ref"]
        )  # fmt: skip
        assert pr.fork is False  # GitHub's examples are all from the repository itself


def test_a_real_delivery_from_a_fork_is_known_as_one(tmp_path: Path) -> None:
    event = webhooks.pull_request(7, BASE_SHA, HEAD_SHA, head_repository="someone/Hello-World")
    pr = from_environment(env_for(tmp_path, event))
    assert pr is not None
    assert pr.fork


@pytest.mark.parametrize("fork", [True, False])
def test_a_real_workflow_run_delivery_proves_the_artifacts_claim(
    tmp_path: Path, fork: bool
) -> None:
    head = "someone/Hello-World" if fork else "Codertocat/Hello-World"
    event = webhooks.workflow_run(
        HEAD_SHA, head_repository=head, repository="Codertocat/Hello-World"
    )
    claim = artifact.Claim(2, HEAD_SHA, BASE_SHA)
    pr = artifact.pull_request(
        claim, env_for(tmp_path, event), "Codertocat/Hello-World", {2: HEAD_SHA}.get
    )
    assert pr is not None
    assert (pr.number, pr.head_sha, pr.fork) == (2, HEAD_SHA, fork)
    with pytest.raises(UsageError, match="nothing was posted"):
        artifact.pull_request(
            claim._replace(head_sha="c" * 40), env_for(tmp_path, event), "x/y", {2: HEAD_SHA}.get
        )
