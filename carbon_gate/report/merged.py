"""One report for a matrix's legs: the verdict (the worst leg's), a line per leg, and each leg's
table; legs that did not report or could not be judged said first. As Markdown, text and JSON.

Pure: the legs come in judged (`cli.merge`), each as the `ReportInput` of its own report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carbon_gate import __version__
from carbon_gate.gate.limits import exit_code
from carbon_gate.github.pull_request import PullRequest
from carbon_gate.report import pr_report
from carbon_gate.report.decision_view import STATUS
from carbon_gate.report.templates import environment

JSON_FORMAT = "carbon-gate/legs"
# The merge's verdict is its worst leg's; a leg that did not report counts as "unknown".
_WORST = ("fail", "unknown", "warn", "pass")


@dataclass(frozen=True)
class LegReport:
    """One leg: its name, runner and budget file, and its report's inputs; or, when it could not
    be judged, why (`problem`)."""

    name: str
    runner: str
    config: str
    report: pr_report.ReportInput | None
    problem: str = ""

    @property
    def status(self) -> str:
        return "unknown" if self.report is None else self.report.decision.status

    @property
    def hardware(self) -> str:
        """The machine the leg's head ran on, as its results say (the GPU where there is one)."""
        if self.report is None:
            return ""
        machine = self.report.head.results.environment
        if machine.gpu_model:
            count = f"{machine.gpu_count} × " if (machine.gpu_count or 1) > 1 else ""
            return f"{count}{machine.gpu_model}"[:80]
        return (machine.cpu_model or "")[:80]


@dataclass(frozen=True)
class Gathered:
    """The legs in the order the matrix expects them, then any it did not expect; the expected
    legs that did not report."""

    legs: tuple[LegReport, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]

    @property
    def status(self) -> str:
        statuses = {leg.status for leg in self.legs} | ({"unknown"} if self.missing else set())
        return next((s for s in _WORST if s in statuses), "unknown")

    @property
    def exit_code(self) -> int:
        """2 when a leg did not report or could not be judged, whatever the others did: a failing
        leg's verdict was given by its own job, a missing leg's never was. Else the verdict's."""
        if self.missing or any(leg.report is None for leg in self.legs):
            return 2
        return exit_code(self.status)


def gather(legs: Sequence[LegReport], expected: Sequence[str]) -> Gathered:
    """The legs that reported, against those expected: two folders for one leg are both
    refused, since neither can be told to be the real one."""
    by_name: dict[str, list[LegReport]] = {}
    for leg in legs:
        by_name.setdefault(leg.name, []).append(leg)
    kept = []
    for name, same in by_name.items():
        if len(same) == 1:
            kept.append(same[0])
        else:
            problem = f"{len(same)} artifacts say they are this leg: none is taken"
            kept.append(LegReport(name, same[0].runner, same[0].config, None, problem))
    order = {name: index for index, name in enumerate(expected)}
    kept.sort(key=lambda leg: order.get(leg.name, len(order)))
    reported = {leg.name for leg in kept}
    return Gathered(
        tuple(kept),
        tuple(name for name in expected if name not in reported),
        tuple(leg.name for leg in kept if leg.name not in order),
    )


def headline(gathered: Gathered) -> str:
    """The first line: the verdict, how many legs, and every leg that is not a pass."""
    status = gathered.status
    count = len(gathered.legs) + len(gathered.missing)
    parts = [f"{name}: did not report" for name in gathered.missing]
    for leg in gathered.legs:
        if leg.report is None:
            parts.append(f"{leg.name}: not judged")
        elif leg.status != "pass":
            parts.append(f"{_named(leg)}: {leg.report.decision.verdict}")
    words = {
        "fail": "a leg failed",
        "unknown": "a leg was not checked",
        "warn": "within budget, with a warning",
        "pass": "every leg within budget",
    }[status]
    legs = f"{count} leg{'s' * (count != 1)}"
    detail = "; ".join(parts[:10]) + (f"; and {len(parts) - 10} more" if len(parts) > 10 else "")
    return f"{STATUS[status]} carbon-gate: {words} ({legs}) — {detail or f'{legs} checked'}"


def _named(leg: LegReport) -> str:
    return f"{leg.name} on {leg.runner}" if leg.runner and leg.runner not in leg.name else leg.name


def context(gathered: Gathered, marker: str, pr: PullRequest | None) -> dict[str, Any]:
    """The values the template renders; pure."""
    legs = []
    for leg in gathered.legs:
        view = None if leg.report is None else pr_report.context(leg.report)
        # The figure the leg's own headline reads first: the life cycle where it is computed.
        key = None if leg.report is None else leg.report.decision.headline_row.label
        figure = None if key is None else _row(view, key)
        legs.append(
            {
                "name": leg.name,
                "runner": leg.runner or "—",
                "hardware": leg.hardware,
                "config": leg.config or "—",
                "status": f"{STATUS[leg.status]} {leg.status}",
                "verdict": "not judged" if leg.report is None else leg.report.decision.verdict,
                "figure": "—" if figure is None else f"{figure['label']}: {figure['head']}",
                "change": "—" if figure is None else figure["percent"],
                "problem": leg.problem,
                "view": view,
                "expected": leg.name not in gathered.unexpected,
            }
        )
    return {
        "marker": marker,
        "headline": headline(gathered),
        "legs": legs,
        "missing": gathered.missing,
        "pr": pr,
        "version": __version__,
    }


def _row(view: dict[str, Any] | None, label: str) -> dict[str, str] | None:
    if view is None:
        return None
    return next((row for row in view["rows"] if row["label"] == label), None)


def to_markdown(gathered: Gathered, marker: str, pr: PullRequest | None) -> str:
    """The merged report as GitHub Markdown (templates/merged.md.j2)."""
    template = environment().get_template("merged.md.j2")
    return template.render(**context(gathered, marker, pr))


def to_text(gathered: Gathered) -> str:
    """The merged report for a terminal: the verdict and a line per leg."""
    lines = [" ".join(headline(gathered).split()), ""]
    for leg in gathered.legs:
        reason = leg.problem or ("" if leg.report is None else leg.report.decision.verdict)
        runner = f" on {leg.runner}" if leg.runner else ""
        lines.append(f"  {leg.status:<8} {leg.name}{runner} ({leg.config or '?'}): {reason}")
    lines += [f"  unknown  {name}: did not report" for name in gathered.missing]
    return "\n".join(" ".join(line.split("\n")) for line in lines) + "\n"


def to_json(gathered: Gathered) -> str:
    """Every leg's verdict and figures, for tools: the versioned document of `report --json`."""
    legs = []
    for leg in gathered.legs:
        rows = [] if leg.report is None else leg.report.decision.rows
        legs.append(
            {
                "name": leg.name,
                "runner": leg.runner,
                "hardware": leg.hardware or None,
                "config": leg.config,
                "expected": leg.name not in gathered.unexpected,
                "status": leg.status,
                "verdict": None if leg.report is None else leg.report.decision.verdict,
                "problem": leg.problem or None,
                "rows": [
                    {
                        "key": row.key,
                        "status": row.status,
                        "head_co2eq_kg": None if row.head is None else row.head.co2eq.kg,
                        "base_co2eq_kg": None if row.base is None else row.base.co2eq.kg,
                        "change": row.delta_fraction,
                        "reason": row.reason,
                    }
                    for row in rows
                ],
            }
        )
    document = {
        "format": JSON_FORMAT,
        "version": 1,
        "status": gathered.status,
        "legs": legs,
        "missing": list(gathered.missing),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
