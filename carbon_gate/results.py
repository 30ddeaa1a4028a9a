"""The results file of `carbon-gate measure`: written whole or not at all, read back with checks.

Format "carbon-gate/results", version 1 (documented in the README). Within a version keys are only
ever added, so readers ignore what they do not know.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from carbon_gate.assumptions import Assumptions
from carbon_gate.errors import UsageError
from carbon_gate.measure import Measurement
from carbon_gate.stats import Summary
from carbon_gate.units import Energy

FORMAT = "carbon-gate/results"
VERSION = 1


@dataclass(frozen=True)
class MeasuredEnergy:
    """What the estimator takes from a results file."""

    per_sample_j: float
    ci95_j: tuple[float, float]
    repeats: int
    overhead_factor: float | None
    energy_kind: str  # "measured", "estimated" or "partly measured"
    source: str


def energy_kind(power_sources: dict[str, Any]) -> str:
    """ "measured" when every component had an energy counter, "estimated" when none did."""
    kinds = {s["source"] for s in power_sources.values() if s is not None}
    if kinds == {"measured"}:
        return "measured"
    return "estimated" if kinds <= {"estimated"} else "partly measured"


def _summary(s: Summary, unit: str) -> dict[str, Any]:
    return {
        f"median_{unit}": s.median,
        f"mean_{unit}": s.mean,
        f"ci95_{unit}": [s.ci_low, s.ci_high],
        "cv": s.cv,
        "n": s.n,
    }


def document(
    measurement: Measurement,
    benchmark: dict[str, Any],
    estimate: dict[str, Any],
    created: str,
    config_name: str,
) -> dict[str, Any]:
    """The results file's content, as a JSON-ready dict."""
    m = measurement
    return {
        "format": FORMAT,
        "version": VERSION,
        "created": created,
        "config": config_name,
        "benchmark": benchmark,
        "environment": m.environment,
        "power_sources": m.power_sources,
        "energy_kind": energy_kind(m.power_sources),
        "warmup": m.raw["warmup"],
        "repeats": m.raw["repeats"],
        "summary": {
            "per_sample": {
                **_summary(m.per_sample_j, "j"),
                "median_kwh": m.per_sample_j.median / 3.6e6,
            },
            "per_call": _summary(m.per_call_j, "j"),
            "batch_size": m.batch_size,
            "train_step_per_sample": None
            if m.train_per_sample_j is None
            else _summary(m.train_per_sample_j, "j"),
            "overhead_factor": None
            if m.overhead_factor is None
            else {
                "median": m.overhead_factor.median,
                "mean": m.overhead_factor.mean,
                "ci95": [m.overhead_factor.ci_low, m.overhead_factor.ci_high],
                "cv": m.overhead_factor.cv,
            },
        },
        "warnings": m.warnings,
        "estimate": estimate,
    }


def write(path: Path, content: dict[str, Any]) -> None:
    """Write `content` to `path` atomically: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(content, file, indent=2, ensure_ascii=False)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(path: Path) -> MeasuredEnergy:
    """The measured energy in a results file; `UsageError` (exit 2) if it is not one."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file — run `carbon-gate measure` first") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a readable JSON file: {error}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise UsageError(f'{path}: not a carbon-gate results file (no "format": "{FORMAT}")')
    if content.get("version") != VERSION:
        raise UsageError(
            f"{path}: results format version {content.get('version')!r}; this carbon-gate reads "
            f"version {VERSION} — measure again with this version"
        )
    try:
        summary = content["summary"]
        per_sample = summary["per_sample"]
        median = float(per_sample["median_j"])
        low, high = (float(x) for x in per_sample["ci95_j"])
        repeats = int(per_sample["n"])
        overhead = summary.get("overhead_factor")
        kind = str(content["energy_kind"])
        k = None if overhead is None else float(overhead["median"])
    except (KeyError, TypeError, ValueError) as error:
        raise UsageError(
            f"{path}: incomplete results file ({error!r} is missing or wrong)"
        ) from None
    if not median > 0 or (k is not None and not k > 0):
        raise UsageError(f"{path}: the measured energy must be more than zero")
    return MeasuredEnergy(
        per_sample_j=median,
        ci95_j=(low, high),
        repeats=repeats,
        overhead_factor=k,
        energy_kind=kind,
        source=f"{path} ({kind}, median of {repeats} repeats)",
    )


def apply(assumptions: Assumptions, measured: MeasuredEnergy) -> Assumptions:
    """`assumptions` with the measured energy per inference, and the measured overhead factor k
    when the benchmark had a train step (a measurement beats the paper's default of 5)."""
    sources = dict(assumptions.sources)
    changes: dict[str, Any] = {"per_inference": Energy(measured.per_sample_j)}
    sources["per_inference"] = f"{measured.energy_kind}: {measured.source}"
    if measured.overhead_factor is not None:
        changes["overhead_factor"] = measured.overhead_factor
        sources["overhead_factor"] = (
            f"{measured.energy_kind}: train step / inference, {measured.source}"
        )
    return replace(assumptions, **changes, sources=sources)
