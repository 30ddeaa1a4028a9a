"""The default branch's trend in the pull-request report: its recent runs of the life cycle and of
inference as Unicode sparklines, with the head's figure beside them.

Context, never a verdict: separate runs on different machines, or in batches of other lengths,
differ by more than the few percent the paired comparison resolves, so runs measured otherwise than
the head are drawn on a row of their own, and the report says the comparison judges the pull
request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from carbon_gate.gate.trusted import Judged
from carbon_gate.history.entries import Entry, Hardware
from carbon_gate.quantities import Mass
from carbon_gate.readable import format_amount

RUNS = 20  # the runs a trend shows: enough to see a drift, short enough for a table cell
BARS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a run drawn on the other row
# As the report's table names them; a thousand inferences are known whenever the energy is.
STAGES = (("lifecycle", "Life cycle"), ("inference_per_1000", "Inference, per 1,000"))


@dataclass(frozen=True)
class History:
    """What the report is given of the history: the runs of the head's budget file, oldest first,
    and where they came from; or why there are none (`problem`)."""

    source: str
    runs: tuple[Entry, ...] = ()
    problem: str = ""


def hardware_of(head: Judged) -> Hardware:
    """The head's hardware, as the history fingerprints a run's."""
    results = head.results
    return Hardware.of(results.environment, head.measurement.energy_kind, results.batches.inference)


def view(history: History | None, head: Judged) -> dict[str, Any] | None:
    """The trend's rows for the template, or None when no history was asked for."""
    if history is None:
        return None
    runs = history.runs[-RUNS:]
    if history.problem or not runs:
        problem = history.problem or f"no runs of this budget file in {history.source} yet"
        return {"problem": problem, "rows": [], "runs": 0}
    here = hardware_of(head).fingerprint
    rows = []
    for key, label in STAGES:
        values = [_value(run, key) for run in runs]
        head_stage = (
            head.estimate.per_1000_inferences
            if key == "inference_per_1000"
            else head.estimate.stages.get(key)
        )
        head_kg = None if head_stage is None else head_stage.co2eq.kg
        if any(v is not None for v in values) or head_kg is not None:
            rows.extend(_rows(label, runs, values, head_kg, here))
    others = sorted({run.hardware.label for run in runs if run.hardware.fingerprint != here})
    return {
        "problem": "",
        "rows": rows,
        "runs": len(runs),
        "source": history.source,
        "config": runs[-1].config,
        "others": others,
        "head_hardware": hardware_of(head).label,
    }


def _value(run: Entry, key: str) -> float | None:
    stage = run.stage(key)
    return None if stage is None else stage.co2eq_kg.value


def _rows(
    label: str,
    runs: Sequence[Entry],
    values: Sequence[float | None],
    head: float | None,
    here: tuple[object, ...],
) -> list[dict[str, str]]:
    """The stage's row of runs measured as the head was, and a row of the others when there are.
    Each row is drawn to its own scale (the head's row with the head): the two do not compare."""
    same = [run.hardware.fingerprint == here for run in runs]
    rows = [_row(label, values, same, head)]
    if not all(same):
        rows.append(_row("↳ measured otherwise", values, [not s for s in same], None))
    return rows


def _row(
    label: str, values: Sequence[float | None], shown: Sequence[bool], head: float | None
) -> dict[str, str]:
    picked = [v for v, show in zip(values, shown, strict=True) if show and v is not None]
    known = picked + ([head] if head is not None else [])
    low, high = (min(known), max(known)) if known else (0.0, 0.0)
    return {
        "label": label,
        "line": _line(values, shown, low, high),
        "head": "" if head is None else _bar(head, low, high),
        "range": _range(values, shown),
        "latest": _mass(picked[-1]) if picked else "–",
        "head_value": "" if head is None else _mass(head),
    }


def _line(values: Sequence[float | None], shown: Sequence[bool], low: float, high: float) -> str:
    return "".join(
        _bar(v, low, high) if show and v is not None else GAP
        for v, show in zip(values, shown, strict=True)
    )


def _bar(value: float, low: float, high: float) -> str:
    if high <= low:
        return BARS[len(BARS) // 2]
    return BARS[round((value - low) / (high - low) * (len(BARS) - 1))]


def _range(values: Sequence[float | None], shown: Sequence[bool]) -> str:
    picked = [v for v, show in zip(values, shown, strict=True) if show and v is not None]
    if not picked:
        return "–"
    low, high = min(picked), max(picked)
    return _mass(low) if low == high else f"{_mass(low)} – {_mass(high)}"


def _mass(kg: float) -> str:
    return format_amount(Mass(kg))
