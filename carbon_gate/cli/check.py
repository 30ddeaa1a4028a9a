"""`carbon-gate check` and `report`: the gate and its report.

check    measure (or read --results), compare with the budgets and the base, render, publish
report   render from two saved results files (the fork-safe two-workflow setup)
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from carbon_gate import output
from carbon_gate.budget import config
from carbon_gate.cli.beside_base import Paths, compare_with_base, repository_root
from carbon_gate.cli.comment import client, publish
from carbon_gate.cli.options import GateOptions, Publishing
from carbon_gate.errors import UsageError
from carbon_gate.gate import compare, paired, sides, trusted
from carbon_gate.gate.rows import Row
from carbon_gate.github import actions, artifact
from carbon_gate.github.comments import GitHubError
from carbon_gate.github.pull_request import PullRequest, from_environment, repository_of
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement, results
from carbon_gate.report import pr_report


def check_command(
    config_path: Path,
    options: GateOptions,
    env: Mapping[str, str],
) -> int:
    """The whole job on a pull request: measure (or read --results), judge, report, publish."""
    data = grid.load()
    loaded = config.load(config_path, data)
    pr = from_environment(env, options.publishing.repo, options.publishing.pr)
    if options.baseline and options.base_ref:
        raise UsageError("--baseline and --base-ref both given: keep only one of them")
    base = _baseline(options)  # a missing or broken baseline fails now, not after measuring
    base_ref = options.base_ref
    if base_ref and options.results:
        raise UsageError(
            "--results and --base-ref both given: --base-ref measures the head beside the base, "
            "in alternation — leave out --results, or compare with --baseline FILE"
        )
    if not base_ref and not base and not options.results:
        base_ref = _pushed_over(env)
    if base_ref:
        repository_root(base_ref, config_path)  # and so does a base that cannot be checked out
    unjudged = ""
    if options.results:
        head = _document(options.results, loaded, config_path)
    elif base_ref:
        paths = Paths(config_path, _given(options.results_output), _given(options.base_output))
        compared = compare_with_base(base_ref, loaded, paths, data)
        head, base = compared.head.content, compared.base
        output.message(compared.head.measurement_text)
        if compared.reason and base is None:
            unjudged = compared.reason  # the head's results say it too (base_not_measured)
    else:
        from carbon_gate.cli.measure import measure_to_file

        done = measure_to_file(loaded, config_path, _given(options.results_output), data)
        head = done.content
        output.message(done.measurement_text)  # the gate's own table follows, not measure's
    if options.artifact:
        artifact.save(options.artifact, head, base, pr)
    inputs = _Inputs(head, base, (), unjudged)
    return _gate(loaded, config_path, inputs, data, options=options, env=env, pr=pr)


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


def report_command(config_path: Path, options: GateOptions, env: Mapping[str, str]) -> int:
    """Render (and write) the report from saved results; the same decision and exit code.
    Comments only when asked to (--comment): the trusted half of the fork-safe setup."""
    data = grid.load()
    loaded = config.load(config_path, data)
    folder = options.artifact
    if folder is None:
        if not options.results:
            raise UsageError("give the head's results: --results FILE, or --artifact FOLDER")
        pr = from_environment(env, options.publishing.repo, options.publishing.pr)
        inputs = _Inputs(_document(options.results, loaded, config_path), _baseline(options))
    else:
        if options.results or options.baseline:
            raise UsageError("--artifact holds the results: leave out --results and --baseline")
        bundle = artifact.load(folder)
        inputs = _artifact_inputs(bundle, loaded, folder)
        options = replace(options, results=folder / artifact.HEAD, baseline=folder / artifact.BASE)
        pr = None  # the claim is checked only when it is about to be acted on
        if options.comment != "off":
            pr = _artifact_pull_request(bundle.claim, options.publishing, env)
    return _gate(loaded, config_path, inputs, data, options=options, env=env, pr=pr)


class _Inputs(NamedTuple):
    """The two sides' results documents (untrusted: only what they measured is used), notes for
    the report, and why a comparison that was asked for could not be made."""

    head: dict[str, Any]
    base: dict[str, Any] | None
    notes: tuple[str, ...] = ()
    unjudged: str = ""


def _artifact_inputs(bundle: artifact.Artifact, loaded: config.Config, folder: Path) -> _Inputs:
    """The artifact's results, with what the trusted budget file makes of them: a pull request
    has a base, so an artifact without one is a comparison that could not be made."""
    notes, unjudged = [], ""
    if loaded.benchmark is not None:
        wanted = {"benchmark": measurement.identity(loaded.benchmark)}
        changed = results.benchmark_changes(wanted, bundle.head)
        if changed:
            notes.append(
                f"the pull request changed the benchmark ({changed}): the figures are its "
                f"benchmark's, judged with {loaded.path}'s assumptions and budgets"
            )
    if bundle.base is None and bundle.claim is not None and not _not_measured(bundle.head):
        unjudged = f"the artifact {folder.name} holds no measurement of the base"
    return _Inputs(bundle.head, bundle.base, tuple(notes), unjudged)


def _artifact_pull_request(
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


def _document(path: Path, loaded: config.Config, config_path: Path) -> dict[str, Any]:
    content = results.load(path)
    if loaded.benchmark is not None:
        identity = measurement.identity(loaded.benchmark)
        results.check_matches(content, path, config.display_name(config_path), identity)
    return content


def _baseline(options: GateOptions) -> dict[str, Any] | None:
    """The base's results file, checked like the head's, or None without --baseline."""
    return results.load(options.baseline) if options.baseline else None


@contextlib.contextmanager
def _malformed_is_refused() -> Iterator[None]:
    """Untrusted input never reaches exit 3: whatever slipped past the checks is refused."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise UsageError(
            f"a results file has a malformed value ({error}) — measure again"
        ) from None


