from __future__ import annotations

import csv
import re
from importlib import resources

import pytest

from carbon_gate.errors import UsageError
from carbon_gate.lifecycle import hardware


def _table() -> tuple[list[str], list[dict[str, str]]]:
    """The packaged CSV's comment lines and rows, read here without carbon-gate's reader."""
    text = resources.files("carbon_gate.lifecycle").joinpath("embodied-boavizta.csv").read_text()
    lines = text.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    return comments, list(csv.DictReader(line for line in lines if not line.startswith("#")))


@pytest.fixture(scope="module")
def data() -> hardware.HardwareData:
    return hardware.load()


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _table()[1]


def test_a_cloud_instance_gives_the_tables_figures(
    data: hardware.HardwareData, rows: list[dict[str, str]]
) -> None:
    row = next(r for r in rows if r["name"] == "aws/c5.xlarge")
    found = data.lookup("aws/c5.xlarge")
    assert found.name == "aws/c5.xlarge"
    assert found.total.kg == float(row["embodied_kg"])
    assert found.low.kg == float(row["embodied_min_kg"])
    assert found.high.kg == float(row["embodied_max_kg"])
    assert found.lifespan.hours == float(row["lifespan_h"])
    assert found.source.startswith("Boavizta API ")
    assert "aws/c5.xlarge (range " in found.source
    assert re.search(r"generated \d{4}-\d\d-\d\d$", found.source)


def test_names_are_case_insensitive_and_spaces_ignored(data: hardware.HardwareData) -> None:
    assert data.lookup("  AWS/C5.XLarge ") == data.lookup("aws/c5.xlarge")
    assert data.problem_with("Aws/c5.xlarge") is None


def test_an_unknown_name_suggests_the_close_one(data: hardware.HardwareData) -> None:
    with pytest.raises(UsageError, match=r"unknown hardware 'aws/c5.xlarg' — did you mean"):
        data.lookup("aws/c5.xlarg")
    problem = data.problem_with("aws/c5.xlarg")
    assert problem is not None
    assert problem[0] == "unknown hardware 'aws/c5.xlarg'"
    assert "aws/c5.xlarge" in problem[1]


def test_a_known_provider_without_a_close_match_says_how_many_it_has(
    data: hardware.HardwareData,
) -> None:
    problem = data.problem_with("aws/quantum-9000")
    assert problem is not None
    assert re.fullmatch(r"Boavizta's data has \d+ aws instances; give total and .*", problem[1])
    server = data.problem_with("server/foo")  # "server/" alone makes no name close
    assert server is not None
    assert server[1].startswith("Boavizta's data has ")


def test_an_unknown_provider_lists_the_known_ones(data: hardware.HardwareData) -> None:
    problem = data.problem_with("hetzner/cx22")
    assert problem is not None
    for provider in ("aws", "azure", "gcp", "ovhcloud", "scaleway", "server"):
        assert provider in problem[1]


def test_a_name_without_a_provider_gets_the_hint_to_write_one(
    data: hardware.HardwareData,
) -> None:
    problem = data.problem_with("c5.xlarge")
    assert problem is not None
    assert problem[1].startswith("write provider/instance")
    assert "aws/c5.xlarge" in problem[1]
    nothing_like = data.problem_with("my-laptop")
    assert nothing_like is not None
    assert nothing_like[1].startswith("write provider/instance, e.g. aws/c5.xlarge")


def test_every_row_is_sane(rows: list[dict[str, str]]) -> None:
    assert len(rows) > 1000
    for row in rows:
        low, value, high = (
            float(row[c]) for c in ("embodied_min_kg", "embodied_kg", "embodied_max_kg")
        )
        assert 0 < low <= value <= high, row
        hours = float(row["lifespan_h"])
        assert hours > 0, row
        assert hours.is_integer(), row


def test_the_reader_keeps_every_row(
    data: hardware.HardwareData, rows: list[dict[str, str]]
) -> None:
    assert len(data.rows) == len(rows)
    assert all(data.lookup(r["name"]).name == r["name"] for r in rows)


def test_the_provenance_names_boavizta_and_a_date(data: hardware.HardwareData) -> None:
    comments = _table()[0]
    assert any("Boavizta API" in c and "boaviztapi" in c for c in comments)
    assert data.origin.startswith("Boavizta API ")
    assert re.search(r"generated \d{4}-\d\d-\d\d$", data.origin)


def test_server_archetypes_and_gpu_instances_are_there(
    data: hardware.HardwareData, rows: list[dict[str, str]]
) -> None:
    server = data.lookup("server/platform_compute_medium")
    assert server.total.kg > data.lookup("aws/c5.xlarge").total.kg
    assert any(float(r["gpus"] or 0) > 0 for r in rows if not r["name"].startswith("server/"))


def test_a_corrupt_table_is_an_error_that_says_reinstall(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hardware, "_TABLE", "no-such-table.csv")
    with pytest.raises(hardware.CarbonGateError, match="reinstall carbon-gate"):
        hardware.load()
    with pytest.raises(ValueError, match="provenance"):
        hardware._parse("name,embodied_kg\n")
    with pytest.raises(ValueError, match="not 0 < min"):
        hardware._parse(
            "# Boavizta API 1.0 x, generated 2026-01-01\n"
            "name,embodied_kg,embodied_min_kg,embodied_max_kg,lifespan_h\n"
            "aws/x,5,6,7,100\n"
        )
