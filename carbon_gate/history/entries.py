"""One run of the default branch, as the history keeps it (`Entry`), and its JSON both ways.

Format "carbon-gate/history-entry", version 1 (docs/formats.md). An entry is written by
`history record` from a results file and the budget file the gate was given, so its figures are the
trusted recomputation, never the results file's own estimate. It is read back with every key
checked (`parse`): a history branch can be pushed to by anyone with write access, and a corrupt or
foreign entry must be refused by name, not drawn.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from carbon_gate.budget.values import TEXT_LIMIT
from carbon_gate.errors import UsageError
from carbon_gate.measure.batches import Batch
from carbon_gate.measure.run import Environment
from carbon_gate.results.records import COUNT_LIMIT

FORMAT = "carbon-gate/history-entry"
VERSION = 1
# The estimate's stages, and a thousand inferences (known whenever the energy per inference is:
# the one figure a budget file without life-cycle inputs still gives).
STAGES = ("search", "training", "inference", "lifecycle", "inference_per_1000")
COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 object names
RECORDED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z", re.ASCII)
# An entry's texts (a CPU model, a runner label, the budget file's path) and counts are held to
# the limits a results file is read under (`results.records`): what it holds can be recorded.
RUNNER_LABELS = 20


@dataclass(frozen=True)
class Figure:
    """A figure and the 95 % interval of the measurement it comes from (the repeats' spread on
    one machine in one run; differences between runs or machines are not in it)."""

    value: float
    low: float
    high: float

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "ci95": [self.low, self.high]}


@dataclass(frozen=True)
class Stage:
    """One life-cycle stage of a run: its CO2eq and its energy."""

    co2eq_kg: Figure
    energy_kwh: Figure


@dataclass(frozen=True)
class Hardware:
    """What the run was measured on. Runs on different hardware are not comparable at the
    few-percent level: `fingerprint` tells them apart (the runner's labels do not, since one label
    such as ubuntu-latest covers several CPU models)."""

    cpu_model: str | None = None
    cpu_count: int | None = None
    gpu_model: str | None = None
    gpu_count: int | None = None
    tracking_mode: str | None = None  # codecarbon's: "process", or "machine" for a shell command
    energy_kind: str | None = None  # "measured", "estimated" (modelled) or "partly measured"
    runner: tuple[str, ...] = ()  # the runner's labels or kind, as the workflow gave them
    # How long each measured batch of inference lasted (the median). Where codecarbon only models
    # the energy, the figure depends on it: a scikit-learn model measured 1.37 mJ a sample in
    # batches of 0.25 s (check --base-ref) and 1.92 mJ in batches of 2 s (measure), same machine.
    batch_seconds: float | None = None

    @classmethod
    def of(
        cls,
        environment: Environment,
        energy_kind: str | None,
        batches: Sequence[Batch],
        runner: Sequence[str] = (),
    ) -> Hardware:
        """The hardware of a run: the machine as the worker reported it, how its energy was
        known, and how long its batches of inference were. The report's trend takes the head's
        the same way, so that the two compare."""
        seconds = sorted(batch.seconds for batch in batches)
        return cls(
            cpu_model=environment.cpu_model,
            cpu_count=environment.cpu_count,
            gpu_model=environment.gpu_model,
            gpu_count=environment.gpu_count,
            tracking_mode=environment.tracking_mode,
            energy_kind=energy_kind,
            runner=tuple(runner),
            batch_seconds=seconds[len(seconds) // 2] if seconds else None,
        )

    @property
    def fingerprint(self) -> tuple[object, ...]:
        """The fields that make two runs comparable: the same machine, measured the same way (in
        batches of about the same length: within a quarter of each other)."""
        length = None if not self.batch_seconds else round(math.log(self.batch_seconds, 1.25))
        return (
            self.cpu_model, self.cpu_count, self.gpu_model, self.gpu_count,
            self.tracking_mode, self.energy_kind, length,
        )  # fmt: skip

    @property
    def label(self) -> str:
        """The hardware in a few words: "AMD EPYC 7763 (4 CPUs), estimated"."""
        parts = [self.cpu_model or "unknown CPU"]
        if self.cpu_count:
            parts[0] += f" ({self.cpu_count} CPUs)"
        if self.gpu_model:
            count = f"{self.gpu_count} × " if self.gpu_count and self.gpu_count > 1 else ""
            parts.append(f"{count}{self.gpu_model}")
        if self.energy_kind:
            parts.append(self.energy_kind)
        if self.batch_seconds:
            parts.append(f"batches of {self.batch_seconds:.2g} s")
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "cpu_model": self.cpu_model,
            "cpu_count": self.cpu_count,
            "gpu_model": self.gpu_model,
            "gpu_count": self.gpu_count,
            "tracking_mode": self.tracking_mode,
            "energy_kind": self.energy_kind,
            "runner": list(self.runner),
            "batch_seconds": self.batch_seconds,
        }


@dataclass(frozen=True)
class Entry:
    """One run of the default branch: which commit, when, on what, and its figures under the
    budget file of that commit. A stage whose inputs the budget file lacks is None."""

    commit: str
    recorded: str  # UTC, ISO 8601 with Z: when `history record` ran
    config: str  # the budget file, as the workflow named it
    benchmark: str  # the command or the callable
    hardware: Hardware
    per_sample_j: Figure  # energy per inference (one sample), the whole cost's mean
    overhead_factor: Figure | None  # k, when the benchmark has a train step
    location: str  # the grid's location
    g_per_kwh: float  # its emission factor
    stages: Mapping[str, Stage | None] = field(default_factory=dict)

    def stage(self, name: str) -> Stage | None:
        return self.stages.get(name)

    def as_json(self) -> dict[str, Any]:
        """The entry's file, as `parse` reads it back."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "commit": self.commit,
            "recorded": self.recorded,
            "config": self.config,
            "benchmark": self.benchmark,
            "hardware": self.hardware.as_json(),
            "per_sample_j": self.per_sample_j.as_json(),
            "overhead_factor": None
            if self.overhead_factor is None
            else self.overhead_factor.as_json(),
            "grid": {"location": self.location, "g_per_kwh": self.g_per_kwh},
            "stages": {name: _stage_json(self.stages.get(name)) for name in STAGES},
        }


