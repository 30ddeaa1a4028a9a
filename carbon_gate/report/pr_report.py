"""The pull-request report: the decision as Markdown (a Jinja2 template) or as plain text.

Readable in ten seconds (the verdict and the change that matters, then one table), complete on a
second look (how it was measured, the assumptions, everyday terms, cleaner grids). Every string that
comes from the pull request, the budget file or the machine goes through the Markdown escaper. The
views: the decision's (`decision_view`), the measurements' (`measurement_view`), the estimate's
(`estimate_view`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carbon_gate import __version__
from carbon_gate.budget.settings import Budgets
from carbon_gate.gate.compare import Decision
from carbon_gate.gate.limits import HARDWARE_KEYS
from carbon_gate.gate.trusted import Judged
from carbon_gate.github.pull_request import PullRequest
from carbon_gate.report import chart, estimate_view, measurement_view, trend
from carbon_gate.report.decision_view import headline, reasons, row_view
from carbon_gate.report.templates import environment

MARKER_PREFIX = "<!-- carbon-gate report"


def marker(report_id: str) -> str:
    """The hidden line that identifies this gate's comment; `report_id` tells two gates apart."""
    safe = re.sub(r"[^A-Za-z0-9._/:+=-]", "_", report_id)[:100] or "default"
    return f"{MARKER_PREFIX} id={safe} -->"


@dataclass(frozen=True)
class ReportInput:
    """Everything a report shows."""

    decision: Decision
    head: Judged  # the head, as the gate judged it: its results, measurement and estimate
    base: Judged | None
    pull_request: PullRequest | None
    report_id: str
    notes: tuple[str, ...] = ()  # from the caller: what the decision left out
    budgets: Budgets | None = None
    history: trend.History | None = None  # the default branch's runs, when asked for
    policy: str = ""  # said first: the pull request changes its budget file, judged by the base's


def _one_line(text: str) -> str:
    """Text for a terminal line: no line breaks that could start a line of their own."""
    return " ".join(str(text).split())


def _commit(sha: str) -> str:
    """A commit of the pull request as GitHub links it (its first 7 hex digits), or "" for
    anything that is not a SHA: the report's own reference, so it is not escaped."""
    return sha[:7] if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha) else ""


def context(data: ReportInput) -> dict[str, Any]:
    """The values the templates render; pure, so a snapshot test can pin them down."""
    decision = data.decision
    estimate = data.head.estimate
    lifecycle = next(r for r in decision.rows if r.key == "lifecycle")
    shares = estimate_view.shares(estimate)
    pr = data.pull_request
    # The embodied and SCI rows are for those who describe their hardware or limit them.
    hardware = estimate.assumptions.describes_hardware
    shown = [r for r in decision.rows if r.key not in HARDWARE_KEYS or hardware or r.limit]
    return {
        "marker": marker(data.report_id),
        "headline": headline(decision),
        "policy": data.policy,
        "rows": [row_view(r) for r in shown],
        "reasons": reasons(shown),
        "sci": estimate_view.sci(estimate, None if data.base is None else data.base.estimate),
        "has_base": decision.has_base,
        "warn_only": decision.warn_only,
        "max_increase": decision.max_increase_percent,
        "pie": chart.pie([(label, kg * 1000) for label, kg in shares]) if lifecycle.head else None,
        "head": measurement_view.measured(data.head),
        "base": measurement_view.measured(data.base),
        "assumptions": estimate_view.assumptions(estimate.assumptions),
        "factor": estimate_view.factor(estimate.factor),
        "notes": [*data.notes, *measurement_view.unlike(data.head, data.base)],
        "noise_floor": None if data.budgets is None else data.budgets.noise_floor_percent,
        "paired": measurement_view.paired(decision, data.head),
        "trend": trend.view(data.history, data.head),
        "alternatives": estimate_view.alternatives(estimate),
        "everyday": estimate_view.everyday(lifecycle),
        "pr": pr,
        "head_sha": _commit(pr.head_sha if pr else ""),
        "base_sha": _commit(pr.base_sha if pr else ""),
        "version": __version__,
    }


def to_markdown(data: ReportInput, template: Path | None = None) -> str:
    """The report as GitHub Markdown, from templates/report.md.j2 or the user's own template."""
    env = environment() if template is None else environment(template.parent)
    return env.get_template("report.md.j2" if template is None else template.name).render(
        **context(data)
    )


def to_text(data: ReportInput) -> str:
    """The report for a terminal: the verdict, the table, and why each row has its status."""
    view = context(data)
    columns = ["label", "base", "head", "delta", "percent", "budget", "status"]
    if view["paired"]:
        columns.insert(5, "typical")
    header = {
        "label": "stage",
        "base": "base",
        "head": "head",
        "delta": "Δ CO2eq",
        "percent": "Δ %",
        "typical": "Δ % typical call",
        "budget": "budget",
        "status": "",
    }
    table = [header, *view["rows"]]
    widths = {c: max(len(str(r[c])) for r in table) for c in columns}
    lines = [_one_line(view["headline"]), ""]
    if view["policy"]:
        lines += [_one_line(view["policy"]), ""]
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns).rstrip() for r in table]
    reasons = [f"  {r['labels']}: {_one_line(r['reason'])}" for r in view["reasons"]]
    reasons += [f"  note: {_one_line(note)}" for note in view["notes"]]
    if reasons:
        lines += ["", *reasons]
    return "\n".join(lines) + "\n"
