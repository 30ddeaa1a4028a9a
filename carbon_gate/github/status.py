"""The verdict as a commit status on the pull request's head commit: the check a branch rule can
require (`POST /repos/{owner}/{repo}/statuses/{sha}`, which needs `statuses: write`).

A `workflow_run` job's own result is not a check on the pull request, so the trusted half of the
fork-safe setup publishes its verdict this way; the one-workflow setup does too, so that both
name the same check. A status belongs to one commit: a new push has none until the gate has
judged it, and a branch rule that requires it waits ("Expected") rather than pass.

Commit statuses rather than check runs: `statuses: write` grants nothing else, where a check run
needs `checks: write` and its API attaches a run made by the Actions token to a check suite of
GitHub's choosing. The description is plain text on GitHub (no Markdown), at most 140 characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # light to import: `carbon-gate --help` names CONTEXT
    from carbon_gate.github.api import Api

CONTEXT = "carbon-gate"
DESCRIPTION_LIMIT = 140  # characters GitHub keeps of a status's description
State = Literal["success", "failure", "error", "pending"]
# warn: within the budgets, with something to read (a warning is no reason to block a merge);
# unknown: the gate could not judge, which is not a pass.
_STATES: dict[str, State] = {
    "pass": "success",
    "warn": "success",
    "fail": "failure",
    "unknown": "error",
}
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_CONTEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/:()-]{0,99}")


@dataclass(frozen=True)
class Status:
    """What the head commit is told: the state, one line on why, and where to read more."""

    state: State
    description: str
    target_url: str = ""


def of_verdict(status: str, headline: str, *, warn_only: bool = False) -> Status:
    """The commit status for the gate's `status` (pass, warn, fail, unknown) and its headline."""
    state = _STATES.get(status, "error")
    if warn_only and state == "failure":
        state = "success"
        headline = f"warn-only: {headline}"
    return Status(state, one_line(headline))


def one_line(text: str) -> str:
    """`text` as a status's description: one line of printable characters, cut to fit."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if len(flat) <= DESCRIPTION_LIMIT:
        return flat
    return flat[: DESCRIPTION_LIMIT - 1].rstrip() + "…"


def check_context(name: str) -> str:
    """`name` if it can name a commit status (letters, digits, ` ._/:()-`, at most 100); else a
    `ValueError` saying what is allowed."""
    if not _CONTEXT.fullmatch(name):
        raise ValueError(
            f"{name!r} cannot name a commit status: letters, digits, spaces and . _ / : ( ) -, "
            "starting with a letter or digit, at most 100 characters"
        )
    return name


def run_url(env: Mapping[str, str]) -> str:
    """This workflow run's page (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID); "" when
    any of them is missing or odd."""
    server = env.get("GITHUB_SERVER_URL", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    run = env.get("GITHUB_RUN_ID", "")
    if not re.fullmatch(r"https?://[^\s/?#]+", server) or not run.isdigit():
        return ""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repository):
        return ""
    return f"{server}/{repository}/actions/runs/{run}"


def publish(api: Api, repository: str, sha: str, context: str, status: Status) -> None:
    """Set `context`'s status on commit `sha` of `repository`; a `GitHubError` when GitHub
    refuses."""
    if not _SHA.fullmatch(sha):
        raise ValueError(f"not a commit SHA: {sha!r}")
    body = {"state": status.state, "context": context, "description": status.description}
    if status.target_url.startswith(("https://", "http://")):
        body["target_url"] = status.target_url
    api.start_clock()
    api.call("POST", f"/repos/{repository}/statuses/{sha}", json=body)


def current(api: Api, repository: str, sha: str, context: str) -> State | None:
    """The state `context` has on commit `sha` now (its latest status), or None when it has none."""
    if not _SHA.fullmatch(sha):
        raise ValueError(f"not a commit SHA: {sha!r}")
    api.start_clock()
    combined = api.call("GET", f"/repos/{repository}/commits/{sha}/status?per_page=100")
    listed = combined.get("statuses") if isinstance(combined, dict) else None
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and item.get("context") == context:
            state = item.get("state")
            return state if state in _STATES.values() or state == "pending" else "error"
    return None
