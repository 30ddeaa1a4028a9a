from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from carbon_gate.budget import config
from carbon_gate.errors import ConfigError, UsageError
from carbon_gate.lifecycle.grid import GridData
from carbon_gate.quantities import Energy, Mass

GOOD = """\
version: 1
grid:
  country: FRA
  pue: 1.2
lifecycle:
  per_inference: "18 mJ"
  training_samples: 60k
  epochs: 10
  search: {trials: 20, trial_share: 0.25}
  inferences: {rate: 1M/day, lifetime: 1 year}
budgets:
  training: "5 kg"
  lifecycle: "3 MWh"
  max_increase: 5 %
benchmark:
  callable: my_model.bench:predict
  setup: my_model.bench:setup
  batch_size: 8
  python_path: src
"""


def problems(text: str, grid_data: GridData) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.parse(text, "carbon-budget.yml", grid_data)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads_with_units_and_sources(grid_data: GridData) -> None:
    loaded = config.parse(GOOD, "carbon-budget.yml", grid_data)
    a = loaded.assumptions
    assert a.location.country == "FRA"
    assert a.pue == 1.2
    assert math.isclose(a.per_inference.joules if a.per_inference else 0, 0.018)
    assert a.training_samples == 60_000
    assert a.search_trials == 20
    assert a.trial_share == 0.25
    assert a.inferences is not None
    assert math.isclose(a.inferences, 1e6 * 365.25)
    assert a.overhead_factor == 5.0  # the paper's default
    assert a.sources["epochs"] == "carbon-budget.yml:8 (lifecycle.epochs)"
    assert "seed paper" in a.sources["overhead_factor"]
    assert loaded.budgets.training == Mass(5.0)
    assert loaded.budgets.lifecycle == Energy.from_kwh(3000.0)
    assert loaded.budgets.max_increase_percent == 5.0
    assert loaded.benchmark is not None
    assert loaded.benchmark.python_path == (Path("src"),)
    assert loaded.benchmark.batch_size == 8
    assert loaded.benchmark.repeats == 5  # default
    assert loaded.positions["budgets.training"] == (12, 13)


