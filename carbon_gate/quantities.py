"""Energy, CO2eq masses, emission factors, durations and rates: amounts whose type fixes the unit.

Takes numbers in the unit each type names (`Energy.from_kwh`, `Mass(kg)`, …) and gives values that
convert and combine without a bare float whose unit one must guess. `carbon_gate.units` reads them
from what people write (`"0.3 kWh"`).
"""

from __future__ import annotations

from dataclasses import dataclass

JOULES_PER_KWH = 3.6e6
SECONDS_PER_DAY = 86_400.0
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, order=True)
class Energy:
    """An amount of energy."""

    joules: float

    @classmethod
    def from_joules(cls, joules: float) -> Energy:
        return cls(joules)

    @classmethod
    def from_kwh(cls, kwh: float) -> Energy:
        return cls(kwh * JOULES_PER_KWH)

    @property
    def kwh(self) -> float:
        return self.joules / JOULES_PER_KWH

    def __add__(self, other: Energy) -> Energy:
        return Energy(self.joules + other.joules)

    def __mul__(self, factor: float) -> Energy:
        return Energy(self.joules * factor)

    __rmul__ = __mul__


@dataclass(frozen=True, order=True)
class Mass:
    """A mass of CO2-equivalent emissions."""

    kg: float


@dataclass(frozen=True)
class Intensity:
    """A grid's emission factor: grams of CO2eq per kWh of electricity."""

    g_per_kwh: float

    def emissions(self, energy: Energy) -> Mass:
        """CO2eq = energy × emission factor (seed paper, section 3.8)."""
        return Mass(energy.kwh * self.g_per_kwh / 1000.0)


@dataclass(frozen=True)
class Duration:
    """A span of time."""

    seconds: float

    @property
    def days(self) -> float:
        return self.seconds / SECONDS_PER_DAY

    @property
    def hours(self) -> float:
        return self.seconds / 3600.0


@dataclass(frozen=True)
class Rate:
    """How many events happen per second."""

    per_second: float

    def over(self, duration: Duration) -> float:
        return self.per_second * duration.seconds
