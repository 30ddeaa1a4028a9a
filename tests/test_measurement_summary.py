"""The pure half of measuring: power sources, summaries, warnings, the results file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gate_fixtures import results_document

from carbon_gate.cli.main import cli
from carbon_gate.measure import run as worker_run
from carbon_gate.measure.measurement import Measurement, summarize_run
from carbon_gate.measure.power_sources import PowerSources
from carbon_gate.measure.power_sources import classify as power_sources
from carbon_gate.measure.run import ENVIRONMENT
from carbon_gate.results import records, results_file
from carbon_gate.results.reader import parse


def energy_kind(sources: dict[str, Any]) -> str:
    """The energy kind of `classify`'s sources, as carbon-gate reads them from the worker."""
    return PowerSources.of(sources).energy_kind


class CPU:
    def __init__(self, mode: str, tdp: int | None = 65) -> None:
        self._mode, self._model, self._tdp = mode, "Test CPU 9000", tdp


class RAM:
    pass


class NvidiaGPUDevice:
    """codecarbon's per-GPU object, as its NVML wrapper leaves it after start()."""

    def __init__(self, counter: bool) -> None:
        self.last_energy = 1234.0 if counter else None
        self._use_power_fallback = not counter

    def get_static_details(self) -> dict[str, Any]:
        return {"name": "NVIDIA H100 80GB HBM3"}


class AMDGPUDevice(NvidiaGPUDevice):
    def get_static_details(self) -> dict[str, Any]:
        return {"name": "AMD Instinct MI300X"}


class _AllGPUDevices:
    def __init__(self, *devices: object) -> None:
        self.devices = list(devices)


class GPU:
    def __init__(self, *devices: object) -> None:
        self.devices = _AllGPUDevices(*devices)


class AppleSiliconChip:
    def __init__(self, part: str) -> None:
        self.chip_part, self._model = part, "Apple M3"


def test_a_cpu_power_model_is_estimated_never_measured() -> None:
    sources = power_sources([CPU("cpu_load", tdp=8), RAM()])
    assert sources["cpu"] == {
        "source": "estimated",
        "method": "TDP × CPU load model (TDP 8 W)",
        "model": "Test CPU 9000",
    }
    assert sources["ram"]["source"] == "estimated"
    assert sources["gpu"] is None
    assert energy_kind(sources) == "estimated"


def test_rapl_and_an_nvml_energy_counter_are_measured() -> None:
    sources = power_sources([CPU("intel_rapl"), GPU(NvidiaGPUDevice(counter=True))])
    assert sources["cpu"]["source"] == "measured"
    assert sources["cpu"]["method"] == "RAPL energy counter (whole CPU package)"
    assert sources["gpu"] == {
        "source": "measured",
        "method": "NVML energy counter (whole GPU)",
        "model": "NVIDIA H100 80GB HBM3",
    }
    assert energy_kind(sources) == "measured"
    # RAM power is always codecarbon's model: with it, the whole is only partly measured.
    with_ram = power_sources([CPU("intel_rapl"), GPU(NvidiaGPUDevice(counter=True)), RAM()])
    assert energy_kind(with_ram) == "partly measured"


def test_a_gpu_without_an_energy_counter_is_measured_from_sampled_power() -> None:
    sources = power_sources([GPU(NvidiaGPUDevice(counter=False), AMDGPUDevice(counter=True))])
    assert sources["gpu"]["method"] == (
        "NVML power readings × time and amdsmi energy counter (whole GPU)"
    )
    assert sources["gpu"]["model"] == "NVIDIA H100 80GB HBM3, AMD Instinct MI300X"


def test_apple_silicon_parts_land_on_their_own_component() -> None:
    sources = power_sources([AppleSiliconChip("CPU"), AppleSiliconChip("GPU")])
    assert sources["cpu"]["source"] == sources["gpu"]["source"] == "measured"
    assert sources["cpu"]["model"] == "Apple M3"


def raw_run(
    energies: list[float], calls: list[int], train: list[float] | None = None
) -> dict[str, Any]:
    def repeats(values: list[float]) -> list[dict[str, float]]:
        return [
            {"calls": c, "seconds": 1.0, "energy_j": e} for e, c in zip(values, calls, strict=True)
        ]

    raw: dict[str, Any] = {
        "repeats": {"inference": repeats(energies)},
        "power_sources": {"cpu": {"source": "estimated", "method": "m"}, "ram": None, "gpu": None},
        "environment": {},
        "warmup": {},
    }
    if train is not None:
        raw["repeats"]["train_step"] = repeats(train)
    return raw


def summarized(raw: dict[str, Any], batch_size: int) -> Measurement:
    """A run as the worker reports it, read as carbon-gate reads it, summarised."""
    for batches in raw["repeats"].values():
        for batch in batches:
            batch.setdefault("fastest_call_s", batch["seconds"] / batch["calls"])
    run = worker_run.run(raw)
    return summarize_run(run.batches, batch_size, run.power_sources)


