"""The folder the fork-safe setup passes from the measuring workflow to the commenting one.

    head.json          the head's results file
    base.json          the base's results file, when the base was measured
    pull-request.json  which pull request and commit the results are for
    leg.json           which leg of a matrix it is: its name, budget file and runner (`Leg`)

The measuring half runs the pull request's code, so in the commenting half everything in the folder
is untrusted data: read with size limits, parsed, never executed or posted as it is, and the pull
request it names is checked against the `workflow_run` event before anything is posted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from carbon_gate import files
from carbon_gate.budget.values import LABEL
from carbon_gate.errors import UsageError
from carbon_gate.github.pull_request import PullRequest, event
from carbon_gate.results import results_file
from carbon_gate.results.records import Results

HEAD, BASE, PULL_REQUEST, LEG = "head.json", "base.json", "pull-request.json", "leg.json"
FORMAT, LEG_FORMAT = "carbon-gate/pull-request", "carbon-gate/leg"
NAME = re.compile(LABEL)  # a leg's name and a runner's label
# A budget file as the leg names it: relative to the repository root, no way out of it.
_CONFIG = re.compile(r"(?!/)(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9_./-]{1,200}\.ya?ml")
MAX_BYTES = 4 * 1024 * 1024  # a results file is a few kB: anything this large is not one
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class StalePullRequest(UsageError):
    """The pull request the artifact names is not at the measured commit (it moved on since, or
    the claim is false): nothing is posted, and that is not the commenting job's failure."""


class Claim(NamedTuple):
    """What the artifact says about its pull request: to be checked, never believed."""

    number: int
    head_sha: str
    base_sha: str


class Leg(NamedTuple):
    """One leg of a matrix: its name, the budget file it measured (relative to the repository
    root), and the kind of runner it ran on ("" when not said). Untrusted in the merge: the
    budget file is read from the merging job's own checkout, never from the leg."""

    name: str
    config: str
    runner: str


class Artifact(NamedTuple):
    """The folder's results, read and checked like any results file, and its claim."""

    head: Results
    base: Results | None
    claim: Claim | None


def save(folder: Path, head: Path, base: Path | None, pr: PullRequest | None) -> None:
    """Write the folder: copies of the results files `head` and `base` (a stale base.json from
    an earlier run is removed) and, in a pull request, which one."""
    files.write_text(folder / HEAD, head.read_text(encoding="utf-8"))
    if base is None:
        (folder / BASE).unlink(missing_ok=True)
    else:
        files.write_text(folder / BASE, base.read_text(encoding="utf-8"))
    if pr is None:
        (folder / PULL_REQUEST).unlink(missing_ok=True)
        return
    claim = {
        "format": FORMAT,
        "version": 1,
        "number": pr.number,
        "head_sha": pr.head_sha,
        "base_sha": pr.base_sha,
    }
    files.write_text(folder / PULL_REQUEST, json.dumps(claim, indent=2) + "\n")


def save_leg(folder: Path, leg: Leg) -> None:
    """Write which leg the folder is (`check --artifact --leg`)."""
    document = {"format": LEG_FORMAT, "version": 1, **leg._asdict()}
    files.write_text(folder / LEG, json.dumps(document, indent=2) + "\n")


class Expected(NamedTuple):
    """A leg the merge expects, from the trusted workflow: its name and, when given, the budget
    file and runner it must have measured (a folder may claim any; the merge holds it to these)."""

    name: str
    config: str | None = None
    runner: str | None = None


def expected(text: str) -> Expected:
    """`NAME`, `NAME:CONFIG` or `NAME:CONFIG:RUNNER` (the runner may be empty), checked."""
    parts = text.split(":")
    if len(parts) > 3 or not NAME.fullmatch(parts[0]):
        raise UsageError(
            f"--expect {text!r}: write NAME, NAME:BUDGET-FILE or NAME:BUDGET-FILE:RUNNER, e.g. "
            "classifier:models/classifier/carbon-budget.yml:gpu"
        )
    config = parts[1] if len(parts) > 1 else None
    # NAME:CONFIG binds the runner too: to none.
    runner = parts[2] if len(parts) > 2 else ("" if config is not None else None)
    if config is not None and not leg_config_allowed(config):
        raise UsageError(f"--expect {text!r}: {config!r} is not a budget file in the repository")
    if runner and not NAME.fullmatch(runner):
        raise UsageError(f"--expect {text!r}: {runner!r} is not a runner's label of plain words")
    return Expected(parts[0], config, runner)


def leg_config_allowed(path: str) -> bool:
    """Whether a leg may name this budget file: relative, inside the repository, a YAML file."""
    return bool(_CONFIG.fullmatch(path))


