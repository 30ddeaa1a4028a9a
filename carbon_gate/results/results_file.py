"""The results file of `carbon-gate measure`: written whole or not at all (`write`, from
`Results`), read back with checks (`load`, through `reader.parse`).

Format "carbon-gate/results", version 1 (docs/formats.md). Within a version keys are only ever
added, so readers ignore what they do not know.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carbon_gate import files
from carbon_gate.errors import UsageError
from carbon_gate.measure.measurement import summarize_run
from carbon_gate.results.reader import FORMAT, VERSION, parse
from carbon_gate.results.records import Results
from carbon_gate.stats import Summary

# What identifies a benchmark: a results file measured for another one must not feed this one.
IDENTITY = ("callable", "setup", "train_step", "command", "parameters", "batch_size", "threads")


def _summary(s: Summary, unit: str = "_j") -> dict[str, Any]:
    # A t-interval of a few noisy repeats can reach below zero; energy and k cannot.
    return {
        f"median{unit}": s.median,
        f"mean{unit}": s.mean,
        f"ci95{unit}": [max(0.0, s.ci_low), s.ci_high],
        "cv": s.cv,
        "n": s.n,
    }


def to_json(content: Results, estimate: Mapping[str, Any]) -> dict[str, Any]:
    """The results file's JSON (the inverse of `reader.parse`): `content`, the figures
    derived from its batches (`summary`, `energy_kind`), and `estimate`, the life cycle they give
    under the budget file of the run (`gate.estimate_json.as_json`)."""
    m = summarize_run(content.batches, content.benchmark.batch_size, content.power_sources)
    k = m.overhead_factor
    document = {
        "format": FORMAT,
        "version": VERSION,
        "created": content.created,
        "config": content.config,
        "benchmark": dict(content.benchmark.recorded),
        "environment": content.environment.as_json(),
        "power_sources": content.power_sources.as_json(),
        "energy_kind": m.energy_kind,
        "warmup": {w.workload: {"calls": w.calls, "seconds": w.seconds} for w in content.warmup},
        "repeats": {
            name: [batch.figures() for batch in batches]
            for name, batches in content.batches.by_workload().items()
        },
        "summary": {
            "per_sample": {**_summary(m.per_sample_j), "median_kwh": m.per_sample_j.median / 3.6e6},
            "per_call": _summary(m.per_call_j),
            "batch_size": m.batch_size,
            "train_step_per_sample": None
            if m.train_per_sample_j is None
            else _summary(m.train_per_sample_j),
            "overhead_factor": None if k is None else _summary(k, unit=""),
        },
        "warnings": list(content.warnings),
        "estimate": dict(estimate),
    }
    if content.comparison is not None:
        document["comparison"] = content.comparison.as_json()
    if content.comparison_id is not None:
        document["comparison_id"] = content.comparison_id
    if content.base_not_measured is not None:
        document["base_not_measured"] = content.base_not_measured
    return document


def write(path: Path, content: Results, estimate: Mapping[str, Any]) -> None:
    """Write the results file atomically (see `files.write_text`): `to_json`'s document."""
    document = to_json(content, estimate)
    text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    files.write_text(path, text)


def load(path: Path) -> Results:
    """A results file's content, checked (`reader.parse`): a file of another format or
    version, or with anything but measured values in its batches, is refused."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file — run `carbon-gate measure` first") from None
    except (OSError, ValueError, RecursionError) as error:  # ValueError: JSON, or too many digits
        raise UsageError(f"{path}: not a readable JSON file: {error}") from None
    return parse(content, str(path))


def benchmark_changes(base: Mapping[str, Any], head: Mapping[str, Any]) -> str:
    """How the base's benchmark differs from the head's (e.g. "callable 'a:b' → 'c:d'"), or "";
    each as recorded (`BenchmarkIdentity.recorded`) or as `measurement.identity` gives it.

    Only what both record counts: an older file without a key does not differ in it."""
    changes = [
        f"{key} {_short(base[key])} → {_short(head[key])}"
        for key in IDENTITY
        if key in base and key in head and base[key] != head[key]
    ]
    return "; ".join(changes)


def _short(value: Any) -> str:
    """A value from a results file, as a message shows it: its repr, cut to a readable length."""
    if isinstance(value, int) and abs(value) > 2**64:
        return "(a number far too large)"
    text = repr(value) if isinstance(value, str | int | float | bool | type(None)) else "(…)"
    return text if len(text) <= 80 else text[:77] + "..."


def check_matches(
    content: Results, path: Path, config_name: str, wanted: Mapping[str, Any]
) -> None:
    """A `UsageError` when the results were measured for another benchmark than `wanted`."""
    measured = content.benchmark.recorded
    differ = [key for key in IDENTITY if key in measured and measured.get(key) != wanted.get(key)]
    if differ:
        key = differ[0]
        raise UsageError(
            f"{path} was measured for another benchmark than {config_name}'s "
            f"(benchmark.{key}: {_short(measured.get(key))} there, {_short(wanted.get(key))} "
            "here) — run `carbon-gate measure` again"
        )
