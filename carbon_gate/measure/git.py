"""Running git: the base's temporary worktree (and those that runs killed outright left behind),
and what `init` reads of a repository."""

from __future__ import annotations

import contextlib
import errno
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


# No automatic gc or maintenance from carbon-gate's own git calls: git runs them detached, in a
# session of their own, and carbon-gate (a child subreaper) would end them with the benchmark's
# orphans (`processes.end_adopted`).
_QUIET = ("-c", "gc.auto=0", "-c", "maintenance.auto=false")


def git(directory: Path, *args: str) -> str | None:
    """git's stripped output in `directory`, or None when it fails or is not installed."""
    out = git_bytes(directory, *args)
    return None if out is None else out.decode("utf-8", "replace").strip()


def git_bytes(directory: Path, *args: str) -> bytes | None:
    """git's output in `directory`, as it wrote it, or None when it fails or is not installed."""
    try:
        done = subprocess.run(
            ["git", *_QUIET, "-C", str(directory), *args],
            capture_output=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


_MAX_STEPS = 256  # path parts and links followed, at most: a loop of links ends here


def file_at(root: Path, sha: str, relative: str) -> bytes | None:
    """The file at `relative` in commit `sha` of `root`, its links followed as they are in that
    commit and within it; None when there is no file there. An `OSError` that says why when git
    cannot tell, or the path leads outside the commit or round in circles."""
    todo, blob = relative.split("/"), ""
    done: list[str] = []
    for _ in range(_MAX_STEPS):
        if not todo:
            content = git_bytes(root, "cat-file", "blob", blob) if blob else None
            if blob and content is None:
                raise OSError(errno.EIO, "git cannot read it")
            return content  # None: a folder or a submodule, no file
        part = todo.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not done:
                raise OSError(errno.EXDEV, "it leads outside the repository")
            done.pop()
            blob = ""
            continue
        entry = _entry(root, sha, "/".join([*done, part]))
        if entry is None:
            return None
        kind, obj = entry
        if kind == "link":  # its target, from the link's folder, comes first
            target = git_bytes(root, "cat-file", "blob", obj)
            if target is None or target.startswith(b"/"):
                raise OSError(errno.EXDEV, "a link leads outside the repository")
            todo = target.decode("utf-8", "surrogateescape").split("/") + todo
            continue
        if kind == "blob" and todo:
            return None  # a file where a folder should be
        done.append(part)
        blob = obj if kind == "blob" else ""
    raise OSError(errno.ELOOP, "too many links to follow")


def _entry(root: Path, sha: str, path: str) -> tuple[str, str] | None:
    """What `path` is in commit `sha` (a "blob", "tree", "commit" or "link") and its object;
    None when there is nothing there."""
    listed = git_bytes(root, "ls-tree", "-z", sha, "--", path)
    if listed is None:
        raise OSError(errno.EIO, f"git cannot list {path}")
    if not listed:
        return None
    mode, kind, obj = listed.split(b"\t", 1)[0].decode().split()
    return ("link" if mode == "120000" else kind), obj


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
