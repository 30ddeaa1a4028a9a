"""Emission factors, read offline from the data that ships inside codecarbon.

Countries: `data/private_infra/global_energy_mix.json` (carbon_intensity in g CO2eq/kWh and the year
of the figure). Cloud regions: `data/cloud/impact.csv` (g CO2eq/kWh and the provider's source). The
world average: `data/private_infra/carbon_intensity_per_source.json`. An unknown location is an
error; the world average is used only when asked for.
"""

from __future__ import annotations

import csv
import difflib
import importlib.metadata
import importlib.util
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from carbon_gate.errors import CarbonGateError, UsageError
from carbon_gate.lifecycle.assumptions import Location
from carbon_gate.quantities import Intensity

# Grids this large (in TWh a year) can host data centres; used to pick lower-carbon alternatives.
_LARGE_GRID_TWH = 50.0
# ISO 3166-1 reserves UK for the United Kingdom, whose alpha-3 code is GBR; people write UK often.
_RESERVED_ALIASES = {"UK": "GBR"}


@dataclass(frozen=True)
class EmissionFactor:
    """A grid's g CO2eq/kWh, with where the figure comes from and the year it describes."""

    intensity: Intensity
    location: str
    name: str
    source: str
    year: int | None


@dataclass(frozen=True)
class GridData:
    """The emission factors codecarbon ships, indexed for look-up."""

    countries: dict[str, dict[str, Any]] = field(repr=False)
    cloud: dict[tuple[str, str], dict[str, str]] = field(repr=False)
    world_average_g_per_kwh: float
    world_average_source: str
    origin: str  # e.g. "codecarbon 3.3.2"

    def country_of(self, location: Location) -> str:
        """An ISO alpha-3 code for codecarbon's tracker. Only its energy is used, never its CO2
        figure, so any valid country does; the grid's own where there is one."""
        if location.country and location.country in self.countries:
            return location.country
        row = self.cloud.get(((location.cloud_provider or "").lower(),
                              (location.cloud_region or "").lower()))  # fmt: skip
        code = (row or {}).get("countryIsoCode", "")
        return code if code in self.countries else "USA"

    def knows_provider(self, provider: str) -> bool:
        """Whether codecarbon's data has any region of this cloud provider."""
        return any(p == provider.lower() for p, _ in self.cloud)

    def problem_with(self, location: Location) -> tuple[str, str] | None:
        """Why `location` cannot be resolved, as (what is wrong, what to write), or None."""
        try:
            self.factor(location)
        except UsageError as error:
            message, _, hint = str(error).partition(" — ")
            return message, hint
        return None

    def factor(self, location: Location) -> EmissionFactor:
        """The emission factor of `location`; `UsageError` if it is unknown or not set."""
        if location.intensity is not None:
            return EmissionFactor(
                location.intensity,
                location.describe(),
                "your own figure",
                "set in the budget file or on the command line",
                None,
            )
        if location.world_average:
            return EmissionFactor(
                Intensity(self.world_average_g_per_kwh),
                "WORLD",
                "World average",
                f"{self.origin} carbon_intensity_per_source.json ({self.world_average_source})",
                None,
            )
        if location.country:
            return self._country(location.country)
        if location.cloud_provider and location.cloud_region:
            return self._cloud(location.cloud_provider, location.cloud_region)
        raise UsageError(
            "no grid location given — set grid.country (e.g. DEU), grid.cloud, grid.intensity, "
            "or grid.world_average: true; on the command line --region or --intensity"
        )

    def _country(self, code: str) -> EmissionFactor:
        row = self.countries.get(code.upper())
        if row is None:
            raise UsageError(
                f"no emission factor for country code {code!r} in {self.origin}'s data — "
                f"{self._suggest_country(code)} (or give your own: grid.intensity, --intensity)"
            )
        return EmissionFactor(
            Intensity(float(row["carbon_intensity"])),
            code.upper(),
            str(row["country_name"]),
            f"{self.origin} global_energy_mix.json",
            row.get("year"),
        )

    def _suggest_country(self, code: str) -> str:
        names = {str(row["country_name"]).lower(): iso for iso, row in self.countries.items()}
        typed = code.strip().lower()
        if code.upper() in _RESERVED_ALIASES:
            iso = _RESERVED_ALIASES[code.upper()]
            return f"did you mean {iso!r} ({self.countries[iso]['country_name']})?"
        if len(typed) == 2:  # an alpha-2 code: the alpha-3 codes it starts, largest grid first
            starts = sorted(
                (iso for iso in self.countries if iso.lower().startswith(typed)),
                key=lambda iso: -float(self.countries[iso].get("total_TWh") or 0),
            )
            if starts:
                iso = starts[0]
                return (
                    f"did you mean {iso!r} ({self.countries[iso]['country_name']})? "
                    "Codes are ISO 3166-1 alpha-3"
                )
        # "GER" and "Germ" are the start of a name; "Germnay" is close to one.
        by_name = [name for name in names if len(typed) >= 3 and name.startswith(typed)][:1]
        by_name = by_name or difflib.get_close_matches(typed, list(names), n=1, cutoff=0.75)
        close = difflib.get_close_matches(code.upper(), list(self.countries), n=3, cutoff=0.6)
        if by_name:
            return f"did you mean {names[by_name[0]]!r} ({by_name[0].title()})?"
        if close:
            return f"did you mean {' or '.join(close)}? (ISO 3166-1 alpha-3 codes)"
        return "use an ISO 3166-1 alpha-3 code such as DEU, FRA, USA"

    def _cloud(self, provider: str, region: str) -> EmissionFactor:
        row = self.cloud.get((provider.lower(), region.lower()))
        if row is None:
            providers = sorted({p for p, _ in self.cloud})
            if provider.lower() not in providers:
                raise UsageError(
                    f"unknown cloud provider {provider!r} — codecarbon's data knows "
                    f"{', '.join(providers)}; for another provider use grid.country"
                )
            regions = [r for p, r in self.cloud if p == provider.lower()]
            close = difflib.get_close_matches(region.lower(), regions, n=3, cutoff=0.5)
            hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(regions)}"
            raise UsageError(f"unknown {provider} region {region!r} — {hint}")
        name = row.get("city") or row.get("country_name") or region
        return EmissionFactor(
            Intensity(float(row["impact"])),
            f"{provider.lower()}:{region.lower()}",
            name,
            f"{self.origin} cloud/impact.csv ({row.get('source') or 'provider data'})",
            None,
        )

    def alternatives(self, current: EmissionFactor, count: int = 3) -> list[EmissionFactor]:
        """The lowest-carbon large national grids and cloud regions, each below `current`."""
        countries = sorted(
            (
                self._country(iso)
                for iso, row in self.countries.items()
                if float(row.get("total_TWh") or 0) >= _LARGE_GRID_TWH
            ),
            key=lambda f: f.intensity.g_per_kwh,
        )
        regions = sorted(
            (self._cloud(p, r) for p, r in self.cloud), key=lambda f: f.intensity.g_per_kwh
        )
        below = current.intensity.g_per_kwh
        picked = [f for f in countries if f.intensity.g_per_kwh < below][:count]
        picked += [f for f in regions if f.intensity.g_per_kwh < below][:count]
        return sorted(picked, key=lambda f: f.intensity.g_per_kwh)


