"""The decision's rows: one stage of the head against its budget and against the base.

Measured apart, growth counts when it also exceeds what separate runs can differ by (their spread,
never less than `budgets.noise_floor`); measured in pairs, when either paired interval (whole cost,
typical call) lies wholly above the allowed increase. `describe` says a paired change in words.
Pure; the overall verdict is `gate.compare`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carbon_gate.gate.limits import reason_missing, within
from carbon_gate.gate.paired import Change
from carbon_gate.gate.sides import Side
from carbon_gate.lifecycle.estimate import Footprint
from carbon_gate.quantities import Energy, Mass
from carbon_gate.readable import signed_percent

LABELS = {
    "inference_per_1000": "Inference, per 1,000",
    "inference": "Inference, lifetime",
    "training": "Training",
    "search": "Model search",
    "lifecycle": "Life cycle",
    "embodied": "Embodied, life cycle",
    "sci": "SCI",
}


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
    change: Change | None = None  # the whole cost's change measured in pairs, with its interval
    typical: Change | None = None  # the typical call's change over the same pairs
    unit: str = "inference"  # SCI's functional unit, for the SCI row's label

    @property
    def delta(self) -> Mass | None:
        """Head − Base: always the difference of the two columns, so the row reads as one."""
        if self.head is None or self.base is None:
            return None
        return Mass(self.head.co2eq.kg - self.base.co2eq.kg)

    @property
    def delta_fraction(self) -> float | None:
        """The change in CO2eq relative to the base (0.042 = +4.2 %): Head / Base − 1, which is
        also the whole cost's change when measured in pairs (the ratio of the pairs' means)."""
        if self.change is not None and self.head is not None:
            return self.change.fraction
        return None if self.head is None else _fraction(self.head, self.base)

    @property
    def label(self) -> str:
        return sci_label(self.unit) if self.key == "sci" else LABELS[self.key]


def sci_label(unit: str) -> str:
    """The SCI row's label: "SCI, per inference", "SCI, per request (32 inferences)"."""
    return f"SCI, per {unit}"


def row_apart(
    key: str,
    head: Side,
    base: Side | None,
    *,
    limit: Mass | Energy | None,
    allowed: float | None,
    floor: float,
    warn_only: bool,
) -> Row:
    """The row of `key` with head and base measured apart (or no base): its budget, and growth
    beyond both the allowed increase and what separate runs can differ by."""
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
        reason = reason_missing(head.missing, key)
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


def row_in_pairs(
    row: Row, whole: Change, typical: Change | None, allowed: float | None, warn_only: bool
) -> Row:
    """The row judged again with its changes measured in pairs: growth fails when the whole
    cost's interval, or the typical call's, lies wholly above the allowed increase. An interval
    that holds the allowance with an estimate above it is a warning. Budgets as before."""
    head = row.head
    if head is None or row.base is None:
        return row
    failures, rule = [], ""
    if row.limit is not None and not within(head.energy, head.co2eq, row.limit):
        failures.append("over budget")
        rule = "budget"
    over = _over(whole, typical, allowed)
    if over:
        failures.append(over)
        rule = rule or "growth"
    words = describe(whole, typical, allowed)
    uneven = _uneven(whole, typical)
    if failures:
        status = "warn" if warn_only else "fail"
        suffix = " (warn-only mode)" if warn_only else ""
        reason = " and ".join(failures) + suffix + (f"; {uneven}" if uneven else "")
        return Row(row.key, head, row.base, row.limit, status, reason, 0.0, rule, whole, typical)
    above = allowed is not None and any(
        c is not None and c.fraction * 100 > allowed for c in (whole, typical)
    )
    if above:
        reason = words + (f"; {uneven}" if uneven else "")
        return Row(
            row.key, head, row.base, row.limit, "warn", reason, 0.0, "growth", whole, typical
        )
    return Row(row.key, head, row.base, row.limit, "pass", uneven, 0.0, "", whole, typical)


def _over(whole: Change, typical: Change | None, allowed: float | None) -> str:
    """Why the growth fails, or "": an interval wholly above the allowed increase."""
    if allowed is None:
        return ""
    if whole.low * 100 > allowed:
        return f"grew {_change(whole)}, more than the allowed {allowed:g}%"
    if typical is not None and typical.low * 100 > allowed:
        return f"the typical call grew {_change(typical)}, more than the allowed {allowed:g}%"
    return ""


def describe(whole: Change, typical: Change | None, allowed: float | None) -> str:
    """The change in words that mean what the numbers say: *no significant change* only when
    the intervals hold zero; *grew x %, within the allowed y %* above zero but within it."""
    over = _over(whole, typical, allowed)
    if over:
        return over
    grew = _grew(whole, typical, allowed)
    if grew:
        return grew
    limit = "" if allowed is None else f"{allowed:g}%"
    if whole.high < 0:
        return f"shrank {_change(whole)}"
    if typical is not None and typical.high < 0:
        return f"the typical call shrank {_change(typical)}"
    words = f"no significant change: {_change(whole)}"
    if allowed is not None and whole.high * 100 > allowed:
        words += f", not clearly within the allowed {limit}"
    return words


def _grew(whole: Change, typical: Change | None, allowed: float | None) -> str:
    """Growth that is significant but not beyond the allowance, in words; "" when none."""
    for subject, change in (("", whole), ("the typical call ", typical)):
        if change is None or change.low <= 0:
            continue
        if allowed is None:
            return f"{subject}grew {_change(change)}"
        if change.high * 100 <= allowed:
            return f"{subject}grew {_change(change)}, within the allowed {allowed:g}%"
        return f"{subject}grew {_change(change)}, not clearly more than the allowed {allowed:g}%"
    return ""


def _uneven(whole: Change, typical: Change | None) -> str:
    """What happened, when the whole cost and the typical call disagree beyond their intervals."""
    if typical is None:
        return ""
    both = (
        f"mean cost {signed_percent(whole.fraction)}, "
        f"typical call {signed_percent(typical.fraction)}"
    )
    if whole.low > typical.high:
        return f"some calls became much slower: {both}"
    if whole.high < typical.low:
        return f"some calls became much faster: {both}"
    return ""


def _change(change: Change) -> str:
    return f"{signed_percent(change.fraction)} ({change.interval()})"


def _fraction(head: Footprint, base: Footprint | None) -> float | None:
    """The change in CO2eq, which the table shows and the budgets limit (0.042 = +4.2 %)."""
    if base is None or base.co2eq.kg == 0:
        return None
    return head.co2eq.kg / base.co2eq.kg - 1.0
