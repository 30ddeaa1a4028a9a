"""The report, pinned by snapshots, and inert whatever strings it is fed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from gate_fixtures import results_document

from carbon_gate import report
from carbon_gate.compare import decide, side_from_results
from carbon_gate.config import Budgets
from carbon_gate.pull_request import PullRequest
from carbon_gate.units import Mass

SNAPSHOTS = Path(__file__).parent / "snapshots"
PR = PullRequest("acme/model", 42, "a" * 40, "b" * 40, "feature/faster-model")
FORK = PullRequest("acme/model", 43, "a" * 40, "c" * 40, "patch-1", fork=True)


def render(case: str) -> str:
    base = results_document(0.010, cv=0.01)
    head_j = {"pass": 0.0101, "warn": 0.0105, "fail": 0.0150, "no-base": 0.0101, "fork": 0.0101}
    head = results_document(head_j[case], cv=0.08 if case == "warn" else 0.01)
    budgets = Budgets(lifecycle=Mass(1.0), max_increase_percent=2.0)
    decision = decide(
        side_from_results(head),
        None if case == "no-base" else side_from_results(base),
        budgets,
    )
    pr = FORK if case == "fork" else PR
    data = report.ReportInput(decision, head, None if case == "no-base" else base, pr, "ci:gate")
    return report.to_markdown(data)


@pytest.mark.parametrize("case", ["pass", "warn", "fail", "no-base", "fork"])
def test_report_snapshot(case: str) -> None:
    rendered = render(case)
    path = SNAPSHOTS / f"report-{case}.md"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), (
        f"the report changed; if that is intended, rerun with UPDATE_SNAPSHOTS=1 and "
        f"review the diff of {path}"
    )


def test_the_verdict_comes_first() -> None:
    lines = {case: render(case).splitlines()[1] for case in ("pass", "warn", "fail")}
    assert lines["pass"].startswith("### ✅ carbon-gate: within budget")
    assert lines["warn"].startswith("### ⚠️ carbon-gate: within budget, with a warning")
    assert lines["fail"].startswith("### ❌ carbon-gate: over budget")
    assert "grew 50.0%, more than the allowed 2%" in lines["fail"]


def test_the_marker_is_first_and_names_the_gate() -> None:
    assert render("pass").splitlines()[0] == "<!-- carbon-gate report id=ci:gate -->"
    hostile = report.marker("a --> b\n<script>")
    assert hostile == "<!-- carbon-gate report id=a_--__b__script_ -->"
    assert hostile.count(">") == 1


HOSTILE = "x](https://evil.example) @everyone <img src=x onerror=alert(1)> | ` *b* \n# H"


def test_hostile_strings_come_out_inert() -> None:
    head = results_document(0.01, callable_=HOSTILE, cpu_model=HOSTILE)
    decision = decide(side_from_results(head), None, Budgets())
    pr = PullRequest("acme/model", 1, head_ref=HOSTILE)
    text = report.to_markdown(report.ReportInput(decision, head, None, pr, HOSTILE))
    assert not re.search(r"(?<!\\)<img", text)  # only ever as the escaped \<img
    assert "@everyone" not in text  # a zero-width space stops the mention
    assert "](https://evil.example)" not in text
    assert not re.search(r"^# H", text, re.MULTILINE)
    assert "\\<img" in text


def test_a_users_own_template(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ marker }}\nOURS: {{ headline|md }}\n", encoding="utf-8")
    head = results_document()
    decision = decide(side_from_results(head), None, Budgets())
    text = report.to_markdown(report.ReportInput(decision, head, None, None, "x"), template)
    assert text.startswith("<!-- carbon-gate report id=x -->\nOURS: ✅ carbon-gate")


def test_every_string_from_a_results_file_comes_out_inert() -> None:
    head = results_document(0.01)
    head["energy_kind"] = HOSTILE
    head["power_sources"]["cpu"] = {"source": HOSTILE, "method": HOSTILE, "model": HOSTILE}
    head["environment"] = {"os": HOSTILE, "python": HOSTILE, "codecarbon": HOSTILE}
    head["warnings"] = [HOSTILE]
    head["estimate"]["assumptions"][HOSTILE] = {
        "value": HOSTILE,
        "unit": HOSTILE,
        "source": HOSTILE,
    }
    head["estimate"]["emission_factor"].update(name=HOSTILE, source=HOSTILE, location=HOSTILE)
    head["estimate"]["missing"] = {"search": "x\n::error file=a,line=1::PWNED"}
    head["estimate"]["stages"]["search"] = None
    decision = decide(side_from_results(head), None, Budgets(search=Mass(1.0)))
    data = report.ReportInput(decision, head, results_document(), PR, "x")
    text = report.to_markdown(data)
    assert not re.search(r"(?<!\\)<img", text)
    assert "@everyone" not in text
    assert "](https://evil.example)" not in text
    terminal = report.to_text(data)
    assert not any(line.startswith("::") for line in terminal.splitlines())
    assert "note: the base's energy was estimated" in terminal


def test_a_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    import jinja2

    template = tmp_path / "evil.md.j2"
    template.write_text("{{ lipsum.__globals__.os.environ }}", encoding="utf-8")
    head = results_document()
    data = report.ReportInput(
        decide(side_from_results(head), None, Budgets()), head, None, None, "x"
    )
    with pytest.raises(jinja2.exceptions.SecurityError):
        report.to_markdown(data, template)


def test_urls_do_not_become_links() -> None:
    from carbon_gate.templates import escape_markdown

    for text in ("www.evil.com/login", "https://evil.com", "WWW.Evil.com"):
        escaped = escape_markdown(text)
        assert "www." not in escaped.lower()
        assert "://" not in escaped


def test_dollar_signs_do_not_become_math() -> None:
    from carbon_gate.templates import escape_markdown

    assert escape_markdown("$x^2$ and $$\\int$$") == "\\$x^2\\$ and \\$\\$\\\\int\\$\\$"


def test_a_stage_without_inputs_or_budget_reads_not_computed() -> None:
    head = results_document(0.01)
    head["estimate"]["stages"]["training"] = None
    data = report.ReportInput(
        decide(side_from_results(head), None, Budgets()), head, None, None, "x"
    )
    (row,) = [
        line for line in report.to_markdown(data).splitlines() if line.startswith("| Training")
    ]
    assert row.endswith("| — not computed |")
    assert "✅" not in row
