"""Embodied emissions of hardware, read offline from the table carbon-gate ships.

Takes a hardware name as a budget file writes it (`aws/c5.xlarge`, `server/platform_compute_medium`)
and gives the hardware's total embodied emissions (TE) over its expected lifespan (EL), with
Boavizta's low and high figures and where they come from. The table, `embodied-boavizta.csv` next
to this module, is generated from Boavizta's reference data by benchmarks/embodied_data.py; for a
cloud instance the figure is already the instance's share of its host. An unknown name is an error
with a suggestion. Pure, but for reading that one packaged file.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from dataclasses import dataclass, field
from importlib import resources

from carbon_gate.errors import CarbonGateError, UsageError
from carbon_gate.quantities import Duration, Mass

_TABLE = "embodied-boavizta.csv"
_COLUMNS = ("name", "embodied_kg", "embodied_min_kg", "embodied_max_kg", "lifespan_h")
# "Boavizta API 2.5.0 (boaviztapi on PyPI), gwp embedded over the whole lifetime, generated …"
_PROVENANCE = re.compile(r"Boavizta API (?P<version>\S+) .*?generated (?P<date>\d{4}-\d\d-\d\d)")


@dataclass(frozen=True)
class HardwareFootprint:
    """A piece of hardware's embodied emissions (TE) over its expected lifespan (EL), and where
    the figures come from."""

    name: str  # as the table spells it, e.g. "aws/c5.xlarge"
    total: Mass  # TE, Boavizta's central figure
    low: Mass  # Boavizta's min
    high: Mass  # Boavizta's max
    lifespan: Duration  # EL
    source: str  # e.g. "Boavizta API 2.5.0, aws/c5.xlarge (range 23.6–58.7 kg), generated …"


@dataclass(frozen=True)
class HardwareData:
    """The embodied-emissions table, indexed for look-up by lower-case name."""

    rows: dict[str, HardwareFootprint] = field(repr=False)
    origin: str  # e.g. "Boavizta API 2.5.0 (boaviztapi on PyPI), … generated 2026-12-02"

    def lookup(self, name: str) -> HardwareFootprint:
        """The footprint of `name` (case and surrounding spaces ignored); `UsageError` with a
        suggestion if the table does not have it."""
        key = name.strip().lower()
        found = self.rows.get(key)
        if found is None:
            raise UsageError(f"unknown hardware {name!r} — {self._hint(key)}")
        return found

    def problem_with(self, name: str) -> tuple[str, str] | None:
        """Why `name` cannot be looked up, as (what is wrong, what to write), or None."""
        try:
            self.lookup(name)
        except UsageError as error:
            message, _, hint = str(error).partition(" — ")
            return message, hint
        return None

    def _hint(self, key: str) -> str:
        providers = sorted({k.partition("/")[0] for k in self.rows})
        provider, slash, instance = key.partition("/")
        if not slash:
            same = sorted(k for k in self.rows if k.partition("/")[2] == key)
            if same:
                return f"write provider/instance: did you mean {self._spelled(same[:3])}?"
            return (
                "write provider/instance, e.g. aws/c5.xlarge or server/platform_compute_medium "
                f"(providers: {', '.join(providers)})"
            )
        if provider in providers:
            # Instance against instance: the shared "provider/" would make any name look close.
            candidates = [k.partition("/")[2] for k in self.rows if k.startswith(f"{provider}/")]
            close = difflib.get_close_matches(instance, candidates, n=3, cutoff=0.6)
            if close:
                return f"did you mean {self._spelled([f'{provider}/{c}' for c in close])}?"
            kind = "archetypes" if provider == "server" else "instances"
            return (
                f"Boavizta's data has {len(candidates)} {provider} {kind}; "
                "give total and lifespan yourself instead"
            )
        close = difflib.get_close_matches(key, list(self.rows), n=3, cutoff=0.6)
        guess = f"; did you mean {self._spelled(close)}?" if close else ""
        return (
            f"Boavizta's data knows the providers {', '.join(providers)}{guess} "
            "(or give total and lifespan yourself)"
        )

    def _spelled(self, keys: list[str]) -> str:
        return ", ".join(self.rows[k].name for k in keys)


def _figure(x: float) -> str:
    """`x` with three significant digits, without e-notation: 23.6, 2,090."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    x = float(f"{x:.3g}")
    return f"{x:,.{max(0, 2 - math.floor(math.log10(abs(x))))}f}"


def _parse(text: str) -> HardwareData:
    """The table from its text; ValueError or KeyError if it is malformed."""
    lines = text.splitlines()
    comments = [line.lstrip("#").strip() for line in lines if line.startswith("#")]
    match = next(filter(None, (_PROVENANCE.search(c) for c in comments)), None)
    if match is None:
        raise ValueError("no provenance line (# Boavizta API <version> … generated <date>)")
    version, date = match["version"], match["date"]
    reader = csv.DictReader(line for line in lines if line and not line.startswith("#"))
    missing = set(_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"no column {', '.join(sorted(missing))}")
    rows: dict[str, HardwareFootprint] = {}
    for row in reader:
        name = (row["name"] or "").strip()
        total, low, high, hours = (float(row[c] or "nan") for c in _COLUMNS[1:])
        if not (0 < low <= total <= high and hours > 0 and math.isfinite(high + hours)):
            raise ValueError(f"row {name!r} is not 0 < min ≤ value ≤ max with a lifespan")
        if name.lower() in rows or "/" not in name:
            raise ValueError(f"row {name!r} is repeated or has no provider/")
        rows[name.lower()] = HardwareFootprint(
            name=name,
            total=Mass(total),
            low=Mass(low),
            high=Mass(high),
            lifespan=Duration(hours * 3600.0),
            source=(
                f"Boavizta API {version}, {name} (range {_figure(low)}–{_figure(high)} kg), "
                f"generated {date}"
            ),
        )
    if not rows:
        raise ValueError("no rows")
    return HardwareData(rows=rows, origin=match[0])


def load() -> HardwareData:
    """Read the embodied-emissions table that ships inside carbon-gate."""
    table = resources.files("carbon_gate.lifecycle").joinpath(_TABLE)
    try:
        return _parse(table.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CarbonGateError(
            f"cannot read carbon-gate's embodied-emissions table {table}: {error} "
            "— reinstall carbon-gate"
        ) from None
