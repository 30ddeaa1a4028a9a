"""Which of codecarbon's figures were measured and which were modelled, component by component.

codecarbon measures energy only where the hardware offers it: RAPL counters for CPUs, NVML or
amdsmi for GPUs (an energy counter, or sampled power when the GPU has no counter), powermetrics on
Apple silicon. Elsewhere it models power: CPU from TDP × load, RAM as a constant per GB. A modelled
figure is labelled "estimated", never "measured".

`classify` runs inside the worker, which reports its dicts as JSON; carbon-gate reads them back as
`PowerSources` (`measure.run`, `results.reader`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMPONENTS = ("cpu", "ram", "gpu")  # in the order codecarbon's sources are written

_CPU_MODELLED = {"cpu_load": "TDP × CPU load model", "tdp": "constant TDP", "constant": "constant"}
# Counters read the whole package, whichever process used it.
_CPU_COUNTERS = {
    "intel_rapl": "RAPL energy counter (whole CPU package)",
    "windows_emi": "Windows EMI energy counter (whole CPU package)",
    "intel_power_gadget": "Intel Power Gadget (whole CPU package)",
}
_GPU_VENDORS = {"NvidiaGPUDevice": "NVML", "AMDGPUDevice": "amdsmi"}


def classify(hardware: list[Any]) -> dict[str, Any]:
    """`cpu`, `gpu`, `ram`: each {source: measured|estimated, method, model} or None if absent."""
    sources: dict[str, Any] = {"cpu": None, "ram": None, "gpu": None}
    for device in hardware:
        kind = type(device).__name__
        if kind == "CPU":
            sources["cpu"] = _cpu(device)
        elif kind == "RAM":
            sources["ram"] = {"source": "estimated", "method": "codecarbon's RAM power model"}
        elif kind == "GPU":
            sources["gpu"] = _gpu(device)
        elif kind == "AppleSiliconChip":
            part = "gpu" if getattr(device, "chip_part", "CPU").upper() == "GPU" else "cpu"
            sources[part] = {
                "source": "measured",
                "method": "powermetrics (whole chip part)",
                "model": getattr(device, "_model", "Apple silicon"),
            }
    return sources


def _cpu(device: Any) -> dict[str, Any]:
    mode = getattr(device, "_mode", "unknown")
    model = getattr(device, "_model", "unknown CPU")
    if mode in _CPU_COUNTERS:
        return {"source": "measured", "method": _CPU_COUNTERS[mode], "model": model}
    tdp = getattr(device, "_tdp", None)
    method = _CPU_MODELLED.get(mode, f"codecarbon's {mode} model") + (
        f" (TDP {tdp} W)" if tdp else ""
    )
    return {"source": "estimated", "method": method, "model": model}


def _gpu(device: Any) -> dict[str, Any]:
    """A GPU's energy is measured either way: from its energy counter, or from sampled power."""
    devices = list(getattr(getattr(device, "devices", None), "devices", []))
    methods, names = set(), []
    for gpu in devices:
        vendor = _GPU_VENDORS.get(type(gpu).__name__, "the GPU driver")
        counter = getattr(gpu, "last_energy", None) is not None and not getattr(
            gpu, "_use_power_fallback", True
        )
        methods.add(f"{vendor} energy counter" if counter else f"{vendor} power readings × time")
        names.append(_name(gpu))
    method = " and ".join(sorted(methods)) or "GPU driver"
    return {
        "source": "measured",
        "method": f"{method} (whole GPU)",
        "model": ", ".join(n for n in names if n) or "GPU",
    }


def _name(gpu: Any) -> str:
    try:
        return str(gpu.get_static_details().get("name", ""))
    except Exception:  # the driver may refuse after start-up; the name is only decoration
        return ""


@dataclass(frozen=True)
class PowerSource:
    """How one component's energy was had: "measured" by a counter, or "estimated" by a model."""

    source: str
    method: str
    model: str | None = None  # the hardware, when codecarbon names it

    def as_json(self) -> dict[str, str]:
        """As the worker reports it and the results file records it."""
        shown = {"source": self.source, "method": self.method}
        return shown if self.model is None else {**shown, "model": self.model}


@dataclass(frozen=True)
class PowerSources:
    """Each component's power source; None for a component codecarbon did not find."""

    cpu: PowerSource | None = None
    ram: PowerSource | None = None
    gpu: PowerSource | None = None

    @classmethod
    def of(cls, reported: Mapping[str, Any]) -> PowerSources:
        """The sources as the worker reports them (`classify`'s), as values."""

        def one(given: Mapping[str, Any] | None) -> PowerSource | None:
            if given is None:
                return None
            return PowerSource(given["source"], given["method"], given.get("model"))

        return cls(**{name: one(reported.get(name)) for name in COMPONENTS})

    def present(self) -> list[tuple[str, PowerSource]]:
        """The components found, as the report lists them (CPU, GPU, RAM)."""
        found = ((name, getattr(self, name)) for name in ("cpu", "gpu", "ram"))
        return [(name, source) for name, source in found if source is not None]

    def as_json(self) -> dict[str, Any]:
        """As the worker reports them and the results file records them."""
        found = ((name, getattr(self, name)) for name in COMPONENTS)
        return {name: None if source is None else source.as_json() for name, source in found}

    @property
    def energy_kind(self) -> str:
        """ "measured" when every component found was measured, "estimated" when none was,
        else "partly measured"."""
        kinds = {source.source for _, source in self.present()}
        if kinds == {"measured"}:
            return "measured"
        return "estimated" if kinds <= {"estimated"} else "partly measured"
