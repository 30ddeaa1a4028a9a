"""The gate's decision: each stage of the head against its budget and against the base.

Pure: it takes the figures of both sides (as results files hold them) and the budgets, and returns a
`Decision`. A stage fails when it exceeds its absolute budget, or when it grew more than the allowed
percentage *and* more than separate runs can differ by: the spread of both runs, and never less than
`budgets.noise_floor`. Growth within the noise is a warning, never a failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from carbon_gate.budget import BUDGET_KEYS, exit_code, stage_of, within
from carbon_gate.config import Budgets
from carbon_gate.estimate import Footprint
from carbon_gate.paired import Change
from carbon_gate.readable import signed_percent
from carbon_gate.units import Energy, Mass

LABELS = {
    "inference_per_1000": "Inference, per 1,000",
    "inference": "Inference, lifetime",
    "training": "Training",
    "search": "Model search",
    "lifecycle": "Life cycle",
}


@dataclass(frozen=True)
class Side:
    """One commit's figures: every row's value, and its relative 95 % uncertainty (0.05 = ±5 %)."""

    figures: dict[str, Footprint | None]
    uncertainty: dict[str, float]
    missing: dict[str, str]


def side_from_results(document: dict[str, Any]) -> Side:
    """A `Side` from a results file's content (see results.py)."""
    estimate = document["estimate"]
    stages = estimate["stages"]
    figures: dict[str, Footprint | None] = {
        key: None if stages.get(key) is None else _figure(stages[key]) for key in stages
    }
    per_1000 = estimate.get("per_1000_inferences")
    figures["inference_per_1000"] = None if per_1000 is None else _figure(per_1000)
    summary = document["summary"]
    u_energy = _run_uncertainty(summary["per_sample"], "_j")
    k = summary.get("overhead_factor")
    u_k = 0.0 if k is None else _run_uncertainty(k, "")
    hardware = estimate.get("training_method") == "hardware"
    # Training rests on I and on k (when measured); in hardware mode on neither.
    u_training = 0.0 if hardware else math.hypot(u_energy, u_k)
    uncertainty = {
        "inference_per_1000": u_energy,
        "inference": u_energy,
        "training": u_training,
        "search": u_training,
    }
    # The stages share their inputs, so their errors add up rather than cancel: weigh by share.
    shares = {
        key: (stages.get(key) or {}).get("share") or 0.0
        for key in ("search", "training", "inference")
    }
    uncertainty["lifecycle"] = sum(shares[key] * uncertainty[key] for key in shares)
    return Side(figures, uncertainty, dict(estimate.get("missing") or {}))


def _figure(stage: dict[str, Any]) -> Footprint:
    return Footprint(Energy.from_kwh(float(stage["energy_kwh"])), Mass(float(stage["co2eq_kg"])))


def _run_uncertainty(summary: dict[str, Any], unit: str) -> float:
    """How far another run of the same code could land, relative (95 %): a whole run is one more
    draw, so the spread of single repeats (1.96 × CV) counts, not only the interval of the mean."""
    _, high = summary[f"ci95{unit}"]  # the lower end may be clipped at 0; the upper never is
    mean = summary[f"mean{unit}"]
    of_mean = (high - mean) / mean if mean else math.inf
    return max(of_mean, 1.96 * float(summary.get("cv") or 0.0))


@dataclass(frozen=True)
class Row:
    """One stage in the decision: head, base, change, budget and the status with its reason."""

    key: str
    head: Footprint | None
    base: Footprint | None
    limit: Mass | Energy | None
    status: str  # "pass", "warn", "fail" or "unknown"
    reason: str
    uncertainty: float  # relative 95 % uncertainty of the change (0 when there is no base)
    rule: str = ""  # which rule set the status: "budget" or "growth"
    change: Change | None = None  # measured in pairs with the base, with its interval

    @property
    def delta(self) -> Mass | None:
        if self.head is None or self.base is None:
            return None
        if self.change is not None:
            return Mass(self.base.co2eq.kg * self.change.fraction)
        return Mass(self.head.co2eq.kg - self.base.co2eq.kg)

    @property
    def delta_fraction(self) -> float | None:
        """The change in CO2eq relative to the base (0.042 = +4.2 %): measured in pairs when it
        was, else from the two sides' figures."""
        if self.change is not None and self.head is not None:
            return self.change.fraction
        return None if self.head is None else _fraction(self.head, self.base)

    @property
    def label(self) -> str:
        return LABELS[self.key]


@dataclass(frozen=True)
class Decision:
    """The gate's answer: a row per stage, the overall status, the change that matters most."""

    rows: list[Row]
    status: str  # "pass", "warn", "fail" or "unknown"
    has_base: bool
    warn_only: bool
    max_increase_percent: float | None

    @property
    def headline_row(self) -> Row:
        """The row to read first: a failure, else the largest change, else the life cycle."""
        for status in ("fail", "unknown", "warn"):
            for row in self.rows:
                if row.status == status:
                    return row
        changed = [r for r in self.rows if r.delta_fraction is not None]
        if changed:
            return max(changed, key=lambda r: abs(r.delta_fraction or 0.0))
        return next(r for r in self.rows if r.key == "lifecycle")

    @property
    def exit_code(self) -> int:
        return exit_code(self.status)


