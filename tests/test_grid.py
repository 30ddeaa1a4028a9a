from __future__ import annotations

import pytest

from carbon_gate.errors import UsageError
from carbon_gate.lifecycle.assumptions import Location
from carbon_gate.lifecycle.grid import GridData
from carbon_gate.quantities import Intensity


def test_country_factor_comes_from_codecarbon_with_source_and_year(grid_data: GridData) -> None:
    factor = grid_data.factor(Location(country="DEU"))
    assert factor.name == "Germany"
    assert 100 < factor.intensity.g_per_kwh < 1000
    assert factor.year is not None
    assert factor.year >= 2019
    assert "global_energy_mix.json" in factor.source
    assert factor.source.startswith("codecarbon ")


def test_cloud_region_factor(grid_data: GridData) -> None:
    factor = grid_data.factor(Location(cloud_provider="GCP", cloud_region="europe-west9"))
    assert factor.location == "gcp:europe-west9"
    assert "impact.csv" in factor.source


def test_world_average_only_when_asked(grid_data: GridData) -> None:
    assert grid_data.factor(Location(world_average=True)).intensity.g_per_kwh == 475
    with pytest.raises(UsageError, match="no grid location given"):
        grid_data.factor(Location())


def test_own_intensity_is_used_as_given(grid_data: GridData) -> None:
    assert grid_data.factor(Location(intensity=Intensity(123.0))).intensity.g_per_kwh == 123.0


@pytest.mark.parametrize(
    ("location", "hint"),
    [
        (Location(country="GER"), "did you mean 'DEU' (Germany)?"),
        (Location(country="Frnace"), "did you mean 'FRA' (France)?"),
        (Location(cloud_provider="aws", cloud_region="eu-west-1"), "for another provider use"),
        (Location(cloud_provider="gcp", cloud_region="europe-west7"), "did you mean europe-west"),
    ],
    ids=str,
)
def test_unknown_locations_are_errors_with_a_suggestion(
    grid_data: GridData, location: Location, hint: str
) -> None:
    problem = grid_data.problem_with(location)
    assert problem is not None
    assert hint in problem[1]


def test_alternatives_are_all_cleaner_than_the_current_grid(grid_data: GridData) -> None:
    current = grid_data.factor(Location(country="DEU"))
    alternatives = grid_data.alternatives(current)
    assert len(alternatives) >= 3
    assert all(a.intensity.g_per_kwh < current.intensity.g_per_kwh for a in alternatives)
    cleanest = grid_data.factor(Location(cloud_provider="gcp", cloud_region="europe-west9"))
    assert all(a.intensity.g_per_kwh < cleanest.intensity.g_per_kwh for a in
               grid_data.alternatives(cleanest))  # fmt: skip
