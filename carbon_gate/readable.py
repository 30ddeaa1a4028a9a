"""Quantities as a person reads them: three significant digits, in the unit that fits the size."""

from __future__ import annotations

import math

from carbon_gate.quantities import Duration, Energy, Intensity, Mass


def _significant(x: float, digits: int = 3) -> str:
    """`x` with `digits` significant digits (more for large numbers); e-notation only past 1e15."""
    if x == 0 or not math.isfinite(x) or abs(x) >= 1e15:
        return f"{x:.{digits}g}"
    x = float(f"{x:.{digits}g}")  # round first, so that 0.99996 becomes 1.00, not 1.000
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def _pick(value: float, scales: list[tuple[float, str]], like: float | None = None) -> str:
    """Print `value` (in the base unit) with the largest unit that keeps it at 1 or more, or, given
    `like`, with the unit `like` would get (so that a range reads in one unit)."""
    if like is not None:
        for factor, name in reversed(scales):
            if abs(like) >= factor * 0.9995 or factor == scales[0][0]:
                return f"{_significant(value / factor)} {name}"
    for factor, name in reversed(scales):
        # 0.9995 so that 999.96 g prints as "1.00 kg", not "1,000 g".
        if abs(value) >= factor * 0.9995:
            return f"{_significant(value / factor)} {name}"
    factor, name = scales[0]
    return f"{_significant(value / factor)} {name}"


def format_mass(mass: Mass) -> str:
    """`12.3 g CO2eq`, `4.56 t CO2eq`."""
    return f"{format_amount(mass)} CO2eq"


def format_amount(mass: Mass) -> str:
    """`12.3 g`, `4.56 t`: a mass where the heading or the sentence already says CO2eq."""
    if mass.kg == 0:
        return "0 g"
    scales = [(1e-12, "ng"), (1e-9, "µg"), (1e-6, "mg"), (1e-3, "g"), (1.0, "kg"), (1e3, "t")]
    return _pick(mass.kg, scales)


def format_energy(energy: Energy, like: Energy | None = None) -> str:
    """`12.3 Wh`, `4.56 MWh` for stage totals; small amounts in J. With `like`, in its unit."""
    reference = energy if like is None else like
    if energy.joules == 0 and like is None:
        return "0 Wh"
    if abs(reference.joules) < 3.6:  # under 1 mWh, joules read better
        scales = [(1e-6, "µJ"), (1e-3, "mJ"), (1.0, "J")]
        return _pick(energy.joules, scales, None if like is None else like.joules)
    scales = [(1e-3, "mWh"), (1.0, "Wh"), (1e3, "kWh"), (1e6, "MWh"), (1e9, "GWh")]
    return _pick(energy.kwh * 1000.0, scales, None if like is None else like.kwh * 1000.0)


def format_energy_range(low_j: float, high_j: float, median_j: float) -> str:
    """`110 µJ – 123 µJ`: an interval in the unit of its median. A t-interval of a few noisy
    repeats can reach below zero; energy cannot, so the lower end stops at 0."""
    like = Energy(median_j)
    return f"{format_energy(Energy(max(0.0, low_j)), like)} – {format_energy(Energy(high_j), like)}"


def format_duration(duration: Duration) -> str:
    """`412 µs`, `3.20 ms`, `1.00 h`, `4.00 years`: the largest unit that keeps it at 1 or more."""
    scales = [(1e-6, "µs"), (1e-3, "ms"), (1.0, "s"), (60.0, "min"), (3600.0, "h")]
    if duration.seconds >= 2 * 365.25 * 86_400:
        return f"{_significant(duration.seconds / (365.25 * 86_400))} years"
    return _pick(duration.seconds, scales)


def format_intensity(intensity: Intensity) -> str:
    """`381 g CO2eq/kWh`, `23.8 g CO2eq/kWh`."""
    return f"{_significant(intensity.g_per_kwh)} g CO2eq/kWh"


def format_count(count: float) -> str:
    """`1.5 million`, `2 billion`, `12,000`."""
    if abs(count) >= 1e15:
        return f"{count:.3g}"
    for factor, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(count) >= factor:
            return f"{_significant(count / factor)} {name}"
    return f"{count:,.0f}" if float(count).is_integer() else _significant(count)


def signed_percent(fraction: float) -> str:
    """A change as a signed percentage, with a true minus sign: +4.2%, −0.4%."""
    return f"{fraction:+.1%}".replace("-", "−")
