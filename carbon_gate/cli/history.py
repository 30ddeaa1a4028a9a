"""`carbon-gate history record|html|badge`: the default branch's history, on a branch of the
repository's own Git (`history.branch`), drawn as a page (`report.dashboard`) and a badge
(`report.badge`)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from carbon_gate import files, output, readable
from carbon_gate.budget import config
from carbon_gate.budget.values import TEXT_LIMIT
from carbon_gate.errors import CarbonGateError, UsageError
from carbon_gate.history import branch as history_branch
from carbon_gate.history import gitrun, reader, record
from carbon_gate.history.entries import COMMIT, RUNNER_LABELS, Entry
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement
from carbon_gate.quantities import Mass
from carbon_gate.report import badge, dashboard, trend
from carbon_gate.results import results_file

# What Actions says of the runner: kept with each run when no --runner is given.
_RUNNER_VARIABLES = ("RUNNER_OS", "RUNNER_ARCH", "RUNNER_ENVIRONMENT")


def record_command(
    config_path: Path,
    results_path: Path,
    *,
    commit: str | None,
    runner: Sequence[str],
    branch: str,
    remote: str,
    env: Mapping[str, str],
) -> int:
    """Record the run of `results_path` in the history and push it; 0 once it landed."""
    gitrun.check_branch_name(branch)
    root = gitrun.repository_root(Path.cwd())
    data = grid.load()
    loaded = config.load(config_path, data)
    results = results_file.load(results_path)
    if loaded.benchmark is not None:
        wanted = measurement.identity(loaded.benchmark)
        results_file.check_matches(results, results_path, str(config_path), wanted)
    entry = record.entry(
        results,
        loaded,
        data,
        commit=_commit(root, commit, env),
        recorded=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        config=config_name(config_path),
        runner=_runner(runner, env),
    )
    appended = history_branch.append(root, entry, remote=remote, branch=branch)
    tries = "" if appended.attempts == 1 else f" (after {appended.attempts} tries: others pushed)"
    output.message(
        f"recorded {entry.commit[:12]} in {gitrun.redacted(remote)}/{branch}: "
        f"{appended.path}{tries}\n"
        f"  {_lifecycle(entry)}"
    )
    return 0


def html_command(
    folder: Path,
    commit_url: str | None,
    *,
    source: str | None,
    branch: str,
    remote: str,
    env: Mapping[str, str],
) -> int:
    """Write the dashboard's index.html into `folder`."""
    if commit_url is not None and not dashboard.is_link_base(commit_url):
        raise UsageError(f"--commit-url {commit_url!r}: not an http(s) address")
    server, repository = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    if commit_url is None and server and repository and dashboard.is_link_base(server):
        commit_url = f"{server.rstrip('/')}/{repository}/commit/"
    entries = _entries(source, branch, remote)
    page = folder / "index.html"
    files.write_text(page, dashboard.page(entries, commit_url=commit_url))
    output.message(f"wrote {page}: {len(entries)} runs")
    return 0


def badge_command(
    path: Path, config: str | None, *, source: str | None, branch: str, remote: str
) -> int:
    """Write the SVG badge at `path` and the shields.io endpoint JSON beside it."""
    entries = _entries(source, branch, remote)
    if config is not None and Path(config).is_file():  # as `record` named it
        config = config_name(Path(config))
    endpoint = path.with_suffix(".json")
    if endpoint == path:
        raise UsageError(f"--output {path}: name the SVG file (the endpoint JSON goes beside it)")
    files.write_text(path, badge.svg(entries, config))
    files.write_text(endpoint, json.dumps(badge.endpoint(entries, config), indent=2) + "\n")
    output.message(f"wrote {path} and {endpoint}")
    return 0


def for_report(source: str, config_path: Path) -> trend.History:
    """The runs of `config_path` in the history at `source`, for the report's trend; or why
    there are none. Never an error: the trend is context, and the gate's verdict must not hang
    on it, whatever the history branch holds (anyone with write access can push to it)."""
    try:
        runs = reader.read(_repository_or(Path.cwd()), source)
    except reader.NoHistory:
        return trend.History(source, problem=f"no history at {source} yet")
    except Exception as error:
        return trend.History(source, problem=f"the history could not be read: {error}")
    name = config_name(config_path)
    return trend.History(source, tuple(run for run in runs if run.config == name))


def config_name(path: Path) -> str:
    """The budget file as the history names it: from the root of the repository it is in."""
    return _relative(path, _repository_or(path.parent))


def _repository_or(folder: Path) -> Path:
    try:
        return gitrun.repository_root(folder)
    except CarbonGateError:
        return folder


def _entries(source: str | None, branch: str, remote: str) -> list[Entry]:
    if source is not None:
        return reader.read(_repository_or(Path.cwd()), source)
    root = gitrun.repository_root(Path.cwd())
    if history_branch.fetch(root, remote, branch) is None:
        raise UsageError(
            f"{gitrun.redacted(remote)} has no branch {branch} yet — record a run first "
            "(`carbon-gate history record`), or name the branch with --branch"
        )
    return reader.read_ref(root, history_branch.PRIVATE_REF)


def _commit(root: Path, given: str | None, env: Mapping[str, str]) -> str:
    """The commit measured: --commit (any name git resolves), $GITHUB_SHA, or HEAD."""
    name = given or env.get("GITHUB_SHA") or "HEAD"
    return name if COMMIT.fullmatch(name) else gitrun.resolve_commit(root, name)


def _relative(path: Path, root: Path) -> str:
    """The budget file as the history names it: from the repository's root."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _runner(given: Sequence[str], env: Mapping[str, str]) -> tuple[str, ...]:
    labels = list(given) or [env[name] for name in _RUNNER_VARIABLES if env.get(name)]
    if len(labels) > RUNNER_LABELS or any(len(label) > TEXT_LIMIT for label in labels):
        raise UsageError(
            f"--runner: at most {RUNNER_LABELS} labels of at most {TEXT_LIMIT:,} characters"
        )
    return tuple(labels)


def _lifecycle(entry: Entry) -> str:
    stage = entry.stage("lifecycle")
    if stage is None:
        return "life cycle: not estimated (the budget file lacks its inputs)"
    figure = stage.co2eq_kg
    low, high = (readable.format_mass(Mass(kg)) for kg in (figure.low, figure.high))
    return f"life cycle: {readable.format_mass(Mass(figure.value))} (95 % interval {low} to {high})"
