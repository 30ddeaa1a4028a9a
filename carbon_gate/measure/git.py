"""Running git: the base's temporary worktree (and those that runs killed outright left behind),
and what `init` reads of a repository."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from carbon_gate.measure.processes import stat

# Each temporary worktree is locked with this reason: the run that owns it, so that a later run can
# tell that it is carbon-gate's, and whether its owner is still alive.
_OWNER = re.compile(r"carbon-gate run on (?P<host>\S+), pid (?P<pid>\d+) started (?P<started>\S+)")
_FOLDER_PREFIX = "carbon-gate-base-"


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


@contextlib.contextmanager
def worktree(root: Path, sha: str) -> Iterator[Path | None]:
    """`sha` checked out in a temporary worktree of `root`, removed afterwards; None when git
    cannot check it out. The worktrees of runs that died without removing theirs go first."""
    prune_abandoned(root)
    with tempfile.TemporaryDirectory(prefix=_FOLDER_PREFIX) as folder:
        tree = Path(folder) / "base"
        added = git(
            root, "worktree", "add", "--detach", "--quiet",
            "--lock", "--reason", _owner(os.getpid()), str(tree), sha,
        )  # fmt: skip
        if added is None:
            yield None
            return
        try:
            yield tree
        finally:
            _remove(root, tree)


def prune_abandoned(root: Path) -> list[Path]:
    """Remove the temporary worktrees of carbon-gate runs on this machine that are no longer
    running (killed outright: SIGKILL, a lost machine); the ones removed. Any other worktree, and
    those of runs still going, are left as they are."""
    listing = git(root, "worktree", "list", "--porcelain") or ""
    removed = []
    for record in listing.split("\n\n"):
        fields = dict(line.partition(" ")[::2] for line in record.splitlines())
        owner = _OWNER.fullmatch(fields.get("locked", ""))
        if owner is None or owner["host"] != socket.gethostname():
            continue
        if _alive(int(owner["pid"]), owner["started"]):
            continue
        tree = Path(fields["worktree"])
        if _remove(root, tree):
            removed.append(tree)
    return removed


def _remove(root: Path, tree: Path) -> bool:
    """Remove a worktree of carbon-gate's, and its temporary folder; whether git could."""
    # Twice forced: the worktree is locked, and may hold changes the benchmark made.
    if git(root, "worktree", "remove", "--force", "--force", str(tree)) is None:
        return False
    if tree.parent.name.startswith(_FOLDER_PREFIX):  # the temporary folder around it
        shutil.rmtree(tree.parent, ignore_errors=True)
    return True


def _owner(pid: int) -> str:
    return f"carbon-gate run on {socket.gethostname()}, pid {pid} started {_started(pid) or '-'}"


def _started(pid: int) -> str | None:
    """When the process started, in clock ticks since boot (Linux): a pid reused by a later
    process has another. None where it cannot be read."""
    fields = stat(pid)
    return fields[19].decode() if fields is not None and len(fields) > 19 else None


def _alive(pid: int, started: str) -> bool:
    """Whether the process that wrote the lock still runs; when in doubt, it does."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: a run of theirs, maybe; leave it be
        return True
    now = _started(pid)
    return started == "-" or now is None or now == started
