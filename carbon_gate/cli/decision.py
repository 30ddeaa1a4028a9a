"""The decision `check` and `report` both make, from the two sides' results (untrusted: only what
they measured is used, see `gate.trusted`) and the budget file the gate was given."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from carbon_gate.budget import config
from carbon_gate.budget.settings import Config
from carbon_gate.cli.options import GateOptions
from carbon_gate.errors import UsageError
from carbon_gate.gate import compare, paired, sides, trusted
from carbon_gate.lifecycle import grid
from carbon_gate.measure import measurement
from carbon_gate.measure.batches import in_turn
from carbon_gate.results import results_file
from carbon_gate.results.records import Results


class Inputs(NamedTuple):
    """The two sides' results, notes for the report, and why a comparison that was asked for
    could not be made."""

    head: Results
    base: Results | None
    notes: tuple[str, ...] = ()
    unjudged: str = ""


class Decided(NamedTuple):
    """The decision, both sides as the gate judged them, and the report's notes."""

    decision: compare.Decision
    head: trusted.Judged
    base: trusted.Judged | None
    notes: list[str]


def head_results(path: Path, loaded: Config, config_path: Path) -> Results:
    """The head's results file (--results), checked, and measured for the budget file's
    benchmark."""
    content = results_file.load(path)
    if loaded.benchmark is not None:
        identity = measurement.identity(loaded.benchmark)
        results_file.check_matches(content, path, config.display_name(config_path), identity)
    return content


def baseline(options: GateOptions) -> Results | None:
    """The base's results file, checked like the head's, or None without --baseline."""
    return results_file.load(options.baseline) if options.baseline else None


def not_measured(head: Results) -> str:
    """Why the base was not measured, as the head's results say (maybe a fork's: one line, cut)."""
    said = head.base_not_measured
    if not said:
        return ""
    return "the base was not measured: " + " ".join(said.split())[:300]


@contextlib.contextmanager
def malformed_is_refused() -> Iterator[None]:
    """Untrusted input never reaches exit 3: whatever slipped past the checks is refused."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as error:
        raise UsageError(
            f"a results file has a malformed value ({error}) — measure again"
        ) from None


@malformed_is_refused()
def decide(
    loaded: Config,
    inputs: Inputs,
    data: grid.GridData,
    options: GateOptions,
) -> Decided:
    """The decision, from the budget file the gate was given and what the results measured."""
    notes, unjudged = list(inputs.notes), inputs.unjudged
    head = trusted.judged(inputs.head, loaded, data, str(options.results or "head"))
    base = None
    if inputs.base is not None:
        base_name = str(options.baseline or "base")
        base = trusted.judged(inputs.base, loaded, data, base_name)
        changed = results_file.benchmark_changes(
            inputs.base.benchmark.recorded, inputs.head.benchmark.recorded
        )
        sizes = (base.measurement.batch_size, head.measurement.batch_size)
        if not changed and sizes[0] != sizes[1]:
            changed = f"batch_size {sizes[0]} → {sizes[1]}"
        if changed:
            # Two different benchmarks say nothing about each other: no growth check at all.
            unjudged = f"the base measured another benchmark ({changed})"
            base = None
    elif not unjudged:
        unjudged = not_measured(inputs.head)  # the measuring run said why, if it was asked to
    found = None
    batches = None if base is None else trusted.pairs(head, base)
    if batches is not None and batches.unjudged:
        unjudged, base = batches.unjudged, None
    elif batches is not None:
        factor = data.factor(loaded.assumptions.location)
        pricing = paired.Pricing(loaded.assumptions, factor, head.measurement.batch_size)
        # Which pair of processes measured each pair, as recorded; a file from before that was:
        # as many per side as the budget file the gate was given says, taking the pairs in turn
        # (none said: one, the widest allowance for the difference between them).
        workers = loaded.benchmark.compare_workers if loaded.benchmark else 1
        processes = list(batches.processes) or in_turn(len(batches.head), workers)
        found = paired.judge(pricing, batches.head, batches.base, processes)
    decision = compare.decide(
        sides.side_of(head.estimate, head.measurement),
        None if base is None else sides.side_of(base.estimate, base.measurement),
        loaded.budgets,
        warn_only=options.warn_only,
        paired=found,
        unjudged=unjudged,
    )
    notes += head.notes
    return Decided(decision, head, base, notes)