def moment(entry: Entry) -> str:
    """When the entry was recorded, as text that sorts in time order (fractions of a second
    padded: 08:00:00Z and 08:00:00.5Z)."""
    seconds, _, fraction = entry.recorded.rstrip("Z").partition(".")
    return f"{seconds}.{fraction:0<9}"


def shown(value: object) -> str:
    """A value read from an entry, as a message shows it: short, whatever it is."""
    said = repr(value) if isinstance(value, str | int | float | bool | type(None)) else "(…)"
    return said if len(said) <= 40 else said[:37] + "..."


def _stage_json(stage: Stage | None) -> dict[str, Any] | None:
    if stage is None:
        return None
    return {"co2eq_kg": stage.co2eq_kg.as_json(), "energy_kwh": stage.energy_kwh.as_json()}


def parse(content: Any, name: str) -> Entry:
    """The entry in `content` (an entry file's JSON, named `name` in messages), every key checked;
    a `UsageError` naming the file and the key otherwise."""
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise UsageError(f'{name}: not a carbon-gate history entry (no "format": "{FORMAT}")')
    version = content.get("version")
    if type(version) is not int or version != VERSION:
        raise UsageError(
            f"{name}: history entry version {shown(version)}; this carbon-gate reads "
            f"version {VERSION} — upgrade carbon-gate"
        )
    read = _Reader(name)
    grid = read.mapping(content, "grid")
    stages = read.mapping(content, "stages")
    return Entry(
        commit=read.matching(content, "commit", COMMIT, "a commit's full hex name"),
        recorded=read.moment(content, "recorded"),
        config=read.text(content, "config"),
        benchmark=read.text(content, "benchmark"),
        hardware=read.hardware(read.mapping(content, "hardware"), "hardware"),
        per_sample_j=read.figure(content, "per_sample_j"),
        overhead_factor=None
        if content.get("overhead_factor") is None
        else read.figure(content, "overhead_factor"),
        location=read.text(grid, "location", "grid.location"),
        g_per_kwh=read.number(grid, "g_per_kwh", "grid.g_per_kwh"),
        stages={stage: read.stage(stages, stage) for stage in STAGES},
    )


