"""The gate's decision: each stage of the head against its budget and against the base.

Pure: it takes the figures of both sides (`gate.sides`, recomputed from what they measured under
the trusted budget file: see `gate.trusted`) and the budgets, and returns a `Decision`. A stage
fails when it exceeds its absolute budget, or when it grew more than the allowed percentage
(`gate.rows` says how, measured apart or in pairs). A comparison that was asked for and could not
be made is said (`unjudged`), and fails the gate when `budgets.require_comparison` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from carbon_gate.budget.settings import Budgets
from carbon_gate.gate.limits import BUDGET_KEYS, exit_code
from carbon_gate.gate.paired import Paired
from carbon_gate.gate.rows import Row, row_apart, row_in_pairs
from carbon_gate.gate.sides import Side


@dataclass(frozen=True)
class Decision:
    """The gate's answer: a row per stage, the overall status, the change that matters most, and
    the comparison that was asked for but could not be made (`unjudged`, and why)."""

    rows: tuple[Row, ...]
    status: str  # "pass", "warn", "fail" or "unknown"
    has_base: bool
    warn_only: bool
    max_increase_percent: float | None
    unjudged: str = ""
    comparison_required: bool = False

    @property
    def headline_row(self) -> Row:
        """The row to read first: a failure, else the largest change, else the life cycle."""
        # Among rows alike, the life cycle: the figure that sums up the others.
        for status in ("fail", "unknown", "warn"):
            rows = [row for row in self.rows if row.status == status]
            if rows:
                return next((row for row in rows if row.key == "lifecycle"), rows[0])
        changed = [r for r in self.rows if r.delta_fraction is not None]
        if changed:  # the largest change; the life cycle among equals
            return max(
                changed,
                key=lambda r: (round(abs(r.delta_fraction or 0.0), 4), r.key == "lifecycle"),
            )
        return next(r for r in self.rows if r.key == "lifecycle")

    @property
    def verdict(self) -> str:
        """The verdict in words that mean what the numbers say: *over budget* only for an
        absolute budget, *grew more than allowed* for growth."""
        failed = [r for r in self.rows if r.rule and _failed(r)]
        suffix = " (warn-only mode)" if self.warn_only and failed else ""
        if any(r.rule == "budget" for r in failed):
            return "over budget" + suffix
        if failed:
            return "grew more than allowed" + suffix
        if self.status == "unknown":
            return "budget not checked"
        if self.unjudged:
            return "change not judged" + (" (required)" if self.comparison_required else "")
        if self.status == "warn":
            return "within budget, with a warning"
        return "within budget"

    @property
    def exit_code(self) -> int:
        return exit_code(self.status)


def _failed(row: Row) -> bool:
    """Whether the row failed a rule (in warn-only mode it is a warning that says so)."""
    return row.status == "fail" or "(warn-only mode)" in row.reason


def decide(
    head: Side,
    base: Side | None,
    budgets: Budgets,
    *,
    warn_only: bool = False,
    paired: Paired | None = None,
    unjudged: str = "",
) -> Decision:
    """Compare `head` with its budgets and with `base` (None when there is no base to compare);
    `paired` holds the stages' changes measured in pairs with the base, where they were;
    `unjudged` says why a comparison that was asked for could not be made."""
    allowed = budgets.max_increase_percent
    floor = budgets.noise_floor_percent / 100
    rows = [
        row_apart(
            key,
            head,
            base,
            limit=getattr(budgets, key),
            allowed=allowed,
            floor=floor,
            warn_only=warn_only,
        )
        for key in BUDGET_KEYS
    ]
    if base is not None and paired is not None:
        rows = [
            row_in_pairs(
                row, paired.whole[row.key], paired.typical.get(row.key), allowed, warn_only
            )
            if row.key in paired.whole
            else row
            for row in rows
        ]
    rows = [replace(row, unit=head.sci_unit) for row in rows]  # the SCI row's label
    statuses = {row.status for row in rows}
    status = next((s for s in ("fail", "unknown", "warn") if s in statuses), "pass")
    required = budgets.require_comparison
    if unjudged and status in ("pass", "warn"):
        status = "fail" if required and not warn_only else "warn"
    return Decision(tuple(rows), status, base is not None, warn_only, allowed, unjudged, required)
