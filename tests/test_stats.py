from __future__ import annotations

import math
import random

import pytest

from carbon_gate.stats import summarize, t95


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
