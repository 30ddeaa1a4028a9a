from __future__ import annotations

import pytest
from gate_fixtures import results_document

from carbon_gate.compare import decide, side_from_results
from carbon_gate.config import Budgets
from carbon_gate.paired import Change
from carbon_gate.units import Energy, Mass

HEAD_J = 0.0105  # +5 % against the base's 0.010 J


def side(per_sample_j: float, cv: float = 0.02):  # type: ignore[no-untyped-def]
    return side_from_results(results_document(per_sample_j, cv))


def status(decision, key: str) -> str:  # type: ignore[no-untyped-def]
    return next(row.status for row in decision.rows if row.key == key)


def test_without_a_base_only_absolute_budgets_count() -> None:
    decision = decide(side(0.01), None, Budgets(max_increase_percent=1.0))
    assert decision.status == "pass"
    assert not decision.has_base
    assert all(row.delta_fraction is None for row in decision.rows)


def test_an_absolute_budget_exceeded_fails_in_energy_or_in_co2() -> None:
    head = side(0.01)
    lifecycle = head.figures["lifecycle"]
    assert lifecycle is not None
    over_mass = Budgets(lifecycle=Mass(lifecycle.co2eq.kg * 0.99))
    over_energy = Budgets(training=Energy(1.0))
    assert status(decide(head, None, over_mass), "lifecycle") == "fail"
    assert status(decide(head, None, over_energy), "training") == "fail"
    assert decide(head, None, over_mass).exit_code == 1


def test_growth_beyond_the_allowed_percentage_and_beyond_the_noise_fails() -> None:
    budgets = Budgets(max_increase_percent=2, noise_floor_percent=1)
    decision = decide(side(HEAD_J, cv=0.01), side(0.01, cv=0.01), budgets)
    row = next(r for r in decision.rows if r.key == "inference_per_1000")
    assert row.delta_fraction == pytest.approx(0.05)
    assert row.uncertainty < 0.05
    assert row.status == "fail"
    assert "grew 5.0%, more than the allowed 2%" in row.reason


def test_separate_runs_are_never_trusted_below_the_noise_floor() -> None:
    # Tight repeats within each run do not make two runs comparable to better than the floor.
    decision = decide(side(0.0115, cv=0.001), side(0.01, cv=0.001), Budgets(max_increase_percent=2))
    row = next(r for r in decision.rows if r.key == "inference_per_1000")
    assert row.uncertainty == pytest.approx(0.20)
    assert row.status == "warn"
    assert "within the ±20% that separate runs can differ by" in row.reason


def test_the_spread_of_single_repeats_counts_not_only_the_interval_of_the_mean() -> None:
    noisy = side_from_results(results_document(0.01, cv=0.2))
    assert noisy.uncertainty["inference"] == pytest.approx(1.96 * 0.2)


def test_growth_within_the_noise_is_a_warning_not_a_failure() -> None:
    decision = decide(side(HEAD_J, cv=0.08), side(0.01, cv=0.08), Budgets(max_increase_percent=2))
    row = next(r for r in decision.rows if r.key == "inference_per_1000")
    assert row.uncertainty > 0.05
    assert row.status == "warn"
    assert "not significant" in row.reason
    assert decision.status == "warn"
    assert decision.exit_code == 0


def test_growth_within_the_allowance_passes() -> None:
    decision = decide(side(HEAD_J), side(0.01), Budgets(max_increase_percent=10))
    assert decision.status == "pass"
    assert decision.headline_row.delta_fraction == pytest.approx(0.05, rel=0.05)


def test_warn_only_reports_failures_but_passes() -> None:
    head = side(0.01)
    decision = decide(head, None, Budgets(training=Energy(1.0)), warn_only=True)
    assert status(decision, "training") == "warn"
    assert "warn-only" in decision.headline_row.reason
    assert decision.exit_code == 0


def test_a_budget_on_a_stage_that_cannot_be_computed_is_unknown() -> None:
    document = results_document()
    document["estimate"]["stages"]["search"] = None
    document["estimate"]["missing"] = {"search": "needs lifecycle.search.trials"}
    decision = decide(side_from_results(document), None, Budgets(search=Mass(1.0)))
    assert status(decision, "search") == "unknown"
    assert decision.exit_code == 2


def test_a_decrease_never_fails() -> None:
    decision = decide(side(0.005), side(0.01), Budgets(max_increase_percent=0))
    assert decision.status == "pass"


def test_noise_never_excuses_an_exceeded_budget() -> None:
    head, base = side(HEAD_J, cv=0.08), side(0.01, cv=0.08)
    lifecycle = head.figures["lifecycle"]
    assert lifecycle is not None
    budgets = Budgets(lifecycle=Mass(lifecycle.co2eq.kg / 2), max_increase_percent=2)
    row = next(r for r in decide(head, base, budgets).rows if r.key == "lifecycle")
    assert row.status == "fail"
    assert row.rule == "budget"
    assert row.reason.startswith("over budget; grew")


def test_the_change_is_measured_in_co2_which_the_budgets_limit() -> None:
    base = results_document(0.01)
    head = results_document(0.01)
    for stage in head["estimate"]["stages"].values():
        stage["co2eq_kg"] *= 12  # the pull request moved the model to a dirtier grid
    decision = decide(
        side_from_results(head), side_from_results(base), Budgets(max_increase_percent=5)
    )
    row = next(r for r in decision.rows if r.key == "lifecycle")
    assert row.delta_fraction == pytest.approx(11.0)
    assert row.status == "fail"


def paired_row(low: float, high: float, allowed: float = 2.0, **kwargs):  # type: ignore[no-untyped-def]
    change = Change((low + high) / 2, low, high, pairs=10)
    budgets = Budgets(max_increase_percent=allowed, **kwargs)
    # The separate runs' own figures would say "within the noise": the pairs decide instead.
    decision = decide(side(0.0101), side(0.01), budgets, changes={"inference_per_1000": change})
    return next(r for r in decision.rows if r.key == "inference_per_1000")


@pytest.mark.parametrize(
    ("low", "high", "status", "reason"),
    [
        (0.03, 0.05, "fail", "grew +4.0% (95 % CI +3.0% to +5.0%), more than the allowed 2%"),
        (0.01, 0.05, "warn", "no significant change: +3.0% (95 % CI +1.0% to +5.0%)"),
        (-0.01, 0.03, "pass", "no significant change: +1.0% (95 % CI −1.0% to +3.0%)"),
        (-0.02, 0.01, "pass", ""),
    ],
    ids=["all-above", "straddles-estimate-above", "straddles-estimate-below", "all-within"],
)
def test_a_change_measured_in_pairs_fails_only_when_its_whole_interval_is_above(
    low: float, high: float, status: str, reason: str
) -> None:
    row = paired_row(low, high)
    assert row.status == status
    assert reason in row.reason if reason else row.reason == ""
    assert row.delta_fraction == pytest.approx((low + high) / 2)  # the pairs' change, shown


def test_in_pairs_an_exceeded_budget_still_fails_and_warn_only_still_passes() -> None:
    head = side(0.0101).figures["inference_per_1000"]
    assert head is not None
    row = paired_row(-0.02, 0.01, inference_per_1000=Mass(head.co2eq.kg / 2))
    assert (row.status, row.rule) == ("fail", "budget")
    decision = decide(
        side(0.0101),
        side(0.01),
        Budgets(max_increase_percent=2.0),
        warn_only=True,
        changes={"inference_per_1000": Change(0.04, 0.03, 0.05, 10)},
    )
    assert decision.status == "warn"
    assert decision.exit_code == 0
