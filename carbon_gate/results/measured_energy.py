"""What the life-cycle estimate takes from a measurement: the energy per inference and the
overhead factor k, each with where it was measured. Takes a `Measurement`; gives
`Assumptions` with those values in place."""

from __future__ import annotations

from dataclasses import dataclass

from carbon_gate.lifecycle.assumptions import Assumptions, Given
from carbon_gate.measure.measurement import Measurement
from carbon_gate.quantities import Duration, Energy


@dataclass(frozen=True)
class MeasuredEnergy:
    """What the estimator takes from a measurement."""

    per_sample_j: float
    repeats: int
    overhead_factor: float | None
    energy_kind: str  # "measured", "estimated" or "partly measured"
    path: str
    per_sample_s: float | None = None  # the time of one inference, for the embodied emissions

    @property
    def source(self) -> str:
        """Where the figure comes from, as the estimate's assumptions show it."""
        return f"{self.path} ({self.energy_kind}, mean of {self.repeats} repeats)"

    @classmethod
    def of(cls, m: Measurement, path: str) -> MeasuredEnergy:
        """The whole cost: every call counts, rare costly ones too (a median would drop them).
        k is the mean training step over the mean inference, so that the training stage is the
        mean measured step: the estimate is linear in the batches, as the pairs' whole cost."""
        per_sample = m.per_sample_j.mean
        train = m.train_per_sample_j
        k = None if train is None else train.mean / per_sample
        seconds = None if m.per_sample_s is None else m.per_sample_s.mean
        return cls(per_sample, m.per_sample_j.n, k, m.energy_kind, path, seconds)


def apply(assumptions: Assumptions, measured: MeasuredEnergy) -> Assumptions:
    """`assumptions` with the measured energy and time per inference, and the measured overhead
    factor k when the benchmark had a train step (a measurement beats the paper's default of 5)."""
    changes = {"per_inference": Given(Energy(measured.per_sample_j), measured.source)}
    if measured.per_sample_s is not None:
        time_source = f"{measured.path} (timed, mean of {measured.repeats} repeats)"
        changes["per_inference_time"] = Given(Duration(measured.per_sample_s), time_source)
    if measured.overhead_factor is not None:
        changes["overhead_factor"] = Given(
            measured.overhead_factor, f"train step / inference, {measured.source}"
        )
    return assumptions.given(**changes)
