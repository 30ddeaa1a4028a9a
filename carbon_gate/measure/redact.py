"""Secrets kept out of what the measured code gets, and out of everything printed from it.

Pure: the caller reads the environment and passes it in. A variable is secret-looking when its name
says so (TOKEN, SECRET, PASSWORD, KEY, CREDENTIAL, PRIVATE in it). Those of GitHub's (`GITHUB_*`,
`GH_*`) are withheld from the benchmark, and so are the runner's ways to write into the job: its
file commands (`GITHUB_OUTPUT`, `GITHUB_ENV`, …) and its services (`ACTIONS_*`). The values of every
secret-looking variable (a model's `HF_TOKEN` too, which the benchmark may need) are masked in text
that comes back from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
MIN_LENGTH = 8  # shorter values ("1", "true") would mask ordinary words, and guard little

_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|KEY", re.IGNORECASE)
_GITHUB_PREFIXES = ("GITHUB_", "GH_")

# The runner's file commands: what a step appends to these files sets the step's outputs, the
# environment and PATH of the job's later steps (NODE_OPTIONS runs code in every action after),
# the state its post step reads, and the job's summary. They are carbon-gate's to write, never
# the benchmark's: a fake "within budget" above the real summary, a forged output.
_FILE_COMMANDS = {
    "GITHUB_OUTPUT",
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_STATE",
    "GITHUB_STEP_SUMMARY",
}
# The runner's own services (the cache, artifacts, OIDC tokens: ACTIONS_RUNTIME_URL,
# ACTIONS_CACHE_URL, ACTIONS_ID_TOKEN_REQUEST_URL and their tokens). With a token they write into
# what later jobs read (a poisoned cache entry); a benchmark needs none of them.
_RUNNER_PREFIX = "ACTIONS_"


def secret_looking(name: str) -> bool:
    """Whether a variable's name says that its value is a secret."""
    return bool(_SECRET_NAME.search(name))


def withheld(name: str) -> bool:
    """Whether the benchmark must not get this variable: a secret of GitHub's, a file command of
    the runner's, or a way to its services."""
    upper = name.upper()
    return (
        upper in _FILE_COMMANDS
        or upper.startswith(_RUNNER_PREFIX)
        or (upper.startswith(_GITHUB_PREFIXES) and secret_looking(name))
    )


def secrets(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The values to mask: those of secret-looking variables, longest first (a secret that holds
    another is masked whole)."""
    found = {v for k, v in environ.items() if secret_looking(k) and len(v) >= MIN_LENGTH}
    return tuple(sorted(found, key=len, reverse=True))


def text(value: str, hidden: Iterable[str]) -> str:
    """`value` with every secret in `hidden` replaced by `***`."""
    for secret in hidden:
        value = value.replace(secret, MASK)
    return value


def document(value: Any, hidden: tuple[str, ...]) -> Any:
    """A decoded JSON value with every string in it (keys too) passed through `text`."""
    if isinstance(value, str):
        return text(value, hidden)
    if isinstance(value, list):
        return [document(item, hidden) for item in value]
    if isinstance(value, dict):
        return {text(str(k), hidden): document(v, hidden) for k, v in value.items()}
    return value
