"""Small statistics over repeated measurements: median, mean, spread, 95 % confidence interval."""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass
from typing import NamedTuple

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


@functools.lru_cache(maxsize=1024)  # a few levels and degrees of freedom, asked again and again
def t_quantile(confidence: float, degrees_of_freedom: int) -> float:
    """The two-sided quantile of Student's t at `confidence` (0.99 for 99 %), to about 1e-6
    relative. With t = √ν·tan θ, P(|T| ≤ t) is the share of ∫cos^(ν−1) over [0, π/2] that lies
    below θ: a smooth integral (Simpson's rule), inverted by bisection. Exact for any degrees of
    freedom, where an expansion around the normal quantile fails for few (t₂ at 99.9 % is 31.6)."""
    if degrees_of_freedom < 1:
        raise ValueError("needs at least one degree of freedom")
    if not 0 < confidence < 1:
        raise ValueError("confidence lies between 0 and 1")
    power = degrees_of_freedom - 1
    steps = 2000  # even; the integrand is smooth and bounded

    def mass(theta: float) -> float:
        width = theta / steps
        ends = 1.0 + math.cos(theta) ** power
        inner = sum((4 if i % 2 else 2) * math.cos(i * width) ** power for i in range(1, steps))
        return (ends + inner) * width / 3

    whole = mass(math.pi / 2)
    low, high = 0.0, math.pi / 2
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if mass(middle) / whole < confidence else (low, middle)
    return math.sqrt(degrees_of_freedom) * math.tan((low + high) / 2)


class Between(NamedTuple):
    """How far groups of paired differences sit apart beyond their own scatter: the standard
    deviation of a group's offset (`spread`), estimated from `groups` groups (`groups` − 1
    degrees of freedom), and how much of it reaches the overall mean (`reach`: √Σmᵢ² / n, which
    is 1/√groups when they are equal)."""

    spread: float
    groups: int
    reach: float


def between_groups(values: list[float], groups: list[int]) -> Between:
    """One-way random-effects analysis of variance (method of moments): values in groups, each
    group's offset drawn anew. The between-group variance is what the groups' means scatter
    beyond what their within-group scatter explains; never below zero."""
    if len(values) != len(groups):
        raise ValueError("one group per value")
    members: dict[int, list[float]] = {}
    for value, group in zip(values, groups, strict=True):
        members.setdefault(group, []).append(value)
    n, count = len(values), len(members)
    reach = math.sqrt(sum(len(m) ** 2 for m in members.values())) / n if n else 0.0
    if count < 2 or n <= count:
        return Between(0.0, count, reach)
    grand = statistics.fmean(values)
    means = {group: statistics.fmean(m) for group, m in members.items()}
    among = sum(len(m) * (means[g] - grand) ** 2 for g, m in members.items()) / (count - 1)
    within = sum((v - means[g]) ** 2 for g, m in members.items() for v in m) / (n - count)
    size = (n - sum(len(m) ** 2 for m in members.values()) / n) / (count - 1)
    return Between(math.sqrt(max(0.0, (among - within) / size)), count, reach)


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
