"""`carbon-gate check`: the whole job on a pull request — measure (or read --results), compare
with the budgets and the base, render, publish (see `cli.decision` and `cli.verdict`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from carbon_gate import output
from carbon_gate.budget import config
from carbon_gate.budget.settings import Config
from carbon_gate.cli import base_policy, decision, verdict
from carbon_gate.cli.beside_base import Paths, compare_with_base, repository_root
from carbon_gate.cli.options import GateOptions
from carbon_gate.errors import UsageError
from carbon_gate.github import artifact
from carbon_gate.github.pull_request import from_environment
from carbon_gate.lifecycle import grid
from carbon_gate.measure.git import git


def check_command(
    config_path: Path,
    options: GateOptions,
    env: Mapping[str, str],
) -> int:
    """The whole job on a pull request: measure (or read --results), judge, report, publish."""
    data = grid.load()
    own = config.load(config_path, data)
    pr = from_environment(env, options.publishing.repo, options.publishing.pr)
    leg = _leg(config_path, options)  # a wrong --leg fails now, not after measuring
    if options.baseline and options.base_ref:
        raise UsageError("--baseline and --base-ref both given: keep only one of them")
    base = decision.baseline(options)  # a missing or broken baseline fails now, not after measuring
    base_ref = options.base_ref
    if base_ref and options.results:
        raise UsageError(
            "--results and --base-ref both given: --base-ref measures the head beside the base, "
            "in alternation — leave out --results, or compare with --baseline FILE"
        )
    if not base_ref and not base and not options.results:
        base_ref = _pushed_over(env)
    # A push (the history's run on the default branch) is merged already: its own file is the
    # policy. Anything else measured beside a base is judged by the base's.
    pushed = env.get("GITHUB_EVENT_NAME") == "push"
    policy = _policy(None if pushed else base_ref, config_path, own, data)
    if policy.config.runner_note(options.runner):
        output.message(f"warning: {policy.config.runner_note(options.runner)}")
    loaded = policy.config.for_runner(options.runner)
    unjudged = ""
    base_path = options.baseline
    if options.results:
        head_path = options.results
        head = decision.head_results(head_path, loaded, config_path)
    elif base_ref:
        paths = Paths(config_path, _given(options.results_output), _given(options.base_output))
        compared = compare_with_base(base_ref, loaded, paths, data)
        head, base = compared.head.results, compared.base
        head_path = paths.head_results
        base_path = None if base is None else paths.base_results
        output.message(compared.head.measurement_text)
        if compared.reason and base is None:
            unjudged = compared.reason  # the head's results say it too (base_not_measured)
    else:
        from carbon_gate.cli.measure import measure_to_file

        head_path = _given(options.results_output)
        done = measure_to_file(loaded, config_path, head_path, data)
        head = done.results
        output.message(done.measurement_text)  # the gate's own table follows, not measure's
    if options.artifact:
        artifact.save(options.artifact, head_path, base_path, pr)
        if leg is None:
            (options.artifact / artifact.LEG).unlink(missing_ok=True)  # a stale one
        else:
            artifact.save_leg(options.artifact, leg)
    inputs = decision.Inputs(head, base, (), unjudged)
    return verdict.give(
        loaded,
        config_path,
        inputs,
        data,
        options=options,
        env=env,
        pr=pr,
        policy=_policy_sentence(policy, inputs, data, options),
    )


def _policy(
    base_ref: str | None, config_path: Path, own: Config, data: grid.GridData
) -> base_policy.Policy:
    """What judges: the base's policy when there is a base (one that cannot be checked out
    fails now), else the budget file given."""
    if not base_ref or config.is_example(config_path):  # the example is no repository's
        return base_policy.Policy(own)
    root = repository_root(base_ref, config_path)
    sha = git(root, "rev-parse", "--verify", "--quiet", f"{base_ref}^{{commit}}") or base_ref
    policy = base_policy.at_base(sha, root, config_path, own, data)
    if policy.sentence:
        output.message(f"note: {policy.sentence}")
    return policy


def _policy_sentence(
    policy: base_policy.Policy, inputs: decision.Inputs, data: grid.GridData, options: GateOptions
) -> str:
    """The policy's sentence, with what the pull request's own file would decide when it
    changes the policy."""
    if policy.own is None:
        return policy.sentence
    own = policy.own.for_runner(options.runner)
    if options.require_comparison:
        own = own.requiring_comparison()
    theirs = decision.decide(own, inputs, data, options)
    would = _WOULD[theirs.decision.status]
    return (
        f"{policy.sentence}; by its own file it would {would} — its values take effect once merged"
    )


_WOULD = {
    "pass": "pass",
    "warn": "pass with a warning",
    "fail": "fail",
    "unknown": "not be judged",
}


def _leg(config_path: Path, options: GateOptions) -> artifact.Leg | None:
    """Which leg of a matrix --artifact holds: its name, its budget file relative to the
    repository root (where the merging job will read it), its runner; None outside a matrix (no
    --leg, and a budget file outside the working directory)."""
    if options.leg and not options.artifact:
        raise UsageError("--leg names the leg --artifact saves: give --artifact DIR too")
    if not options.artifact:
        return None
    try:
        # absolute(), not resolve(): a linked budget file keeps the path the leg was given.
        relative = config_path.absolute().relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        relative = ""
    if not relative or not artifact.leg_config_allowed(relative):
        if options.leg:
            raise UsageError(
                f"--leg: {config_path} is not a budget file inside this folder — run check from "
                "the repository root, with --config path/to/carbon-budget.yml"
            )
        return None
    runner = options.runner or ""
    name = options.leg or (f"{relative}@{runner}" if runner else relative)
    return artifact.Leg(name, relative, runner)


def _given(path: Path | None) -> Path:
    """A path click always gives `check` (it has a default): its absence is a bug of ours."""
    assert path is not None, "check's results paths have defaults"
    return path


def _pushed_over(env: Mapping[str, str]) -> str | None:
    """In a pre-push hook, the commit the remote has (for a new branch, pre-commit passes the
    parent of the first commit pushed): what the push changes is measured against it. None
    outside a hook, and when there is no such commit."""
    ref = env.get("PRE_COMMIT_FROM_REF", "").strip()
    return ref if ref and ref.strip("0") else None
