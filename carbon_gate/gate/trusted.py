"""The verdict's inputs, from trusted parts only.

A results file may come from a fork's pull request, or from a run under another budget file: what
it *measured* (each batch's calls, seconds, energy and fastest stretch) is taken from it, checked;
what it *estimated* (the stages, the assumptions, the summaries) never is. Every figure the gate
judges is computed again here from those batches and the budget file the gate was given.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, NamedTuple

from carbon_gate.budget import config
from carbon_gate.errors import UsageError
from carbon_gate.gate import estimate_json, limits
from carbon_gate.lifecycle import grid
from carbon_gate.lifecycle.estimate import Estimate, estimate
from carbon_gate.measure import results
from carbon_gate.measure.measurement import MAX_PAIRS, Measurement, Repeat, summarize_run

# What a measured batch can be, as (lowest, highest): anything outside was not measured by
# carbon-gate, and would only overflow or underflow the estimator.
_BOUNDS = {"seconds": (1e-6, 1e6), "fastest_call_s": (1e-9, 1e6), "energy_j": (1e-12, 1e9)}
_COMPONENTS = ("cpu", "gpu", "ram")


class Judged(NamedTuple):
    """One side, as the gate judges it: its measurement, its estimate under the trusted budget
    file, the results document with both put in place (what the report shows), and its batches."""

    measurement: Measurement
    estimate: Estimate
    document: dict[str, Any]
    batches: list[Repeat]
    notes: list[str]


def judged(
    document: dict[str, Any], loaded: config.Config, data: grid.GridData, name: str
) -> Judged:
    """Recompute one side from what `document` (named `name` in messages) measured and from
    `loaded`, the budget file the gate was given."""
    measurement, measured, batches = measured_in(document, name)
    result, checks = estimated(loaded, data, measured)
    content = results.document(
        measurement,
        benchmark=measured.benchmark,
        estimate=estimate_json.as_json(result, checks),
        created=str(document.get("created") or ""),
        config_name=loaded.path,
    )
    kept = {key: document[key] for key in ("comparison", "comparison_id") if key in document}
    notes = []
    if measured.overhead_factor is not None and measured.overhead_factor < 1:
        notes.append(
            f"the measured overhead factor k is {measured.overhead_factor:.2f}, below 1 (a "
            "training step cheaper than an inference call): training is estimated from the "
            "measured step as it is — check that train_step and the callable process the same batch"
        )
    return Judged(measurement, result, content | kept, batches, notes)


def estimated(
    loaded: config.Config, data: grid.GridData, measured: results.MeasuredEnergy
) -> tuple[Estimate, list[limits.BudgetCheck]]:
    """The life cycle of `loaded`'s assumptions with the measured energy, and its budgets."""
    factor = data.factor(loaded.assumptions.location)
    assumptions = results.apply(loaded.assumptions, measured)
    result = estimate(assumptions, factor, data.alternatives(factor))
    return result, limits.check(result, loaded.budgets)


def measured_in(
    document: dict[str, Any], name: str
) -> tuple[Measurement, results.MeasuredEnergy, list[Repeat]]:
    """What a results file measured, checked and summarised again from its batches."""
    batches = _batches(document, name)
    raw = {
        "repeats": {workload: [b[workload] for b in batches] for workload in batches[0]},
        "power_sources": _power_sources(document.get("power_sources")),
        "environment": _mapping(document.get("environment")),
        "warmup": _mapping(document.get("warmup")),
    }
    measurement = summarize_run(raw, _batch_size(document, name))
    benchmark = _mapping(document.get("benchmark"))
    return measurement, results.MeasuredEnergy.of(measurement, Path(name).name, benchmark), batches


class Pairs(NamedTuple):
    """The batches measured in alternation; or, when the files say they were and they cannot be
    judged as pairs, why (`unjudged`)."""

    head: list[Repeat]
    base: list[Repeat]
    unjudged: str = ""


