"""The report's view of what each side measured: the benchmark, the energy per sample with its
spread, where the energy came from, the machine; how head and base were paired; and what makes
them less like for like. Pure.

A results file may come from a fork's pull request: every string in it is untrusted (the template
escapes it), and numbers are formatted here, so that nothing but text reaches the template.
"""

from __future__ import annotations

from typing import Any

from carbon_gate.gate.compare import Decision
from carbon_gate.gate.paired import PROCESS_SPREAD, describe_stop
from carbon_gate.gate.trusted import Judged
from carbon_gate.quantities import Energy
from carbon_gate.readable import format_energy, format_energy_range
from carbon_gate.report.estimate_view import number


def measured(side: Judged | None) -> dict[str, Any] | None:
    """How one side was measured, from its batches summarised again (`side.measurement`) and what
    its results file says of the benchmark and the machine."""
    if side is None:
        return None
    m, recorded = side.measurement, side.results
    per_sample, k, train = m.per_sample_j, m.overhead_factor, m.train_per_sample_j
    return {
        "what": recorded.benchmark.what,
        "batch": number(m.batch_size),
        "repeats": number(per_sample.n),
        "per_sample": format_energy(Energy(per_sample.mean)),
        "ci": format_energy_range(max(0.0, per_sample.ci_low), per_sample.ci_high, per_sample.mean),
        "cv": f"{per_sample.cv:.1%}",
        "kind": recorded.power_sources.energy_kind,
        "sources": [
            {
                "component": name.upper(),
                "source": source.source,
                "method": source.method,
                "model": source.model or "",
            }
            for name, source in recorded.power_sources.present()
        ],
        # k as the estimate takes it: the mean step over the mean inference.
        "k": None
        if k is None or train is None
        else f"{train.mean / per_sample.mean:.2f} "
        f"(repeats: 95 % CI {max(0.0, k.ci_low):.2f} – {k.ci_high:.2f})",
        "environment": recorded.environment.shown(),
        "warnings": list(m.warnings),
    }


def paired(decision: Decision, head: Judged) -> dict[str, str] | None:
    """How head and base were compared in pairs, when they were: how many, why they ended, and
    how far two processes of the same code differed (`spread`: the largest of the typical
    calls', over how many pairs of processes)."""
    counted = [row.change.pairs for row in decision.rows if row.change is not None]
    if not counted:
        return None
    comparison = head.results.comparison
    seconds = 0.0 if comparison is None else comparison.max_seconds
    stopped = "" if comparison is None else comparison.stopped
    typical = [row.typical for row in decision.rows if row.typical is not None]
    widest = max(typical, key=lambda change: change.process_spread, default=None)
    spread = ""
    if widest is not None and widest.processes >= 2:
        spread = (
            f"two worker processes of the same code differed by {widest.process_spread:.1%} "
            f"in this run (measured over {widest.processes} pairs of processes); the intervals "
            f"allow for {min(PROCESS_SPREAD.values()):.1%}"
        )
    return {
        "pairs": str(counted[0]),
        "stopped": describe_stop(stopped, counted[0], seconds),
        "spread": spread,
    }


def unlike(head: Judged, base: Judged | None) -> list[str]:
    """What makes the comparison less like-for-like."""
    if base is None:
        return []
    notes = []
    cpu = [side.results.environment.cpu_model or "" for side in (head, base)]
    if cpu[0] != cpu[1]:
        notes.append(
            f"head and base ran on different CPUs ({cpu[1]} → {cpu[0]}): the change "
            "includes the hardware's"
        )
    kinds = [side.results.power_sources.energy_kind for side in (head, base)]
    if kinds[0] != kinds[1]:
        notes.append(
            f"the base's energy was {kinds[1]}, the head's {kinds[0]}: they are not like for like"
        )
    return notes
