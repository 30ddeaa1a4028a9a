"""`carbon-gate estimate`: the life-cycle footprint from the budget file and/or its flags
(`EstimateFlags`), each flag read like the budget-file key it overrides and named as its source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon_gate import output
from carbon_gate.budget import config, schema
from carbon_gate.cli.options import EstimateFlags
from carbon_gate.errors import UsageError
from carbon_gate.gate import estimate_json, limits, trusted
from carbon_gate.lifecycle import grid
from carbon_gate.lifecycle.assumptions import Assumptions, Given, Location, TrainingHardware
from carbon_gate.lifecycle.estimate import estimate as run_estimate
from carbon_gate.measure import measurement
from carbon_gate.report import render_estimate
from carbon_gate.results import measured_energy, results_file
from carbon_gate.units import QuantityError

# EstimateFlags field -> (Assumptions field, budget-file key). A flag is parsed and checked by the
# spec of its key, so it accepts exactly what the file accepts, and rejects what the file rejects.
FLAGS = {
    "per_inference": ("per_inference", "lifecycle.per_inference"),
    "training_samples": ("training_samples", "lifecycle.training_samples"),
    "epochs": ("epochs", "lifecycle.epochs"),
    "overhead_factor": ("overhead_factor", "lifecycle.overhead_factor"),
    "search_trials": ("search_trials", "lifecycle.search.trials"),
    "trial_share": ("trial_share", "lifecycle.search.trial_share"),
    "inferences": ("inferences", "lifecycle.inferences"),
    "hardware_transfer": ("hardware_transfer", "lifecycle.hardware_transfer"),
    "pue": ("pue", "grid.pue"),
}
HARDWARE_FLAGS = ("processors", "hours", "watts")


def estimate(config_path: Path | None, flags: EstimateFlags) -> int:
    """Print the estimate; 1 when a budget is exceeded, 2 when a budget cannot be checked.

    Precedence: flags, then the measured results, then the budget file, then the defaults.
    """
    data = grid.load()
    loaded = config.load(config_path, data) if config_path else None
    base = loaded.assumptions if loaded else Assumptions()
    results_path = flags.results_path
    if results_path is not None:
        document = results_file.load(results_path)
        if loaded and loaded.benchmark and config_path:
            identity = measurement.identity(loaded.benchmark)
            name = config.display_name(config_path)
            results_file.check_matches(document, results_path, name, identity)
        base = measured_energy.apply(base, trusted.measured_in(document, str(results_path))[1])
    assumptions = apply_flags(base, flags)
    factor = data.factor(assumptions.location)
    result = run_estimate(assumptions, factor, data.alternatives(factor))
    checks = limits.check(result, loaded.budgets) if loaded else []
    render = {
        "json": estimate_json.to_json,
        "markdown": render_estimate.to_markdown,
        "table": render_estimate.to_text,
    }[flags.output_format]
    output.result(render(result, checks))
    return budget_exit_code(checks, flags.output_format)


def budget_exit_code(checks: list[limits.BudgetCheck], output_format: str) -> int:
    """1 if a budget is exceeded; 2 if one cannot be checked (never a silent pass); else 0.

    The table already says why; for JSON and Markdown the reason goes to stderr."""
    status = limits.verdict(checks)
    if output_format != "table":
        for c in checks:
            if c.status == "fail":
                output.message(f"over budget: budgets.{c.key}")
            elif c.status == "unknown":
                output.message(f"error: budgets.{c.key} cannot be checked: {c.reason}")
    return limits.exit_code(status)


def apply_flags(base: Assumptions, flags: EstimateFlags) -> Assumptions:
    """`base` with every flag the user gave taking precedence; each marked as coming from a flag."""
    changes: dict[str, Given] = {}
    for flag, (name, key) in FLAGS.items():
        text = getattr(flags, flag)
        if text is not None:
            changes[name] = Given(read_flag(flag, key, text), f"--{flag.replace('_', '-')}")
    location = _location(flags.region, flags.intensity)
    if location is not None:
        changes["location"] = Given(
            location, "--region" if flags.region is not None else "--intensity"
        )
    hardware = _hardware(base.training_hardware, flags)
    if hardware is not base.training_hardware:
        changes["training_hardware"] = Given(hardware, "--processors/--hours/--watts")
    return base.given(**changes)


def read_flag(flag: str, key: str, text: str) -> Any:
    """The value of `--flag TEXT`, parsed and checked like the budget-file key `key`."""
    try:
        value = schema.field(key).read(text)
    except QuantityError as error:
        hint = f" — {error.hint}" if error.hint else ""
        raise UsageError(f"--{flag.replace('_', '-')}: {error.message}{hint}") from None
    return value


def _location(region: str | None, intensity: str | None) -> Location | None:
    if region is not None and intensity is not None:
        raise UsageError("--region and --intensity both given — keep only one of them")
    if intensity is not None:
        return Location(intensity=read_flag("intensity", "grid.intensity", intensity))
    if region is None:
        return None
    region = region.strip()
    if not region:
        raise UsageError("--region: is empty — write e.g. DEU, gcp:europe-west1 or world")
    if region.lower() in ("world", "world-average"):
        return Location(world_average=True)
    provider, colon, name = region.partition(":")
    if colon:
        return Location(cloud_provider=provider.strip(), cloud_region=name.strip())
    return Location(country=region.upper())


def _hardware(base: TrainingHardware | None, flags: EstimateFlags) -> TrainingHardware | None:
    given = {k: text for k in HARDWARE_FLAGS if (text := getattr(flags, k)) is not None}
    if not given:
        return base
    values: dict[str, Any] = {
        "processors": base.processors if base else None,
        "hours": base.hours if base else None,
        "watts": base.watts_per_processor if base else None,
    }
    for flag, text in given.items():
        values[flag] = read_flag(flag, f"lifecycle.training_hardware.{flag}", text)
    if "hours" in given:
        values["hours"] = values["hours"].hours
    absent = [f"--{k}" for k in HARDWARE_FLAGS if values[k] is None]
    if absent:
        raise UsageError(
            f"the hardware estimate needs --processors, --hours and --watts; {', '.join(absent)} "
            "missing — give all three (or set lifecycle.training_hardware in the budget file)"
        )
    return TrainingHardware(values["processors"], values["hours"], values["watts"])
