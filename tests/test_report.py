"""The report, pinned by snapshots, and inert whatever strings it is fed."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from gate_fixtures import ASSUMPTIONS, judged, results_document
from gate_fixtures import side as side_from_results

from carbon_gate.budget.settings import Budgets
from carbon_gate.gate.compare import decide
from carbon_gate.gate.limits import BUDGET_KEYS
from carbon_gate.gate.paired import Change, Paired
from carbon_gate.gate.sides import side_of
from carbon_gate.github.pull_request import PullRequest
from carbon_gate.lifecycle.assumptions import EmbodiedHardware, FunctionalUnit
from carbon_gate.lifecycle.grid import EmissionFactor
from carbon_gate.quantities import Duration, Intensity, Mass
from carbon_gate.report import decision_view, pr_report

SNAPSHOTS = Path(__file__).parent / "snapshots"
PR = PullRequest("acme/model", 42, "a" * 40, "b" * 40, "feature/faster-model")
FORK = PullRequest("acme/model", 43, "a" * 40, "c" * 40, "patch-1", fork=True)


def render(case: str) -> str:
    base = results_document(0.010, cv=0.01)
    head_j = {"pass": 0.0101, "warn": 0.0105, "fail": 0.0150, "no-base": 0.0101, "fork": 0.0101}
    head = results_document(head_j.get(case, 0.0101), cv=0.08 if case == "warn" else 0.01)
    budgets = Budgets(lifecycle=Mass(1.0), max_increase_percent=2.0)
    found = None
    if case == "paired":  # a pause every so many calls: the mean cost grew, the typical call not
        head["comparison"], base["comparison_id"] = (
            {"id": "x", "pairs": 12, "stopped": "clear", "max_seconds": 60},
            "x",
        )
        whole = Change(0.01, -0.03, 0.05, 12, 99)
        typical = Change(0.0, -0.005, 0.006, 12, process_spread=0.021, processes=3)
        found = Paired(dict.fromkeys(BUDGET_KEYS, typical), dict.fromkeys(BUDGET_KEYS, whole), 12)
    decision = decide(
        side_from_results(head),
        None if case == "no-base" else side_from_results(base),
        budgets,
        paired=found,
    )
    pr = FORK if case == "fork" else PR
    shown_base = None if case == "no-base" else judged(base)
    data = pr_report.ReportInput(decision, judged(head), shown_base, pr, "ci:gate")
    return pr_report.to_markdown(data)


@pytest.mark.parametrize("case", ["pass", "warn", "fail", "no-base", "fork", "paired"])
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
    assert lines["fail"].startswith("### ❌ carbon-gate: grew more than allowed")
    assert "grew 50.0%, more than the allowed 2%" in lines["fail"]


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("budget", "❌ carbon-gate: over budget — Life cycle: over budget"),
        ("growth", "❌ carbon-gate: grew more than allowed — Life cycle: grew +50.0% (99 % CI"),
        (
            "within",
            "✅ carbon-gate: within budget — Life cycle against the base: grew +1.0% (99 % CI",
        ),
        ("unchanged", "✅ carbon-gate: within budget — no significant change against the base"),
        ("unjudged", "⚠️ carbon-gate: change not judged — the change against the base was not"),
        ("required", "❌ carbon-gate: change not judged (required) — the change against the"),
    ],
    ids=lambda value: value if " " not in value else "",
)
def test_the_headline_says_what_kind_of_verdict_it_is(case: str, words: str) -> None:
    """Over budget only for an absolute budget; grew more than allowed for growth; no
    significant change only when the intervals hold zero; what was not judged comes first."""
    fraction = {"growth": (0.5, 0.45, 0.55), "within": (0.01, 0.005, 0.015)}
    found = None
    if case in ("growth", "within", "unchanged"):
        mid, low, high = fraction.get(case, (0.0, -0.01, 0.01))
        change = Change(mid, low, high, 10, confidence=99)
        found = Paired({}, dict.fromkeys(BUDGET_KEYS, change), 10)
    head_j = 0.015 if case == "growth" else 0.0101
    lifecycle = side_from_results(results_document(head_j)).figures["lifecycle"]
    assert lifecycle is not None
    budgets = Budgets(
        lifecycle=Mass(lifecycle.co2eq.kg / (2 if case == "budget" else 0.5)),
        max_increase_percent=2.0,
        require_comparison=case == "required",
    )
    decision = decide(
        side_from_results(results_document(head_j)),
        None if case in ("unjudged", "required") else side_from_results(results_document(0.01)),
        budgets,
        paired=found,
        unjudged="the base has no budget file" if case in ("unjudged", "required") else "",
    )
    assert decision_view.headline(decision).startswith(words)


def test_the_marker_is_first_and_names_the_gate() -> None:
    assert render("pass").splitlines()[0] == "<!-- carbon-gate report id=ci:gate -->"
    hostile = pr_report.marker("a --> b\n<script>")
    assert hostile == "<!-- carbon-gate report id=a_--__b__script_ -->"
    assert hostile.count(">") == 1


HOSTILE = "x](https://evil.example) @everyone <img src=x onerror=alert(1)> | ` *b* \n# H"


def test_hostile_strings_come_out_inert() -> None:
    head = results_document(0.01, callable_=HOSTILE, cpu_model=HOSTILE)
    decision = decide(side_from_results(head), None, Budgets())
    pr = PullRequest("acme/model", 1, head_ref=HOSTILE)
    text = pr_report.to_markdown(pr_report.ReportInput(decision, judged(head), None, pr, HOSTILE))
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
    data = pr_report.ReportInput(decision, judged(head), None, None, "x")
    text = pr_report.to_markdown(data, template)
    assert text.startswith("<!-- carbon-gate report id=x -->\nOURS: ✅ carbon-gate")


def test_every_string_from_a_results_file_comes_out_inert() -> None:
    """What the results file says of the machine and the benchmark is shown as it says it; the
    estimate shown is the gate's own, but its grids and sources are text too."""
    head = results_document(0.01, callable_=HOSTILE, cpu_model=HOSTILE)
    head["power_sources"]["cpu"] = {"source": "measured", "method": HOSTILE, "model": HOSTILE}
    head["environment"] = {"os": HOSTILE, "python": HOSTILE, "codecarbon": HOSTILE}
    head["warnings"] = [HOSTILE]
    head["comparison"] = {"id": HOSTILE, "stopped": HOSTILE, "max_seconds": HOSTILE}
    head["base_not_measured"] = HOSTILE
    shown = judged(head)
    grid = EmissionFactor(Intensity(56.0), HOSTILE, HOSTILE, HOSTILE, None)
    assumptions = replace(shown.estimate.assumptions, sources={"epochs": HOSTILE})
    estimate = replace(
        shown.estimate,
        assumptions=assumptions,
        factor=grid,
        alternatives=((grid, Mass(1.0)),),
        missing={"search": "x\n::error file=a,line=1::PWNED"},
        stages={**shown.estimate.stages, "search": None},
    )
    shown = replace(shown, estimate=estimate)
    decision = decide(side_of(estimate, shown.measurement), None, Budgets(search=Mass(1.0)))
    data = pr_report.ReportInput(decision, shown, judged(results_document()), PR, "x")
    text = pr_report.to_markdown(data)
    assert not re.search(r"(?<!\\)<img", text)
    assert "@everyone" not in text
    assert "](https://evil.example)" not in text
    assert "\\<img" in text
    terminal = pr_report.to_text(data)
    assert not any(line.startswith("::") for line in terminal.splitlines())
    assert "note: the base's energy was estimated, the head's partly measured" in terminal


