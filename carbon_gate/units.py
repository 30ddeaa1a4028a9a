"""Quantities as people write them in a budget file, with their units: `"0.3 kWh"`, `"10M/day"`.

Takes what YAML gives (a number or text) and gives the value types of `carbon_gate.quantities`, or
a `QuantityError` that says what to write instead. Plain numbers are taken in a canonical unit that
each parser names (`unit_for_plain`): joules for energy, kilograms of CO2eq for mass,
g CO2eq/kWh for intensity, watts for power.
"""

from __future__ import annotations

import math
import re

from carbon_gate.quantities import (
    DAYS_PER_YEAR,
    SECONDS_PER_DAY,
    Duration,
    Energy,
    Intensity,
    Mass,
    Rate,
)


class QuantityError(ValueError):
    """A value that is not a quantity of the expected kind; `hint` says what to write instead."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


_NUMBER = re.compile(
    r"^\s*(?P<number>[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>.*?)\s*$"
)
_COUNT_SUFFIXES = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "B": 1e9, "T": 1e12}
_ENERGY_UNITS = {
    "µJ": 1e-6, "uJ": 1e-6, "mJ": 1e-3, "J": 1.0, "kJ": 1e3, "MJ": 1e6, "GJ": 1e9,
    "mWh": 3.6, "Wh": 3.6e3, "kWh": 3.6e6, "MWh": 3.6e9, "GWh": 3.6e12, "TWh": 3.6e15,
}  # fmt: skip
_MASS_UNITS = {
    "µg": 1e-9, "ug": 1e-9, "mg": 1e-6, "g": 1e-3, "kg": 1.0, "t": 1e3, "tonne": 1e3, "tonnes": 1e3,
}  # fmt: skip
_INTENSITY_UNITS = {"g/kWh": 1.0, "kg/kWh": 1e3, "g/Wh": 1e3, "kg/MWh": 1.0, "t/MWh": 1e3}
_POWER_UNITS = {"mW": 1e-3, "W": 1.0, "kW": 1e3}
_TIME_UNITS = {
    **dict.fromkeys(("µs", "us"), 1e-6),
    **dict.fromkeys(("ms",), 1e-3),
    **dict.fromkeys(("s", "sec", "second", "seconds"), 1.0),
    **dict.fromkeys(("min", "minute", "minutes"), 60.0),
    **dict.fromkeys(("h", "hr", "hour", "hours"), 3600.0),
    **dict.fromkeys(("d", "day", "days"), SECONDS_PER_DAY),
    **dict.fromkeys(("w", "week", "weeks"), 7 * SECONDS_PER_DAY),
    **dict.fromkeys(("month", "months"), DAYS_PER_YEAR / 12 * SECONDS_PER_DAY),
    **dict.fromkeys(("y", "yr", "year", "years"), DAYS_PER_YEAR * SECONDS_PER_DAY),
}
_KINDS = {
    "energy": _ENERGY_UNITS,
    "mass": _MASS_UNITS,
    "emission factor": _INTENSITY_UNITS,
    "power": _POWER_UNITS,
    "time": _TIME_UNITS,
}
_CO2_WORDS = re.compile(r"\s*(co2eq|co2e|co2-eq|co2)\s*", re.IGNORECASE)


def _split(value: object, what: str, example: str) -> tuple[float, str]:
    """Split `12.5 kWh` into (12.5, "kWh"); plain YAML numbers come back with an empty unit."""
    if isinstance(value, bool) or value is None:
        raise QuantityError(f"expected {what}, got {_show(value)}", _write(example))
    if isinstance(value, int | float):
        number, unit = float(value), ""
    elif isinstance(value, str):
        match = _NUMBER.match(value)
        if match is None:
            raise QuantityError(f"expected {what}, got {_show(value)}", _write(example))
        number, unit = float(match["number"].replace("_", "")), match["unit"]
    else:
        raise QuantityError(f"expected {what}, got {_show(value)}", _write(example))
    if not math.isfinite(number):
        raise QuantityError(
            f"expected {what}, got {_show(value)}, which is not a finite number",
            _write(example),
        )
    return number, unit


def _write(example: str) -> str:
    """The hint for a value of the wrong kind; empty when the caller knows a better example."""
    return f"write e.g. {example}" if example else ""


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _scaled(number: float, unit: str, table: dict[str, float], what: str, example: str) -> float:
    """`number` in `unit`, converted to the table's base unit; case matters only where it must."""
    compact = unit.replace(" ", "")
    if compact in table:
        return _finite(number * table[compact], number, unit)
    matches = [name for name in table if name.lower() == compact.lower()]
    if len(matches) == 1:
        return _finite(number * table[matches[0]], number, unit)
    if matches:
        raise QuantityError(
            f"ambiguous unit {unit!r} for {what}", f"write one of {', '.join(matches)} exactly"
        )
    known = ", ".join(sorted(table, key=lambda name: table[name]))
    for kind, other in _KINDS.items():
        if other is not table and compact.lower() in {name.lower() for name in other}:
            raise QuantityError(
                f"{unit!r} is a unit of {kind}, but this is {what}", f"write e.g. {example}"
            )
    raise QuantityError(f"unknown unit {unit!r} for {what}", f"use one of {known}, e.g. {example}")


