"""The history branch: a branch of the repository's own Git (default `carbon-gate-history`) that
holds one small JSON file per run, `runs/YYYY/MM/<time>-<commit>-<nonce>.json`, beside a marker
file, `carbon-gate-history.json`, that says the branch is carbon-gate's.

Appending never touches the working tree or the index of the checkout it runs in: the new commit is
built from git objects (a private index file, `commit-tree`) on the remote branch's tip, and pushed
without force. When another run pushed first, git refuses the push as not a fast-forward; the entry
is then added again on the new tip and pushed again, so no entry is lost and none is overwritten.
One file per run keeps each commit small (a few tree objects and one blob) and lets two runs
never touch the same file.

Reading takes a git ref of the local repository (what `fetch` brought, or any commit), or a folder
that holds the branch's files (a checkout of it). Every entry is checked (`entries.parse`); any file
that is not one, or a branch without the marker, is a `UsageError` naming it.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from carbon_gate.errors import CarbonGateError, UsageError
from carbon_gate.history import entries
from carbon_gate.history.entries import Entry

DEFAULT_BRANCH = "carbon-gate-history"
MARKER = "carbon-gate-history.json"
MARKER_FORMAT = "carbon-gate/history"
RUNS = "runs"
ENTRY_LIMIT = 64 * 1024  # bytes: an entry is about 1.5 kB; anything far larger is not one
PRIVATE_REF = "refs/carbon-gate/history"  # where `fetch` keeps the remote branch's tip
ATTEMPTS = 12
_README = """\
# carbon-gate history

