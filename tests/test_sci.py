"""Embodied emissions and the SCI score: against the SCI specification's own worked examples
(Green Software Foundation, SCI 1.1.0, SPEC.md and case-studies/eshoppen.md) and against the seed
model's relations."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_estimate import FULL as SEED

from carbon_gate.budget.settings import Budgets
from carbon_gate.cli.main import cli
from carbon_gate.gate import limits, paired
from carbon_gate.lifecycle.assumptions import (
    EmbodiedHardware,
    FunctionalUnit,
    TrainingHardware,
)
from carbon_gate.lifecycle.embodied import allocated
from carbon_gate.lifecycle.estimate import Estimate, estimate
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.measure.batches import Batch, Repeat
from carbon_gate.quantities import Duration, Intensity, Mass

HOUR = 3600.0
FACTOR = EmissionFactor(Intensity(400.0), "TST", "Testland", "test data", 2024)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_specifications_time_share_example() -> None:
    # SPEC.md, "Embodied emissions": 1000 kg, four years, reserved for one hour: "1000 *
    # 1/(4*365*24) or around 28 g".
    server = EmbodiedHardware(Mass(1000.0), Duration(4 * 365 * 24 * HOUR), "SPEC.md")
    assert allocated(server, Duration(HOUR)).kg * 1000 == pytest.approx(1000 / (4 * 365 * 24) * 1e3)
    assert 28 <= allocated(server, Duration(HOUR)).kg * 1000 < 29


# eShoppen (case-studies/eshoppen.md): each server of the web shop for one hour of 500 users, the
# functional unit. E as the case study sums it (its app server's E is printed as 0.023 kWh and as
# 0.02394 kWh; its SCI of 26.178 g is 0.023 × 951 + 4.305), I = 951 g/kWh, TE from Cloud Carbon
# Footprint's coefficients, EL 35,040 h, RR/ToR = 2 of 16 vCPUs, TiR = 1 hour.
ESHOPPEN = """\
    version: 1
    grid: {{intensity: 951 g/kWh, pue: 1}}
    lifecycle:
      per_inference: {energy}
      per_inference_time: 1 h
      embodied:
        inference: {{total: {total}, lifespan: 35040 h, share: 0.125}}
    sci: {{unit: hour of 500 users}}