@_malformed_is_refused()
def _decision(
    loaded: config.Config,
    inputs: _Inputs,
    data: grid.GridData,
    options: GateOptions,
) -> tuple[compare.Decision, trusted.Judged, trusted.Judged | None, list[str]]:
    """The decision, from the budget file the gate was given and what the results measured."""
    notes, unjudged = list(inputs.notes), inputs.unjudged
    head = trusted.judged(inputs.head, loaded, data, str(options.results or "head"))
    base = None
    if inputs.base is not None:
        base_name = str(options.baseline or "base")
        base = trusted.judged(inputs.base, loaded, data, base_name)
        changed = results.benchmark_changes(inputs.base, inputs.head)
        sizes = (base.measurement.batch_size, head.measurement.batch_size)
        if not changed and sizes[0] != sizes[1]:
            changed = f"batch_size {sizes[0]} → {sizes[1]}"
        if changed:
            # Two different benchmarks say nothing about each other: no growth check at all.
            unjudged = f"the base measured another benchmark ({changed})"
            base = None
    elif not unjudged:
        unjudged = _not_measured(inputs.head)  # the measuring run said why, if it was asked to
    found = None
    batches = None if base is None else trusted.pairs(head, base)
    if batches is not None and batches.unjudged:
        unjudged, base = batches.unjudged, None
    elif batches is not None:
        factor = data.factor(loaded.assumptions.location)
        side = paired.Side(loaded.assumptions, factor, head.measurement.batch_size)
        found = paired.judge(side, batches.head, batches.base)
    decision = compare.decide(
        sides.side_of(head.estimate, head.measurement),
        None if base is None else sides.side_of(base.estimate, base.measurement),
        loaded.budgets,
        warn_only=options.warn_only,
        paired=found,
        unjudged=unjudged,
    )
    notes += head.notes
    return decision, head, base, notes


def _not_measured(head: dict[str, Any]) -> str:
    """Why the base was not measured, as the head's results say (maybe a fork's: one line, cut)."""
    said = head.get("base_not_measured")
    if not said:
        return ""
    return "the base was not measured: " + " ".join(str(said).split())[:300]


def _gate(
    loaded: config.Config,
    config_path: Path,
    inputs: _Inputs,
    grid_data: grid.GridData,
    *,
    options: GateOptions,
    env: Mapping[str, str],
    pr: PullRequest | None,
) -> int:
    name = config.display_name(config_path)
    if options.require_comparison:
        loaded = replace(loaded, budgets=replace(loaded.budgets, require_comparison=True))
    decision, head, base, notes = _decision(loaded, inputs, grid_data, options)
    if decision.unjudged and env.get("GITHUB_ACTIONS") != "true":  # in Actions: an annotation
        level = "error" if decision.status == "fail" else "warning"
        output.message(f"{level}: the change against the base was not judged: {decision.unjudged}")
    in_repository = _workspace_path(config_path, env) or name
    report_id = options.publishing.report_id or loaded.report_id or _default_id(in_repository, env)
    data = pr_report.ReportInput(
        decision,
        head.document,
        None if base is None else base.document,
        pr,
        report_id,
        notes,
        loaded.budgets,
    )
    marker = pr_report.marker(report_id)
    markdown, text = _render(data, loaded, env)
    if not markdown.startswith(marker):  # a template of the user's that forgot it
        markdown = f"{marker}\n{markdown}"
    report_path = options.report_output
    results.write_text(report_path, markdown)
    _print_untrusted(text, env)
    output.message(f"report written to {report_path}")

    in_actions = env.get("GITHUB_ACTIONS") == "true"
    actions.append_summary(env, markdown)
    actions.set_outputs(env, _outputs(decision, report_path, options))
    if in_actions:
        for line in _annotations(decision, loaded, in_repository):
            output.result(line)
    if options.comment != "off":
        if pr is None:
            output.message("not a pull request (no event, no --pr): the report was not posted")
        else:
            comment_as = options.publishing.comment_as
            posted = publish(markdown, marker, pr, options.comment, env, comment_as=comment_as)
            if not posted and options.fail_on_comment_error:
                return decision.exit_code or 3
    return decision.exit_code


