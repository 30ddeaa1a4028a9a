from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from carbon_gate.budget import config, schema
from carbon_gate.cli.flags import EXAMPLE_CONFIG
from carbon_gate.errors import ConfigError
from carbon_gate.lifecycle.grid import GridData

SHIPPED = Path(schema.__file__).parents[1] / "schema" / "carbon-budget.schema.json"


def test_the_shipped_schema_is_the_generated_one() -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert shipped == schema.json_schema(), (
        "regenerate it: carbon-gate schema > carbon_gate/schema/carbon-budget.schema.json"
    )


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema.json_schema())


def _schema_accepts(text: str) -> bool:
    validator = jsonschema.Draft202012Validator(schema.json_schema())
    return validator.is_valid(yaml.safe_load(text))


def _loader_accepts(text: str, grid_data: GridData) -> bool:
    try:
        config.parse(text, "carbon-budget.yml", grid_data)
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        EXAMPLE_CONFIG.read_text(encoding="utf-8"),
        "grid: {cloud: {provider: gcp, region: europe-west1}}\n",
        "grid: {world_average: true, pue: 1.1}\n",
        "lifecycle: {inferences: 1e9, per_inference: 0.02}\n",
        "lifecycle: {training_hardware: {processors: 8, hours: 36 h, watts: 300 W}}\n",
        "benchmark: {command: python predict.py, repeats: 5, duration: 10 s}\n",
        "benchmark: {callable: 'a.b:c', python_path: [src, lib]}\n",
    ],
    ids=["example", "cloud", "world", "numbers", "hardware", "command", "paths"],
)
def test_schema_and_loader_accept_the_same_good_files(text: str, grid_data: GridData) -> None:
    assert _loader_accepts(text, grid_data)
    assert _schema_accepts(text)


@pytest.mark.parametrize(
    "text",
    [
        "grid: {contry: DEU}\n",
        "grid: {country: DEU, intensity: 300}\n",
        "grid: {pue: fast}\n",
        "budgets: [1]\n",
        "lifecycle: {inferences: {rate: 10M/day}}\n",
        "lifecycle: {training_hardware: {processors: 8}}\n",
        "lifecycle: {training_hardware: {processors: 8, hours: 1, watts: 1}, epochs: 3}\n",
        "benchmark: {callable: 'a:b', command: x}\n",
        "benchmark: {batch_size: 2.5}\n",
        "version: 2\n",
        "whatever: 1\n",
    ],
    ids=["unknown-key", "exclusive", "type", "section-type", "required", "required-hw",
         "hw-and-data", "callable-and-command", "integer", "version", "top-level-key"],
)  # fmt: skip
def test_schema_and_loader_reject_the_same_structural_mistakes(
    text: str, grid_data: GridData
) -> None:
    assert not _loader_accepts(text, grid_data)
    assert not _schema_accepts(text)
