"""Which of codecarbon's figures were measured and which were modelled, component by component.

codecarbon measures energy only where the hardware offers it: RAPL counters for CPUs, NVML or
amdsmi for GPUs (an energy counter, or sampled power when the GPU has no counter), powermetrics on
Apple silicon. Elsewhere it models power: CPU from TDP × load, RAM as a constant per GB. A modelled
figure is labelled "estimated", never "measured".
"""

from __future__ import annotations

from typing import Any

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


def energy_kind(sources: dict[str, Any]) -> str:
    """ "measured" when every present component was measured, "estimated" when none was."""
    kinds = {s["source"] for s in sources.values() if s is not None}
    if kinds == {"measured"}:
        return "measured"
    return "estimated" if kinds <= {"estimated"} else "partly measured"
