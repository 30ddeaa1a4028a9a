"""The pull-request report: the decision as Markdown (a Jinja2 template) or as plain text.

Readable in ten seconds (the verdict and the change that matters, then one table), complete on a
second look (how it was measured, the assumptions, everyday terms, cleaner grids). Every string that
comes from the pull request, the budget file or the machine goes through the Markdown escaper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_gate import __version__
from carbon_gate.budget.config import Budgets
from carbon_gate.gate.compare import Decision
from carbon_gate.gate.paired import describe_stop
from carbon_gate.gate.rows import Row, describe
from carbon_gate.github.pull_request import PullRequest
from carbon_gate.readable import (
    format_count,
    format_energy,
    format_energy_range,
    format_intensity,
    format_mass,
    signed_percent,
)
from carbon_gate.report import chart
from carbon_gate.report.templates import environment
from carbon_gate.units import Energy, Intensity, Mass

MARKER_PREFIX = "<!-- carbon-gate report"
# The seed paper: 552 t CO2 "is equal to the annual emission of 276 average-style cars" (§1,
# citing its reference [6]), i.e. 2 t of CO2 per car and year.
CAR_YEAR_KG = 2000.0
LED_WATTS = 10.0
_STATUS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "unknown": "❔"}


def marker(report_id: str) -> str:
    """The hidden line that identifies this gate's comment; `report_id` tells two gates apart."""
    safe = re.sub(r"[^A-Za-z0-9._/:+=-]", "_", report_id)[:100] or "default"
    return f"{MARKER_PREFIX} id={safe} -->"


@dataclass(frozen=True)
class ReportInput:
    """Everything a report shows."""

    decision: Decision
    head: dict[str, Any]  # the head's results file
    base: dict[str, Any] | None
    pull_request: PullRequest | None
    report_id: str
    notes: list[str] = field(default_factory=list)  # from the caller: what the decision left out
    budgets: Budgets | None = None


def _mass(mass: Mass | None) -> str:
    return "—" if mass is None else format_mass(mass).removesuffix(" CO2eq")


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else signed_percent(fraction)


def _interval(low: float, high: float) -> str:
    return f"{_percent(low).removesuffix('%')} to {_percent(high)}"


def _limit(limit: Mass | Energy | None) -> str:
    if limit is None:
        return "—"
    return "≤ " + (_mass(limit) if isinstance(limit, Mass) else format_energy(limit))


def headline(decision: Decision) -> str:
    """The first line: the verdict, what could not be checked, and the change that matters."""
    parts = []
    if decision.unjudged:
        parts.append(f"the change against the base was not judged: {decision.unjudged}")
    row = decision.headline_row
    if row.status in ("fail", "warn", "unknown"):
        parts.append(f"{row.label}: {row.reason}")
    elif decision.unjudged:
        if row.head is not None:
            parts.append(
                f"{row.label.lower()} {format_mass(row.head.co2eq)}, absolute budgets only"
            )
    elif row.change is not None:
        paired = [c for r in decision.rows for c in (r.change, r.typical) if c is not None]
        if all(c.holds_zero for c in paired):  # not even a direction is certain
            typical = (
                "" if row.typical is None else f"; typical call {_percent(row.typical.fraction)}"
            )
            parts.append(
                f"no significant change against the base ({row.label} "
                f"{_percent(row.change.fraction)}, {row.change.interval()}{typical})"
            )
        else:
            words = describe(row.change, row.typical, decision.max_increase_percent)
            parts.append(f"{row.label} against the base: {words}")
    elif row.delta_fraction is not None:
        parts.append(f"{row.label} {_percent(row.delta_fraction)} against the base")
    elif row.head is not None:
        parts.append(f"{row.label.lower()} {format_mass(row.head.co2eq)} (no base to compare)")
    else:
        parts.append("nothing could be computed")
    return f"{_STATUS[decision.status]} carbon-gate: {decision.verdict} — {'; '.join(parts)}"


# Which rule gave a failure or a warning: a row can fail on growth far below its budget.
_RULE = {
    ("fail", "growth"): " (growth)",
    ("warn", "growth"): " (growth)",
    ("fail", "budget"): " (budget)",
}


