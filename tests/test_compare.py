from __future__ import annotations

from dataclasses import replace

import pytest
from gate_fixtures import ASSUMPTIONS, results_document
from gate_fixtures import side as side_from_results

from carbon_gate.budget.settings import Budgets
from carbon_gate.gate.compare import decide
from carbon_gate.gate.limits import HARDWARE_KEYS
from carbon_gate.gate.paired import Change, Paired
from carbon_gate.gate.rows import describe
from carbon_gate.quantities import Energy, Mass

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
    assert noisy.uncertainty["inference"] == pytest.approx(1.96 * 0.2, rel=0.01)


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
    no_search = replace(ASSUMPTIONS, search_trials=None)
    decision = decide(
        side_from_results(results_document(), no_search), None, Budgets(search=Mass(1.0))
    )
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


def test_a_stored_estimate_is_never_what_is_judged() -> None:
    """A results file whose stored stages claim 1/12 of what it measured is judged by what it
    measured: the estimate is computed again from its batches."""
    base = results_document(0.01)
    head = results_document(0.015)
    for stage in head["estimate"]["stages"].values():
        stage["co2eq_kg"] /= 12
    decision = decide(
        side_from_results(head), side_from_results(base), Budgets(max_increase_percent=5)
    )
    row = next(r for r in decision.rows if r.key == "lifecycle")
    assert row.delta_fraction == pytest.approx(0.5, rel=1e-6)
    assert row.status == "fail"


def paired_row(low: float, high: float, allowed: float = 2.0, **kwargs):  # type: ignore[no-untyped-def]
    change = Change((low + high) / 2, low, high, pairs=10, confidence=99)
    budgets = Budgets(max_increase_percent=allowed, **kwargs)
    # The separate runs' own figures would say "within the noise": the pairs decide instead.
    found = Paired({}, {"inference_per_1000": change}, 10)
    decision = decide(side(0.0101), side(0.01), budgets, paired=found)
    return next(r for r in decision.rows if r.key == "inference_per_1000")


@pytest.mark.parametrize(
    ("low", "high", "status", "words"),
    [
        (0.03, 0.05, "fail", "grew +4.0% (99 % CI +3.0% to +5.0%), more than the allowed 2%"),
        (
            0.01,
            0.05,
            "warn",
            "grew +3.0% (99 % CI +1.0% to +5.0%), not clearly more than the allowed 2%",
        ),
        (0.005, 0.015, "pass", "grew +1.0% (99 % CI +0.5% to +1.5%), within the allowed 2%"),
        (-0.01, 0.03, "pass", "no significant change: +1.0% (99 % CI −1.0% to +3.0%)"),
        (-0.02, 0.01, "pass", "no significant change: −0.5% (99 % CI −2.0% to +1.0%)"),
        (-0.03, -0.01, "pass", "shrank −2.0% (99 % CI −3.0% to −1.0%)"),
    ],
    ids=["all-above", "above-zero-reaches-past", "within", "holds-zero", "holds-zero-2", "down"],
)
def test_in_pairs_the_words_say_what_the_interval_says(
    low: float, high: float, status: str, words: str
) -> None:
    row = paired_row(low, high)
    assert row.status == status
    assert row.change is not None
    assert describe(row.change, None, 2.0).startswith(words)
    if status != "pass":
        assert row.reason.startswith(words)
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
        paired=Paired({}, {"inference_per_1000": Change(0.04, 0.03, 0.05, 10)}, 10),
    )
    assert decision.status == "warn"
    assert decision.exit_code == 0
    assert decision.verdict == "grew more than allowed (warn-only mode)"


def test_the_typical_call_alone_can_fail_the_growth_and_uneven_changes_are_said() -> None:
    whole = Change(0.01, -0.03, 0.05, 10, confidence=99)
    typical = Change(0.03, 0.025, 0.035, 10)
    found = Paired({"lifecycle": typical}, {"lifecycle": whole}, 10)
    decision = decide(side(0.0101), side(0.01), Budgets(max_increase_percent=2.0), paired=found)
    row = next(r for r in decision.rows if r.key == "lifecycle")
    assert row.status == "fail"
    assert row.reason.startswith("the typical call grew +3.0% (95 % CI +2.5% to +3.5%)")
    assert decision.verdict == "grew more than allowed"

    rare = Change(1.8, 1.5, 2.1, 10, confidence=99)  # a pause every so many calls
    steady = Change(0.0, -0.01, 0.01, 10)
    found = Paired({"lifecycle": steady}, {"lifecycle": rare}, 10)
    decision = decide(side(0.0101), side(0.01), Budgets(max_increase_percent=2.0), paired=found)
    row = next(r for r in decision.rows if r.key == "lifecycle")
    assert row.status == "fail"
    assert "some calls became much slower: mean cost +180.0%, typical call +0.0%" in row.reason


def test_every_row_reads_as_one_delta_is_head_minus_base() -> None:
    found = Paired({}, {"lifecycle": Change(-0.5, -0.6, -0.4, 10, confidence=99)}, 10)
    decision = decide(side(0.0101), side(0.01), Budgets(), paired=found)
    for row in decision.rows:
        if row.key in HARDWARE_KEYS:  # no hardware described: not computed, and not shown
            assert (row.head, row.base, row.status) == (None, None, "pass")
            continue
        assert row.head is not None
        assert row.base is not None
        assert row.delta is not None
        assert row.delta.kg == pytest.approx(row.head.co2eq.kg - row.base.co2eq.kg)


def test_a_comparison_that_could_not_be_made_is_said_and_can_fail() -> None:
    decision = decide(side(0.01), None, Budgets(), unjudged="the base has no carbon-budget.yml")
    assert (decision.status, decision.exit_code) == ("warn", 0)
    assert decision.verdict == "change not judged"
    required = Budgets(require_comparison=True)
    decision = decide(side(0.01), None, required, unjudged="the base has no carbon-budget.yml")
    assert (decision.status, decision.exit_code) == ("fail", 1)
    assert decision.verdict == "change not judged (required)"
