"""The verdict `check` and `report` give, once decided (`cli.decision`): the report rendered and
written, printed, the Actions summary, outputs and annotations, and the comment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import jinja2

from carbon_gate import files, output
from carbon_gate.budget import config
from carbon_gate.budget.settings import Config
from carbon_gate.cli.comment import publish
from carbon_gate.cli.decision import Inputs, decide, malformed_is_refused
from carbon_gate.cli.history import for_report
from carbon_gate.cli.options import GateOptions
from carbon_gate.gate import compare
from carbon_gate.gate.rows import Row
from carbon_gate.github import actions, status
from carbon_gate.github.comments import client
from carbon_gate.github.exchange import GitHubError
from carbon_gate.github.pull_request import PullRequest
from carbon_gate.lifecycle import grid
from carbon_gate.report import pr_report
from carbon_gate.report.decision_view import headline


def give(
    loaded: Config,
    config_path: Path,
    inputs: Inputs,
    grid_data: grid.GridData,
    *,
    options: GateOptions,
    env: Mapping[str, str],
    pr: PullRequest | None,
    policy: str = "",
    status_required: bool = False,
) -> int:
    """Decide, then give the verdict: the report written and printed, the Actions outputs and
    annotations, the comment and the commit status; the exit code of the decision (or 3 for a
    comment that failed, with --fail-on-comment-error, or a commit status that the trusted side
    could not set: `status_required`). `policy` is said first: whose budget file judged."""
    name = config.display_name(config_path)
    if options.require_comparison:
        loaded = loaded.requiring_comparison()
    decision, head, base, notes = decide(loaded, inputs, grid_data, options)
    if decision.unjudged and env.get("GITHUB_ACTIONS") != "true":  # in Actions: an annotation
        level = "error" if decision.status == "fail" else "warning"
        output.message(f"{level}: the change against the base was not judged: {decision.unjudged}")
    in_repository = _workspace_path(config_path, env) or name
    report_id = options.publishing.report_id or loaded.report_id or _default_id(in_repository, env)
    history = None if options.history is None else for_report(options.history, config_path)
    data = pr_report.ReportInput(
        decision, head, base, pr, report_id, tuple(notes), loaded.budgets, history, policy
    )
    marker = pr_report.marker(report_id)
    markdown, text = _render(data, loaded, env)
    if not markdown.startswith(marker):  # a template of the user's that forgot it
        markdown = f"{marker}\n{markdown}"
    report_path = options.report_output
    files.write_text(report_path, markdown)
    output.untrusted_result(text, env)  # it holds strings from results files
    output.message(f"report written to {report_path}")

    in_actions = env.get("GITHUB_ACTIONS") == "true"
    actions.append_summary(env, markdown)
    actions.set_outputs(env, _outputs(decision, report_path, options))
    if in_actions:
        for line in _annotations(decision, loaded, in_repository):
            output.result(line)
    verdict = status.of_verdict(decision.status, headline(decision), warn_only=decision.warn_only)
    return post(
        markdown,
        marker,
        pr,
        options,
        env,
        code=decision.exit_code,
        verdict=verdict,
        status_required=status_required,
    )


def post(
    markdown: str,
    marker: str,
    pr: PullRequest | None,
    options: GateOptions,
    env: Mapping[str, str],
    *,
    code: int,
    verdict: status.Status,
    status_required: bool = False,
) -> int:
    """Comment the report when asked to, then set the commit status (--commit-status); `code`,
    or 3 for a comment that failed with --fail-on-comment-error (when the verdict itself was a
    pass), or for a status that could not be set where it is the verdict (`status_required`)."""
    url = None
    if options.comment != "off":
        if pr is None:
            output.message("not a pull request (no event, no --pr): the report was not posted")
        else:
            comment_as = options.publishing.comment_as
            url = publish(markdown, marker, pr, options.comment, env, comment_as=comment_as)
            if url is None and options.fail_on_comment_error:
                code = code or 3
    if options.commit_status and pr is not None:
        verdict = replace(verdict, target_url=url or status.run_url(env))
        if not set_status(options.commit_status, pr, verdict, env) and status_required:
            return 3
    return code


def set_status(
    context: str, pr: PullRequest, verdict: status.Status, env: Mapping[str, str]
) -> bool:
    """Set `verdict` as the status `context` of the pull request's head commit; on failure a
    warning that says why, and False."""
    where = f"{pr.repository}@{pr.head_sha[:12] or '(unknown)'}"
    try:
        if not env.get("GITHUB_TOKEN"):
            raise GitHubError("no GITHUB_TOKEN in the environment", sent=False)
        if not pr.head_sha:
            raise GitHubError("the pull request's head commit is unknown", sent=False)
        status.publish(client(env, None), pr.repository, pr.head_sha, context, verdict)
    except (GitHubError, ValueError) as error:
        fork = " This pull request comes from a fork: its token is read-only." if pr.fork else ""
        actions.warn(
            env,
            f"could not set the commit status {context} on {where}: {error}.{fork} The "
            "workflow needs `permissions: statuses: write`.",
        )
        return False
    output.message(f"commit status {context}: {verdict.state} on {where}")
    return True


def _render(data: pr_report.ReportInput, loaded: Config, env: Mapping[str, str]) -> tuple[str, str]:
    """The report as Markdown (the user's template, else the built-in one) and as text."""
    with malformed_is_refused():
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


def _annotations(decision: compare.Decision, loaded: Config, name: str) -> list[str]:
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