def test_the_shipped_example_is_valid(grid_data: GridData) -> None:
    from carbon_gate.cli.flags import EXAMPLE_CONFIG

    loaded = config.load(EXAMPLE_CONFIG, grid_data)
    assert loaded.assumptions.location.country == "DEU"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "grid:\n  country: DEU\n   pue: 1.5\n",
            "carbon-budget.yml:3:7: YAML syntax error: mapping values are not allowed",
            id="yaml-syntax",
        ),
        pytest.param(
            "grid:\n  contry: DEU\n",
            "carbon-budget.yml:2:3: grid.contry: unknown key — did you mean `country`?",
            id="unknown-key-suggests",
        ),
        pytest.param(
            "lifecycle:\n  epochs: [1]\n",
            "carbon-budget.yml:2:11: lifecycle.epochs: expected a single value, got a list",
            id="wrong-type",
        ),
        pytest.param(
            "lifecycle:\n  per_inference: 12 parsec\n",
            "lifecycle.per_inference: unknown unit 'parsec' for an energy — use one of",
            id="bad-unit",
        ),
        pytest.param(
            "grid:\n  intensity: 380 g\n",
            "grid.intensity: 'g' is a unit of mass, but this is an emission factor",
            id="missing-per-kwh",
        ),
        pytest.param(
            "lifecycle:\n  epochs: 0\n",
            "carbon-budget.yml:2:11: lifecycle.epochs: must be more than zero",
            id="zero",
        ),
        pytest.param(
            "lifecycle:\n  per_inference: -3 J\n",
            "lifecycle.per_inference: must be more than zero",
            id="negative",
        ),
        pytest.param("grid:\n  pue: 0.9\n", "grid.pue: must be 1 or more", id="pue-below-one"),
        pytest.param(
            "grid:\n  country: GER\n",
            "carbon-budget.yml:2:12: grid.country: no emission factor for country code 'GER' in "
            "codecarbon",
            id="unknown-country",
        ),
        pytest.param(
            "grid:\n  cloud: {provider: gcp, region: europe-west7}\n",
            "grid.cloud.region: unknown gcp region 'europe-west7' — did you mean europe-west9",
            id="unknown-cloud-region",
        ),
        pytest.param(
            "grid:\n  country: NO\n",
            "grid.country: expected a country code, got false",
            id="norway-problem",
        ),
        pytest.param(
            "grid:\n  country: DEU\n  intensity: 300\n",
            "carbon-budget.yml:3:3: grid.intensity: `country` and `intensity` are both set",
            id="exclusive",
        ),
        pytest.param(
            "grid:\n  cloud: {provider: gcp}\n",
            "grid.cloud: missing key `region`",
            id="missing-required",
        ),
        pytest.param(
            "lifecycle:\n  inferences: {rate: 10M/day}\n",
            "lifecycle.inferences: missing key `lifetime`",
            id="rate-without-lifetime",
        ),
        pytest.param(
            "budgets:\n  training: 5 kg\n  training: 6 kg\n",
            "carbon-budget.yml:3:3: budgets.training: duplicate key (first given on line 2)",
            id="duplicate",
        ),
        pytest.param(
            "budgets:\n  training: 3 parsec\n",
            "budgets.training: unknown unit 'parsec' for a mass of CO2eq — write a mass",
            id="budget-unit",
        ),
        pytest.param(
            "benchmark:\n  callable: my_model.predict\n",
            "benchmark.callable: expected `module:function`",
            id="callable-format",
        ),
        pytest.param(
            "budgets: [1, 2]\n", "budgets: expected a mapping of keys, got a list", id="list"
        ),
        pytest.param("- a\n- b\n", "expected a mapping of sections at the top", id="top-list"),
        pytest.param("", "the file is empty", id="empty"),
        pytest.param(
            "grid:\n  country: DEU\nlifecycle: {epochs: 3,\n  per_inference: 1 J\n\nbudgets: {}\n",
            "carbon-budget.yml:3:12: YAML syntax error: while parsing a flow mapping, did not find "
            "expected ',' or '}' (noticed on line 6) — close the bracket or quote that opens here",
            id="unclosed-bracket-points-at-its-start",
        ),
        pytest.param("version: 2\n", "version: must be 1", id="version"),
        pytest.param(
            "lifecycle:\n  epochs: .nan\n",
            "lifecycle.epochs: expected a number, got nan, which is not a finite number",
            id="nan",
        ),
        pytest.param("grid:\n  pue: .inf\n", "grid.pue: expected a number, got inf", id="infinity"),
        pytest.param(
            "lifecycle:\n  search: {trials: 2.5}\n",
            "lifecycle.search.trials: must be a whole number",
            id="fractional-trials",
        ),
        pytest.param(
            "lifecycle:\n  per_inference: 0.5 kg\n",
            "lifecycle.per_inference: 'kg' is a unit of mass, but this is an energy",
            id="mass-for-energy",
        ),
        pytest.param(
            "lifecycle:\n  epochs: twenty\n",
            "lifecycle.epochs: expected a number, got 'twenty' — write e.g. 20",
            id="example-of-the-key",
        ),
        pytest.param("grid:\n  country: ''\n", "grid.country: is empty", id="empty-text"),
        pytest.param(
            "benchmark:\n  repeats: 5\n", "benchmark: says neither what to run", id="no-callable"
        ),
        pytest.param(
            "benchmark:\n  callable: m:f\n  compare_batch: 2 s\n  compare_duration: 20 s\n",
            "carbon-budget.yml:4:21: benchmark.compare_duration: 20 s holds fewer than 6 pairs of "
            "batches of 2 s (benchmark.compare_batch), too few to judge a change — set it to 24 s "
            "or more",
            id="compare-duration-too-short",
        ),
    ],
)
def test_each_mistake_is_reported_where_it_is(
    text: str, expected: str, grid_data: GridData
) -> None:
    found = problems(text, grid_data)
    assert any(expected in line for line in found), found


def test_every_problem_is_reported_at_once(grid_data: GridData) -> None:
    text = "grid:\n  contry: DEU\nlifecycle:\n  epochs: -1\nbudgets:\n  trainig: 5 kg\n"
    found = problems(text, grid_data)
    assert [line.split(": ")[0] for line in found] == [
        "carbon-budget.yml:2:3",
        "carbon-budget.yml:4:11",
        "carbon-budget.yml:6:3",
    ]


def test_a_missing_file_is_a_usage_error(tmp_path: Path, grid_data: GridData) -> None:
    with pytest.raises(UsageError, match="no such file"):
        config.load(tmp_path / "nope.yml", grid_data)


def test_flow_and_block_styles_give_the_same_config(
    write_budget: Callable[[str], Path], grid_data: GridData
) -> None:
    block = write_budget("lifecycle:\n  search:\n    trials: 3\n", "a.yml")
    flow = write_budget("lifecycle: {search: {trials: 3}}\n", "b.yml")
    from_block, from_flow = config.load(block, grid_data), config.load(flow, grid_data)
    assert replace(from_block.assumptions, sources={}) == replace(from_flow.assumptions, sources={})


def test_a_file_that_is_not_utf8_is_reported_at_its_first_bad_byte(
    tmp_path: Path, grid_data: GridData
) -> None:
    path = tmp_path / "carbon-budget.yml"
    path.write_bytes(b"grid:\n  country: D\xd0\xff\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path, grid_data)
    assert str(caught.value.problems[0]) == (
        "carbon-budget.yml:2:13: not UTF-8 text (byte 0xd0) — save the file as UTF-8"
    )
