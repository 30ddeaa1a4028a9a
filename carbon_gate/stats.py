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


def t_quantile(confidence: float, degrees_of_freedom: int) -> float:
    """The two-sided t quantile at `confidence` (0.99 for 99 %): the Cornish–Fisher expansion of
    Student's t around the normal quantile (Abramowitz & Stegun 26.7.5), within 0.5 % of the
    tables from 5 degrees of freedom at 99.9 %, and closer at lower levels or more freedom."""
    if degrees_of_freedom < 1:
        raise ValueError("needs at least one degree of freedom")
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    v = float(degrees_of_freedom)
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(term / v ** (i + 1) for i, term in enumerate(terms))


def ratio_of_means(head: list[float], base: list[float], confidence: float) -> Shift:
    """The log of mean(head) / mean(base) over paired values, with its interval: the ratio
    estimator's standard error (delta method over the pairs' residuals hᵢ − R·bᵢ) and a t
    quantile. Unlike a median it moves with every value, so rare costly calls count in full."""
    n = len(head)
    if n < 2 or len(base) != n:
        raise ValueError("needs at least two pairs")
    mean_head, mean_base = statistics.fmean(head), statistics.fmean(base)
    ratio = mean_head / mean_base
    residuals = [h - ratio * b for h, b in zip(head, base, strict=True)]
    error = math.sqrt(sum(r * r for r in residuals) / (n - 1) / n) / mean_base
    half = t_quantile(confidence, n - 1) * error / ratio  # on the log scale
    return Shift(n, math.log(ratio), math.log(ratio) - half, math.log(ratio) + half)
