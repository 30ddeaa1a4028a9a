"""Real Git repositories for the tests: run git in one, commit everything in it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    """git's stripped output in `repo`; a failing command fails the test."""
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(repo: Path, message: str) -> str:
    """Commit everything in the working tree; the new commit's SHA."""
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD")