def decide(
    head: Side,
    base: Side | None,
    budgets: Budgets,
    warn_only: bool = False,
    changes: dict[str, Change] | None = None,
) -> Decision:
    """Compare `head` with its budgets and with `base` (None when there is no base to compare);
    `changes` are the stages' changes measured in pairs with the base, where they were."""
    allowed = budgets.max_increase_percent
    floor = budgets.noise_floor_percent / 100
    rows = [
        _row(
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
    if base is not None and changes:
        rows = [
            _paired_row(row, changes[row.key], allowed, warn_only) if row.key in changes else row
            for row in rows
        ]
    statuses = {row.status for row in rows}
    status = next((s for s in ("fail", "unknown", "warn") if s in statuses), "pass")
    return Decision(rows, status, base is not None, warn_only, allowed)


def _row(
    key: str,
    head: Side,
    base: Side | None,
    *,
    limit: Mass | Energy | None,
    allowed: float | None,
    floor: float,
    warn_only: bool,
) -> Row:
    figure = head.figures.get(key)
    previous = None if base is None else base.figures.get(key)
    noise = 0.0
    if base is not None:
        # Separate runs drift apart more than their own spread shows: never below the floor.
        noise = max(
            math.hypot(head.uncertainty.get(key, 0.0), base.uncertainty.get(key, 0.0)), floor
        )
    if figure is None:
        if limit is None:
            return Row(key, None, previous, None, "pass", "not computed", noise)
        reason = head.missing.get(stage_of(key), "not computed")
        return Row(
            key,
            None,
            previous,
            limit,
            "unknown",
            f"budget cannot be checked: {reason}",
            noise,
            rule="budget",
        )
    change = _fraction(figure, previous)
    failures, notes, rule = [], [], ""
    if limit is not None and not within(figure.energy, figure.co2eq, limit):
        failures.append("over budget")
        rule = "budget"
    if change is not None and allowed is not None and change * 100 > allowed:
        growth = f"grew {change:.1%}, more than the allowed {allowed:g}%"
        if change > noise:
            failures.append(
                f"{growth} and beyond the ±{noise:.0%} that separate runs can differ by"
            )
            rule = rule or "growth"
        else:
            # Noise can excuse the growth, never a budget that is exceeded.
            notes.append(
                f"{growth}, but within the ±{noise:.0%} that separate runs can differ "
                "by: not significant"
            )
    if failures:
        status = "warn" if warn_only else "fail"
        suffix = " (warn-only mode)" if warn_only else ""
        reason = " and ".join(failures) + suffix + "".join(f"; {n}" for n in notes)
        return Row(key, figure, previous, limit, status, reason, noise, rule=rule)
    if notes:
        return Row(key, figure, previous, limit, "warn", notes[0], noise, rule="growth")
    return Row(key, figure, previous, limit, "pass", "", noise)


def _paired_row(row: Row, change: Change, allowed: float | None, warn_only: bool) -> Row:
    """The row judged again with its change measured in pairs: growth fails only when the whole
    interval is above the allowed increase; an interval that holds it is no significant change
    (a warning when the estimate itself is above it). The absolute budget is judged as before."""
    head = row.head
    if head is None or row.base is None:
        return row
    failures, note, rule = [], "", ""
    if row.limit is not None and not within(head.energy, head.co2eq, row.limit):
        failures.append("over budget")
        rule = "budget"
    grew = f"{signed_percent(change.fraction)} ({change.interval()})"
    if allowed is not None and change.low * 100 > allowed:
        failures.append(f"grew {grew}, more than the allowed {allowed:g}%")
        rule = rule or "growth"
    elif allowed is not None and change.high * 100 > allowed:
        note = f"no significant change: {grew}, against the allowed {allowed:g}%"
    status, reason = "pass", note
    if failures:
        status = "warn" if warn_only else "fail"
        suffix = " (warn-only mode)" if warn_only else ""
        reason = " and ".join(failures) + suffix + (f"; {note}" if note else "")
    elif note and change.fraction * 100 > (allowed or 0.0):
        status, rule = "warn", "growth"
    return Row(row.key, head, row.base, row.limit, status, reason, 0.0, rule=rule, change=change)


def _fraction(head: Footprint, base: Footprint | None) -> float | None:
    """The change in CO2eq, which the table shows and the budgets limit (0.042 = +4.2 %)."""
    if base is None or base.co2eq.kg == 0:
        return None
    return head.co2eq.kg / base.co2eq.kg - 1.0
