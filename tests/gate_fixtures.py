"""Results documents for the gate's tests, built by the real estimator, without measuring."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from carbon_gate.gate import estimate_json, sides, trusted
from carbon_gate.lifecycle.assumptions import Assumptions, Location
from carbon_gate.lifecycle.estimate import estimate
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.measure.measurement import Measurement
from carbon_gate.quantities import Energy, Intensity
from carbon_gate.results import measured_energy
from carbon_gate.results.reader import parse
from carbon_gate.stats import Summary

FACTOR = EmissionFactor(Intensity(56.0), "FRA", "France", "test data", 2023)
ASSUMPTIONS = Assumptions(
    training_samples=1e6,
    epochs=10,
    search_trials=4,
    trial_share=0.25,
    inferences=1e9,
    location=Location(country="FRA"),
)


# The same assumptions, as a budget file's `lifecycle:` section says them.
LIFECYCLE_YAML = (
    "lifecycle: {training_samples: 1000000, epochs: 10, search: {trials: 4, trial_share: 0.25}, "
    "inferences: 1000000000}\n"
)


def side(document: dict[str, Any], assumptions: Assumptions = ASSUMPTIONS) -> sides.Side:
    """The gate's view of a results document: what it measured, under `assumptions`."""
    measurement, measured = trusted.measured_in(parse(document, "results.json"), "results.json")
    result = estimate(measured_energy.apply(assumptions, measured), FACTOR)
    return sides.side_of(result, measurement)


def judged(document: dict[str, Any], assumptions: Assumptions = ASSUMPTIONS) -> trusted.Judged:
    """A results document as a report shows it: its results, read as the gate reads them; the
    figures its summary states (a report renders them as given); and the estimate of its energy
    per sample under `assumptions`, as `results_document` wrote it."""
    content = parse(document, "results.json")
    stated = document["summary"]["per_sample"]
    mean, cv = stated["mean_j"], stated["cv"]
    summary = Summary(stated["n"], stated["median_j"], mean, cv * mean, *stated["ci95_j"])
    measurement = Measurement(
        per_sample_j=summary,
        per_call_j=summary,
        batch_size=content.benchmark.batch_size,
        energy_kind=content.power_sources.energy_kind,
        warnings=list(document["warnings"]),
    )
    result = estimate(replace(assumptions, per_inference=Energy(mean)), FACTOR)
    return trusted.Judged(content, measurement, result, ())


def results_document(
    per_sample_j: float = 0.01,
    cv: float = 0.02,
    callable_: str = "toymodel.bench:predict",
    cpu_model: str = "Test CPU",
) -> dict[str, Any]:
    """A results file's content for a model whose inference costs `per_sample_j` (±`cv`)."""
    assumptions = replace(ASSUMPTIONS, per_inference=Energy(per_sample_j))
    result = estimate(assumptions, FACTOR)
    half = 2.776 * cv * per_sample_j / 5**0.5
    return {
        "format": "carbon-gate/results",
        "version": 1,
        "created": "2026-11-22T00:00:00+00:00",
        "config": "carbon-budget.yml",
        "benchmark": {"callable": callable_, "batch_size": 1},
        "environment": {"cpu_model": cpu_model, "os": "Linux", "python": "3.11", "codecarbon": "3"},
        "power_sources": {
            "cpu": {"source": "estimated", "method": "TDP × CPU load model", "model": cpu_model},
            "ram": {"source": "estimated", "method": "codecarbon's RAM power model"},
            "gpu": None,
        },
        "energy_kind": "estimated",
        "warmup": {},
        "repeats": {"inference": batches(per_sample_j, cv)},
        "summary": {
            "per_sample": {
                "median_j": per_sample_j, "mean_j": per_sample_j,
                "ci95_j": [per_sample_j - half, per_sample_j + half], "cv": cv, "n": 5,
            },
            "per_call": {"median_j": per_sample_j},
            "batch_size": 1,
            "train_step_per_sample": None,
            "overhead_factor": None,
        },
        "warnings": [],
        "estimate": json.loads(estimate_json.to_json(result, [])),
    }  # fmt: skip


SPREAD = (-1.26, -0.63, 0.0, 0.63, 1.26)  # five batches whose standard deviation is about 1


def batches(per_sample_j: float, cv: float, calls: int = 100) -> list[dict[str, float]]:
    """Five measured batches of `calls` calls, whose energy per sample has the mean `per_sample_j`
    and a coefficient of variation of about `cv`."""
    return [
        {
            "calls": calls,
            "seconds": 1.0,
            "fastest_call_s": 0.9 / calls,
            "energy_j": per_sample_j * calls * (1 + cv * d),
        }
        for d in SPREAD
    ]
