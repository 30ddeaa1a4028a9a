"""`carbon-gate measure`: run the benchmark, write the results file, print the life cycle."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from carbon_gate import budget, config, grid, measure, output, render_estimate, results
from carbon_gate.commands.estimate import budget_exit_code
from carbon_gate.errors import UsageError
from carbon_gate.estimate import estimate
from carbon_gate.render_measurement import describe_plan
from carbon_gate.render_measurement import to_text as measurement_text


def measure_command(config_path: Path, results_path: Path, output_format: str) -> int:
    """Measure, save the results file, print; 1 when over budget, 2 when a budget is uncheckable."""
    data = grid.load()
    loaded = config.load(config_path, data)
    content, text, checks = measure_to_file(loaded, config_path, results_path, data)
    if output_format == "json":
        output.result(json.dumps(content, indent=2, ensure_ascii=False))
    else:
        output.result(text)
    return budget_exit_code(checks, output_format)


def measure_to_file(
    loaded: config.Config, config_path: Path, results_path: Path, data: grid.GridData
) -> tuple[dict[str, Any], str, list[budget.BudgetCheck]]:
    """Run the benchmark of `loaded` and write the results file: its content, the text to show,
    and the absolute budget checks."""
    name = config.display_name(config_path)
    bench = loaded.benchmark
    if bench is None:
        raise UsageError(
            f"{name}: no `benchmark:` section — add one with "
            "`callable: package.module:function` (see the README)"
        )
    location = loaded.assumptions.location
    # Fail on a bad grid or an unwritable --output before spending time on measuring.
    factor = data.factor(location)
    results.writable(results_path)
    spec = measure.worker_spec(bench, data.country_of(location))
    output.message(describe_plan(bench))
    raw = measure.run_worker(spec, bench.timeout_s)
    measurement = measure.summarize_run(raw, bench.batch_size)

    identity = measure.identity(bench)
    measured = results.MeasuredEnergy.of(measurement, str(results_path), identity)
    assumptions = results.apply(loaded.assumptions, measured)
    result = estimate(assumptions, factor, data.alternatives(factor))
    checks = budget.check(result, loaded.budgets)
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    content = results.document(
        measurement,
        benchmark=identity,
        estimate=json.loads(render_estimate.to_json(result, checks)),
        created=created,
        config_name=name,
    )
    results.write(results_path, content)
    text = measurement_text(measurement, bench, str(results_path))
    return content, text + "\n" + render_estimate.to_text(result, checks), checks
