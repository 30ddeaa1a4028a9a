from __future__ import annotations

import math
import random
import statistics

import pytest

from carbon_gate.stats import between_groups, hodges_lehmann, summarize, t95, t_quantile


def test_summary_of_known_values() -> None:
    s = summarize([1.0, 2.0, 3.0, 4.0, 5.0])
    assert s.median == 3.0
    assert s.mean == 3.0
    assert math.isclose(s.stdev, math.sqrt(2.5))
    half = 2.776 * math.sqrt(2.5) / math.sqrt(5)
    assert math.isclose(s.ci_low, 3.0 - half)
    assert math.isclose(s.ci_high, 3.0 + half)
    assert math.isclose(s.cv, math.sqrt(2.5) / 3)


def test_t_quantiles_are_conservative_between_table_rows() -> None:
    assert t95(4) == 2.776
    assert t95(22) == t95(20)  # the next smaller row is the larger, safer quantile
    assert t95(1000) == 1.960
    with pytest.raises(ValueError, match="degree"):
        t95(0)


def test_the_interval_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    rng = random.Random(7)
    trials, covered = 2000, 0
    for _ in range(trials):
        s = summarize([rng.gauss(10.0, 2.0) for _ in range(5)])
        covered += s.ci_low <= 10.0 <= s.ci_high
    assert 0.93 <= covered / trials <= 0.97


def test_one_value_has_no_spread() -> None:
    with pytest.raises(ValueError, match="two values"):
        summarize([1.0])


def test_hodges_lehmann_is_the_median_of_the_walsh_averages() -> None:
    # Walsh averages of 1, 2, 4: 1, 1.5, 2.5, 2, 3, 4 — median 2.25.
    assert hodges_lehmann([1.0, 2.0, 4.0]).estimate == 2.25


def test_one_disturbed_pair_moves_hodges_lehmann_little_and_the_mean_much() -> None:
    calm = [0.01, 0.012, 0.009, 0.011, 0.010, 0.008, 0.011, 0.010, 0.012, 0.009]
    disturbed = [*calm[:-1], -0.10]  # one pair hit by a neighbour
    moved = abs(hodges_lehmann(disturbed).estimate - hodges_lehmann(calm).estimate)
    mean_moved = abs(statistics.fmean(disturbed) - statistics.fmean(calm))
    assert moved < mean_moved / 5


@pytest.mark.parametrize(
    ("n", "z", "level"), [(8, 1.960, 0.95), (15, 1.960, 0.95), (12, 2.576, 0.99)]
)
def test_the_signed_rank_interval_covers_the_true_shift_as_often_as_it_says(
    n: int, z: float, level: float
) -> None:
    rng = random.Random(n)
    trials, covered = 2000, 0
    for _ in range(trials):
        s = hodges_lehmann([rng.gauss(0.03, 0.01) for _ in range(n)], z)
        covered += s.low <= 0.03 <= s.high
    assert level - 0.025 <= covered / trials <= min(1.0, level + 0.03)


def test_hodges_lehmann_needs_two_differences() -> None:
    with pytest.raises(ValueError, match="two differences"):
        hodges_lehmann([0.1])


@pytest.mark.parametrize(
    ("confidence", "freedom", "table"),
    # Standard tables of Student's t (two-sided).
    [(0.95, 1, 12.706), (0.95, 2, 4.303), (0.99, 4, 4.604), (0.999, 2, 31.599), (0.999, 30, 3.646)],
)
def test_t_quantiles_match_the_tables_even_with_few_degrees_of_freedom(
    confidence: float, freedom: int, table: float
) -> None:
    assert t_quantile(confidence, freedom) == pytest.approx(table, abs=0.001)


def test_between_groups_separates_the_offsets_from_the_scatter() -> None:
    scatter = [0.01, -0.01, 0.02, -0.02, 0.0, 0.005, -0.005, 0.015, -0.015, 0.0]
    # Four groups of ten, offsets -3, -1, +1, +3 %: an SD of 2.58 % between them.
    offsets = [-0.03, -0.01, 0.01, 0.03]
    values = [o + s for o in offsets for s in scatter]
    groups = [g for g in range(4) for _ in scatter]
    found = between_groups(values, groups)
    assert found.spread == pytest.approx(0.0258, abs=0.001)
    assert found.groups == 4
    assert found.reach == pytest.approx(0.5)  # 1/√4: four equal groups
    # The same values in one group, or scattered with no offsets: nothing between.
    assert between_groups(values, [0] * len(values)).spread == 0.0
    assert between_groups(scatter * 4, groups).spread == 0.0
