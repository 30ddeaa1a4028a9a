"""Which pull request the gate is running for: from GitHub Actions' event file, or from flags."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbon_gate.errors import UsageError


@dataclass(frozen=True)
class PullRequest:
    """The pull request's coordinates. `head_ref` comes from the PR's author: never trust it."""

    repository: str  # "owner/name"
    number: int
    base_sha: str = ""
    head_sha: str = ""
    head_ref: str = ""
    fork: bool = False  # a fork's PR gets a read-only token: commenting will be refused


def from_environment(
    env: Mapping[str, str], repository: str | None = None, number: int | None = None
) -> PullRequest | None:
    """This run's pull request: flags win, then GITHUB_EVENT_PATH's `pull_request`; else None."""
    pr: dict[str, Any] = event(env).get("pull_request") or {}
    number = number or pr.get("number")
    if not number:
        return None
    repository = repository_of(env, repository)
    head, base = pr.get("head") or {}, pr.get("base") or {}
    head_repo = (head.get("repo") or {}).get("full_name")
    base_repo = (base.get("repo") or {}).get("full_name")
    return PullRequest(
        repository=repository,
        number=int(number),
        base_sha=str(base.get("sha") or ""),
        head_sha=str(head.get("sha") or ""),
        head_ref=str(head.get("ref") or ""),
        fork=bool(head_repo and base_repo and head_repo != base_repo),
    )


def repository_of(env: Mapping[str, str], flag: str | None = None) -> str:
    """OWNER/NAME from --repo, else GITHUB_REPOSITORY; a `UsageError` when it is missing or
    malformed."""
    repository = flag or env.get("GITHUB_REPOSITORY") or ""
    if not repository:
        raise UsageError("the pull request's repository is unknown — pass --repo OWNER/NAME")
    if repository.count("/") != 1 or not all(repository.split("/")):
        raise UsageError(f"--repo must be OWNER/NAME, got {repository!r}")
    return repository


def event(env: Mapping[str, str]) -> dict[str, Any]:
    """The workflow's event (GITHUB_EVENT_PATH), or {} outside GitHub Actions."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"GITHUB_EVENT_PATH {path}: cannot read the event: {error}") from None
    return data if isinstance(data, dict) else {}