def _render(
    data: pr_report.ReportInput, loaded: config.Config, env: Mapping[str, str]
) -> tuple[str, str]:
    """The report as Markdown (the user's template, else the built-in one) and as text."""
    with _malformed_is_refused():
        try:
            markdown = pr_report.to_markdown(data, loaded.report_template)
        except jinja2.TemplateError as error:
            if loaded.report_template is None:
                raise
            # The gate's decision must not be lost to a template error: report it, and go on
            # with the built-in report.
            number = getattr(error, "lineno", None)
            line = f" (line {number})" if number else ""
            actions.warn(
                env,
                f"{loaded.report_template}{line}: {type(error).__name__}: {error} — the "
                "built-in report template was used instead",
            )
            markdown = pr_report.to_markdown(data)
        return markdown, pr_report.to_text(data)


def _workspace_path(config_path: Path, env: Mapping[str, str]) -> str | None:
    """The budget file relative to the repository (GITHUB_WORKSPACE): where GitHub looks for an
    annotation's file, whatever the step's working-directory; None outside it."""
    workspace = env.get("GITHUB_WORKSPACE")
    if not workspace:
        return None
    try:
        return config_path.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return None


def _default_id(config_name: str, env: Mapping[str, str]) -> str:
    job = env.get("GITHUB_JOB")
    return f"{config_name}:{job}" if job else config_name


def _print_untrusted(text: str, env: Mapping[str, str]) -> None:
    """Print text that holds strings from results files: in Actions, inside stop-commands, so
    that nothing in it can act as a workflow command (::error, ::add-mask, …)."""
    if env.get("GITHUB_ACTIONS") != "true":
        output.result(text)
        return
    token = secrets.token_hex(16)
    output.result(f"::stop-commands::{token}\n{text.rstrip()}\n::{token}::")


def _outputs(decision: compare.Decision, report_path: Path, options: GateOptions) -> dict[str, str]:
    rows = {row.key: row for row in decision.rows}

    def percent(key: str) -> str:
        fraction = rows[key].delta_fraction
        return "" if fraction is None else f"{fraction * 100:.2f}"

    lifecycle = rows["lifecycle"].head
    return {
        "status": decision.status,
        "report-path": str(report_path),
        "results-path": str(options.results or options.results_output or ""),
        "lifecycle-co2eq-kg": "" if lifecycle is None else f"{lifecycle.co2eq.kg:.6g}",
        "lifecycle-delta-percent": percent("lifecycle"),
        "inference-delta-percent": percent("inference_per_1000"),
    }


def _annotations(decision: compare.Decision, loaded: config.Config, name: str) -> list[str]:
    """`::error`/`::warning` at the budget-file line of each budget that failed or warned; rows
    that point at one line (growth: every stage at `max_increase`) share one annotation."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in decision.rows:
        if row.status not in ("fail", "warn", "unknown"):
            continue
        key = "budgets.max_increase" if row.rule == "growth" else f"budgets.{row.key}"
        level = "error" if row.status in ("fail", "unknown") else "warning"
        groups.setdefault((level, key), []).append(row)
    lines = []
    if decision.unjudged:
        required = decision.comparison_required and not decision.warn_only
        line, col = loaded.positions.get("budgets.require_comparison", (0, 0))
        lines.append(
            actions.annotation(
                "error" if required else "warning",
                f"the change against the base was not judged: {decision.unjudged}",
                file=name,
                line=line,
                col=col,
                title="carbon-gate: change not judged",
            )
        )
    for (level, key), rows in groups.items():
        line, col = loaded.positions.get(key, (0, 0))
        title = rows[0].label if len(rows) == 1 else f"{len(rows)} stages"
        lines.append(
            actions.annotation(
                level,
                "; ".join(f"{row.label}: {row.reason}" for row in rows),
                file=name,
                line=line,
                col=col,
                title=f"carbon-gate: {title}",
            )
        )
    return lines
