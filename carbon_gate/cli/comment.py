"""`carbon-gate comment`, and publishing a report as the pull request's comment (for `check`
and `report` too): post it, or edit the gate's comment in place; on failure, a warning that says
why.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from carbon_gate import output
from carbon_gate.cli.options import Publishing
from carbon_gate.errors import UsageError
from carbon_gate.github import actions
from carbon_gate.github.comments import client, fit
from carbon_gate.github.exchange import GitHubError
from carbon_gate.github.pull_request import PullRequest, from_environment
from carbon_gate.report import pr_report


def comment_command(
    report_path: Path, mode: Literal["update", "new"], to: Publishing, env: Mapping[str, str]
) -> int:
    """Publish a rendered report; 0 when posted, 3 when GitHub refused (the reason is printed)."""
    try:
        body = report_path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{report_path}: cannot read it: {error.strerror}") from None
    pr = from_environment(env, to.repo, to.pr)
    if pr is None:
        raise UsageError("no pull request to comment on — pass --repo OWNER/NAME and --pr NUMBER")
    if body.startswith(pr_report.MARKER_PREFIX):  # rendered by carbon-gate: keep its own marker
        marker = body.split("\n", 1)[0]
    else:
        marker = pr_report.marker(to.report_id or "carbon-budget.yml")
        body = f"{marker}\n{body}"
    posted = publish(body, marker, pr, mode, env, comment_as=to.comment_as)
    return 0 if posted is not None else 3


def publish(
    body: str,
    marker: str,
    pr: PullRequest,
    mode: str,
    env: Mapping[str, str],
    *,
    comment_as: str | None,
) -> str | None:
    """Post or update the comment, and give its address ("" when GitHub did not say); on failure
    a warning that says why and None, never an exception."""
    token = env.get("GITHUB_TOKEN", "")
    in_actions = env.get("GITHUB_ACTIONS") == "true"
    if not token:
        how = (
            "pass `GITHUB_TOKEN: ${{ github.token }}` to the step"
            if in_actions
            else "set GITHUB_TOKEN to a token that may comment"
        )
        actions.warn(env, f"no GITHUB_TOKEN in the environment: the report was not posted — {how}")
        return None
    try:
        published = client(env, comment_as).publish(
            pr.repository, pr.number, fit(body), marker, mode
        )
    except GitHubError as error:
        fork = " This pull request comes from a fork." if pr.fork else ""
        where = "the job summary and the report file" if in_actions else "the report file"
        actions.warn(
            env,
            f"could not comment on {pr.repository}#{pr.number}: {error}.{fork} The report is "
            f"in {where}.",
        )
        return None
    output.message(f"comment {published.action}: {published.url}")
    if published.note:
        actions.warn(env, published.note)
    return published.url