def _row_view(row: Row) -> dict[str, str]:
    return {
        "label": row.label,
        "base": _mass(None if row.base is None else row.base.co2eq),
        "head": _mass(None if row.head is None else row.head.co2eq),
        "delta": "—" if row.delta is None else _signed(row.delta),
        "percent": _percent(row.delta_fraction)
        + ("" if row.change is None else f" ({_interval(row.change.low, row.change.high)})"),
        "typical": ""
        if row.typical is None
        else f"{_percent(row.typical.fraction)} ({_interval(row.typical.low, row.typical.high)})",
        "budget": _limit(row.limit),
        "status": "— not computed"
        if row.head is None and row.status == "pass"
        else f"{_STATUS[row.status]} {row.status}" + _RULE.get((row.status, row.rule), ""),
        "reason": row.reason,
    }


def _reasons(rows: list[Row]) -> list[dict[str, str]]:
    """Each reason once, with the stages it is about: five stages that grew by the same 50 %
    are one line, not five."""
    grouped: dict[str, list[str]] = {}
    for row in rows:
        if row.reason and row.reason != "not computed":
            grouped.setdefault(row.reason, []).append(row.label)
    return [
        {
            "labels": "Every stage" if len(labels) == len(rows) else "; ".join(labels),
            "reason": reason,
        }
        for reason, labels in grouped.items()
    ]


def _value_and_unit(value: Any, unit: str) -> dict[str, str]:
    """An assumption as people read it: energy with its prefix (28.0 µJ, not 2.8e-05 J)."""
    if unit == "J" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"value": format_energy(Energy(float(value))), "unit": ""}
    return {"value": str(_number(value)), "unit": unit}


def _number(value: Any) -> Any:
    """A number as people read it (60,000; 1.48; 365 million); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return format_count(value) if abs(value) >= 1e4 else f"{value:.3g}"


def _factor(factor: dict[str, Any]) -> dict[str, str]:
    year = factor.get("year")
    return {
        "intensity": format_intensity(Intensity(float(factor.get("g_per_kwh") or 0))),
        "name": str(factor.get("name", "")),
        "location": str(factor.get("location", "")),
        "source": str(factor.get("source", "")) + (f", {int(year)}" if year else ""),
    }


def _notes(head: dict[str, Any], base: dict[str, Any] | None) -> list[str]:
    """What makes the comparison less like-for-like."""
    if base is None:
        return []
    notes = []
    cpu = [str((d.get("environment") or {}).get("cpu_model", "")) for d in (head, base)]
    if cpu[0] != cpu[1]:
        notes.append(
            f"head and base ran on different CPUs ({cpu[1]} → {cpu[0]}): the change "
            "includes the hardware's"
        )
    kinds = [str(d.get("energy_kind", "")) for d in (head, base)]
    if kinds[0] != kinds[1]:
        notes.append(
            f"the base's energy was {kinds[1]}, the head's {kinds[0]}: they are not like for like"
        )
    return notes


def _one_line(text: str) -> str:
    """Text for a terminal line: no line breaks that could start a line of their own."""
    return " ".join(str(text).split())


def _signed(mass: Mass) -> str:
    sign = "+" if mass.kg >= 0 else "−"
    return sign + _mass(Mass(abs(mass.kg)))


def _measurement(document: dict[str, Any] | None) -> dict[str, Any] | None:
    if document is None:
        return None
    summary, bench = document["summary"], document.get("benchmark", {})
    per_sample = summary["per_sample"]
    sources = [
        {
            "component": name.upper(),
            "source": str(source.get("source", "")),
            "method": str(source.get("method", "")),
            "model": str(source.get("model") or ""),
        }
        for name, source in (document.get("power_sources") or {}).items()
        if name in ("cpu", "gpu", "ram") and isinstance(source, dict)
    ]
    k = summary.get("overhead_factor")
    # A results file may come from a fork's pull request: every string in it is untrusted, and
    # numbers are formatted here, so that nothing but text reaches the template.
    return {
        "what": str(bench.get("command") or bench.get("callable") or "?"),
        "batch": _number(summary.get("batch_size", 1)),
        "repeats": _number(per_sample["n"]),
        "per_sample": format_energy(Energy(per_sample["mean_j"])),
        "ci": format_energy_range(
            per_sample["ci95_j"][0], per_sample["ci95_j"][1], per_sample["mean_j"]
        ),
        "cv": f"{per_sample['cv']:.1%}",
        "kind": str(document.get("energy_kind", "estimated")),
        "sources": sources,
        # k as the estimate takes it: the mean step over the mean inference.
        "k": None
        if k is None
        else f"{summary['train_step_per_sample']['mean_j'] / per_sample['mean_j']:.2f} "
        f"(repeats: 95 % CI {k['ci95'][0]:.2f} – {k['ci95'][1]:.2f})",
        "environment": {
            str(key): str(value) for key, value in (document.get("environment") or {}).items()
        },
        "warnings": [str(w) for w in document.get("warnings") or []],
    }


def _paired(decision: Decision, head: dict[str, Any]) -> dict[str, str] | None:
    """How head and base were compared in pairs, when they were."""
    counted = [row.change.pairs for row in decision.rows if row.change is not None]
    if not counted:
        return None
    comparison = head.get("comparison") or {}
    given: Any = comparison.get("max_seconds")
    seconds = float(given) if type(given) in (int, float) and abs(given) < 1e9 else 0.0
    return {
        "pairs": str(counted[0]),
        "stopped": describe_stop(str(comparison.get("stopped")), counted[0], seconds),
    }


def _commit(sha: str) -> str:
    """A commit of the pull request as GitHub links it (its first 7 hex digits), or "" for
    anything that is not a SHA: the report's own reference, so it is not escaped."""
    return sha[:7] if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha) else ""