def parse_energy(value: object) -> Energy:
    """`"12 J"`, `"0.3 kWh"`, `"5 mWh"`; a plain number is in joules."""
    number, unit = _split(value, "an energy", '"12 J" or "0.3 kWh"')
    if not unit:
        return Energy(number)
    return Energy(_scaled(number, unit, _ENERGY_UNITS, "an energy", '"12 J" or "0.3 kWh"'))


def parse_mass(value: object) -> Mass:
    """`"5 kg"`, `"120 g"`, `"2 t CO2eq"`; a plain number is in kg CO2eq."""
    number, unit = _split(value, "a mass of CO2eq", '"5 kg" or "120 g"')
    unit = _CO2_WORDS.sub("", unit)
    if not unit:
        return Mass(number)
    return Mass(_scaled(number, unit, _MASS_UNITS, "a mass of CO2eq", '"5 kg" or "120 g"'))


def parse_intensity(value: object) -> Intensity:
    """`"380 g/kWh"`, `"0.38 kg/kWh"`; a plain number is in g CO2eq/kWh."""
    number, unit = _split(value, "an emission factor", '"380 g/kWh"')
    unit = _CO2_WORDS.sub("", unit)
    if not unit:
        return Intensity(number)
    return Intensity(_scaled(number, unit, _INTENSITY_UNITS, "an emission factor", '"380 g/kWh"'))


def parse_power(value: object) -> float:
    """`"300 W"`, `"0.3 kW"`; returns watts; a plain number is in watts."""
    number, unit = _split(value, "a power", '"300 W"')
    return number if not unit else _scaled(number, unit, _POWER_UNITS, "a power", '"300 W"')


def parse_count(value: object) -> float:
    """`1000000`, `"1e9"`, `"10M"`, `"2.5k"`, `"3B"`: a number of things."""
    number, unit = _split(value, "a number", '1000000, "1e9" or "10M"')
    unit = unit.strip()
    if unit not in _COUNT_SUFFIXES:
        raise QuantityError(
            f"unknown suffix {unit!r} for a number",
            'use k (thousand), M (million), B or G (billion), T (trillion), e.g. "10M"',
        )
    return _finite(number * _COUNT_SUFFIXES[unit], number, unit)


def _finite(scaled: float, number: float, unit: str) -> float:
    """`scaled`, unless the unit took a finite number out of range (1e308 years is no duration)."""
    if not math.isfinite(scaled) or (number != 0 and scaled == 0):
        raise QuantityError(
            f"{number:g} {unit} is out of range", "write a number of a realistic size"
        )
    return scaled


def parse_duration(value: object, unit_for_plain: str = "d") -> Duration:
    """`"2 years"`, `"18 months"`, `"36 h"`; a plain number is in `unit_for_plain`."""
    example = '"2 years", "90 days" or "36 h"'
    number, unit = _split(value, "a duration", example)
    seconds = _scaled(number, unit or unit_for_plain, _TIME_UNITS, "a duration", example)
    return Duration(seconds)


def parse_rate(value: object) -> Rate:
    """`"10M/day"`, `"500/s"`, `"1e6 per month"`; a plain number is per day."""
    example = '"10M/day" or "500/s"'
    if isinstance(value, str) and re.search(r"/|\bper\b", value):
        count_text, _, per = re.split(r"(/|\bper\b)", value, maxsplit=1)
        try:
            count = parse_count(count_text.strip())
            per = per.strip()
            # "/day" and "/2 days" both work: a bare unit means one of it.
            period = parse_duration(per if _NUMBER.match(per) else f"1 {per}")
        except QuantityError as error:
            raise QuantityError(
                f"in the rate {value!r}: {error.message}", _write(example)
            ) from None
        if period.seconds <= 0:
            raise QuantityError(f"the period in {value!r} must be longer than zero", example)
        return Rate(count / period.seconds)
    try:
        return Rate(parse_count(value) / SECONDS_PER_DAY)
    except QuantityError as error:
        raise QuantityError(
            f"expected a rate, got {_show(value)}", f"write e.g. {example}"
        ) from error


def parse_number(value: object) -> float:
    """A plain number, also when written as text ("20"); no unit."""
    number, unit = _split(value, "a number", "")
    if unit:
        raise QuantityError(f"expected a plain number, got {_show(value)}", "remove the unit")
    return number


def parse_fraction(value: object) -> float:
    """A ratio: `0.25` or `"25 %"` (both mean a quarter)."""
    number, unit = _split(value, "a number", "")
    if unit not in ("", "%"):
        raise QuantityError(f"expected a number or a percentage, got {_show(value)}", "")
    return number / 100.0 if unit == "%" else number


def parse_percent(value: object) -> float:
    """`"5 %"`, `"5%"` or `5`: a percentage (5 means 5 %)."""
    number, unit = _split(value, "a percentage", '"5 %" or 5')
    if unit not in ("", "%"):
        raise QuantityError(f"unknown unit {unit!r} for a percentage", 'write e.g. "5 %" or 5')
    return number
