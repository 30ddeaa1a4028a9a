"""carbon-gate: a carbon-budget gate for machine-learning repositories.

A pipeline, one subpackage a stage, in the order a pull request goes through them (imports go the
other way, from `cli` down; docs/architecture.md draws it):

    budget      the budget file → Config
    measure     the model run under codecarbon in a worker process → Measurement
    results     the results file: written by measure, read back untrusted → Results
    lifecycle   the seed paper's life-cycle estimate → Estimate
    gate        each side recomputed, judged against the budgets and the base → Decision
    report      the decision as Markdown and text
    github      the pull request, the comment, Actions' outputs, the fork-safe artifact
    history     the default branch's runs, kept on a branch of the repository's own Git
    cli         the commands that drive it, and the exit codes

and the shared base below them all:

    quantities  amounts whose type fixes the unit (Energy, Mass, Intensity, …)
    units       what people write ("0.3 kWh") → quantities
    readable    quantities as people read them
    stats       medians, means, spreads and intervals of repeated measurements
    files       files written whole or not at all
    output      everything printed: results to stdout, messages to stderr
    errors      the errors, and the exit code each means
    example     the built-in example model (`--example`)
    __main__    `python -m carbon_gate`
"""

from __future__ import annotations

__version__ = "0.1.0"
