"""The report's view of the decision: the headline (the verdict, what could not be checked, and the
change that matters) and the table's rows, as text. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from carbon_gate.gate.compare import Decision
from carbon_gate.gate.rows import Row, describe
from carbon_gate.quantities import Energy, Mass
from carbon_gate.readable import format_amount, format_energy, format_mass, signed_percent

STATUS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "unknown": "❔"}
# Which rule gave a failure or a warning: a row can fail on growth far below its budget.
_RULE = {
    ("fail", "growth"): " (growth)",
    ("warn", "growth"): " (growth)",
    ("fail", "budget"): " (budget)",
}


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
    return f"{STATUS[decision.status]} carbon-gate: {decision.verdict} — {'; '.join(parts)}"


def row_view(row: Row) -> dict[str, str]:
    """One row of the table, every cell as text."""
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
        else f"{STATUS[row.status]} {row.status}" + _RULE.get((row.status, row.rule), ""),
        "reason": row.reason,
    }


def reasons(rows: Sequence[Row]) -> list[dict[str, str]]:
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


def _mass(mass: Mass | None) -> str:
    return "—" if mass is None else format_amount(mass)


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else signed_percent(fraction)


def _interval(low: float, high: float) -> str:
    return f"{_percent(low).removesuffix('%')} to {_percent(high)}"


def _limit(limit: Mass | Energy | None) -> str:
    if limit is None:
        return "—"
    return "≤ " + (_mass(limit) if isinstance(limit, Mass) else format_energy(limit))


def _signed(mass: Mass) -> str:
    sign = "+" if mass.kg >= 0 else "−"
    return sign + _mass(Mass(abs(mass.kg)))