def test_a_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    import jinja2

    template = tmp_path / "evil.md.j2"
    template.write_text("{{ lipsum.__globals__.os.environ }}", encoding="utf-8")
    head = results_document()
    data = pr_report.ReportInput(
        decide(side_from_results(head), None, Budgets()), judged(head), None, None, "x"
    )
    with pytest.raises(jinja2.exceptions.SecurityError):
        pr_report.to_markdown(data, template)


def test_urls_do_not_become_links() -> None:
    from carbon_gate.report.templates import escape_markdown

    for text in ("www.evil.com/login", "https://evil.com", "WWW.Evil.com"):
        escaped = escape_markdown(text)
        assert "www." not in escaped.lower()
        assert "://" not in escaped


def test_dollar_signs_do_not_become_math() -> None:
    from carbon_gate.report.templates import escape_markdown

    assert escape_markdown("$x^2$ and $$\\int$$") == "\\$x^2\\$ and \\$\\$\\\\int\\$\\$"


def test_a_stage_without_inputs_or_budget_reads_not_computed() -> None:
    head = results_document(0.01)
    no_training = replace(ASSUMPTIONS, training_samples=None)
    data = pr_report.ReportInput(
        decide(side_from_results(head, no_training), None, Budgets()), judged(head), None, None, "x"
    )
    (row,) = [
        line for line in pr_report.to_markdown(data).splitlines() if line.startswith("| Training")
    ]
    assert row.endswith("| — not computed |")
    assert "✅" not in row


def test_why_a_base_was_not_measured_comes_out_inert() -> None:
    """The reason may come from a fork's results file (`base_not_measured`): it leads the
    headline, escaped like every other untrusted string."""
    head = results_document(0.01)
    decision = decide(side_from_results(head), None, Budgets(), unjudged=HOSTILE)
    text = pr_report.to_markdown(pr_report.ReportInput(decision, judged(head), None, None, "x"))
    headline = text.splitlines()[1]
    assert headline.startswith("### ⚠️ carbon-gate: change not judged — the change against the")
    assert not re.search(r"(?<!\\)<img", text)
    assert "@everyone" not in text
    assert "](https://evil.example)" not in text
    assert not re.search(r"^# H", text, re.MULTILINE)  # the reason's line break opens nothing


def test_the_sci_and_embodied_rows_appear_with_the_hardware_and_its_parts_below() -> None:
    machine = EmbodiedHardware(
        Mass(39.0), Duration(6 * 8766 * 3600.0), "Boavizta", name="aws/c5.xlarge"
    )
    assumptions = replace(
        ASSUMPTIONS,
        inference_embodied=machine,
        training_embodied=machine,
        functional_unit=FunctionalUnit(32, "request"),
    )
    head, base = results_document(0.0101), results_document(0.010)
    decision = decide(
        side_from_results(head, assumptions),
        side_from_results(base, assumptions),
        Budgets(sci=Mass(1e-12)),
    )
    shown = [
        judged(doc, replace(assumptions, per_inference_time=Duration(1e-3))) for doc in (head, base)
    ]
    markdown = pr_report.to_markdown(pr_report.ReportInput(decision, *shown, PR, "ci:gate"))
    assert "| SCI, per request \\(32 inferences\\) |" in markdown
    assert "| Embodied, life cycle |" in markdown
    assert "❌ fail (budget)" in markdown.split("| SCI, per request")[1].splitlines()[0]
    assert (
        "_SCI per request \\(32 inferences\\) \\(ISO/IEC 21031, boundary: serving the "
        "model\\): head " in markdown
    )
    assert "; base " in markdown
    assert "embodied \\(M\\)" in markdown


def test_without_hardware_the_report_has_no_sci_rows() -> None:
    markdown = render("pass")
    assert "SCI" not in markdown
    assert "Embodied" not in markdown
