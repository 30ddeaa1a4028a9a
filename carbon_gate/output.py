"""Everything carbon-gate prints goes through here: results to stdout, messages to stderr."""

from __future__ import annotations

import sys


def result(text: str) -> None:
    """What the user asked for (a table, JSON, Markdown): stdout, so it can be piped."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def message(text: str) -> None:
    """Progress, warnings and errors: stderr, so they never mix into a piped result."""
    sys.stderr.write(text if text.endswith("\n") else text + "\n")
    sys.stderr.flush()
