"""`carbon-gate report --artifact DIR --artifact DIR … --expect LEG …`: a matrix's legs gathered
into one report and one comment.

Each leg's folder (`check --artifact --leg`) is untrusted, as in the fork-safe setup: its results
are read and checked, and it is judged by its own budget file, read from this job's checkout (the
default branch's), never from the folder. A leg that did not report, or whose folder cannot be
judged, is said first and never counts as passed; the merge's verdict is its worst leg's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from carbon_gate import files, output
from carbon_gate.budget import config
from carbon_gate.cli import decision
from carbon_gate.cli.options import GateOptions
from carbon_gate.cli.report import artifact_inputs, artifact_pull_request
from carbon_gate.cli.verdict import post
from carbon_gate.errors import ConfigError, UsageError
from carbon_gate.github import actions, artifact, status
from carbon_gate.lifecycle import grid
from carbon_gate.report import merged, pr_report

DEFAULT_ID = "matrix"


def merge_command(options: GateOptions, env: Mapping[str, str]) -> int:
    """Judge every leg, write and print one report, comment once; the worst leg's exit code, and
    2 when a leg did not report or could not be judged."""
    expectations = [artifact.expected(text) for text in options.expect]
    expected = [item.name for item in expectations]
    if not expected:
        raise UsageError(
            "merging legs needs --expect LEG for each leg the matrix runs: a leg that did not "
            "report must not count as passed"
        )
    if len(set(expected)) != len(expected):
        raise UsageError("--expect names a leg twice")
    unbound = [item.name for item in expectations if item.config is None]
    if unbound and env.get("GITHUB_EVENT_NAME") == "workflow_run":
        raise UsageError(
            f"--expect {unbound[0]}: in the commenting workflow every leg must be bound to its "
            "budget file and runner (NAME:BUDGET-FILE:RUNNER): a leg's folder comes from the "
            "pull request's run and could claim a more lenient one"
        )
    data = grid.load()
    report_id = options.publishing.report_id or DEFAULT_ID
    bound = {item.name: item for item in expectations}
    judged = [_judged(folder, options, data, report_id, bound) for folder in options.artifacts]
    legs, claim = _one_pull_request(judged)
    gathered = merged.gather(legs, expected)
    pr = None
    if options.comment != "off" or options.commit_status:
        pr = artifact_pull_request(claim, options.publishing, env)
    marker = pr_report.marker(report_id)
    markdown = merged.to_markdown(gathered, marker, pr)
    files.write_text(options.report_output, markdown)
    # Leg names and reasons are the legs' own.
    output.untrusted_result(merged.to_text(gathered), env)
    output.message(f"report written to {options.report_output}")
    if options.json_output is not None:
        files.write_text(options.json_output, merged.to_json(gathered))
    actions.append_summary(env, markdown)
    actions.set_outputs(env, {"status": gathered.status, "report-path": str(options.report_output)})
    verdict = status.of_verdict(
        gathered.status, merged.headline(gathered), warn_only=options.warn_only
    )
    return post(
        markdown,
        marker,
        pr,
        options,
        env,
        code=gathered.exit_code,
        verdict=verdict,
        status_required=True,
    )


def _judged(
    folder: Path,
    options: GateOptions,
    data: grid.GridData,
    report_id: str,
    bound: Mapping[str, artifact.Expected],
) -> tuple[merged.LegReport, artifact.Claim | None]:
    """One leg, judged by its budget file in this checkout; or, when its folder cannot be read
    or judged, or claims another budget file or runner than the merge expects of it (`bound`),
    the reason, under the leg's name when the folder says it."""
    leg = None
    try:
        leg = artifact.load_leg(folder)
        if leg is None:
            raise UsageError(
                f"{folder}: no {artifact.LEG} — measure each leg with `check --artifact DIR "
                "--leg NAME`"
            )
        _held_to(leg, bound.get(leg.name))
        config_path = _in_checkout(leg.config, options.artifacts)
        loaded = config.load(config_path, data)
        bundle = artifact.load(folder)
        inputs, loaded = artifact_inputs(bundle, loaded, folder)
        note = loaded.runner_note(leg.runner)
        inputs = inputs._replace(notes=(*inputs.notes, *([note] if note else [])))
        loaded = loaded.for_runner(leg.runner)
        if options.require_comparison:
            loaded = loaded.requiring_comparison()
        leg_options = replace(
            options, results=folder / artifact.HEAD, baseline=folder / artifact.BASE
        )
        decided = decision.decide(loaded, inputs, data, leg_options)
    except (UsageError, ConfigError) as error:  # this leg's: the others are judged still
        name = leg.name if leg else f"artifact {folder.name}"
        return merged.LegReport(
            name, leg.runner if leg else "", leg.config if leg else "", None, str(error)
        ), None
    report = pr_report.ReportInput(
        decided.decision,
        decided.head,
        decided.base,
        None,
        report_id,
        tuple(decided.notes),
        loaded.budgets,
    )
    return merged.LegReport(leg.name, leg.runner, leg.config, report), bundle.claim


def _in_checkout(name: str, folders: tuple[Path, ...]) -> Path:
    """The budget file a leg names, in this checkout: a file inside the working directory, and
    never inside a leg's folder (what the pull request's run wrote)."""
    path = Path(name).absolute()
    here = Path.cwd().absolute()
    real = path.resolve()
    inside = real.is_relative_to(here.resolve()) and path.is_file()
    if not inside or any(real.is_relative_to(f.resolve()) for f in folders):
        raise UsageError(f"{name}: no such budget file in this checkout")
    return Path(name)


def _held_to(leg: artifact.Leg, expected: artifact.Expected | None) -> None:
    """The leg measured what the trusted workflow expects of it, where it says."""
    if expected is None:
        return
    for what, claimed, wanted in (
        ("budget file", leg.config, expected.config),
        ("runner", leg.runner, expected.runner),
    ):
        if wanted is not None and claimed != wanted:
            raise UsageError(
                f"the leg says it measured the {what} {claimed or '(none)'!r}, but the merge "
                f"expects {wanted or '(none)'!r} of it"
            )


def _one_pull_request(
    judged: list[tuple[merged.LegReport, artifact.Claim | None]],
) -> tuple[list[merged.LegReport], artifact.Claim | None]:
    """The pull request the judged legs measured: every one must name the same one and commit.
    Where some name it and some name none, those are not judged: a leg without its base would
    pass its growth check unseen."""
    claims = {claim for leg, claim in judged if leg.report is not None}
    named = claims - {None}
    if len(named) > 1:
        raise UsageError(
            "the legs' artifacts name different pull requests or commits — merge the legs of "
            "one workflow run only"
        )
    claim = next(iter(named), None)
    if claim is None or None not in claims:
        return [leg for leg, _ in judged], claim
    problem = (
        f"its folder names no pull request, where the other legs name #{claim.number}: its "
        "comparison with the base cannot be told to be the same run's"
    )
    legs = [
        merged.LegReport(leg.name, leg.runner, leg.config, None, problem)
        if leg.report is not None and own is None
        else leg
        for leg, own in judged
    ]
    return legs, claim