def load() -> GridData:
    """Read codecarbon's offline data files without importing codecarbon itself."""
    spec = importlib.util.find_spec("codecarbon")
    if spec is None or not spec.submodule_search_locations:
        raise CarbonGateError("codecarbon is not installed — pip install carbon-gate again")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    origin = f"codecarbon {importlib.metadata.version('codecarbon')}"
    try:
        countries = json.loads((data / "private_infra/global_energy_mix.json").read_text("utf-8"))
        per_source = json.loads(
            (data / "private_infra/carbon_intensity_per_source.json").read_text("utf-8")
        )
        # utf-8-sig: the CSV starts with a byte-order mark.
        rows = csv.DictReader(io.StringIO((data / "cloud/impact.csv").read_text("utf-8-sig")))
        cloud = {(row["provider"].lower(), row["region"].lower()): row for row in rows}
        return GridData(
            countries={
                iso.upper(): row
                for iso, row in countries.items()
                if isinstance(row, dict) and "carbon_intensity" in row
            },
            cloud=cloud,
            world_average_g_per_kwh=float(per_source["world_average"]),
            world_average_source=str(per_source.get("world_average_source", "")),
            origin=origin,
        )
    except (OSError, ValueError, KeyError) as error:
        raise CarbonGateError(
            f"cannot read codecarbon's emission data in {data}: {error} — reinstall codecarbon"
        ) from None
