"""Real Git repositories for the tests: run git in one, commit everything in it."""

from __future__ import annotations

import os
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


def commit_tree(repo: Path, files: dict[bytes, bytes]) -> str:
    """A commit (on no branch) whose tree holds exactly `files`: any bytes for names and contents,
    as git's plumbing takes them and a push could bring them. Its SHA."""
    index = {**os.environ, "GIT_INDEX_FILE": str(repo / ".git" / "tree-index")}
    blobs: dict[bytes, bytes] = {}  # one blob for many names, as git keeps it: a cheap large tree
    listing = []
    for name, content in files.items():
        if content not in blobs:
            blobs[content] = subprocess.run(
                ["git", "-C", str(repo), "hash-object", "-w", "--stdin"],
                input=content, capture_output=True, check=True,
            ).stdout.strip()  # fmt: skip
        listing.append(b"100644 " + blobs[content] + b"\t" + name + b"\0")
    subprocess.run(["git", "-C", str(repo), "read-tree", "--empty"], env=index, check=True)
    subprocess.run(
        ["git", "-C", str(repo), "update-index", "-z", "--index-info"],
        input=b"".join(listing), env=index, check=True,
    )  # fmt: skip
    tree = subprocess.run(
        ["git", "-C", str(repo), "write-tree"], env=index, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.test"]
    return git(repo, *identity, "commit-tree", tree, "-m", "by hand")


def make_tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    """A tree object in `repo` that lists `entries`, each (mode, SHA, name), as a push could
    bring it: a tree may name one blob or one subtree many times, so a few small objects can
    spell millions of paths. Its SHA."""
    kinds = {"040000": "tree", "100644": "blob"}
    listing = "".join(f"{mode} {kinds[mode]} {sha}\t{name}\0" for mode, sha, name in entries)
    return subprocess.run(
        ["git", "-C", str(repo), "mktree", "-z"], input=listing.encode(), capture_output=True,
        check=True,
    ).stdout.decode().strip()  # fmt: skip