class _Reader:
    """Checks an entry's keys, naming the file and the key in what it refuses."""

    def __init__(self, name: str) -> None:
        self.name = name

    def refuse(self, key: str, message: str) -> UsageError:
        return UsageError(f"{self.name}: {key}: {message}")

    def mapping(self, content: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
        value = content.get(key)
        if not isinstance(value, dict):
            raise self.refuse(path or key, "missing, or not a mapping")
        return value

    def text(self, content: Mapping[str, Any], key: str, path: str = "") -> str:
        value = content.get(key)
        if not isinstance(value, str) or len(value) > TEXT_LIMIT:
            raise self.refuse(path or key, f"not a text of at most {TEXT_LIMIT} characters")
        return value

    def optional_text(self, content: Mapping[str, Any], key: str, path: str) -> str | None:
        return None if content.get(key) is None else self.text(content, key, path)

    def matching(
        self, content: Mapping[str, Any], key: str, pattern: re.Pattern[str], what: str
    ) -> str:
        value = content.get(key)
        if not isinstance(value, str) or pattern.fullmatch(value) is None:
            raise self.refuse(key, f"not {what}")
        return value

    def moment(self, content: Mapping[str, Any], key: str) -> str:
        value = content.get(key)
        what = "a UTC time: 2026-12-02T08:00:00Z"
        if not isinstance(value, str) or RECORDED.fullmatch(value) is None:
            raise self.refuse(key, f"not {what}")
        year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
        hour, minute, second = int(value[11:13]), int(value[14:16]), int(value[17:19])
        real = 1 <= month <= 12 and 1 <= day <= calendar.monthrange(max(year, 1), month)[1]
        if not (real and hour < 24 and minute < 60 and second < 60):
            raise self.refuse(key, f"not {what} (no such date or time)")
        return value

    def number(self, content: Mapping[str, Any], key: str, path: str = "") -> float:
        return self.amount(content.get(key), path or key)

    def amount(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.refuse(where, "not a number")
        number = float(value) if abs(value) < 1e300 else math.inf
        if not math.isfinite(number) or number < 0:
            raise self.refuse(where, "not a finite number of zero or more")
        return number

    def count(self, content: Mapping[str, Any], key: str, path: str) -> int | None:
        value = content.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < COUNT_LIMIT:
            raise self.refuse(path, f"not a whole number from 0 to {COUNT_LIMIT - 1:,}")
        return value

    def figure(self, content: Mapping[str, Any], key: str, path: str = "") -> Figure:
        value = content.get(key)
        # What carbon-gate writes, checked at once (a history holds thousands of figures): three
        # floats, finite, from zero up, in order. Anything else takes the way that names the key.
        if type(value) is dict:
            number, bounds = value.get("value"), value.get("ci95")
            if (
                type(number) is float and type(bounds) is list and len(bounds) == 2
                and type(bounds[0]) is float and type(bounds[1]) is float
                and 0.0 <= bounds[0] <= number <= bounds[1] < 1e300
            ):  # fmt: skip
                return Figure(number, bounds[0], bounds[1])
        return self._figure(content, key, path or key)

    def _figure(self, content: Mapping[str, Any], key: str, where: str) -> Figure:
        value = self.mapping(content, key, where)
        number = self.number(value, "value", f"{where}.value")
        bounds = value.get("ci95")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise self.refuse(f"{where}.ci95", "not a list of two numbers")
        low, high = (self.amount(bound, f"{where}.ci95") for bound in bounds)
        if not low <= number <= high:
            raise self.refuse(f"{where}.ci95", f"[{low}, {high}] does not hold the value {number}")
        return Figure(number, low, high)

    def stage(self, stages: Mapping[str, Any], name: str) -> Stage | None:
        if stages.get(name) is None:
            return None
        where = f"stages.{name}"
        value = self.mapping(stages, name, where)
        return Stage(
            self.figure(value, "co2eq_kg", f"{where}.co2eq_kg"),
            self.figure(value, "energy_kwh", f"{where}.energy_kwh"),
        )

    def hardware(self, content: Mapping[str, Any], where: str) -> Hardware:
        runner = content.get("runner", [])
        if (
            not isinstance(runner, list)
            or len(runner) > RUNNER_LABELS
            or not all(isinstance(label, str) and len(label) <= TEXT_LIMIT for label in runner)
        ):
            raise self.refuse(f"{where}.runner", f"not a list of at most {RUNNER_LABELS} texts")
        return Hardware(
            cpu_model=self.optional_text(content, "cpu_model", f"{where}.cpu_model"),
            cpu_count=self.count(content, "cpu_count", f"{where}.cpu_count"),
            gpu_model=self.optional_text(content, "gpu_model", f"{where}.gpu_model"),
            gpu_count=self.count(content, "gpu_count", f"{where}.gpu_count"),
            tracking_mode=self.optional_text(content, "tracking_mode", f"{where}.tracking_mode"),
            energy_kind=self.optional_text(content, "energy_kind", f"{where}.energy_kind"),
            runner=tuple(runner),
            batch_seconds=None
            if content.get("batch_seconds") is None
            else self.number(content, "batch_seconds", f"{where}.batch_seconds"),
        )