def test_per_sample_energy_divides_by_calls_and_batch() -> None:
    m = summarized(raw_run([10.0, 12.0, 11.0], [100, 100, 100]), batch_size=4)
    assert m.per_call_j.median == pytest.approx(0.11)
    assert m.per_sample_j.median == pytest.approx(0.0275)
    assert m.warnings == []
    assert m.overhead_factor is None


def test_overhead_factor_is_the_ratio_of_neighbouring_repeats() -> None:
    m = summarized(raw_run([10.0, 20.0], [100, 100], train=[50.0, 100.0]), batch_size=1)
    assert m.overhead_factor is not None
    assert m.overhead_factor.median == pytest.approx(5.0)
    assert m.overhead_factor.stdev == pytest.approx(0.0)  # pairs cancel the drift between repeats


def test_wide_spread_and_few_calls_are_flagged() -> None:
    m = summarized(raw_run([10.0, 20.0, 30.0], [3, 3, 3]), batch_size=1)
    assert any("varies by 50% between repeats" in w for w in m.warnings)
    assert any("ran only 3 call(s)" in w for w in m.warnings)


def test_results_are_written_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text('{"old": true}', encoding="utf-8")
    content = parse(results_document(), "results.json")
    with pytest.raises(TypeError):
        results_file.write(path, content, {"bad": object()})
    assert json.loads(path.read_text(encoding="utf-8")) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def _measured_run() -> dict[str, Any]:
    """A run as the worker reports it: every figure of every batch, the machine, the warm-up."""
    run = raw_run([10.0, 12.0, 11.0], [100, 100, 100], train=[50.0, 61.0, 54.0])
    for batches in run["repeats"].values():
        for batch in batches:
            batch["fastest_call_s"] = 0.009
            batch.update(cpu_j=1.0, ram_j=2.0, gpu_j=0.0, cpu_w=1.5, ram_w=10.0, gpu_w=0.0)
    run["power_sources"]["ram"] = {"source": "estimated", "method": "codecarbon's RAM model"}
    counts = {"cpu_count": 2, "gpu_model": None, "gpu_count": 0, "ram_total_gb": 23.5}
    run["environment"] = dict.fromkeys(ENVIRONMENT, "x") | counts
    run["warmup"] = {
        "inference": {"calls": 3, "seconds": 0.5},
        "train_step": {"calls": 1, "seconds": 0.4},
    }
    return run


def test_the_results_file_is_written_as_measured_and_read_back_as_written() -> None:
    """`to_json` writes what the worker reported as it reported it; `parse` reads back what the
    gate takes (the batches' four figures) and what a report shows, and never the estimate."""
    run = _measured_run()
    benchmark = {"callable": "m:f", "setup": None, "parameters": {"n": 1}, "batch_size": 4}
    measurement = summarized(run, batch_size=4)
    content = records.measured(
        worker_run.run(run), benchmark, warnings=measurement.warnings, created="t", config="c.yml"
    )
    content = replace(content, comparison_id="run-1")
    document = results_file.to_json(content, {"stages": "never read"})
    assert list(document) == [
        "format", "version", "created", "config", "benchmark", "environment", "power_sources",
        "energy_kind", "warmup", "repeats", "summary", "warnings", "estimate", "comparison_id",
    ]  # fmt: skip
    assert document["repeats"] == run["repeats"]
    assert document["power_sources"] == run["power_sources"]
    assert document["environment"] == run["environment"]
    assert document["warmup"] == run["warmup"]
    assert document["summary"]["batch_size"] == 4
    again = parse(json.loads(json.dumps(document)), "results.json")
    assert again.batches.inference[0] == replace(content.batches.inference[0], parts=())
    assert again.benchmark == content.benchmark
    assert (again.environment, again.power_sources, again.warmup) == (
        content.environment,
        content.power_sources,
        content.warmup,
    )
    assert (again.comparison_id, again.created, again.config) == ("run-1", "t", "c.yml")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file — run `carbon-gate measure` first"),
        ("{not json", "not a readable JSON file"),
        ('{"format": "something-else"}', "not a carbon-gate results file"),
        ('{"format": "carbon-gate/results", "version": 9}', "results format version 9"),
        ('{"format": "carbon-gate/results", "version": 1}', "repeats.inference: missing"),
        (
            '{"format": "carbon-gate/results", "version": 1, "repeats": {"inference": ['
            '{"calls": 9, "seconds": 1, "fastest_call_s": 0.1, "energy_j": -1},'
            '{"calls": 9, "seconds": 1, "fastest_call_s": 0.1, "energy_j": 1}]}}',
            "repeats.inference[0].energy_j: must be a measured value, from 1e-12 to 1e+09, got -1",
        ),
    ],
    ids=["missing", "not-json", "other-format", "version", "incomplete", "negative"],
)
def test_a_bad_results_file_is_a_usage_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["estimate", "--results", str(path), "--region", "FRA", "--inferences", "1e6"]
    )
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_training_step_cheaper_than_an_inference_is_flagged() -> None:
    m = summarized(raw_run([10.0, 10.0], [100, 100], train=[5.0, 5.0]), batch_size=1)
    assert any("overhead factor k is 0.50" in w for w in m.warnings)