def pairs(head: Judged, base: Judged) -> Pairs | None:
    """The batches measured in alternation, when the two files are the two sides of one such run
    (the head's comparison id is the base's); None when they were measured apart."""
    comparison = head.document.get("comparison")
    token = comparison.get("id") if isinstance(comparison, dict) else None
    if not token or token != base.document.get("comparison_id"):
        return None
    count = len(head.batches)
    if count != len(base.batches) or set(head.batches[0]) != set(base.batches[0]):
        return Pairs([], [], "the head's and the base's batches do not pair up")
    if count < config.MIN_PAIRS:
        return Pairs(
            [],
            [],
            f"only {count} pairs fit in benchmark.compare_duration: too few to judge the change "
            f"(at least {config.MIN_PAIRS}) — raise it",
        )
    return Pairs(head.batches, base.batches)


def _batches(document: dict[str, Any], name: str) -> list[Repeat]:
    """The measured batches, batch by batch, each checked: whole numbers of calls, finite
    positive seconds and joules; the same count for every workload."""
    repeats = document.get("repeats")
    if not isinstance(repeats, dict) or not isinstance(repeats.get("inference"), list):
        raise UsageError(f"{name}: repeats.inference: missing — not a measured results file")
    if not set(repeats) <= {"inference", "train_step"}:
        unknown = sorted(set(repeats) - {"inference", "train_step"})[0]
        raise UsageError(f"{name}: repeats.{str(unknown)[:40]!r}: not a workload carbon-gate runs")
    count = len(repeats["inference"])
    if not 2 <= count <= MAX_PAIRS:
        raise UsageError(f"{name}: repeats.inference: {count} batches; a run has 2 to {MAX_PAIRS}")
    columns = {}
    for workload, rows in repeats.items():
        if not isinstance(rows, list) or len(rows) != count:
            raise UsageError(f"{name}: repeats.{workload}: must list {count} batches, as inference")
        columns[workload] = [
            _batch(row, f"{name}: repeats.{workload}[{i}]") for i, row in enumerate(rows)
        ]
    return [{workload: columns[workload][i] for workload in columns} for i in range(count)]


def _batch(row: Any, where: str) -> dict[str, float]:
    if not isinstance(row, dict):
        raise UsageError(f"{where}: must be a mapping of the batch's figures")
    calls = row.get("calls")
    if type(calls) is not int or not 0 < calls < 2**53:
        raise UsageError(f"{where}.calls: must be a whole number of calls, got {_shown(calls)}")
    batch: dict[str, float] = {"calls": calls}
    for key, (lowest, highest) in _BOUNDS.items():
        value: Any = row.get(key)
        number = float(value) if isinstance(value, float) or _small_int(value) else math.nan
        if not (math.isfinite(number) and lowest <= number <= highest):
            raise UsageError(
                f"{where}.{key}: must be a measured value, from {lowest:g} to {highest:g}, "
                f"got {_shown(value)}"
            )
        batch[key] = number
    if batch["fastest_call_s"] > batch["seconds"]:
        raise UsageError(f"{where}.fastest_call_s: longer than the whole batch")
    if batch["energy_j"] / calls < 1e-12:
        raise UsageError(f"{where}.energy_j: less than a picojoule per call — not a measurement")
    return batch


def _batch_size(document: dict[str, Any], name: str) -> int:
    size = _mapping(document.get("benchmark")).get("batch_size", 1)
    if type(size) is not int or not 0 < size < 2**31:
        raise UsageError(
            f"{name}: benchmark.batch_size: must be a whole number, got {_shown(size)}"
        )
    return size


def _small_int(value: Any) -> bool:
    return type(value) is int and abs(value) < 2**64


def _power_sources(value: Any) -> dict[str, Any]:
    """The power sources, as far as they have the shape carbon-gate writes: each component's
    source ("measured" or "estimated"), method and model, as text; anything else is left out."""
    sources: dict[str, Any] = dict.fromkeys(_COMPONENTS)
    for name in _COMPONENTS:
        given = value.get(name) if isinstance(value, dict) else None
        if isinstance(given, dict) and given.get("source") in ("measured", "estimated"):
            sources[name] = {
                "source": given["source"],
                "method": str(given.get("method") or "")[:200],
                "model": str(given.get("model") or "")[:200],
            }
    return sources


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _shown(value: Any) -> str:
    """A value from an untrusted file, short enough for a message (never its repr at length)."""
    if isinstance(value, int) and abs(value) > 2**64:
        return "a number far too large"
    text = (
        repr(value) if isinstance(value, int | float | bool | type(None)) else type(value).__name__
    )
    return text if len(text) <= 40 else text[:37] + "..."