This branch is written by `carbon-gate history record`: one file per run of the default branch,
under `runs/`. It is read by `carbon-gate history html`, `history badge` and the pull-request
report's trend. Edit it only by adding or removing whole entry files.
"""
# A name git would take as an option, or that is no branch name at all.
_BRANCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")
# How git says that another push moved the branch first: refused as not a fast-forward, or, when
# two pushes reach the remote at the same moment, the loser's ref update failing at the remote.
_REJECTED_AS_STALE = (
    "non-fast-forward", "fetch first", "stale info", "failed to update ref", "cannot lock ref",
    "failed to lock",
)  # fmt: skip


class GitFailed(CarbonGateError):
    """git could not do what the history needs (the remote unreachable, no permission): exit 3."""


class PushRefused(GitFailed):
    """The remote refused the push for another reason than a race (protection, permissions)."""


@dataclass(frozen=True)
class Appended:
    """Where the entry landed: the history's new tip, the entry's path, how many pushes it took."""

    commit: str
    path: str
    attempts: int


def check_branch_name(branch: str) -> str:
    """`branch`, when it can name the history branch; a `UsageError` otherwise."""
    if not _BRANCH_NAME.fullmatch(branch) or ".." in branch or branch.endswith((".lock", "/")):
        raise UsageError(f"--branch {branch!r}: not a branch name git takes")
    return branch


def entry_path(entry: Entry, nonce: str) -> str:
    """Where `entry` goes in the branch: under the month it was recorded in."""
    stamp = entry.recorded.replace("-", "").replace(":", "").split(".")[0].rstrip("Z") + "Z"
    return f"{RUNS}/{stamp[:4]}/{stamp[4:6]}/{stamp}-{entry.commit[:12]}-{nonce}.json"


def repository_root(folder: Path) -> Path:
    """The root of the git repository `folder` is in; a `UsageError` when it is in none."""
    root = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if not root:
        raise UsageError(f"{folder} is not in a git repository: run carbon-gate in your repository")
    return Path(root)


def resolve_commit(repository: Path, name: str) -> str:
    """The full name of the commit `name` (a SHA, a branch, HEAD); a `UsageError` when none."""
    commit = _commit_of(repository, name)
    if not entries.COMMIT.fullmatch(commit):
        raise UsageError(f"--commit {name!r}: no such commit in {repository}")
    return commit


# --- reading ----------------------------------------------------------------------------------


def read(repository: Path, source: str) -> list[Entry]:
    """Every entry of the history at `source`, oldest first: a folder with the branch's files (a
    checkout of it), or else a git ref of `repository`."""
    folder = Path(source)
    if not folder.is_dir():
        return read_ref(repository, source)
    if not (folder / MARKER).is_file():
        raise UsageError(f"{source}: no {MARKER} in this folder — not a checkout of the history")
    return _parse_all(source, _folder_files(folder))


def is_commit(repository: Path, ref: str) -> bool:
    """Whether `ref` names a commit in `repository`."""
    return bool(_commit_of(repository, ref))


def _commit_of(repository: Path, ref: str) -> str:
    """The commit `ref` names in `repository`, or ""."""
    return _git(
        repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
        check=False,
    )  # fmt: skip


def read_ref(repository: Path, ref: str) -> list[Entry]:
    """Every entry of the history at the git ref `ref` of `repository`, oldest first."""
    commit = _commit_of(repository, ref)
    if not commit:
        raise UsageError(f"{ref}: no such commit in {repository}")
    _check_marker(repository, commit, ref)
    return _parse_all(ref, _ref_files(repository, commit))


def _folder_files(folder: Path) -> Iterator[tuple[str, bytes]]:
    runs = folder / RUNS
    if not runs.is_dir():
        return
    for path in sorted(runs.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(folder).as_posix()
        if path.is_symlink() or not path.is_file():
            yield name, b""  # refused by _parse_all, by name
            continue
        if path.stat().st_size > ENTRY_LIMIT:
            yield name, b"\0" * (ENTRY_LIMIT + 1)
            continue
        yield name, path.read_bytes()


def _ref_files(repository: Path, commit: str) -> Iterator[tuple[str, bytes]]:
    listing = _git(repository, "ls-tree", "-r", "-z", "--full-tree", commit, "--", RUNS)
    objects = []
    for record in filter(None, listing.split("\0")):
        meta, _, name = record.partition("\t")
        mode, kind, sha = meta.split()
        if kind != "blob" or mode not in ("100644", "100755"):
            raise UsageError(f"{name}: not a history entry file ({kind} with mode {mode})")
        objects.append((name, sha))
    objects.sort()
    contents = _cat_blobs(repository, [sha for _, sha in objects])
    for (name, _), content in zip(objects, contents, strict=True):
        yield name, content


def _cat_blobs(repository: Path, shas: Sequence[str]) -> Iterator[bytes]:
    """The blobs' contents, in one `git cat-file --batch` (thousands of entries in well under a
    second); a blob larger than an entry can be comes back too large, and is refused by name."""
    if not shas:
        return
    done = subprocess.run(
        ["git", "-C", str(repository), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha in shas).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise GitFailed(f"git cat-file failed: {done.stderr.decode(errors='replace').strip()}")
    out, at = done.stdout, 0
    for _ in shas:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        yield out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1


def _parse_all(source: str, files: Iterator[tuple[str, bytes]]) -> list[Entry]:
    found = []
    for name, content in files:
        where = f"{source}:{name}"
        if not name.endswith(".json"):
            raise UsageError(f"{where}: not a history entry (entry files end in .json)")
        if len(content) > ENTRY_LIMIT:
            raise UsageError(f"{where}: larger than {ENTRY_LIMIT} bytes — not a history entry")
        try:
            document = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise UsageError(f"{where}: not a readable JSON file: {error}") from None
        found.append(entries.parse(document, where))
    return sorted(found, key=_moment)  # stable: runs of the same moment stay in path order


def _moment(entry: Entry) -> str:
    """When the entry was recorded, as text that sorts in time order (fractions of a second
    padded: 08:00:00Z and 08:00:00.5Z)."""
    seconds, _, fraction = entry.recorded.rstrip("Z").partition(".")
    return f"{seconds}.{fraction:0<9}"


def _check_marker(repository: Path, commit: str, source: str) -> None:
    try:
        text = _git(repository, "cat-file", "blob", f"{commit}:{MARKER}")
    except GitFailed:
        raise UsageError(
            f"{source} is not carbon-gate's history (no {MARKER} at its root) — name another "
            "branch with --branch; nothing was written"
        ) from None
    try:
        marker = json.loads(text)
    except ValueError:
        marker = None
    if not isinstance(marker, dict) or marker.get("format") != MARKER_FORMAT:
        raise UsageError(f'{source}:{MARKER}: not "format": "{MARKER_FORMAT}"')
    if marker.get("version") != 1:
        raise UsageError(
            f"{source}:{MARKER}: history version {marker.get('version')!r}; this carbon-gate "
            "reads version 1 — upgrade carbon-gate"
        )


# --- fetching and appending -------------------------------------------------------------------


def fetch(repository: Path, remote: str, branch: str) -> str | None:
    """Bring the remote's history branch into `PRIVATE_REF`; its tip, or None when the remote has
    no such branch yet. The repository's own branches and remote-tracking refs are not touched."""
    check_branch_name(branch)
    heads = _git(repository, "ls-remote", "--heads", "--", remote, f"refs/heads/{branch}")
    tip = next((line.split()[0] for line in heads.splitlines() if line.strip()), None)
    if tip is None:
        return None
    _git(repository, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
         f"+refs/heads/{branch}:{PRIVATE_REF}")  # fmt: skip
    return _git(repository, "rev-parse", "--verify", f"{PRIVATE_REF}^{{commit}}")


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
    check_branch_name(branch)
    content = json.dumps(entry.as_json(), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    path = entry_path(entry, f"{random.getrandbits(32):08x}")
    entries.parse(json.loads(content), path)  # what cannot be read back is not pushed
    for attempt in range(1, attempts + 1):
        tip = fetch(repository, remote, branch)
        if tip is not None:
            _check_marker(repository, tip, f"{remote}/{branch}")
        message = f"Record {entry.commit[:12]} ({entry.config})"
        commit = _commit(repository, tip, {path: content}, message)
        refused = _push(repository, remote, commit, branch)
        if refused is None:
            _git(repository, "update-ref", PRIVATE_REF, commit)
            return Appended(commit, path, attempt)
        if not any(reason in refused for reason in _REJECTED_AS_STALE):
            raise PushRefused(f"{remote} refused the push to {branch}: {refused}")
        time.sleep(random.uniform(0, sleep * attempt))
    raise PushRefused(
        f"{remote}/{branch} moved on {attempts} times while this run pushed: too many runs at "
        "once — run `carbon-gate history record` again; nothing was lost"
    )


def _commit(repository: Path, parent: str | None, files: Mapping[str, str], message: str) -> str:
    """A commit of `parent`'s tree with `files` added (and the marker and README on a new
    branch); its name. The checkout's own index and working tree are not touched."""
    with tempfile.TemporaryDirectory(prefix="carbon-gate-history-") as folder:
        index = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
        if parent is None:
            marker = json.dumps({"format": MARKER_FORMAT, "version": 1}) + "\n"
            files = {MARKER: marker, "README.md": _README, **files}
        else:
            _git(repository, "read-tree", parent, env=index)
        for name, text in files.items():
            blob = _git(repository, "hash-object", "-w", "--stdin", stdin=text)
            if parent is not None and name.startswith(f"{RUNS}/"):
                listed = _git(repository, "ls-files", "--", name, env=index)
                if listed:
                    raise UsageError(f"{name} is already in the history — nothing was overwritten")
            added = f"100644,{blob},{name}"
            _git(repository, "update-index", "--add", "--cacheinfo", added, env=index)
        tree = _git(repository, "write-tree", env=index)
    parents = ["-p", parent] if parent else []
    return _git(repository, "commit-tree", tree, *parents, "-m", message, env=_identity())


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
    """Push `commit` as the branch's new tip, without force; None when it landed, else why not."""
    done = subprocess.run(
        ["git", "-C", str(repository), "push", "--porcelain", "--no-verify", "--", remote,
         f"{commit}:refs/heads/{branch}"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, env=_environment(),
    )  # fmt: skip
    if done.returncode == 0:
        return None
    for line in done.stdout.splitlines():
        if line.startswith("!\t"):
            return _redacted(line.split("\t")[-1])
    return _redacted(done.stderr.strip() or f"git push exited with {done.returncode}")


def _environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """git's environment: never a prompt for credentials (a CI job would hang on it)."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(extra or {})}


def _redacted(text: str) -> str:
    """`text` without credentials in any URL it holds (https://user:token@host/…)."""
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", text)


def _git(
    repository: Path,
    *args: str,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> str:
    """git's stripped output in `repository`; a `GitFailed` with git's message when it fails
    (or "" when `check` is off)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repository), *args],
            capture_output=True,
            text=True,
            check=False,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            env=_environment(env),
        )
    except OSError as error:
        raise GitFailed(f"could not run git: {error}") from None
    if done.returncode == 0:
        return done.stdout.strip()
    if not check:
        return ""
    said = _redacted(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
    raise GitFailed(f"git {args[0]} failed in {repository}: {said or f'exit {done.returncode}'}")
