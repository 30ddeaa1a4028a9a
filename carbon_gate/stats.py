"""Small statistics over repeated measurements: median, mean, spread, 95 % confidence interval."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

# Two-sided 95 % quantiles of Student's t distribution, by degrees of freedom (standard tables).
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
    10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
    18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
}  # fmt: skip


def t95(degrees_of_freedom: int) -> float:
    """The 95 % two-sided t quantile; conservative (the next smaller tabulated df) between rows."""
    if degrees_of_freedom < 1:
        raise ValueError("needs at least one degree of freedom")
    usable = [df for df in _T95 if df <= degrees_of_freedom]
    return _T95[max(usable)] if degrees_of_freedom <= 120 else 1.960


@dataclass(frozen=True)
class Summary:
    """n values summarised; `ci_low`/`ci_high` bound the mean with 95 % confidence."""

    n: int
    median: float
    mean: float
    stdev: float
    ci_low: float
    ci_high: float

    @property
    def cv(self) -> float:
        """Coefficient of variation: standard deviation / mean."""
        return self.stdev / self.mean if self.mean else math.inf


def summarize(values: list[float]) -> Summary:
    """Median, mean, sample standard deviation and the t-interval of the mean (n ≥ 2)."""
    if len(values) < 2:
        raise ValueError("needs at least two values")
    mean = statistics.fmean(values)
    stdev = statistics.stdev(values)
    half = t95(len(values) - 1) * stdev / math.sqrt(len(values))
    return Summary(len(values), statistics.median(values), mean, stdev, mean - half, mean + half)


@dataclass(frozen=True)
class Shift:
    """A paired difference: the Hodges–Lehmann estimate and its confidence interval."""

    n: int
    estimate: float
    low: float
    high: float


def hodges_lehmann(differences: list[float], z: float = 1.960) -> Shift:
    """The median of the Walsh averages (every (dᵢ + dⱼ)/2, i ≤ j) and the distribution-free
    interval that inverts Wilcoxon's signed-rank test (normal approximation to its critical value,
    with continuity correction). Robust: one disturbed pair moves it little, unlike a mean.
    `z` = 1.960 for 95 %, 2.576 for 99 %."""
    n = len(differences)
    if n < 2:
        raise ValueError("needs at least two differences")
    walsh = sorted((differences[i] + differences[j]) / 2 for i in range(n) for j in range(i, n))
    count = len(walsh)  # n(n + 1) / 2
    spread = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    # How many Walsh averages to drop at each end; never all of them.
    cut = max(0, min(math.floor(count / 2 - z * spread - 0.5), (count - 1) // 2))
    return Shift(n, statistics.median(walsh), walsh[cut], walsh[count - 1 - cut])
