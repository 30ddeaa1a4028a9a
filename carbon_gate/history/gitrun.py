"""Running git for the history: never a prompt for credentials, never a credential in a message,
git's own message in a `GitFailed` (exit 3) when it fails, and names checked before git sees them.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from carbon_gate.errors import CarbonGateError, UsageError
from carbon_gate.history.entries import COMMIT


class GitFailed(CarbonGateError):
    """git could not do what the history needs (the remote unreachable, no permission): exit 3."""


def attempt(
    repository: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """git in `repository`, whatever it answers; a `GitFailed` only when git cannot be run."""
    try:
        return subprocess.run(
            ["git", "-C", str(repository), *args],
            capture_output=True,
            check=False,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            env=environment(env),
        )
    except OSError as error:
        raise GitFailed(f"could not run git: {error}") from None


def run(
    repository: Path,
    *args: str,
    check: bool = True,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> bytes:
    """git's output in `repository`, as bytes (file names and contents are not always UTF-8); a
    `GitFailed` with git's last line of error when it fails (or b"" when `check` is off)."""
    done = attempt(repository, *args, env=env, stdin=stdin)
    if done.returncode == 0:
        return done.stdout
    if not check:
        return b""
    raise GitFailed(f"git {args[0]} failed in {repository}: {said(done)}")


@contextlib.contextmanager
def reading(repository: Path, *args: str, stdin: bytes = b"") -> Iterator[IO[bytes]]:
    """git's output in `repository` as a stream, read at the reader's pace and never held whole
    (a listing or the blobs of a history can be far larger than memory); git is stopped when
    the reading stops early, and a `GitFailed` says why when git failed."""
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as errors:
        given.write(stdin)  # from a file, git never waits on us to read before it reads on
        given.seek(0)
        try:
            process = subprocess.Popen(
                ["git", "-C", str(repository), *args], stdin=given, stdout=subprocess.PIPE,
                stderr=errors, env=environment(),
            )  # fmt: skip
        except OSError as error:
            raise GitFailed(f"could not run git: {error}") from None
        assert process.stdout is not None
        with process, process.stdout as out:
            try:
                yield out
            except BaseException:
                process.kill()  # the reading stopped early: the rest is not wanted
                raise
        if process.returncode != 0:
            errors.seek(0)
            failed = subprocess.CompletedProcess(args, process.returncode, b"", errors.read())
            raise GitFailed(f"git {args[0]} failed in {repository}: {said(failed)}")


def blobs(repository: Path, names: Sequence[str]) -> Iterator[bytes]:
    """The contents of the blobs `names`, in order, one at a time from one `git cat-file
    --batch`: only the one being read is held."""
    if not names:
        return
    wanted = "".join(f"{name}\n" for name in names).encode()
    with reading(repository, "cat-file", "--batch", stdin=wanted) as out:
        for name in names:
            header = out.readline(200).split()
            if len(header) != 3 or header[1] != b"blob":
                raise GitFailed(f"git cat-file: {name} is not a blob in {repository}")
            size = int(header[2])
            content = out.read(size)
            if len(content) != size or out.read(1) != b"\n":
                raise GitFailed(f"git cat-file: {name} cut short in {repository}")
            yield content


def said(done: subprocess.CompletedProcess[bytes]) -> str:
    """git's last line of error, without credentials."""
    error = done.stderr.decode(errors="replace").strip()
    return redacted(error.splitlines()[-1] if error else f"exit {done.returncode}")


def text(repository: Path, *args: str, check: bool = True, env: Mapping[str, str] | None = None,
         stdin: str | None = None) -> str:  # fmt: skip
    """As `run`, for output that is a name or a SHA: stripped text (undecodable bytes shown as
    U+FFFD)."""
    given = None if stdin is None else stdin.encode()
    out = run(repository, *args, check=check, env=env, stdin=given)
    return out.decode(errors="replace").strip()


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """git's environment: never a prompt for credentials (a CI job would hang on it)."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(extra or {})}


def redacted(said: str) -> str:
    """`said` without credentials in any URL it holds (https://user:token@host/…)."""
    return re.sub(r"(://)[^/@\s]+@", r"\1***@", said)


def commit_of(repository: Path, ref: str) -> str:
    """The commit `ref` names in `repository`, or ""."""
    return text(
        repository, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
        check=False,
    )  # fmt: skip


def repository_root(folder: Path) -> Path:
    """The root of the git repository `folder` is in; a `UsageError` when it is in none."""
    root = text(folder, "rev-parse", "--show-toplevel", check=False)
    if not root:
        raise UsageError(f"{folder} is not in a git repository: run carbon-gate in your repository")
    return Path(root)


def resolve_commit(repository: Path, name: str) -> str:
    """The full name of the commit `name` (a SHA, a branch, HEAD); a `UsageError` when none."""
    commit = commit_of(repository, name)
    if not COMMIT.fullmatch(commit):
        raise UsageError(f"--commit {name!r}: no such commit in {repository}")
    return commit


def check_branch_name(branch: str) -> str:
    """`branch`, when git takes it as a branch's name; a `UsageError` otherwise."""
    if branch.startswith("-") or not run(
        Path.cwd(), "check-ref-format", "--branch", branch, check=False
    ):
        raise UsageError(f"--branch {branch!r}: not a branch name git takes")
    return branch