def load_leg(folder: Path) -> Leg | None:
    """The folder's leg, checked: a name and runner of plain words, a budget file that stays
    inside the repository; None when the folder says no leg."""
    path = folder / LEG
    data = _document(path, LEG_FORMAT, "leg")
    if data is None:
        return None
    name, config_path, runner = data.get("name"), data.get("config"), data.get("runner")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise UsageError(f"{path}: name: must be a leg's name of plain words, got {name!r}")
    if not isinstance(config_path, str) or not _CONFIG.fullmatch(config_path):
        raise UsageError(
            f"{path}: config: must be a budget file relative to the repository root, got "
            f"{config_path!r}"
        )
    if not isinstance(runner, str) or not (runner == "" or NAME.fullmatch(runner)):
        raise UsageError(f"{path}: runner: must be a runner's label of plain words, got {runner!r}")
    return Leg(name, config_path, runner)


def load(folder: Path) -> Artifact:
    """Read the folder written by `save`, checking every file's size and shape."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder — the measuring workflow's artifact is missing")
    head = _results(folder / HEAD)
    if head is None:
        raise UsageError(f"{folder / HEAD}: no such file — the artifact holds no results")
    return Artifact(head, _results(folder / BASE), _claim(folder / PULL_REQUEST))


def _bounded(path: Path) -> bool:
    """Whether `path` is a regular file small enough to read; a `UsageError` if it is too large."""
    if path.is_symlink() or not path.is_file():
        return False
    if path.stat().st_size > MAX_BYTES:
        raise UsageError(f"{path}: {path.stat().st_size} bytes — too large for a carbon-gate file")
    return True


def _results(path: Path) -> Results | None:
    if not _bounded(path):
        return None
    return results_file.load(path)  # checked: the format, the version, the batches


def _document(path: Path, kind: str, what: str) -> dict[str, object] | None:
    """The small JSON file at `path`, of format `kind` version 1 (the whole number, not `true`
    nor 1.0); None when there is no such regular file."""
    if not _bounded(path):
        return None
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:  # bad JSON, too many digits, too deep
        raise UsageError(f"{path}: not a readable JSON file: {error}") from None
    if (
        not isinstance(data, dict)
        or data.get("format") != kind
        or type(data.get("version")) is not int
        or data.get("version") != 1
    ):
        raise UsageError(f'{path}: not a carbon-gate {what} file (no "format": "{kind}")')
    return data


def _claim(path: Path) -> Claim | None:
    data = _document(path, FORMAT, "pull-request")
    if data is None:
        return None
    number, head, base = data.get("number"), data.get("head_sha"), data.get("base_sha")
    if type(number) is not int or not 0 < number < 2**31:
        raise UsageError(f"{path}: number: must be a pull request's number, got {number!r}")
    for key, value in (("head_sha", head), ("base_sha", base)):
        if not isinstance(value, str) or not (value == "" or _SHA.fullmatch(value)):
            raise UsageError(f"{path}: {key}: must be a commit's SHA, got {value!r}")
    return Claim(number, str(head), str(base))


def pull_request(
    claim: Claim | None,
    env: Mapping[str, str],
    repository: str,
    head_of: Callable[[int], str],
) -> PullRequest | None:
    """The pull request to comment on, once the artifact's claim is proven by the trusted event.

    In a `workflow_run` event the claim must name the commit the run measured, and a pull request
    whose head is that commit: listed in the event (same repository) or, for a fork, as GitHub
    answers (`head_of`). Outside GitHub Actions, on a machine of the user's, the claim is taken.
    """
    if claim is None:
        return None
    run = event(env).get("workflow_run")
    if not isinstance(run, dict):
        if env.get("GITHUB_ACTIONS") == "true":
            raise UsageError(
                "the artifact's pull request is only trusted in a `workflow_run` event — "
                "run this in the commenting workflow, or pass --pr"
            )
        return PullRequest(repository, claim.number, claim.base_sha, claim.head_sha)
    measured = str(run.get("head_sha") or "")
    if claim.head_sha != measured:
        raise UsageError(
            f"the artifact is for commit {claim.head_sha[:12] or '(none)'}, but the workflow run "
            f"measured {measured[:12] or '(none)'}: nothing was posted"
        )
    # Asked of GitHub every time, not taken from the event's list: its rules for filling the
    # list are not documented, and a pull request that has moved on must not get a stale report.
    current = head_of(claim.number)
    if current != measured:
        raise StalePullRequest(
            f"pull request #{claim.number} of {repository} is at {current[:12] or '(unknown)'}, "
            f"not at the measured commit {measured[:12]}: nothing was posted"
        )
    head_repo = (run.get("head_repository") or {}).get("full_name")
    return PullRequest(
        repository,
        claim.number,
        claim.base_sha,
        claim.head_sha,
        fork=bool(head_repo) and head_repo != repository,
    )
