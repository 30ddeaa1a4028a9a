"""The default branch's trend in the pull-request report (`--history`): drawn from a real history
branch, rendered by GitHub's Markdown library, context only (the verdict is the same without it),
and said plainly when the history is missing or unreadable."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from gate_fixtures import LIFECYCLE_YAML, results_document
from git_repo import commit, commit_tree, git
from history_fixtures import EPYC, HOSTILE, XEON
from history_fixtures import entry as fixture_entry

from carbon_gate.cli.main import main
from carbon_gate.history import branch
from carbon_gate.history.entries import Entry, Hardware
from carbon_gate.report import trend

BUDGET = "grid: {country: FRA}\n" + LIFECYCLE_YAML
HEAD_CPU = "Test CPU"  # results_document's machine
HERE = Hardware(cpu_model=HEAD_CPU, tracking_mode=None, energy_kind="estimated")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    (tmp_path / "carbon-budget.yml").write_text(BUDGET)
    (tmp_path / "head.json").write_text(json.dumps(results_document(0.01)))
    return tmp_path


def history_ref(repo: Path, runs: list[Entry]) -> str:
    """A history branch in `repo` holding `runs`, as `history record` lays it out."""
    files = {branch.entry_path(e, f"{i:08x}"): json.dumps(e.as_json()) for i, e in enumerate(runs)}
    tip = branch._commit(repo, None, files, "history")
    git(repo, "update-ref", "refs/heads/history", tip)
    return "history"


def report(repo: Path, *extra: str) -> tuple[int, str]:
    code = main(["report", "--results", str(repo / "head.json"), "--report", "r.md", *extra])
    return code, (repo / "r.md").read_text()


def html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def test_the_trend_shows_the_last_runs_and_the_head(repo: Path) -> None:
    runs = [fixture_entry(i, 0.009 + i / 1e4, hardware=replace(EPYC, **_here())) for i in range(25)]
    code, markdown = report(repo, "--history", history_ref(repo, runs))
    assert code == 0
    assert "**Trend of the default branch**: its last 20 runs of carbon-budget.yml" in markdown
    rendered = html(markdown)
    [row] = [r for r in rendered.split("<tr>") if "<td>Life cycle</td>" in r and "<code>" in r]
    line = row.split("<code>")[1].split("</code>")[0]
    assert len(line) == 20
    assert line[0] == "▁"  # rising runs: the lowest first
    assert set(line) <= set(trend.BARS)
    assert "measured otherwise" not in markdown


def test_runs_on_other_hardware_have_their_own_row(repo: Path) -> None:
    hostile = replace(XEON, cpu_model=HOSTILE[1])
    runs = [
        fixture_entry(i, 0.01, hardware=hostile if 5 <= i < 9 else replace(EPYC, **_here()))
        for i in range(12)
    ]
    _, markdown = report(repo, "--history", history_ref(repo, runs))
    rendered = html(markdown)
    rows = {
        r.split("<td>")[1].split("</td>")[0]: r.split("<code>")[1].split("</code>")[0]
        for r in rendered.split("<tr>")
        if "<code>" in r
    }
    # The runs are all alike and below the head (whose assumptions differ from the fixtures');
    # the other row has its own scale, where alike runs are drawn half-way.
    assert rows["Life cycle"] == "▁▁▁▁▁····▁▁▁"
    assert rows["↳ measured otherwise"] == "·····▅▅▅▅···"
    assert "<img" not in rendered  # the hostile CPU model is text
    assert "onerror=alert(1)&gt;" in rendered or "onerror=alert(1)" not in rendered.split("<")[0]


def test_the_verdict_is_the_same_with_and_without_the_trend(repo: Path) -> None:
    runs = [fixture_entry(i, 0.001) for i in range(5)]  # far below: it must not pass a PR
    with_trend, _ = report(repo, "--history", history_ref(repo, runs))
    without, _ = report(repo)
    assert with_trend == without


@pytest.mark.parametrize(
    ("setup", "said"),
    [
        ("missing", "No trend: no history at nothing-here yet"),
        ("other-config", "No trend: no runs of this budget file in history yet"),
        ("corrupt", "No trend: the history could not be read: history:runs/"),
        ("foreign", "No trend: the history could not be read: history is not carbon-gate"),
        ("name-not-utf8", "a name not in UTF-8"),
        ("marker-deep", 'carbon-gate-history.json: not "format"'),
    ],
)
def test_no_trend_is_said_and_decides_nothing(repo: Path, setup: str, said: str) -> None:
    source = "nothing-here"
    if setup == "other-config":
        source = history_ref(repo, [fixture_entry(1, 0.01, config="other/carbon-budget.yml")])
    if setup == "corrupt":
        document = fixture_entry(1, 0.01).as_json()
        document["per_sample_j"] = "a lot"
        tip = branch._commit(repo, None, {"runs/2026/01/x.json": json.dumps(document)}, "bad")
        git(repo, "update-ref", "refs/heads/history", tip)
        source = "history"
    if setup == "foreign":
        commit(repo, "code")
        git(repo, "branch", "history")
        source = "history"
    if setup in ("name-not-utf8", "marker-deep"):
        marker = b'{"format": "carbon-gate/history", "version": 1}'
        files = {b"runs/2026/01/\xff.json": b"{}"}
        if setup == "marker-deep":
            marker, files = b"[" * 30_000 + b"]" * 30_000, {}
        source = commit_tree(repo, {b"carbon-gate-history.json": marker, **files})
    code, markdown = report(repo, "--history", source)
    assert code == 0  # never 3: the verdict goes on
    assert said.replace("carbon-gate", "") in markdown.replace("carbon\\-gate", "")
    assert "| Life cycle |" in markdown  # the gate's own table is all there


def test_a_checkout_of_the_branch_works_as_the_ref(repo: Path, tmp_path: Path) -> None:
    runs = [fixture_entry(i, 0.01, hardware=replace(EPYC, **_here())) for i in range(3)]
    ref = history_ref(repo, runs)
    checkout = tmp_path / ".history"
    git(repo, "worktree", "add", "-q", str(checkout), ref)
    _, markdown = report(repo, "--history", str(checkout))
    assert "its last 3 runs" in markdown


def _here() -> dict[str, object]:
    """Hardware fields that make a fixture run the head's machine (results_document's), measured
    as the head was (in batches of 1 s)."""
    return {"cpu_model": HEAD_CPU, "cpu_count": None, "tracking_mode": None, "batch_seconds": 1.0}


def test_runs_in_batches_of_another_length_are_measured_otherwise(repo: Path) -> None:
    """Where codecarbon models the energy, the batch length moves it (docs/history.md)."""
    here = replace(EPYC, **_here())
    runs = [
        fixture_entry(i, 0.01, hardware=replace(here, batch_seconds=seconds))
        for i, seconds in enumerate([2.0, 2.0, 1.1, 0.9, 0.25])
    ]
    _, markdown = report(repo, "--history", history_ref(repo, runs))
    [line] = [row for row in markdown.splitlines() if row.startswith("| Life cycle | `")]
    assert line.split("`")[1] == "··▁▁·"  # within a quarter of 1 s: the head's row
    assert "batches of 2 s" in markdown
