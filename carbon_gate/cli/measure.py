"""`carbon-gate measure`: run the benchmark, write the results file, print the life cycle."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import NamedTuple

from carbon_gate import files, output
from carbon_gate.budget import config
from carbon_gate.budget.settings import Benchmark, Config
from carbon_gate.cli.estimate import budget_exit_code
from carbon_gate.errors import UsageError
from carbon_gate.gate import estimate_json, limits
from carbon_gate.gate.trusted import estimated
from carbon_gate.lifecycle import grid
from carbon_gate.lifecycle.estimate import Estimate
from carbon_gate.measure import worker_process
from carbon_gate.measure.measurement import identity, summarize_run, worker_spec
from carbon_gate.measure.run import Run
from carbon_gate.report import render_estimate
from carbon_gate.report.render_measurement import describe_plan
from carbon_gate.report.render_measurement import to_text as measurement_text
from carbon_gate.results import measured_energy, records, results_file
from carbon_gate.results.records import Comparison, Results


def measure_command(config_path: Path, results_path: Path, output_format: str) -> int:
    """Measure, save the results file, print; 1 when over budget, 2 when a budget is uncheckable."""
    data = grid.load()
    loaded = config.load(config_path, data)
    done = measure_to_file(loaded, config_path, results_path, data)
    if output_format == "json":
        document = results_file.to_json(
            done.results, estimate_json.as_json(done.estimate, done.checks)
        )
        output.result(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        output.result(done.measurement_text + "\n" + done.estimate_text)
    return budget_exit_code(done.checks, output_format)


class Measured(NamedTuple):
    """A finished measurement: what the results file holds, the estimate and budgets written with
    it, and what to show of them."""

    results: Results
    estimate: Estimate
    checks: list[limits.BudgetCheck]
    measurement_text: str
    estimate_text: str


def measure_to_file(
    loaded: Config,
    config_path: Path,
    results_path: Path,
    data: grid.GridData,
    *,
    base_not_measured: str | None = None,
) -> Measured:
    """Run the benchmark of `loaded` and write the results file (saying why the base was not
    measured beside it, when it was to be)."""
    bench = runnable(loaded, config_path, results_path, data)
    output.message(describe_plan(bench))
    spec = worker_spec(bench, data.country_of(loaded.assumptions.location))
    run = worker_process.run_worker(spec, bench.timeout_s)
    return record(loaded, config_path, results_path, data, run, base_not_measured=base_not_measured)


def runnable(
    loaded: Config, config_path: Path, results_path: Path, data: grid.GridData
) -> Benchmark:
    """The benchmark, once the grid and the results file's folder are known to be usable: a bad
    grid or an unwritable --output fails before any time is spent on measuring."""
    if loaded.benchmark is None:
        raise UsageError(
            f"{config.display_name(config_path)}: no `benchmark:` section — add one with "
            "`callable: package.module:function` (see carbon-gate's docs/measuring.md)"
        )
    data.factor(loaded.assumptions.location)
    files.writable(results_path)
    return loaded.benchmark


def record(
    loaded: Config,
    config_path: Path,
    results_path: Path,
    data: grid.GridData,
    run: Run,
    *,
    comparison: Comparison | None = None,
    comparison_id: str | None = None,
    base_not_measured: str | None = None,
) -> Measured:
    """Summarise the worker's run, estimate the life cycle, write the results file; with
    `check --base-ref`, with how it relates to the base (see `records.Results`)."""
    bench = runnable(loaded, config_path, results_path, data)
    measurement = summarize_run(run.batches, bench.batch_size, run.power_sources)
    # The file's name, not its path: a CI runner's temporary folder means nothing in a report.
    measured = measured_energy.MeasuredEnergy.of(measurement, results_path.name)
    result, checks = estimated(loaded, data, measured)
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    content = records.measured(
        run,
        identity(bench),
        warnings=measurement.warnings,
        created=created,
        config=config.display_name(config_path),
        comparison=comparison,
        comparison_id=comparison_id,
        base_not_measured=base_not_measured,
    )
    results_file.write(results_path, content, estimate_json.as_json(result, checks))
    return Measured(
        content,
        result,
        checks,
        measurement_text(measurement, content, bench, str(results_path)),
        render_estimate.to_text(result, checks),
    )
