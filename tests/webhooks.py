"""Real webhook deliveries (GitHub's examples, @octokit/webhooks-examples in tests/js) as the tests'
Actions events: the gate reads the whole payload GitHub sends, not a few hand-picked keys. A test
takes a real delivery and sets only what its case is about (the commits, the repositories).
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from references import node_package


@functools.cache
def _index() -> dict[str, list[dict[str, Any]]]:
    folder = node_package("@octokit/webhooks-examples")
    index = json.loads((folder / "api.github.com" / "index.json").read_text(encoding="utf-8"))
    return {entry["name"]: entry["examples"] for entry in index}


def deliveries(name: str) -> list[dict[str, Any]]:
    """Every example delivery of the webhook event `name` (copies: change them freely)."""
    return copy.deepcopy(_index()[name])


def delivery(name: str, action: str) -> dict[str, Any]:
    """The first example delivery of `name` with this `action`."""
    return next(d for d in deliveries(name) if d.get("action") == action)


def _repository(payload: dict[str, Any], full_name: str) -> None:
    owner, name = full_name.split("/")
    payload.update(full_name=full_name, name=name)
    payload["owner"]["login"] = owner


def pull_request(
    number: int,
    base_sha: str,
    head_sha: str,
    *,
    head_repository: str = "acme/model",
    base_repository: str = "acme/model",
    head_ref: str = "feature",
) -> dict[str, Any]:
    """A real `pull_request` `synchronize` delivery, for pull request `number` of
    `base_repository` from `head_repository` (another one: a fork's)."""
    event = delivery("pull_request", "synchronize")
    pr = event["pull_request"]
    event["number"] = pr["number"] = number
    pr["head"].update(sha=head_sha, ref=head_ref)
    pr["base"].update(sha=base_sha, ref="main")
    _repository(pr["head"]["repo"], head_repository)
    _repository(pr["base"]["repo"], base_repository)
    _repository(event["repository"], base_repository)
    event["before"], event["after"] = base_sha, head_sha
    return event


def workflow_run(
    head_sha: str,
    *,
    run_id: int = 7,
    head_repository: str = "someone/model",
    repository: str = "acme/model",
    conclusion: str = "failure",
    pull_requests: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A real `workflow_run` `completed` delivery: the run `run_id`, for a `pull_request` event,
    measured `head_sha` of `head_repository`. GitHub lists the pull requests of a fork as []."""
    event = delivery("workflow_run", "completed")
    run = event["workflow_run"]
    run.update(
        id=run_id,
        event="pull_request",
        conclusion=conclusion,
        head_sha=head_sha,
        head_branch="feature",
        pull_requests=pull_requests or [],
    )
    _repository(run["head_repository"], head_repository)
    _repository(run["repository"], repository)
    _repository(event["repository"], repository)
    return event


def push(
    after: str, before: str, *, branch: str = "main", repository: str = "acme/model"
) -> dict[str, Any]:
    """A real `push` delivery: `branch` of `repository` (whose default branch is main) moved from
    `before` to `after`."""
    event = deliveries("push")[0]
    event.update(ref=f"refs/heads/{branch}", before=before, after=after)
    event["head_commit"]["id"] = after
    _repository(event["repository"], repository)
    event["repository"]["default_branch"] = "main"
    event["repository"]["master_branch"] = "main"
    return event