"""


@pytest.mark.parametrize(
    ("energy", "total", "embodied_g", "sci_g"),
    [
        # The case study prints M = 0.004305 kg; 1205.52 × (1/35040) × (2/16) is 0.0043005 kg, a
        # slip its SCI of 26.178 g carries (21.873 + 4.305): ours is 21.873 + 4.3005.
        ("0.023 kWh", "1205.52 kg", 4.3005, 26.1735),
        # Its database server: M = 5.112 g, SCI = 14.2416 g (from M rounded to 5.112).
        ("0.0096 kWh", "1433.12 kg", 5.11244, 14.24204),
    ],
    ids=["app-server", "database"],
)
def test_estimate_reproduces_the_eshoppen_case_study(
    write_budget: Callable[[str], Path], energy: str, total: str, embodied_g: float, sci_g: float
) -> None:
    write_budget(ESHOPPEN.format(energy=energy, total=total))
    code, out, _ = run("estimate", "--format", "json")
    assert code == 0
    sci = json.loads(out)["sci"]
    assert sci["embodied_g"] == pytest.approx(embodied_g, abs=5e-5)
    assert sci["total_g"] == pytest.approx(sci_g, abs=5e-5)
    assert sci["operational_g"] == pytest.approx(sci_g - embodied_g, abs=5e-5)
    assert sci["unit"] == "hour of 500 users"
    assert sci["inputs"]["TiR"]["value"] == 3600
    hardware = sci["inputs"]["inference_hardware"]
    assert hardware["EL_h"] == 35040
    assert hardware["RR/ToR"] == 0.125
    assert hardware["source"] == "carbon-budget.yml:7 (lifecycle.embodied.inference.total)"


def test_the_two_eshoppen_servers_add_up_to_the_case_studys_total(
    write_budget: Callable[[str], Path],
) -> None:
    total = 0.0
    for energy, embodied in (("0.023 kWh", "1205.52 kg"), ("0.0096 kWh", "1433.12 kg")):
        write_budget(ESHOPPEN.format(energy=energy, total=embodied))
        total += json.loads(run("estimate", "--format", "json")[1])["sci"]["total_g"]
    assert total == pytest.approx(40.4196, abs=0.01)  # "SCI Total … 40.4196 gCO2e"


SERVER = EmbodiedHardware(Mass(1200.0), Duration(4 * 8766 * HOUR), "test", share=0.25)
# test_estimate's seed-model assumptions (I, D, E, k, H, share, e, PUE), with the hardware.
FULL = replace(
    SEED,
    per_inference_time=Duration(0.004),
    inference_embodied=SERVER,
    training_embodied=replace(SERVER, share=1.0, total=Mass(3000.0)),
)


def embodied(result: Estimate, stage: str) -> float:
    mass = result.embodied[stage]
    assert mass is not None, result.missing
    return mass.kg


def test_each_stage_is_charged_the_hardware_time_it_uses() -> None:
    result = estimate(FULL, FACTOR)
    train = FULL.training_embodied
    assert train is not None
    training_s = 0.004 * 60_000 * 20 * 5  # the time of T = I·D·E·k
    per_second_train = 3000.0 / train.lifespan.seconds
    assert embodied(result, "training") == pytest.approx(per_second_train * training_s)
    # CT = H · share · T, in time as in energy
    assert embodied(result, "search") == pytest.approx(30 * 0.25 * embodied(result, "training"))
    per_second_serve = 1200.0 * 0.25 / SERVER.lifespan.seconds
    assert embodied(result, "inference") == pytest.approx(per_second_serve * 0.004 * 1e8)
    parts = sum(embodied(result, stage) for stage in ("search", "training", "inference"))
    assert embodied(result, "lifecycle") == pytest.approx(parts)


def test_embodied_training_grows_linearly_in_samples_and_epochs() -> None:
    base = embodied(estimate(FULL, FACTOR), "training")
    assert embodied(estimate(replace(FULL, training_samples=120_000), FACTOR), "training") == (
        pytest.approx(2 * base)
    )
    assert embodied(estimate(replace(FULL, epochs=60), FACTOR), "training") == pytest.approx(
        3 * base
    )


def test_training_described_by_its_hardware_is_charged_its_hours() -> None:
    hardware = TrainingHardware(processors=8, hours=36, watts_per_processor=300)
    result = estimate(replace(FULL, training_hardware=hardware), FACTOR)
    train = FULL.training_embodied
    assert train is not None
    assert embodied(result, "training") == pytest.approx(
        3000.0 * 36 * HOUR / train.lifespan.seconds
    )


def test_idle_time_and_more_machines_are_charged_too() -> None:
    base = embodied(estimate(FULL, FACTOR), "inference")
    idle = replace(FULL, inference_embodied=replace(SERVER, utilization=0.25))
    assert embodied(estimate(idle, FACTOR), "inference") == pytest.approx(4 * base)
    fleet = replace(FULL, inference_embodied=replace(SERVER, count=3))
    assert embodied(estimate(fleet, FACTOR), "inference") == pytest.approx(3 * base)


def test_sci_per_inference_is_one_inference_served() -> None:
    result = estimate(FULL, FACTOR)
    score = result.sci
    assert score is not None
    assert result.per_inference is not None
    assert score.operational == result.per_inference.co2eq  # E × I: energy × PUE × grid
    assert score.embodied.kg == pytest.approx(1200.0 * 0.25 * 0.004 / SERVER.lifespan.seconds)
    assert score.total.kg == pytest.approx(score.operational.kg + score.embodied.kg)


def test_sci_per_unit_scales_every_part() -> None:
    one = estimate(FULL, FACTOR).sci
    request = estimate(replace(FULL, functional_unit=FunctionalUnit(32, "request")), FACTOR).sci
    assert one is not None
    assert request is not None
    assert request.total.kg == pytest.approx(32 * one.total.kg)
    assert request.embodied.kg == pytest.approx(32 * one.embodied.kg)
    assert request.unit == "request (32 inferences)"


def test_sci_over_the_life_cycle_spreads_search_and_training_over_the_inferences() -> None:
    unit = FunctionalUnit(1000, boundary="lifecycle")
    result = estimate(replace(FULL, functional_unit=unit), FACTOR)
    score, lifecycle = result.sci, result.stages["lifecycle"]
    assert score is not None
    assert lifecycle is not None
    assert score.operational.kg == pytest.approx(lifecycle.co2eq.kg / 1e8 * 1000)
    assert score.embodied.kg == pytest.approx(embodied(result, "lifecycle") / 1e8 * 1000)
    served = estimate(replace(FULL, functional_unit=FunctionalUnit(1000)), FACTOR).sci
    assert served is not None
    assert score.total.kg > served.total.kg


def test_no_sci_without_the_hardware_and_the_reason_is_said() -> None:
    result = estimate(replace(FULL, inference_embodied=None), FACTOR)
    assert result.sci is None
    assert result.missing["sci"].startswith("needs lifecycle.embodied.inference")
    timeless = estimate(replace(FULL, per_inference_time=None), FACTOR)
    assert timeless.sci is None
    assert "the time per inference" in timeless.missing["sci"]


def test_those_who_describe_no_hardware_see_no_new_gaps() -> None:
    plain = replace(FULL, inference_embodied=None, training_embodied=None)
    result = estimate(plain, FACTOR)
    assert "sci" not in result.missing
    assert "embodied" not in result.missing
    checks = limits.check(result, Budgets(sci=Mass(1.0)))
    assert [(c.status, c.reason) for c in checks] == [
        ("unknown", "needs lifecycle.embodied.inference (the hardware serving the model)")
    ]


def test_budgets_on_sci_and_embodied_pass_and_fail() -> None:
    result = estimate(FULL, FACTOR)
    score = result.sci
    assert score is not None
    over = Budgets(sci=Mass(score.total.kg * 0.99), embodied=Mass(1e9))
    assert [(c.key, c.status) for c in limits.check(result, over)] == [
        ("embodied", "pass"),
        ("sci", "fail"),
    ]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "lifecycle:\n  embodied:\n    inference: {hardware: aws/c5.xlarg}\n",
            "carbon-budget.yml:4:27: lifecycle.embodied.inference.hardware: unknown hardware "
            "'aws/c5.xlarg' — did you mean aws/c5.xlarge",
        ),
        (
            "lifecycle:\n  embodied:\n    inference:\n      hardware: aws/c5.xlarge\n"
            "      total: 1 t\n",
            "carbon-budget.yml:6:7: lifecycle.embodied.inference.total: `hardware` and `total` "
            "are both set",
        ),
        (
            "lifecycle:\n  embodied:\n    training: {total: 1 t}\n",
            "carbon-budget.yml:4:15: lifecycle.embodied.training: is incomplete — give "
            "`hardware` or `total` and `lifespan`",
        ),
        (
            "lifecycle:\n  embodied:\n    training: {total: 1 t, lifespan: 4 years, share: 2}\n",
            "carbon-budget.yml:4:54: lifecycle.embodied.training.share: must be at most 1",
        ),
        (
            "budgets:\n  sci: 3 kWh\n",
            "carbon-budget.yml:3:8: budgets.sci: 'kWh' is a unit of energy",
        ),
        ("sci:\n  boundary: field\n", "carbon-budget.yml:3:13: sci.boundary: expected inference"),
    ],
    ids=["unknown-hardware", "both", "incomplete", "share", "energy-budget", "boundary"],
)
def test_bad_embodied_keys_are_named_with_their_line(
    write_budget: Callable[[str], Path], lines: str, message: str
) -> None:
    write_budget("version: 1\n" + lines)
    code, _, err = run("validate")
    assert code == 2
    assert message in err, err
    assert "Traceback" not in err


def test_a_boavizta_machine_brings_its_figures_and_their_source(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget(
        "grid: {country: FRA}\n"
        "lifecycle:\n"
        "  per_inference: 1 mJ\n"
        "  per_inference_time: 2 ms\n"
        "  embodied:\n"
        "    inference: {hardware: AWS/C5.XLARGE, lifespan: 4 years}\n"
    )
    code, out, _ = run("estimate", "--format", "json")
    assert code == 0
    hardware = json.loads(out)["sci"]["inputs"]["inference_hardware"]
    assert hardware["name"] == "aws/c5.xlarge"
    assert hardware["TE_kg"] == 39  # Boavizta API 2.5.0's figure (embodied-boavizta.csv)
    assert hardware["EL_h"] == pytest.approx(4 * 8766)  # the file's lifespan wins over 6 years
    assert hardware["source"].startswith("Boavizta API 2.5.0, aws/c5.xlarge")
    assert hardware["source"].endswith(
        "lifespan from carbon-budget.yml:6 (lifecycle.embodied.inference.lifespan)"
    )


def test_the_example_shows_its_sci_and_its_embodied_emissions() -> None:
    code, out, _ = run("estimate", "--example")
    assert code == 0
    assert "SCI per inference (ISO/IEC 21031, boundary: serving the model): " in out
    assert "embodied (M)" in out
    assert "inference_embodied = aws/c5.xlarge, TE 39.0 kg CO2eq, EL 6.00 years" in out


def test_hardware_lists_boaviztas_machines() -> None:
    code, out, _ = run("hardware", "c5.xlarge")
    assert code == 0
    assert out.splitlines()[1].startswith("aws/c5.xlarge ")
    assert "Boavizta API 2.5.0" in out
    code, _, err = run("hardware", "no-such-machine")
    assert code == 2
    assert "no machine's name holds 'no-such-machine'" in err


def test_pairs_price_the_embodied_emissions_by_each_batchs_time() -> None:
    pricing = paired.Pricing(replace(FULL, functional_unit=FunctionalUnit(1)), FACTOR, 4)
    quick = Repeat(Batch(calls=100, seconds=0.4, fastest_call_s=0.004, energy_j=8.0))
    slow = Repeat(Batch(calls=100, seconds=0.8, fastest_call_s=0.008, energy_j=8.0))
    fast_figures, slow_figures = (
        paired.whole_figures(pricing, quick),
        paired.whole_figures(pricing, slow),
    )
    # Same energy, twice the time: the energy's stages stay, the hardware's share doubles.
    assert slow_figures["lifecycle"] == pytest.approx(fast_figures["lifecycle"])
    assert slow_figures["embodied"] == pytest.approx(2 * fast_figures["embodied"])
    assert slow_figures["sci"] > fast_figures["sci"]
    typical = paired.figures(pricing, slow, {"inference": 20.0})
    assert typical["embodied"] == pytest.approx(slow_figures["embodied"])  # 8 ms a call either way


def test_the_allowance_between_processes_covers_the_embodied_part() -> None:
    pricing = paired.Pricing(FULL, FACTOR, 4)
    repeat = Repeat(Batch(calls=100, seconds=0.4, fastest_call_s=0.004, energy_j=8.0))
    floors = paired.spread(pricing, repeat, {"inference": 20.0})
    # A slower process spends more time per call as well as more energy: the hardware's share
    # moves with it, so its change gets the same allowance as the energy's.
    assert floors["embodied"] == pytest.approx(floors["inference_per_1000"])
    assert floors["sci"] == pytest.approx(floors["inference_per_1000"])
    assert floors["embodied"] > 0


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ('inference: {total: 1 t, lifespan: "1e308 years"}', "carbon-budget.yml:5:39: "),
        ('inference: {total: "1e308 t", lifespan: 1 year}', "carbon-budget.yml:5:24: "),
    ],
    ids=["lifespan", "total"],
)
def test_a_unit_that_takes_a_number_out_of_range_is_refused_with_its_line(
    write_budget: Callable[[str], Path], line: str, where: str
) -> None:
    write_budget(f"version: 1\ngrid: {{country: FRA}}\nlifecycle:\n  embodied:\n    {line}\n")
    code, _, err = run("validate")
    assert code == 2
    assert where in err
    assert "is out of range" in err


@pytest.mark.parametrize("key", ["utilization: 1e-320", "count: 1e308"])
def test_inputs_too_extreme_to_compute_with_are_a_usage_error_not_a_figure(
    write_budget: Callable[[str], Path], key: str
) -> None:
    write_budget(
        "grid: {country: FRA}\nlifecycle:\n  per_inference: 1 mJ\n  per_inference_time: 1 ms\n"
        f"  embodied:\n    inference: {{total: 1 t, lifespan: 4 years, {key}}}\n"
        "budgets: {sci: 1 g}\n"
    )
    code, out, err = run("estimate")
    assert code == 2, out
    assert "the embodied emissions come out as a number too large to compute with" in err


def test_the_reason_over_the_life_cycle_names_what_that_boundary_needs(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget(
        "grid: {country: FRA}\nlifecycle: {per_inference: 1 mJ}\n"
        "sci: {boundary: lifecycle}\nbudgets: {sci: 1 g}\n"
    )
    code, out, _ = run("estimate")
    assert code == 2
    assert "Not checked: the budget for SCI — needs the search, training, inference stages" in out


def test_validate_expects_the_time_from_the_benchmark_as_it_does_the_energy(
    write_budget: Callable[[str], Path],
) -> None:
    write_budget(
        "grid: {country: FRA}\n"
        "lifecycle:\n  embodied:\n    inference: {hardware: aws/c5.xlarge}\n"
        "budgets: {sci: 1 g}\n"
        "benchmark: {callable: model:predict}\n"
    )
    code, out, err = run("validate")
    assert code == 0
    assert "1 absolute budget, a benchmark" in out
    assert err == ""
