"""Everything carbon-gate prints goes through here: results to stdout, messages to stderr, and
text that holds untrusted strings made inert in GitHub Actions' log first (`inert`)."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping


def result(text: str) -> None:
    """What the user asked for (a table, JSON, Markdown): stdout, so it can be piped."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def message(text: str) -> None:
    """Progress, warnings and errors: stderr, so they never mix into a piped result."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()


def untrusted_result(text: str, env: Mapping[str, str]) -> None:
    """As `result`, for text that holds strings carbon-gate did not write (`inert`)."""
    result(inert(text, env))


def untrusted_message(text: str, env: Mapping[str, str]) -> None:
    """As `message`, for text that holds strings carbon-gate did not write (`inert`)."""
    message(inert(text, env))


def inert(text: str, env: Mapping[str, str]) -> str:
    """`text` as GitHub Actions' log shows it without acting on it: in Actions, inside
    stop-commands whose token is unguessable, so that no line of it (a results file's callable, a
    name on the history branch, git's error; whatever line break starts it) runs as a workflow
    command (`::error`, `::add-mask`, `::stop-commands`, …). Elsewhere as it is: a terminal runs
    no commands."""
    if env.get("GITHUB_ACTIONS") != "true":
        return text
    token = secrets.token_hex(16)
    return f"::stop-commands::{token}\n{text.rstrip()}\n::{token}::"