def context(data: ReportInput) -> dict[str, Any]:
    """The values the templates render; pure, so a snapshot test can pin them down."""
    decision = data.decision
    estimate = data.head["estimate"]
    lifecycle = next(r for r in decision.rows if r.key == "lifecycle")
    # float() first: a results file may come from a fork, and "1" * 1000 is a string of 1000 ones.
    shares = [
        (label, float((estimate["stages"].get(key) or {}).get("co2eq_kg") or 0.0))
        for key, label in (
            ("search", "Model search"),
            ("training", "Training"),
            ("inference", "Inference"),
        )
    ]
    everyday = None
    if lifecycle.head is not None:
        hours = lifecycle.head.energy.kwh * 1000 / LED_WATTS
        everyday = {
            "car": f"{lifecycle.head.co2eq.kg / CAR_YEAR_KG * 100:.2g} %",
            "led": f"{hours:,.3g} hours" if hours >= 1 else f"{hours * 60:,.2g} minutes",
        }
    pr = data.pull_request
    return {
        "marker": marker(data.report_id),
        "headline": headline(decision),
        "rows": [_row_view(r) for r in decision.rows],
        "reasons": _reasons(decision.rows),
        "has_base": decision.has_base,
        "warn_only": decision.warn_only,
        "max_increase": decision.max_increase_percent,
        "pie": chart.pie([(label, kg * 1000) for label, kg in shares]) if lifecycle.head else None,
        "head": _measurement(data.head),
        "base": _measurement(data.base),
        "assumptions": {
            str(name): {
                **_value_and_unit(a["value"], str(a.get("unit") or "")),
                "source": str(a.get("source") or "given"),
            }
            for name, a in (estimate.get("assumptions") or {}).items()
            if a and a.get("value") is not None and not isinstance(a["value"], dict)
        },
        "factor": _factor(estimate.get("emission_factor") or {}),
        "notes": [*data.notes, *_notes(data.head, data.base)],
        "noise_floor": None if data.budgets is None else data.budgets.noise_floor_percent,
        "paired": _paired(decision, data.head),
        "alternatives": [
            {
                "name": str(a.get("name", "")),
                "location": str(a.get("location", "")),
                "lifecycle": format_mass(Mass(float(a["lifecycle_co2eq_kg"]))),
                "intensity": format_intensity(Intensity(float(a["g_per_kwh"]))),
            }
            for a in estimate.get("alternatives", [])
        ],
        "everyday": everyday,
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
    lines += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns).rstrip() for r in table]
    reasons = [f"  {r['labels']}: {_one_line(r['reason'])}" for r in view["reasons"]]
    reasons += [f"  note: {_one_line(note)}" for note in view["notes"]]
    if reasons:
        lines += ["", *reasons]
    return "\n".join(lines) + "\n"
