"""The gate's decision: each stage of the head against its budget and against the base.

Pure: it takes the figures of both sides (recomputed from what they measured, under the trusted
budget file: see `gate.trusted`) and the budgets, and returns a `Decision`. A stage fails when it
exceeds its absolute budget, or when it grew more than the allowed percentage: measured in pairs,
when either paired interval (whole cost, typical call) lies wholly above it; measured apart, when
it also grew more than separate runs can differ by (their spread, never less than
`budgets.noise_floor`). A comparison that was asked for and could not be made is said (`unjudged`),
and fails the gate when `budgets.require_comparison` is set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carbon_gate.budget.config import Budgets
from carbon_gate.gate.limits import BUDGET_KEYS, exit_code, stage_of, within
from carbon_gate.gate.paired import Change, Paired
from carbon_gate.lifecycle.estimate import Estimate, Footprint
from carbon_gate.measure.measurement import Measurement
from carbon_gate.readable import signed_percent
from carbon_gate.stats import Summary
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


def side_of(result: Estimate, measurement: Measurement | None) -> Side:
    """A `Side` from an estimate and the measurement it rests on (None: nothing measured)."""
    figures: dict[str, Footprint | None] = dict(result.stages)
    per = result.per_inference
    figures["inference_per_1000"] = (
        None if per is None else Footprint(per.energy * 1000.0, Mass(per.co2eq.kg * 1000.0))
    )
    u_energy = u_train = 0.0
    if measurement is not None:
        u_energy = _run_uncertainty(measurement.per_sample_j)
        train = measurement.train_per_sample_j
        # Training is the mean measured step when there is one, else a multiple of I.
        u_train = u_energy if train is None else _run_uncertainty(train)
    if result.training_method == "hardware":
        u_train = 0.0
    uncertainty = {
        "inference_per_1000": u_energy,
        "inference": u_energy,
        "training": u_train,
        "search": u_train,
    }
    # The stages share their inputs, so their errors add up rather than cancel: weigh by share.
    uncertainty["lifecycle"] = sum(
        (result.share(key) or 0.0) * uncertainty[key] for key in ("search", "training", "inference")
    )
    return Side(figures, uncertainty, dict(result.missing))


def _run_uncertainty(summary: Summary) -> float:
    """How far another run of the same code could land, relative (95 %): a whole run is one more
    draw, so the spread of single repeats (1.96 × CV) counts, not only the interval of the mean."""
    of_mean = (summary.ci_high - summary.mean) / summary.mean if summary.mean else math.inf
    return max(of_mean, 1.96 * summary.cv)


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
        return LABELS[self.key]


@dataclass(frozen=True)
class Decision:
    """The gate's answer: a row per stage, the overall status, the change that matters most, and
    the comparison that was asked for but could not be made (`unjudged`, and why)."""

    rows: list[Row]
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
    if base is not None and paired is not None:
        rows = [
            _paired_row(row, paired.whole[row.key], paired.typical.get(row.key), allowed, warn_only)
            if row.key in paired.whole
            else row
            for row in rows
        ]
    statuses = {row.status for row in rows}
    status = next((s for s in ("fail", "unknown", "warn") if s in statuses), "pass")
    required = budgets.require_comparison
    if unjudged and status in ("pass", "warn"):
        status = "fail" if required and not warn_only else "warn"
    return Decision(rows, status, base is not None, warn_only, allowed, unjudged, required)


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


def _paired_row(
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
