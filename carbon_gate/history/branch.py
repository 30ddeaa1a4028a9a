"""The history branch: a branch of the repository's own Git (default `carbon-gate-history`) that
holds one small JSON file per run, `runs/YYYY/MM/<time>-<commit>-<nonce>.json`, beside a marker
file, `carbon-gate-history.json`, that says the branch is carbon-gate's (`reader`).

Appending never touches the working tree or the index of the checkout it runs in: the new commit is
built from git objects (a private index file, `commit-tree`) on the remote branch's tip, and pushed
without force. When another run pushed first, git refuses the push as not a fast-forward; the entry
is then added again on the new tip and pushed again, so no entry is lost and none is overwritten.
One file per run keeps each commit small (a few tree objects and one blob) and lets two runs
never touch the same file.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from carbon_gate.errors import UsageError
from carbon_gate.history import entries, gitrun, reader
from carbon_gate.history.entries import Entry
from carbon_gate.history.gitrun import GitFailed

DEFAULT_BRANCH = "carbon-gate-history"
PRIVATE_REF = "refs/carbon-gate/history"  # where `fetch` keeps the remote branch's tip
ATTEMPTS = 12
_README = """\
# carbon-gate history

This branch is written by `carbon-gate history record`: one file per run of the default branch,
under `runs/`. It is read by `carbon-gate history html`, `history badge` and the pull-request
report's trend. Edit it only by adding or removing whole entry files.
"""
# How git says that another push moved the branch first: refused as not a fast-forward, or, when
# two pushes reach the remote at the same moment, the loser's ref update failing at the remote.
_REJECTED_AS_STALE = (
    "non-fast-forward", "fetch first", "stale info", "failed to update ref", "cannot lock ref",
    "failed to lock",
)  # fmt: skip


class PushRefused(GitFailed):
    """The remote refused the push for another reason than a race (protection, permissions)."""


@dataclass(frozen=True)
class Appended:
    """Where the entry landed: the history's new tip, the entry's path, how many pushes it took."""

    commit: str
    path: str
    attempts: int


def entry_path(entry: Entry, nonce: str) -> str:
    """Where `entry` goes in the branch: under the month it was recorded in."""
    stamp = entry.recorded.replace("-", "").replace(":", "").split(".")[0].rstrip("Z") + "Z"
    return f"{reader.RUNS}/{stamp[:4]}/{stamp[4:6]}/{stamp}-{entry.commit[:12]}-{nonce}.json"


def fetch(repository: Path, remote: str, branch: str) -> str | None:
    """Bring the remote's history branch into `PRIVATE_REF`; its tip, or None when the remote has
    no such branch yet. The repository's own branches and remote-tracking refs are not touched."""
    gitrun.check_branch_name(branch)
    wanted = f"refs/heads/{branch}"
    heads = gitrun.text(repository, "ls-remote", "--heads", "--", remote, wanted)
    # ls-remote matches the pattern's end: refs/heads/x/refs/heads/<branch> would match too.
    if not any(line.split("\t")[-1] == wanted for line in heads.splitlines()):
        return None
    gitrun.run(repository, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--",
               remote, f"+{wanted}:{PRIVATE_REF}")  # fmt: skip
    return gitrun.commit_of(repository, PRIVATE_REF)


def append(
    repository: Path,
    entry: Entry,
    *,
    remote: str = "origin",
    branch: str = DEFAULT_BRANCH,
    attempts: int = ATTEMPTS,
    sleep: float = 0.2,
) -> Appended:
    """Add `entry` to the remote's history branch (creating it when there is none) and push it.

    A push refused as not a fast-forward (another run pushed first) is tried again on the new tip,
    after a short random wait, up to `attempts` times; any other refusal is a `PushRefused`."""
    gitrun.check_branch_name(branch)
    content = json.dumps(entry.as_json(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    path = entry_path(entry, f"{random.getrandbits(32):08x}")
    entries.parse(json.loads(content), path)  # what cannot be read back is not pushed
    where = f"{gitrun.redacted(remote)}/{branch}"
    for attempt in range(1, attempts + 1):
        tip = fetch(repository, remote, branch)
        if tip is not None:
            reader.check_marker(repository, tip, where)
        message = f"Record {entry.commit[:12]} ({entry.config})"
        commit = _commit(repository, tip, {path: content}, message)
        refused = _push(repository, remote, commit, branch)
        if refused is None:
            gitrun.run(repository, "update-ref", PRIVATE_REF, commit)
            return Appended(commit, path, attempt)
        if not any(reason in refused for reason in _REJECTED_AS_STALE):
            raise PushRefused(f"{gitrun.redacted(remote)} refused the push to {branch}: {refused}")
        time.sleep(random.uniform(0, sleep * attempt))
    raise PushRefused(
        f"{where} moved on {attempts} times while this run pushed: too many runs at once — run "
        "`carbon-gate history record` again; nothing was lost"
    )


def _commit(repository: Path, parent: str | None, files: Mapping[str, str], message: str) -> str:
    """A commit of `parent`'s tree with `files` added (and the marker and README on a new
    branch); its name. The checkout's own index and working tree are not touched."""
    with tempfile.TemporaryDirectory(prefix="carbon-gate-history-") as folder:
        index = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        if parent is None:
            marker = json.dumps({"format": reader.MARKER_FORMAT, "version": 1}) + "\n"
            files = {reader.MARKER: marker, "README.md": _README, **files}
        else:
            gitrun.run(repository, "read-tree", parent, env=index)
        for name, content in files.items():
            blob = gitrun.text(repository, "hash-object", "-w", "--stdin", stdin=content)
            if parent is not None and gitrun.run(repository, "ls-files", "--", name, env=index):
                raise UsageError(f"{name} is already in the history — nothing was overwritten")
            added = f"100644,{blob},{name}"
            gitrun.run(repository, "update-index", "--add", "--cacheinfo", added, env=index)
        tree = gitrun.text(repository, "write-tree", env=index)
    parents = ["-p", parent] if parent else []
    return gitrun.text(repository, "commit-tree", tree, *parents, "-m", message, env=_identity())


def _identity() -> dict[str, str]:
    """Who the history's commits are by: the user's git identity variables, else carbon-gate's
    (a CI runner has no user.name, and commit-tree would refuse)."""
    names = {
        "GIT_AUTHOR_NAME": "carbon-gate",
        "GIT_AUTHOR_EMAIL": "carbon-gate@users.noreply.github.com",
        "GIT_COMMITTER_NAME": "carbon-gate",
        "GIT_COMMITTER_EMAIL": "carbon-gate@users.noreply.github.com",
    }
    return {name: os.environ.get(name) or value for name, value in names.items()}


def _push(repository: Path, remote: str, commit: str, branch: str) -> str | None:
    """Push `commit` as the branch's new tip, without force; None when it landed, else why not
    (git's porcelain status of the ref, or its last line of error)."""
    done = gitrun.attempt(repository, "push", "--porcelain", "--no-verify", "--", remote,
                          f"{commit}:refs/heads/{branch}")  # fmt: skip
    if done.returncode == 0:
        return None
    for line in done.stdout.decode(errors="replace").splitlines():
        if line.startswith("!\t"):
            return gitrun.redacted(line.split("\t")[-1])
    return gitrun.said(done)
