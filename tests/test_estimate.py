from __future__ import annotations

import math
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbon_gate.lifecycle.assumptions import Assumptions, TrainingHardware
from carbon_gate.lifecycle.estimate import Estimate, estimate
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.quantities import Energy, Intensity

FACTOR = EmissionFactor(Intensity(400.0), "TST", "Testland", "test data", 2024)
FULL = Assumptions(
    per_inference=Energy(0.02),
    training_samples=60_000,
    epochs=20,
    overhead_factor=5.0,
    search_trials=30,
    trial_share=0.25,
    inferences=1e8,
    hardware_transfer=1.0,
    pue=1.5,
)


def joules(result: Estimate, stage: str) -> float:
    footprint = result.stages[stage]
    assert footprint is not None, result.missing
    return footprint.energy.joules


def test_the_consolidated_model_by_hand() -> None:
    result = estimate(FULL, FACTOR)
    per_inference = 0.02 * 1.5  # I · PUE
    training = per_inference * 60_000 * 20 * 5  # T = I·D·E·k = 180 kJ
    search = 30 * 0.25 * training  # CT = H · share · T
    field_use = 1e8 * per_inference  # e · I
    assert math.isclose(joules(result, "training"), training)
    assert math.isclose(joules(result, "search"), search)
    assert math.isclose(joules(result, "inference"), field_use)
    assert math.isclose(joules(result, "lifecycle"), search + training + field_use)
    # CO2eq = kWh × g/kWh / 1000
    lifecycle = result.stages["lifecycle"]
    assert lifecycle is not None
    assert math.isclose(lifecycle.co2eq.kg, (search + training + field_use) / 3.6e6 * 0.4)
    assert result.per_inference is not None
    assert math.isclose(result.per_inference.energy.joules, per_inference)


def test_pue_is_applied_exactly_once() -> None:
    once = estimate(FULL, FACTOR)
    doubled = estimate(replace(FULL, pue=3.0), FACTOR)
    for stage in ("search", "training", "inference", "lifecycle"):
        assert math.isclose(joules(doubled, stage), 2 * joules(once, stage)), stage


@pytest.mark.parametrize("field", ["training_samples", "epochs"])
@given(factor=st.floats(min_value=0.01, max_value=1000))
def test_training_is_linear_in_samples_and_epochs(field: str, factor: float) -> None:
    base = estimate(FULL, FACTOR)
    scaled = estimate(replace(FULL, **{field: getattr(FULL, field) * factor}), FACTOR)
    assert math.isclose(joules(scaled, "training"), factor * joules(base, "training"))
    assert math.isclose(joules(scaled, "search"), factor * joules(base, "search"))
    assert math.isclose(joules(scaled, "inference"), joules(base, "inference"))


def test_hardware_transfer_scales_what_rests_on_the_benchmark() -> None:
    result = estimate(replace(FULL, hardware_transfer=0.1), FACTOR)
    base = estimate(FULL, FACTOR)
    assert math.isclose(joules(result, "inference"), 0.1 * joules(base, "inference"))
    assert math.isclose(joules(result, "training"), 0.1 * joules(base, "training"))


def test_patterson_hardware_estimate_replaces_the_training_stage() -> None:
    hardware = TrainingHardware(processors=8, hours=36, watts_per_processor=300)
    result = estimate(replace(FULL, training_hardware=hardware), FACTOR)
    # kWh = hours × processors × W × PUE / 1000
    assert math.isclose(joules(result, "training"), 36 * 8 * 300 * 1.5 / 1000 * 3.6e6)
    assert result.training_method == "hardware"
    assert math.isclose(joules(result, "search"), 7.5 * joules(result, "training"))


def test_hardware_mode_needs_no_benchmark_for_training() -> None:
    hardware = TrainingHardware(processors=1, hours=1, watts_per_processor=1000)
    result = estimate(Assumptions(training_hardware=hardware, search_trials=0), FACTOR)
    assert math.isclose(joules(result, "training"), 1.58 * 3.6e6)
    assert joules(result, "search") == 0.0
    assert result.stages["inference"] is None
    assert "lifecycle.inferences (e)" in result.missing["inference"]


@pytest.mark.parametrize(
    ("drop", "absent"),
    [
        ({"search_trials": None}, {"search", "lifecycle"}),
        ({"epochs": None}, {"training", "search", "lifecycle"}),
        ({"inferences": None}, {"inference", "lifecycle"}),
        ({"per_inference": None}, {"training", "search", "inference", "lifecycle"}),
    ],
    ids=lambda v: ",".join(v) if isinstance(v, dict | set) else str(v),
)
def test_a_stage_without_its_inputs_is_none_with_a_reason(
    drop: dict[str, None], absent: set[str]
) -> None:
    result = estimate(replace(FULL, **drop), FACTOR)  # type: ignore[arg-type]
    assert {s for s, fp in result.stages.items() if fp is None} == absent
    assert set(result.missing) == absent
    assert all(reason.startswith("needs ") for reason in result.missing.values())


def test_no_search_is_zero_not_missing() -> None:
    result = estimate(replace(FULL, search_trials=0), FACTOR)
    assert joules(result, "search") == 0.0
    assert "search" not in result.missing


def test_shares_add_up_to_the_life_cycle() -> None:
    result = estimate(FULL, FACTOR)
    shares = [result.share(stage) or 0.0 for stage in ("search", "training", "inference")]
    assert math.isclose(sum(shares), 1.0)


def test_break_even_is_training_over_one_inference() -> None:
    result = estimate(FULL, FACTOR)
    assert result.break_even() is not None
    assert math.isclose(result.break_even() or 0, 60_000 * 20 * 5)  # D·E·k
    assert math.isclose(result.break_even(include_search=True) or 0, 60_000 * 20 * 5 * 8.5)


def test_alternatives_show_the_same_energy_on_other_grids() -> None:
    cleaner = EmissionFactor(Intensity(40.0), "CLN", "Cleanland", "test data", 2024)
    result = estimate(FULL, FACTOR, [cleaner])
    lifecycle = result.stages["lifecycle"]
    assert lifecycle is not None
    [(factor, mass)] = result.alternatives
    assert factor is cleaner
    assert math.isclose(mass.kg, lifecycle.co2eq.kg / 10)
