"""The report's mermaid pie, checked with mermaid's own parser (tests/js, from the npm registry):
every magnitude a life cycle can have renders; negative, infinite or NaN values never reach a chart.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path

import pytest
from gate_fixtures import judged, results_document, side
from hypothesis import given, settings
from hypothesis import strategies as st
from references import node_package

from carbon_gate.budget.settings import Budgets
from carbon_gate.gate.compare import decide
from carbon_gate.quantities import Mass
from carbon_gate.report import chart, pr_report

PARSER = Path(__file__).parent / "js" / "parse_pie.mjs"
_BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)


def mermaid(charts: list[str]) -> list[dict[str, object]]:
    """What mermaid's parser makes of each chart: {"ok": True, "values": [...]} or an error."""
    node_package("@mermaid-js/parser")
    done = subprocess.run(
        ["node", str(PARSER)],
        input=json.dumps(charts),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answers: list[dict[str, object]] = json.loads(done.stdout)
    return answers


def text_of(pie: chart.Pie) -> str:
    lines = [f"pie showData title Life cycle of the head, {pie.unit} CO2eq"]
    return "\n".join([*lines, *(f'    "{label}" : {value}' for label, value in pie.slices)])


def test_the_parser_is_the_judge() -> None:
    """The check can fail: mermaid refuses what `%.4g` used to write, and negative values."""
    answers = mermaid(['pie\n  "a" : 1.11e+04\n', 'pie\n  "a" : -3\n', 'pie\n  "a" : 5366\n'])
    assert [a["ok"] for a in answers] == [False, False, True]


grams = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(grams, st.just(0.0)), min_size=3, max_size=3))
def test_every_magnitude_makes_a_chart_mermaid_reads(values: list[float]) -> None:
    stages = list(zip(["Model search", "Training", "Inference"], values, strict=True))
    pie = chart.pie(stages)
    if pie is None:
        assert not any(values)
        return
    assert all(re.fullmatch(r"\d+(\.\d+)?", value) for _, value in pie.slices), pie
    # The largest stage keeps at least three significant digits in the chart's unit.
    per_unit = {"t": 1e6, "kg": 1e3, "g": 1.0, "mg": 1e-3, "µg": 1e-6}[pie.unit]
    largest = max(values)
    shown = max(float(value) for _, value in pie.slices) * per_unit
    assert math.isclose(shown, largest, rel_tol=5e-3)
    _ALL_CHARTS.append(text_of(pie))


_ALL_CHARTS: list[str] = []


def test_the_charts_of_the_property_test_all_parse() -> None:
    """One parser run for every chart the property test made (a run of node per chart is slow)."""
    charts = _ALL_CHARTS or [text_of(chart.pie([("a", 1.0), ("b", 2.0)]) or chart.Pie("g", []))]
    bad = [(c, a) for c, a in zip(charts, mermaid(charts), strict=True) if not a["ok"]]
    assert not bad, bad[:3]


@pytest.mark.parametrize(
    "values",
    [
        [1.0, float("nan"), 2.0],
        [1.0, float("inf"), 2.0],
        [1.0, -0.5, 2.0],
    ],
)
def test_no_chart_of_values_that_are_not_a_life_cycle(values: list[float]) -> None:
    assert chart.pie(list(zip("abc", values, strict=True))) is None


def test_every_chart_a_report_can_produce_parses() -> None:
    """Whole reports, from a nanojoule to kilojoules per inference (a billion inferences)."""
    budgets = Budgets(lifecycle=Mass(1.0), max_increase_percent=2.0)
    charts = []
    for exponent in range(-12, 5):
        head = results_document(10.0**exponent * 1.2345, cv=0.01)
        decision = decide(side(head), None, budgets)
        data = pr_report.ReportInput(decision, judged(head), None, None, "x")
        rendered = pr_report.to_markdown(data)
        charts += _BLOCK.findall(rendered)
    assert len(charts) >= 15  # all but the tiniest make a chart
    answers = mermaid(charts)
    bad = [(c, a) for c, a in zip(charts, answers, strict=True) if not a["ok"]]
    assert not bad, bad[:3]
    assert all(value > 0 for a in answers for value in a["values"])  # type: ignore[attr-defined]
