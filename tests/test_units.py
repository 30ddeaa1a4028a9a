from __future__ import annotations

import math

import pytest

from carbon_gate import readable, units
from carbon_gate.quantities import Energy, Intensity, Mass
from carbon_gate.units import QuantityError


@pytest.mark.parametrize(
    ("text", "joules"),
    [
        ("12 J", 12.0),
        ("12J", 12.0),
        ("18 mJ", 0.018),
        ("5 µJ", 5e-6),
        ("0.3 kWh", 0.3 * 3.6e6),
        ("0.3 kwh", 0.3 * 3.6e6),
        ("5 mWh", 18.0),
        ("5 MWh", 1.8e10),
        ("1e3 J", 1000.0),
        ("1_000 J", 1000.0),
        (7, 7.0),
        (0.5, 0.5),
    ],
    ids=str,
)
def test_energy_units(text: object, joules: float) -> None:
    assert math.isclose(units.parse_energy(text).joules, joules)


@pytest.mark.parametrize(
    ("text", "kg"),
    [("5 kg", 5.0), ("120 g", 0.12), ("3 mg", 3e-6), ("2 t", 2000.0), ("5 kg CO2eq", 5.0),
     ("7 g CO2e", 0.007), (4, 4.0)],
    ids=str,
)  # fmt: skip
def test_mass_units(text: object, kg: float) -> None:
    assert math.isclose(units.parse_mass(text).kg, kg)


@pytest.mark.parametrize(
    ("text", "g_per_kwh"),
    [("380 g/kWh", 380.0), ("0.38 kg/kWh", 380.0), ("380 gCO2eq/kWh", 380.0), (56, 56.0)],
    ids=str,
)
def test_intensity_units(text: object, g_per_kwh: float) -> None:
    assert math.isclose(units.parse_intensity(text).g_per_kwh, g_per_kwh)


@pytest.mark.parametrize(
    ("text", "count"),
    [("1e9", 1e9), ("10M", 1e7), ("2.5k", 2500.0), ("3B", 3e9), (60000, 60000.0), ("60 000", None)],
    ids=str,
)
def test_counts(text: object, count: float | None) -> None:
    if count is None:
        with pytest.raises(QuantityError):
            units.parse_count(text)
    else:
        assert units.parse_count(text) == count


@pytest.mark.parametrize(
    ("rate", "lifetime", "total"),
    [
        ("10M/day", "2 years", 10e6 * 365.25 * 2),
        ("500/s", "1 h", 500 * 3600),
        ("1k per week", "4 weeks", 4000),
        ("100/2 days", "10 days", 500),
        (1000, "30 d", 30_000),
    ],
    ids=str,
)
def test_rate_times_lifetime(rate: object, lifetime: str, total: float) -> None:
    assert math.isclose(units.parse_rate(rate).over(units.parse_duration(lifetime)), total)


def test_duration_plain_number_uses_the_given_unit() -> None:
    assert units.parse_duration(36, "h").hours == 36
    assert units.parse_duration(2).days == 2


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (units.parse_energy, "12 parsec", "unknown unit 'parsec'"),
        (units.parse_energy, "5 mwh", "ambiguous unit 'mwh'"),
        (units.parse_energy, "twelve J", "expected an energy"),
        (units.parse_energy, "1e999 J", "finite"),
        (units.parse_energy, None, "got nothing"),
        (units.parse_energy, True, "got True"),
        (units.parse_mass, "5 kWh", "'kWh' is a unit of energy"),
        (units.parse_count, "10 m", "unknown suffix 'm'"),
        (units.parse_rate, "10M/fortnight", "unknown unit 'fortnight'"),
        (units.parse_rate, "lots", "expected a rate"),
        (units.parse_percent, "5 kg", "unknown unit 'kg' for a percentage"),
    ],
    ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", repr(v)),
)
def test_bad_quantities_say_what_to_write(parse: object, value: object, message: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse(value)  # type: ignore[operator]
    assert message in caught.value.message
    assert caught.value.hint.startswith(("write", "use"))


@pytest.mark.parametrize(
    ("kg", "text"),
    [(0.9999, "1.00 kg CO2eq"), (999.96, "1.00 t CO2eq"), (0.0123456, "12.3 g CO2eq"),
     (3.3e-9, "3.30 µg CO2eq"), (12345.0, "12.3 t CO2eq"), (0.0, "0 g CO2eq")],
    ids=str,
)  # fmt: skip
def test_masses_print_with_the_unit_a_person_reads(kg: float, text: str) -> None:
    assert readable.format_mass(Mass(kg)) == text


@pytest.mark.parametrize(
    ("joules", "text"),
    [(0.0185, "18.5 mJ"), (3.6e3, "1.00 Wh"), (1.8e10, "5.00 MWh"), (3.6e6 * 1.7301, "1.73 kWh")],
    ids=str,
)
def test_energies_print_with_the_unit_a_person_reads(joules: float, text: str) -> None:
    assert readable.format_energy(Energy(joules)) == text


def test_emissions_are_energy_times_factor() -> None:
    assert math.isclose(Intensity(380.0).emissions(Energy.from_kwh(2.0)).kg, 0.76)
