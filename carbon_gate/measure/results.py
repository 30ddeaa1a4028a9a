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

from carbon_gate.errors import UsageError
from carbon_gate.lifecycle.assumptions import Assumptions
from carbon_gate.measure.measurement import Measurement
from carbon_gate.stats import Summary
from carbon_gate.units import Energy

FORMAT = "carbon-gate/results"
VERSION = 1
# What identifies a benchmark: a results file measured for another one must not feed this one.
IDENTITY = ("callable", "setup", "train_step", "command", "parameters", "batch_size", "threads")


@dataclass(frozen=True)
class MeasuredEnergy:
    """What the estimator takes from a measurement."""

    per_sample_j: float
    repeats: int
    overhead_factor: float | None
    energy_kind: str  # "measured", "estimated" or "partly measured"
    path: str
    benchmark: dict[str, Any]

    @property
    def source(self) -> str:
        """Where the figure comes from, as the estimate's assumptions show it."""
        return f"{self.path} ({self.energy_kind}, mean of {self.repeats} repeats)"

    @classmethod
    def of(cls, m: Measurement, path: str, benchmark: dict[str, Any]) -> MeasuredEnergy:
        """The whole cost: every call counts, rare costly ones too (a median would drop them).
        k is the mean training step over the mean inference, so that the training stage is the
        mean measured step: the estimate is linear in the batches, as the pairs' whole cost."""
        per_sample = m.per_sample_j.mean
        train = m.train_per_sample_j
        k = None if train is None else train.mean / per_sample
        return cls(per_sample, m.per_sample_j.n, k, m.energy_kind, path, benchmark)


def _summary(s: Summary, unit: str = "_j") -> dict[str, Any]:
    # A t-interval of a few noisy repeats can reach below zero; energy and k cannot.
    return {
        f"median{unit}": s.median,
        f"mean{unit}": s.mean,
        f"ci95{unit}": [max(0.0, s.ci_low), s.ci_high],
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
    k = m.overhead_factor
    return {
        "format": FORMAT,
        "version": VERSION,
        "created": created,
        "config": config_name,
        "benchmark": benchmark,
        "environment": m.environment,
        "power_sources": m.power_sources,
        "energy_kind": m.energy_kind,
        "warmup": m.raw["warmup"],
        "repeats": m.raw["repeats"],
        "summary": {
            "per_sample": {**_summary(m.per_sample_j), "median_kwh": m.per_sample_j.median / 3.6e6},
            "per_call": _summary(m.per_call_j),
            "batch_size": m.batch_size,
            "train_step_per_sample": None
            if m.train_per_sample_j is None
            else _summary(m.train_per_sample_j),
            "overhead_factor": None if k is None else _summary(k, unit=""),
        },
        "warnings": m.warnings,
        "estimate": estimate,
    }


def writable(path: Path) -> Path:
    """The file to write for `path` (through a symlink); a `UsageError` before any work is done."""
    target = path.resolve()
    if target.exists() and not target.is_file():
        raise UsageError(f"{path}: exists and is not a regular file — choose another --output")
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{path}: cannot create its folder: {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{path}: its folder {folder} is not writable — choose another --output")
    return target


def write(path: Path, content: dict[str, Any]) -> None:
    """Write the results file atomically (see `write_text`)."""
    write_text(path, json.dumps(content, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: readers see the old file or the new one, never half."""
    target = writable(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would hide it from other users
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> dict[str, Any]:
    """A results file's content, after checking that it is one, of a version this code reads.
    What it measured is checked where it is used (`gate.trusted.judged`); what it estimated is never
    used."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file — run `carbon-gate measure` first") from None
    except (OSError, ValueError, RecursionError) as error:  # ValueError: JSON, or too many digits
        raise UsageError(f"{path}: not a readable JSON file: {error}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise UsageError(f'{path}: not a carbon-gate results file (no "format": "{FORMAT}")')
    if content.get("version") != VERSION:
        raise UsageError(
            f"{path}: results format version {content.get('version')!r}; this carbon-gate reads "
            f"version {VERSION} — measure again with this version"
        )
    return content


def benchmark_changes(base: dict[str, Any], head: dict[str, Any]) -> str:
    """How the base's benchmark differs from the head's (e.g. "callable 'a:b' → 'c:d'"), or "".

    Only what both files record counts: an older file without a key does not differ in it."""
    before, after = _benchmark(base), _benchmark(head)
    changes = [
        f"{key} {_short(before[key])} → {_short(after[key])}"
        for key in IDENTITY
        if key in before and key in after and before[key] != after[key]
    ]
    return "; ".join(changes)


def _benchmark(document: dict[str, Any]) -> dict[str, Any]:
    given = document.get("benchmark")
    return given if isinstance(given, dict) else {}


def _short(value: Any) -> str:
    """A value from a results file, as a message shows it: its repr, cut to a readable length."""
    if isinstance(value, int) and abs(value) > 2**64:
        return "(a number far too large)"
    text = repr(value) if isinstance(value, str | int | float | bool | type(None)) else "(…)"
    return text if len(text) <= 80 else text[:77] + "..."


def check_matches(
    document: dict[str, Any], path: Path, config_name: str, wanted: dict[str, Any]
) -> None:
    """A `UsageError` when the results were measured for another benchmark than `wanted`."""
    measured = _benchmark(document)
    differ = [key for key in IDENTITY if key in measured and measured.get(key) != wanted.get(key)]
    if differ:
        key = differ[0]
        raise UsageError(
            f"{path} was measured for another benchmark than {config_name}'s "
            f"(benchmark.{key}: {_short(measured.get(key))} there, {_short(wanted.get(key))} "
            "here) — run `carbon-gate measure` again"
        )


def apply(assumptions: Assumptions, measured: MeasuredEnergy) -> Assumptions:
    """`assumptions` with the measured energy per inference, and the measured overhead factor k
    when the benchmark had a train step (a measurement beats the paper's default of 5)."""
    sources = dict(assumptions.sources)
    changes: dict[str, Any] = {"per_inference": Energy(measured.per_sample_j)}
    sources["per_inference"] = measured.source
    if measured.overhead_factor is not None:
        changes["overhead_factor"] = measured.overhead_factor
        sources["overhead_factor"] = f"train step / inference, {measured.source}"
    return replace(assumptions, **changes, sources=sources)
