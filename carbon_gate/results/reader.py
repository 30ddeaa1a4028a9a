"""A results file's JSON → `Results`, checked: the one way into the gate for a results file.

A results file may come from a fork's pull request, or from a run under another budget file: what
it *measured* (each batch's calls, seconds, energy and fastest stretch) is taken from it, checked,
or the file is refused with a `UsageError` that names it and the key; what it *estimated* (the
`estimate`, the `summary`, the comparison's `changes`) is never read. Everything else is kept as far
as it has the shape carbon-gate writes, and left out where it has not: it is only shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from carbon_gate.budget.values import TEXT_LIMIT
from carbon_gate.errors import UsageError
from carbon_gate.measure.batches import WORKLOADS, Batch, Batches
from carbon_gate.measure.measurement import MAX_PAIRS
from carbon_gate.measure.power_sources import COMPONENTS, PowerSource, PowerSources
from carbon_gate.measure.run import ENVIRONMENT, Environment, WarmUp
from carbon_gate.results.records import (
    COUNT_LIMIT,
    BenchmarkIdentity,
    Comparison,
    Results,
)

FORMAT = "carbon-gate/results"
VERSION = 1
# What a measured batch can be, as (lowest, highest): anything outside was not measured by
# carbon-gate, and would only overflow or underflow the estimator.
_BOUNDS = {"seconds": (1e-6, 1e6), "fastest_call_s": (1e-9, 1e6), "energy_j": (1e-12, 1e9)}
# What the benchmark ran, as the history keeps it (`BenchmarkIdentity.what`): a text, or nothing.
_NAMING = ("command", "callable")
# What each field of the environment is, as carbon-gate writes it.
_ENVIRONMENT_TYPES: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(ENVIRONMENT, (str,)),
    "cpu_count": (int,),
    "gpu_count": (int,),
    "ram_total_gb": (int, float),
}


def parse(content: Any, name: str) -> Results:
    """The results in `content` (a results file's JSON, named `name` in messages), checked."""
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise UsageError(f'{name}: not a carbon-gate results file (no "format": "{FORMAT}")')
    if content.get("version") != VERSION:
        raise UsageError(
            f"{name}: results format version {content.get('version')!r}; this carbon-gate reads "
            f"version {VERSION} — measure again with this version"
        )
    batches = _batches(content, name)
    recorded = _mapping(content.get("benchmark"))
    for key in _NAMING:
        if recorded.get(key) is not None:
            _check_text(recorded[key], f"{name}: benchmark.{key}")
    comparison = content.get("comparison")
    said = content.get("base_not_measured")
    return Results(
        benchmark=BenchmarkIdentity(recorded, _batch_size(recorded, name)),
        batches=batches,
        environment=_environment(content.get("environment"), name),
        power_sources=_power_sources(content.get("power_sources")),
        warmup=_warmup(content.get("warmup")),
        warnings=tuple(w for w in _list(content.get("warnings")) if isinstance(w, str)),
        created=str(content.get("created") or ""),
        config=_text(content.get("config")),
        comparison=_comparison(comparison) if isinstance(comparison, dict) else None,
        comparison_id=_text(content.get("comparison_id")) or None,
        base_not_measured=str(said) if said else None,
    )


def _batches(content: dict[str, Any], name: str) -> Batches:
    """The measured batches, each checked: whole numbers of calls, finite positive seconds and
    joules; the same count for every workload."""
    repeats = content.get("repeats")
    if not isinstance(repeats, dict) or not isinstance(repeats.get("inference"), list):
        raise UsageError(f"{name}: repeats.inference: missing — not a measured results file")
    if not set(repeats) <= set(WORKLOADS):
        unknown = sorted(set(repeats) - set(WORKLOADS))[0]
        raise UsageError(f"{name}: repeats.{str(unknown)[:40]!r}: not a workload carbon-gate runs")
    count = len(repeats["inference"])
    if not 2 <= count <= MAX_PAIRS:
        raise UsageError(f"{name}: repeats.inference: {count} batches; a run has 2 to {MAX_PAIRS}")
    columns = {}
    for workload, rows in repeats.items():
        if not isinstance(rows, list) or len(rows) != count:
            raise UsageError(f"{name}: repeats.{workload}: must list {count} batches, as inference")
        columns[workload] = tuple(
            _batch(row, f"{name}: repeats.{workload}[{i}]") for i, row in enumerate(rows)
        )
    return Batches(columns["inference"], columns.get("train_step"))


def _batch(row: Any, where: str) -> Batch:
    if not isinstance(row, dict):
        raise UsageError(f"{where}: must be a mapping of the batch's figures")
    calls = row.get("calls")
    if type(calls) is not int or not 0 < calls < 2**53:
        raise UsageError(f"{where}.calls: must be a whole number of calls, got {_shown(calls)}")
    figures: dict[str, float] = {}
    for key, (lowest, highest) in _BOUNDS.items():
        value: Any = row.get(key)
        number = float(value) if isinstance(value, float) or _small_int(value) else math.nan
        if not (math.isfinite(number) and lowest <= number <= highest):
            raise UsageError(
                f"{where}.{key}: must be a measured value, from {lowest:g} to {highest:g}, "
                f"got {_shown(value)}"
            )
        figures[key] = number
    if figures["fastest_call_s"] > figures["seconds"]:
        raise UsageError(f"{where}.fastest_call_s: longer than the whole batch")
    if figures["energy_j"] / calls < 1e-12:
        raise UsageError(f"{where}.energy_j: less than a picojoule per call — not a measurement")
    # The embodied emissions follow the time per call: no Python call takes under 10 ns.
    if figures["seconds"] / calls < 1e-8:
        raise UsageError(f"{where}.seconds: less than 10 ns per call — not a measurement")
    return Batch(calls, figures["seconds"], figures["fastest_call_s"], figures["energy_j"])


def _batch_size(recorded: Mapping[str, Any], name: str) -> int:
    size = recorded.get("batch_size", 1)
    if type(size) is not int or not 0 < size < 2**31:
        raise UsageError(
            f"{name}: benchmark.batch_size: must be a whole number, got {_shown(size)}"
        )
    return size


def _power_sources(value: Any) -> PowerSources:
    """The power sources, as far as they have the shape carbon-gate writes: each component's
    source ("measured" or "estimated"), method and model, as text; anything else is left out."""
    sources: dict[str, PowerSource | None] = dict.fromkeys(COMPONENTS)
    for component in COMPONENTS:
        given = value.get(component) if isinstance(value, dict) else None
        if isinstance(given, dict) and given.get("source") in ("measured", "estimated"):
            model = given.get("model")
            sources[component] = PowerSource(
                given["source"],
                str(given.get("method") or "")[:TEXT_LIMIT],
                None if model is None else str(model or "")[:TEXT_LIMIT],
            )
    return PowerSources(**sources)


def _environment(value: Any, name: str) -> Environment:
    """The machine, as far as each field has the type carbon-gate writes (never a bool); a text
    or a count of it beyond the limits a history entry keeps is refused, naming the field."""
    given = _mapping(value)
    kept = {
        field: given[field]
        for field, types in _ENVIRONMENT_TYPES.items()
        if isinstance(given.get(field), types) and not isinstance(given[field], bool)
    }
    for field, kept_value in kept.items():
        where = f"{name}: environment.{field}"
        if isinstance(kept_value, str):
            _check_text(kept_value, where)
        elif field in ("cpu_count", "gpu_count") and not 0 <= kept_value < COUNT_LIMIT:
            raise UsageError(f"{where}: not a whole number from 0 to {COUNT_LIMIT - 1:,}")
    return Environment(**kept)


def _check_text(value: Any, where: str) -> None:
    """A `UsageError` unless `value` is a text that a history entry keeps: at most `TEXT_LIMIT`
    characters, and in UTF-8 (JSON's `\\ud800` is no character)."""
    if not isinstance(value, str):
        raise UsageError(f"{where}: not a text, got {_shown(value)}")
    if len(value) > TEXT_LIMIT:
        raise UsageError(
            f"{where}: a text of more than {TEXT_LIMIT:,} characters ({len(value):,}) — not what "
            "carbon-gate measured; shorten it in the budget file and measure again"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{where}: not a text in UTF-8 (a lone surrogate)") from None


def _warmup(value: Any) -> tuple[WarmUp, ...]:
    """Each workload's warm-up, where it has the shape carbon-gate writes; only ever shown."""
    kept = []
    for workload, took in _mapping(value).items():
        if workload not in WORKLOADS or not isinstance(took, dict):
            continue
        calls: Any = took.get("calls")
        seconds: Any = took.get("seconds")
        if _small_int(calls) and (isinstance(seconds, float) or _small_int(seconds)):
            kept.append(WarmUp(workload, calls, seconds))
    return tuple(kept)


def _comparison(given: dict[str, Any]) -> Comparison:
    """The head's comparison with the base: its id, and what a report says of it. Its `changes`
    are never read: the gate judges the pairs again from the batches."""
    pairs: Any = given.get("pairs")
    seconds: Any = given.get("max_seconds")
    processes = _list(given.get("processes"))
    return Comparison(
        id=_text(given.get("id")),
        base_commit=_text(given.get("base_commit")),
        pairs=pairs if _small_int(pairs) else 0,
        stopped=_text(given.get("stopped")),
        max_seconds=float(seconds) if type(seconds) in (int, float) and abs(seconds) < 1e9 else 0.0,
        # Kept only whole (a number ≥ 0 for each pair); otherwise the workers taken in turn.
        processes=tuple(processes) if all(_small_int(p) and p >= 0 for p in processes) else (),
    )


def _small_int(value: Any) -> bool:
    return type(value) is int and abs(value) < 2**64


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _shown(value: Any) -> str:
    """A value from an untrusted file, short enough for a message (never its repr at length)."""
    if isinstance(value, int) and abs(value) > 2**64:
        return "a number far too large"
    text = (
        repr(value) if isinstance(value, int | float | bool | type(None)) else type(value).__name__
    )
    return text if len(text) <= 40 else text[:37] + "..."
