"""codecarbon inside the worker process: its tracker, started in the background while the model
warms up, and what it tells about the machine (the environment, which power figures are measured).
"""

from __future__ import annotations

import inspect
import logging
import platform
import threading
from typing import Any


def start(spec: dict[str, Any]) -> tuple[Any, Any]:
    """codecarbon's offline tracker (silent, writing and sending nothing, PUE left to the
    estimator), and the emissions data of its first, empty task, which names the hardware."""
    import codecarbon.emissions_tracker
    from codecarbon import OfflineEmissionsTracker

    # The gate decides how codecarbon runs, all of it: a .codecarbon.config in the working
    # directory (a pull request may add one) or the home folder must not force power figures or
    # modes, nor send or write emissions anywhere. Its loader reads those files (and CODECARBON_*
    # variables, which the worker does not get): it finds nothing now. What the gate sets is also
    # passed explicitly, as far as this version of codecarbon knows the setting.
    if not hasattr(codecarbon.emissions_tracker, "get_hierarchical_config"):
        # Renamed in a newer codecarbon: its files would be read again. Refuse rather than
        # measure under settings a pull request may have chosen.
        raise RuntimeError(
            "this codecarbon reads its settings another way than carbon-gate knows; "
            "install a codecarbon carbon-gate supports (pip install 'codecarbon>=3,<4')"
        )
    codecarbon.emissions_tracker.get_hierarchical_config = dict
    accepted = inspect.signature(codecarbon.emissions_tracker.BaseEmissionsTracker).parameters
    settings: dict[str, Any] = {
        "output_methods": [],
        "emissions_endpoint": None,
        "log_level": "error",
        "pue": 1.0,
        "measure_power_secs": 1,
        # A shell command's energy is the whole machine's; a callable's is this process's.
        "tracking_mode": "machine" if spec.get("command") else "process",
        "allow_multiple_runs": True,
        "force_cpu_power": None,
        "force_ram_power": None,
        "force_mode_cpu_load": False,
        "rapl_include_dram": False,
        "rapl_prefer_psys": False,
        "force_carbon_intensity_g_co2e_kwh": None,
        "gpu_ids": None,
    }
    tracker = OfflineEmissionsTracker(
        country_iso_code=spec["country"],
        region=None,
        cloud_provider=None,
        cloud_region=None,
        **{name: value for name, value in settings.items() if name in accepted},
    )
    logging.getLogger("codecarbon").disabled = True
    # The hardware probe (~1.4 s) happens on the first task: do it now, outside any measurement.
    tracker.start_task("probe")
    return tracker, tracker.stop_task()


class Probe(threading.Thread):
    """Starts codecarbon's tracker in the background; `result()` waits for it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(name="carbon-gate-probe", daemon=True)
        self.spec = spec
        self.tracker: tuple[Any, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.tracker = start(self.spec)
        except BaseException as error:  # handed to the main thread by result()
            self.error = error

    def result(self) -> tuple[Any, Any]:
        self.join()
        if self.error is not None:
            raise self.error
        assert self.tracker is not None
        return self.tracker


def environment(data: Any) -> dict[str, Any]:
    from importlib.metadata import version

    return {
        "cpu_model": data.cpu_model,
        "cpu_count": data.cpu_count,
        "gpu_model": data.gpu_model or None,
        "gpu_count": data.gpu_count or 0,
        "ram_total_gb": data.ram_total_size,
        "tracking_mode": data.tracking_mode,
        "os": platform.platform(),
        "python": platform.python_version(),
        "codecarbon": version("codecarbon"),
    }


def power_sources(tracker: Any) -> dict[str, Any]:
    from carbon_gate.measure.power_sources import classify

    return classify(getattr(tracker, "_hardware", []))
