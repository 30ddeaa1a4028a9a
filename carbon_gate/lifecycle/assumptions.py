"""The inputs of the life-cycle estimate: what the user assumes, and where each value came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from carbon_gate.quantities import Duration, Energy, Intensity, Mass

# Seed paper (shared/seeds/README.md): data-centre PUE 1.58 (Uptime Institute 2020, §3.4); training
# overhead k ≈ 5 (overhead measured at about 80 % of training energy, §3.5 and §4.4).
DEFAULT_PUE = 1.58
DEFAULT_OVERHEAD_FACTOR = 5.0
DEFAULT_SOURCES: Mapping[str, str] = {
    "pue": "default: data-centre PUE 1.58 (Uptime Institute 2020, via the seed paper §3.4)",
    "overhead_factor": "default: k ≈ 5, overhead ≈ 80 % of training energy (seed paper §4.4)",
    "hardware_transfer": "default: benchmark hardware = production hardware",
    "trial_share": "default: each search trial costs a full training",
    "functional_unit": "default: one inference, serving the model (SCI's R and boundary)",
}
# SCI's boundaries: the hardware that serves the model, or the whole life cycle (search and
# training amortized over the inferences in the field).
BOUNDARIES = ("inference", "lifecycle")


@dataclass(frozen=True)
class TrainingHardware:
    """Patterson et al. 2021: a training run described by its hardware instead of its data."""

    processors: float
    hours: float
    watts_per_processor: float


@dataclass(frozen=True)
class EmbodiedHardware:
    """Hardware as SCI allocates its embodied emissions (ISO/IEC 21031, M = TE × TiR/EL × RR/ToR):
    TE over the expected lifespan EL, of which the software reserves `share` (RR/ToR) of `count`
    such machines. `utilization` is the share of the reserved time the model keeps it busy, so
    that the busy time measured per inference becomes the time reserved: TiR = busy / utilization.
    `source` says where TE and EL come from."""

    total: Mass  # TE, of one machine
    lifespan: Duration  # EL
    source: str
    share: float = 1.0  # RR/ToR
    count: float = 1.0
    utilization: float = 1.0
    name: str = ""  # as Boavizta's table spells it (aws/c5.xlarge), or "" for figures of one's own


@dataclass(frozen=True)
class FunctionalUnit:
    """SCI's R: how many inferences one unit is (1, a request of 32 samples, 1,000), its name, and
    the boundary (`BOUNDARIES`): serving the model alone, or its whole life cycle."""

    inferences: float = 1.0
    name: str = ""
    boundary: str = "inference"

    def describe(self) -> str:
        """The unit as the report names it: "inference", "request (32 inferences)"."""
        plain = "inference" if self.inferences == 1 else f"{self.inferences:,.10g} inferences"
        if not self.name or self.name == plain:
            return plain
        return self.name if self.inferences == 1 else f"{self.name} ({plain})"


@dataclass(frozen=True)
class Location:
    """Where the electricity comes from: exactly one of the four ways to say it."""

    country: str | None = None
    cloud_provider: str | None = None
    cloud_region: str | None = None
    intensity: Intensity | None = None
    world_average: bool = False

    def describe(self) -> str:
        if self.country:
            return self.country
        if self.cloud_region:
            return f"{self.cloud_provider}:{self.cloud_region}"
        if self.intensity is not None:
            return f"{self.intensity.g_per_kwh:g} g/kWh"
        return "world average" if self.world_average else "not set"

    @property
    def is_set(self) -> bool:
        return bool(self.country or self.cloud_region or self.intensity or self.world_average)


@dataclass(frozen=True)
class Given:
    """A value given for one assumption, and where it came from ("carbon-budget.yml:12
    (lifecycle.epochs)", "--epochs", a measurement)."""

    value: Any
    source: str


@dataclass(frozen=True)
class Assumptions:
    """Every input of the seed paper's model; None where the user gave nothing.

    A value other than a default is set only through `given`, which sets its source with it, so
    that the two cannot disagree; `sources` is read-only."""

    per_inference: Energy | None = None  # I on the benchmark hardware, before PUE
    per_inference_time: Duration | None = None  # the busy time of one inference (SCI's TiR)
    training_samples: float | None = None  # D
    epochs: float | None = None  # E
    overhead_factor: float = DEFAULT_OVERHEAD_FACTOR  # k
    search_trials: float | None = None  # H
    trial_share: float = 1.0  # the share of a full training that one trial costs
    inferences: float | None = None  # e, over the model's life in the field
    hardware_transfer: float = 1.0  # production energy / benchmark energy
    pue: float = DEFAULT_PUE
    training_hardware: TrainingHardware | None = None
    inference_embodied: EmbodiedHardware | None = None  # the hardware that serves the model
    training_embodied: EmbodiedHardware | None = None  # the hardware that trains it (and searches)
    functional_unit: FunctionalUnit = field(default_factory=FunctionalUnit)
    location: Location = field(default_factory=Location)
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(DEFAULT_SOURCES))

    def given(self, **values: Given) -> Assumptions:
        """These assumptions with `values` in place, each with its source."""
        unknown = set(values) - _ASSUMED
        if unknown:
            raise TypeError(f"not an assumption: {', '.join(sorted(unknown))}")
        sources = {**self.sources, **{name: g.source for name, g in values.items()}}
        return replace(
            self,
            **{name: g.value for name, g in values.items()},
            sources=MappingProxyType(sources),
        )

    @property
    def describes_hardware(self) -> bool:
        """Whether any machine's embodied emissions are described (`lifecycle.embodied`)."""
        return self.inference_embodied is not None or self.training_embodied is not None

    def source(self, name: str) -> str | None:
        """Where the value of `name` came from; None for one nobody gave."""
        return self.sources.get(name)


# The names `Assumptions.given` takes, worked out once: the gate prices every batch through it.
_ASSUMED = frozenset(f.name for f in fields(Assumptions)) - {"sources"}
