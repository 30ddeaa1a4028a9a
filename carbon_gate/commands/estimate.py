"""`carbon-gate estimate`: the life-cycle footprint from the budget file and/or flags."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carbon_gate import budget, config, grid, output, render_estimate
from carbon_gate.assumptions import Assumptions, Location, TrainingHardware
from carbon_gate.errors import UsageError
from carbon_gate.estimate import estimate as run_estimate
from carbon_gate.units import QuantityError

# Flag name -> (Assumptions field, parser). The parsers are those of the budget file, so a flag
# accepts exactly what the file accepts.
Parsers = dict[str, tuple[str, Callable[[Any], Any]]]


def estimate(
    config_path: Path | None,
    overrides: dict[str, Any],
    output_format: str,
) -> int:
    """Print the estimate; return 1 when a budget is exceeded, else 0."""
    data = grid.load()
    loaded = config.load(config_path, data) if config_path else None
    assumptions = apply_flags(loaded.assumptions if loaded else Assumptions(), overrides)
    factor = data.factor(assumptions.location)
    result = run_estimate(assumptions, factor, data.alternatives(factor))
    checks = budget.check(result, loaded.budgets) if loaded else []
    render = {
        "json": render_estimate.to_json,
        "markdown": render_estimate.to_markdown,
        "table": render_estimate.to_text,
    }[output_format]
    output.result(render(result, checks))
    if render_estimate.overall_status(checks) == "fail":
        if output_format != "table":
            over = ", ".join(c.key for c in checks if c.status == "fail")
            output.message(f"over budget: {over}")
        return 1
    return 0


def apply_flags(base: Assumptions, flags: dict[str, Any]) -> Assumptions:
    """`base` with every flag the user gave taking precedence; each marked as coming from a flag."""
    from carbon_gate import units

    parsers: Parsers = {
        "per_inference": ("per_inference", units.parse_energy),
        "training_samples": ("training_samples", units.parse_count),
        "epochs": ("epochs", _positive(units.parse_count)),
        "overhead_factor": ("overhead_factor", _at_least_one(float)),
        "search_trials": ("search_trials", units.parse_count),
        "inferences": ("inferences", units.parse_count),
        "pue": ("pue", _at_least_one(float)),
    }
    changes: dict[str, Any] = {}
    sources = dict(base.sources)
    for flag, (name, parse) in parsers.items():
        if flags.get(flag) is not None:
            changes[name] = _parse(flag, parse, flags[flag])
            sources[name] = f"--{flag.replace('_', '-')}"
    location = _location(flags)
    if location is not None:
        changes["location"] = location
        sources["location"] = "--region" if flags.get("region") else "--intensity"
    hardware = _hardware(base.training_hardware, flags)
    if hardware is not base.training_hardware:
        changes["training_hardware"] = hardware
        sources["training_hardware"] = "--processors/--hours/--watts"
    return dataclasses.replace(base, **changes, sources=sources)


def _parse(flag: str, parse: Callable[[Any], Any], text: str) -> Any:
    try:
        return parse(text)
    except (QuantityError, ValueError) as error:
        hint = f" — {error.hint}" if isinstance(error, QuantityError) else ""
        message = error.message if isinstance(error, QuantityError) else f"invalid value {text!r}"
        raise UsageError(f"--{flag.replace('_', '-')}: {message}{hint}") from None


def _positive(parse: Callable[[Any], float]) -> Callable[[Any], float]:
    def checked(text: Any) -> float:
        value = parse(text)
        if value <= 0:
            raise QuantityError("must be more than zero", "write a positive number")
        return value

    return checked


def _at_least_one(parse: Callable[[Any], float]) -> Callable[[Any], float]:
    def checked(text: Any) -> float:
        value = parse(text)
        if not value >= 1:
            raise QuantityError("must be 1 or more", "write 1 or more")
        return value

    return checked


def _location(flags: dict[str, Any]) -> Location | None:
    from carbon_gate import units

    region, intensity = flags.get("region"), flags.get("intensity")
    if region and intensity:
        raise UsageError("--region and --intensity both given — keep only one of them")
    if intensity:
        return Location(intensity=_parse("intensity", units.parse_intensity, intensity))
    if not region:
        return None
    if region.lower() in ("world", "world-average"):
        return Location(world_average=True)
    provider, colon, name = region.partition(":")
    if colon:
        return Location(cloud_provider=provider.strip(), cloud_region=name.strip())
    return Location(country=region.strip().upper())


def _hardware(base: TrainingHardware | None, flags: dict[str, Any]) -> TrainingHardware | None:
    from carbon_gate import units

    given = {k: flags[k] for k in ("processors", "hours", "watts") if flags.get(k) is not None}
    if not given:
        return base
    processors = (
        _parse("processors", _positive(units.parse_count), given["processors"])
        if "processors" in given
        else (base.processors if base else None)
    )
    hours = (
        _parse("hours", lambda t: units.parse_duration(t, "h").hours, given["hours"])
        if "hours" in given
        else (base.hours if base else None)
    )
    watts = (
        _parse("watts", _positive(units.parse_power), given["watts"])
        if "watts" in given
        else (base.watts_per_processor if base else None)
    )
    if processors is None or hours is None or watts is None:
        absent = [f"--{k}" for k in ("processors", "hours", "watts") if k not in given]
        raise UsageError(
            f"the hardware estimate needs --processors, --hours and --watts; {', '.join(absent)} "
            "missing — give all three (or set lifecycle.training_hardware in the budget file)"
        )
    if hours <= 0:
        raise UsageError('--hours: must be more than zero — write e.g. 36 or "36 h"')
    return TrainingHardware(processors, hours, watts)
