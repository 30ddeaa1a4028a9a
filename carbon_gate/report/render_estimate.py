"""An estimate as a person reads it: a terminal table, or Markdown. Its JSON document is
`gate.estimate_json`."""

from __future__ import annotations

from typing import Any, NamedTuple

from carbon_gate.gate.estimate_json import ASSUMPTION_UNITS
from carbon_gate.gate.limits import HARDWARE_KEYS, BudgetCheck, figure, verdict
from carbon_gate.gate.rows import sci_label
from carbon_gate.lifecycle.assumptions import EmbodiedHardware
from carbon_gate.lifecycle.estimate import STAGES, Estimate
from carbon_gate.quantities import Duration, Energy
from carbon_gate.readable import (
    format_count,
    format_duration,
    format_energy,
    format_intensity,
    format_mass,
)
from carbon_gate.report import estimate_view
from carbon_gate.report.templates import environment

LABELS = {
    "inference_per_1000": "per 1,000 inferences",
    "search": "search",
    "training": "training",
    "inference": "inference (field)",
    "lifecycle": "life cycle",
    "embodied": "embodied (life cycle)",
    "sci": "SCI",
}
# --- for people ----------------------------------------------------------------------------------


class Row(NamedTuple):
    """One line of the table, already in words."""

    label: str
    energy: str
    co2eq: str
    share: str
    budget: str
    status: str


def rows(estimate: Estimate, checks: list[BudgetCheck]) -> list[Row]:
    """The table both the terminal and the Markdown show."""
    by_key = {c.key: c for c in checks}
    table = []
    for key, label in LABELS.items():
        fp = figure(estimate, key)
        share = estimate.share(key) if key in STAGES and key != "lifecycle" else None
        check = by_key.get(key)
        if key in HARDWARE_KEYS and check is None and not estimate.assumptions.describes_hardware:
            continue
        name = label
        if key == "sci":
            name = sci_label(estimate.assumptions.functional_unit.describe())
        status = {"pass": "ok", "fail": "OVER", "unknown": "?"}[check.status] if check else ""
        table.append(
            Row(
                name,
                "—" if fp is None or key == "embodied" else format_energy(fp.energy),
                "—" if fp is None else format_mass(fp.co2eq),
                "" if share is None else f"{share:.1%}",
                f"≤ {check.describe_limit()}" if check else "",
                status,
            )
        )
    return table


def _facts(estimate: Estimate) -> dict[str, Any]:
    """The lines under the table, shared by both human formats."""
    f = estimate.factor
    year = f", {f.year}" if f.year else ""
    a = estimate.assumptions
    return {
        "grid": f"{f.name} ({f.location}), {format_intensity(f.intensity)}{year}",
        "grid_source": f.source,
        "pue": f"{a.pue:g}",
        "per_inference": None
        if estimate.per_inference is None
        else (
            f"{format_energy(estimate.per_inference.energy)}, "
            f"{format_mass(estimate.per_inference.co2eq)}"
        ),
        "break_even": _maybe_count(estimate.break_even()),
        "break_even_search": _maybe_count(estimate.break_even(include_search=True)),
        "training_method": estimate.training_method,
        "missing": dict(estimate.missing),
        "sci": estimate_view.sci(estimate, None),
        "alternatives": [
            (f"{g.name} ({g.location})", format_intensity(g.intensity), format_mass(m))
            for g, m in estimate.alternatives
        ],
        "assumptions": [
            (name, _show(getattr(a, name)), a.source(name) or "given")
            for name in ASSUMPTION_UNITS
            if getattr(a, name) is not None
        ]
        + [
            (name, describe_machine(machine), machine.source)
            for name, machine in (
                ("inference_embodied", a.inference_embodied),
                ("training_embodied", a.training_embodied),
            )
            if machine is not None
        ],
    }


def describe_machine(machine: EmbodiedHardware) -> str:
    """A machine's embodied inputs in one line: TE, EL, RR/ToR, and count and utilization."""
    parts = [
        *([machine.name] if machine.name else []),
        f"TE {format_mass(machine.total)}",
        f"EL {format_duration(machine.lifespan)}",
    ]
    parts += [f"RR/ToR {machine.share:g}"] if machine.share != 1 else []
    parts += [f"× {machine.count:g} machines"] if machine.count != 1 else []
    parts += [f"utilization {machine.utilization:g}"] if machine.utilization != 1 else []
    return ", ".join(parts)


def _maybe_count(count: float | None) -> str | None:
    return None if count is None else format_count(count)


def _show(value: object) -> str:
    if isinstance(value, Energy):
        return format_energy(value)
    if isinstance(value, Duration):
        return format_duration(value)
    if isinstance(value, float):
        return format_count(value) if value >= 1e4 else f"{value:g}"
    return str(value)


def to_text(estimate: Estimate, checks: list[BudgetCheck]) -> str:
    """A plain table for the terminal."""
    table = rows(estimate, checks)
    header = Row("stage", "energy", "CO2eq", "share", "budget", "")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *table]
    ]
    facts = _facts(estimate)
    out = [f"Life-cycle estimate — {facts['grid']}, PUE {facts['pue']}", "", *lines, ""]
    if facts["per_inference"]:
        out.append(f"Per inference: {facts['per_inference']} (including PUE)")
    if facts["sci"]:
        out.append(facts["sci"])
    if facts["break_even"]:
        out.append(
            f"Inference outweighs training after {facts['break_even']} inferences"
            + (
                f" (training and search: {facts['break_even_search']})"
                if facts["break_even_search"]
                else ""
            )
            + "."
        )
    for stage, reason in facts["missing"].items():
        out.append(f"Not computed: {LABELS[stage]} — {reason}.")
    if facts["alternatives"]:
        out.append(
            "The same life cycle elsewhere: "
            + "; ".join(f"{name} {mass}" for name, _, mass in facts["alternatives"])
            + "."
        )
    out += ["", "Assumptions:"]
    out += [f"  {name} = {value}  ({source})" for name, value, source in facts["assumptions"]]
    out.append(f"  emission factor: {facts['grid_source']}")
    status = verdict(checks)
    if status == "fail":
        over = [LABELS[c.key] for c in checks if c.status == "fail"]
        out += ["", f"Over budget: {', '.join(over)}."]
    elif status == "unknown":
        out += [""] + [
            f"Not checked: the budget for {LABELS[c.key]} — {c.reason}."
            for c in checks
            if c.status == "unknown"
        ]
    return "\n".join(out) + "\n"


def to_markdown(estimate: Estimate, checks: list[BudgetCheck]) -> str:
    """Markdown for docs and pull requests (templates/estimate.md.j2)."""
    template = environment().get_template("estimate.md.j2")
    return template.render(
        rows=rows(estimate, checks),
        facts=_facts(estimate),
        labels=LABELS,
        status=verdict(checks),
        over=[LABELS[c.key] for c in checks if c.status == "fail"],
        unchecked=[LABELS[c.key] for c in checks if c.status == "unknown"],
        has_budgets=bool(checks),
    )
