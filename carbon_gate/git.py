"""Running git: the base's worktree, and what `init` reads of a repository."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(directory: Path, *args: str) -> str | None:
    """git's stripped output in `directory`, or None when it fails or is not installed."""
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None
