"""`carbon-gate report`: the gate's decision and report from saved results files, without
measuring — with --artifact and --comment, the trusted half of the fork-safe two-workflow setup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from carbon_gate.budget import config
from carbon_gate.budget.settings import Config
from carbon_gate.cli import decision, verdict
from carbon_gate.cli.options import GateOptions, Publishing
from carbon_gate.errors import CarbonGateError, UsageError
from carbon_gate.github import actions, artifact, status
from carbon_gate.github.comments import client
from carbon_gate.github.exchange import GitHubError
from carbon_gate.github.pull_request import PullRequest, event, from_environment, repository_of
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement
from carbon_gate.results import results_file


def report_command(config_path: Path, options: GateOptions, env: Mapping[str, str]) -> int:
    """Render (and write) the report from saved results; the same decision and exit code.
    Comments only when asked to (--comment): the trusted half of the fork-safe setup."""
    data = grid.load()
    loaded = config.load(config_path, data)
    folder = options.artifacts[0] if options.artifacts else None
    if folder is None:
        if not options.results:
            raise UsageError("give the head's results: --results FILE, or --artifact FOLDER")
        pr = from_environment(env, options.publishing.repo, options.publishing.pr)
        head = decision.head_results(options.results, loaded, config_path)
        inputs = decision.Inputs(head, decision.baseline(options))
    else:
        if options.results or options.baseline:
            raise UsageError("--artifact holds the results: leave out --results and --baseline")
        bundle = artifact.load(folder)
        inputs, loaded = artifact_inputs(bundle, loaded, folder)
        # The runner's budgets are the trusted workflow's to pick (--runner), never the folder's.
        loaded = loaded.for_runner(options.runner)
        options = replace(options, results=folder / artifact.HEAD, baseline=folder / artifact.BASE)
        pr = None  # the claim is checked only when it is about to be acted on
        if options.comment != "off" or options.commit_status:
            if bundle.claim is None and options.commit_status and _of_a_pull_request(env):
                # The run was a pull request's: an artifact that names none would leave its head
                # without a verdict (waiting for ever, with no reason given).
                raise UsageError(
                    f"the artifact {folder.name} names no pull request, but the workflow run was "
                    "for one: it was not saved by `check --artifact` in a pull_request event"
                )
            pr = artifact_pull_request(bundle.claim, options.publishing, env)
    return verdict.give(
        loaded,
        config_path,
        inputs,
        data,
        options=options,
        env=env,
        pr=pr,
        status_required=True,
    )


def error_status(options: GateOptions, env: Mapping[str, str], error: Exception) -> None:
    """In the trusted half (a `workflow_run` of a pull request's run), when the report cannot be
    given, the head commit's status says so (`error`), rather than stay unset: a branch rule that
    requires it then blocks with the reason, instead of waiting without one. Outside such an
    event nothing is set."""
    run = _of_a_pull_request(env)
    if not options.commit_status or run is None:
        return
    sha = str(run.get("head_sha") or "")
    pr = PullRequest(repository_of(env, options.publishing.repo), 0, head_sha=sha)
    # carbon-gate's own errors say what to do; anything else is in the job's log, not on the commit.
    why = error if isinstance(error, CarbonGateError) else "carbon-gate failed (see the job's log)"
    failed = status.Status("error", status.one_line(f"not judged: {why}"), status.run_url(env))
    verdict.set_status(options.commit_status, pr, failed, env)


def _of_a_pull_request(env: Mapping[str, str]) -> dict[str, object] | None:
    """The `workflow_run` event's run, when it was a pull request's; else None."""
    run = event(env).get("workflow_run")
    if not isinstance(run, dict) or run.get("event") != "pull_request":
        return None
    return run


def artifact_inputs(
    bundle: artifact.Artifact, loaded: Config, folder: Path
) -> tuple[decision.Inputs, Config]:
    """The artifact's results, with what the trusted budget file makes of them, and that file as
    it judges them. A pull request has a base, so an artifact without one is a comparison that
    could not be made; one that changed the benchmark cannot be compared with the base at all,
    which is not a pass (the benchmark is the policy's to change, as in `check`)."""
    notes, unjudged = [], ""
    if loaded.benchmark is not None:
        wanted = measurement.identity(loaded.benchmark)
        changed = results_file.benchmark_changes(wanted, bundle.head.benchmark.recorded)
        if changed:
            notes.append(
                f"the pull request changed the benchmark ({changed}): the figures are its "
                f"benchmark's, judged with {loaded.path}'s assumptions and budgets"
            )
            unjudged = f"the pull request changed the benchmark ({changed})"
            loaded = loaded.requiring_comparison()
    if bundle.base is None and bundle.claim is not None and not decision.not_measured(bundle.head):
        unjudged = unjudged or f"the artifact {folder.name} holds no measurement of the base"
    return decision.Inputs(bundle.head, bundle.base, tuple(notes), unjudged), loaded


def artifact_pull_request(
    claim: artifact.Claim | None, publishing: Publishing, env: Mapping[str, str]
) -> PullRequest | None:
    """--pr when given; else the artifact's claim, checked against the trusted event."""
    if publishing.pr:
        return from_environment(env, publishing.repo, publishing.pr)
    if claim is None:
        return None  # measured outside a pull request: nothing to comment on
    repository = repository_of(env, publishing.repo)

    def head_of(number: int) -> str:
        try:
            pull = client(env, publishing.comment_as).call(
                "GET", f"/repos/{repository}/pulls/{number}"
            )
            return str(pull["head"]["sha"])
        except (GitHubError, KeyError, TypeError) as error:
            raise UsageError(f"could not look up {repository}#{number}: {error}") from None

    try:
        return artifact.pull_request(claim, env, repository, head_of)
    except artifact.StalePullRequest as error:
        actions.warn(env, str(error))
        return None
