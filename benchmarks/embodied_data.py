"""Generate carbon-gate's embodied-emissions table from Boavizta's reference data.

For every cloud instance of every provider Boavizta ships (data/archetypes/cloud/<provider>.csv, the
providers in providers.csv) and every server archetype (data/archetypes/server.csv), asks boaviztapi
for the embedded gwp (value, min, max, kg CO2eq) over the hardware's whole life (duration=None:
the platform's hours_life_time) and for that life in hours, and writes one CSV row each:

    name,embodied_kg,embodied_min_kg,embodied_max_kg,lifespan_h,vcpu,gpus

`name` is `<provider>/<instance>` (aws/c5.xlarge) or `server/<archetype id>`; vcpu and gpus are the
archetype's own columns (blank where it gives none; Boavizta gives fractions of a GPU for shared
ones). For a cloud instance Boavizta has already allocated the host's embodied emissions to the
instance (by vCPU, memory, storage, GPUs): the figure is the instance's share over the host's life.
The numbers are kept as Boavizta returns them (it rounds to meaningful digits). The first line,
starting with `#`, says where the figures come from; rows are sorted by provider, then name.
An instance Boavizta fails on is left out and counted on stderr; Boavizta's warnings are silenced.

Left out on purpose: the server archetypes of manufacturer GCP. In boaviztapi 2.5.0 their RAM
columns give the host's whole memory as each module's capacity (n1-standard: 90 modules of 360 GB,
about 32 TB; its own note says "RAM configuration was not verified"), which puts 53 of the 60 above
10 t CO2eq (server/n1-standard: 58,000 kg). The gcp/ instances built on them are sound, since
Boavizta shares the host out by memory as well as vCPU, and stay in.

boaviztapi is AGPL-3.0 and needs Python >= 3.11, fastapi, pandas, scipy: it is not a dependency
of carbon-gate. Run this script with an interpreter that has it installed, and only when the data
should be refreshed; carbon-gate ships the table and reads it (carbon_gate/lifecycle/hardware.py).
The figures are Boavizta's (https://github.com/Boavizta/boaviztapi), used as facts with citation.
This script imports nothing from carbon_gate.

    python -m venv /tmp/boavenv && /tmp/boavenv/bin/pip install boaviztapi==2.5.0
    /tmp/boavenv/bin/python benchmarks/embodied_data.py \
        --output carbon_gate/lifecycle/embodied-boavizta.csv [--date YYYY-MM-DD]

Without --output it writes to stdout. The table shipped was made with boaviztapi 2.5.0.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime
import importlib.metadata
import io
import logging
import sys
import warnings
from pathlib import Path
from typing import Any

HEADER = ["name", "embodied_kg", "embodied_min_kg", "embodied_max_kg", "lifespan_h", "vcpu", "gpus"]


def archetypes(path: Path) -> list[dict[str, str]]:
    """The rows of one of Boavizta's archetype CSV files."""
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def default_of(value: str | None) -> str:
    """An archetype's value as written, or the default of a `default;min;max` triple."""
    return (value or "").split(";")[0].strip()


def number(value: Any) -> str:
    """A figure as Boavizta returns it, without a needless `.0`."""
    figure = float(value)
    return str(int(figure)) if figure.is_integer() else repr(figure)


def row(name: str, answer: dict[str, Any], vcpu: str, gpus: str) -> list[str]:
    """One table row from boaviztapi's verbose answer; ValueError if the answer has no figure."""
    embedded = answer["impacts"]["gwp"]["embedded"]
    if not isinstance(embedded, dict):  # "not implemented" and the like
        raise ValueError(f"no embedded gwp: {embedded!r}")
    duration = answer["verbose"]["duration"]
    if duration.get("unit") != "hours":
        raise ValueError(f"duration in {duration.get('unit')!r}")
    figures = [embedded["value"], embedded["min"], embedded["max"], duration["value"]]
    return [name, *(number(f) for f in figures), vcpu, gpus]


def cloud_rows(data_dir: Path, failures: dict[str, str]) -> list[list[str]]:
    """Every cloud instance of every provider in providers.csv."""
    from boaviztapi.routers.cloud_router import instance_cloud_impact_from_model

    rows = []
    providers = archetypes(data_dir / "archetypes/cloud/providers.csv")
    for provider in sorted(p["provider.name"].strip() for p in providers):
        for instance in archetypes(data_dir / f"archetypes/cloud/{provider}.csv"):
            name = f"{provider.lower()}/{instance['id'].strip()}"
            try:
                answer = asyncio.run(
                    instance_cloud_impact_from_model(
                        provider=provider,
                        instance_type=instance["id"].strip(),
                        verbose=True,
                        duration=None,
                        criteria=["gwp"],
                    )
                )
                rows.append(
                    row(
                        name,
                        answer,
                        default_of(instance["vcpu"]),
                        default_of(instance["gpu_units"]),
                    )
                )
            except Exception as error:  # counted, not fatal
                failures[name] = f"{type(error).__name__}: {error}"
    return rows


def server_rows(data_dir: Path, failures: dict[str, str]) -> list[list[str]]:
    """Every server archetype in server.csv."""
    from boaviztapi.routers.server_router import server_impact_from_model

    rows = []
    for server in archetypes(data_dir / "archetypes/server.csv"):
        if server.get("manufacturer", "").strip() == "GCP":
            continue  # their memory is off by ~1000× (see the module's docstring)
        name = f"server/{server['id'].strip()}"
        try:
            answer = asyncio.run(
                server_impact_from_model(
                    archetype=server["id"].strip(), verbose=True, duration=None, criteria=["gwp"]
                )
            )
            rows.append(row(name, answer, "", default_of(server.get("GPU.units"))))
        except Exception as error:  # counted, not fatal
            failures[name] = f"{type(error).__name__}: {error}"
    return rows


def table(date: str) -> tuple[str, dict[str, str]]:
    """The CSV text, with its provenance line, and the instances Boavizta failed on."""
    import boaviztapi

    version = importlib.metadata.version("boaviztapi")
    data_dir = Path(boaviztapi.data_dir)
    failures: dict[str, str] = {}
    rows = cloud_rows(data_dir, failures) + server_rows(data_dir, failures)
    rows.sort(key=lambda r: (r[0].split("/", 1)[0], r[0]))
    text = io.StringIO()
    text.write(
        f"# Boavizta API {version} (boaviztapi on PyPI), gwp embedded over the whole lifetime, "
        f"generated {date} by benchmarks/embodied_data.py\n"
    )
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue(), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="where to write the table (default: stdout)")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="YYYY-MM-DD")
    args = parser.parse_args()
    datetime.date.fromisoformat(args.date)  # a malformed date stops here
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    text, failures = table(args.date)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    rows = text.count("\n") - 2
    print(f"{rows} rows; Boavizta failed on {len(failures)}", file=sys.stderr)
    for name, reason in sorted(failures.items()):
        print(f"  {name}: {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
