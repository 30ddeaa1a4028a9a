"""`carbon-gate pending`: the pull request's new head commit marked as waiting for the verdict.

Run by the fork-safe setup's trusted workflow on `pull_request_target` (the default branch's
workflow file, no checkout of the pull request, `statuses: write` only), as soon as a pull request
is opened or pushed to. A head commit then has the status `carbon-gate` from the start, so a branch
rule waits for the trusted verdict even when the pull request's own workflows never start the
trusted half, or name a job of theirs like the status. A commit that has been judged already
keeps its verdict, unless the pull request was retargeted to another base (`edited`): that verdict
was another policy's, and the head waits again.
"""

from __future__ import annotations

from collections.abc import Mapping

from carbon_gate import output
from carbon_gate.errors import UsageError
from carbon_gate.github import status
from carbon_gate.github.comments import client
from carbon_gate.github.exchange import GitHubError
from carbon_gate.github.pull_request import event, from_environment

DESCRIPTION = "waiting for the verdict: the pull request is being measured"
RETARGETED = "the base changed: waiting for a new verdict (push, or re-run the measuring workflow)"


def pending_command(context: str, env: Mapping[str, str]) -> int:
    """Set `context` to pending on the event's pull request's head commit, unless it has a
    status; 0 when done (or left as it was); a `GitHubError` (exit 3) when GitHub refused."""
    pr = from_environment(env)
    if pr is None or not pr.head_sha:
        raise UsageError(
            "no pull request to mark: run this in a `pull_request_target` (or `pull_request`) "
            "event of GitHub Actions"
        )
    where = f"{pr.repository}@{pr.head_sha[:12]}"
    api = client(env, None)
    said = event(env)
    retargeted = said.get("action") == "edited" and "base" in (said.get("changes") or {})
    try:
        # Its verdict may have come first (a re-run of this job): never overwrite it, unless it
        # was given against another base (the pull request was retargeted).
        state = status.current(api, pr.repository, pr.head_sha, context)
        if state is not None and not retargeted:
            output.message(f"commit status {context} on {where} is {state} already: left as it is")
            return 0
        description = RETARGETED if retargeted else DESCRIPTION
        mark = status.Status("pending", description, status.run_url(env))
        status.publish(api, pr.repository, pr.head_sha, context, mark)
    except (GitHubError, ValueError) as error:
        raise GitHubError(
            f"could not mark {where} as waiting for {context}: {error} — the job needs "
            "`permissions: statuses: write`"
        ) from None
    output.message(f"commit status {context}: pending on {where}")
    return 0
