"""What the gate takes from a results file: what it measured, checked; never what it estimated.

Results files may come from a fork's pull request: whatever is in them, the reader either returns
the measured batches or refuses with a message that names the file and the key (exit 2)."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon_gate.cli.main import cli
from carbon_gate.measure.worker import workload
from carbon_gate.results import reader

BUDGET = "grid: {country: FRA}\n" + LIFECYCLE_YAML + "budgets:\n  max_increase: 2 %\n"
HUGE = "<an integer of 5,000 digits>"  # past Python's limit for reading integers from text
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10),
        st.sampled_from([HUGE, -1, 0, 5e-324, 1e308, "1e999", float("nan"), float("inf")]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)  # fmt: skip
# Places in a results document a fork can fill with anything.
PLACES = [
    ("repeats",), ("repeats", "inference"), ("repeats", "inference", 0),
    ("repeats", "inference", 0, "calls"), ("repeats", "inference", 1, "energy_j"),
    ("repeats", "inference", 2, "seconds"), ("repeats", "inference", 3, "fastest_call_s"),
    ("repeats", "train_step"), ("power_sources",), ("power_sources", "cpu"),
    ("power_sources", "cpu", "source"), ("environment",), ("benchmark",),
    ("benchmark", "batch_size"), ("benchmark", "callable"), ("comparison",),
    ("comparison", "id"), ("comparison", "processes"), ("comparison_id",),
    ("base_not_measured",), ("energy_kind",), ("warnings",), ("estimate",), ("summary",),
]  # fmt: skip


def _put(document: dict[str, Any], place: tuple[Any, ...], value: Any) -> None:
    target: Any = document
    for step in place[:-1]:
        target = target[step]
    target[place[-1]] = value


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trusted")
    (path / "carbon-budget.yml").write_text(BUDGET)
    (path / "base.json").write_text(json.dumps(results_document(0.01)))
    return path


def report(folder: Path, head: dict[str, Any], *extra: str) -> tuple[int, str]:
    text = json.dumps(head, allow_nan=True).replace(json.dumps(HUGE), "1" + "0" * 5000)
    (folder / "head.json").write_text(text)
    result = CliRunner().invoke(
        cli,
        ["report", "--config", str(folder / "carbon-budget.yml"), "--results",
         str(folder / "head.json"), "--report", str(folder / "report.md"), *extra],
    )  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout + result.stderr


@FUZZ
@given(place=st.sampled_from(PLACES), value=values, with_base=st.booleans())
def test_whatever_a_results_file_holds_it_is_judged_or_refused_cleanly(
    folder: Path, place: tuple[Any, ...], value: Any, with_base: bool
) -> None:
    head = copy.deepcopy(results_document(0.0102))
    head["repeats"]["train_step"] = copy.deepcopy(head["repeats"]["inference"])
    head["comparison"] = {"id": "run-1", "pairs": 5, "stopped": "clear"}
    _put(head, place, value)
    extra = ("--baseline", str(folder / "base.json")) if with_base else ()
    code, out = report(folder, head, *extra)
    assert code in (0, 1, 2), out
    assert "Traceback" not in out
    if code == 2:
        assert "head.json" in out or "results file" in out, out


@pytest.mark.parametrize(
    ("recorded", "kept"),
    [
        ([0, 1, 2, 3, 1], (0, 1, 2, 3, 1)),
        (["0", 1], ()),
        ([0, -1], ()),
        ([0, True], ()),
        ([0, 1.0], ()),
        ([10**30], ()),
        ({"0": 1}, ()),
        (None, ()),
    ],
)
def test_which_processes_measured_the_pairs_is_kept_only_whole(
    recorded: Any, kept: tuple[int, ...]
) -> None:
    """A fork writes the results: a list of processes is taken only when every entry is a
    number of a process (an integer, not a bool, from 0); otherwise none is, and the gate takes
    the workers in turn."""
    head = results_document(0.0101)
    head["comparison"] = {"id": "run-1", "pairs": 5, "stopped": "clear", "processes": recorded}
    assert reader.parse(head, "head.json").comparison.processes == kept


def test_a_base_said_not_measured_is_not_judged_in_any_path(folder: Path) -> None:
    head = results_document(0.0101)
    head["base_not_measured"] = "the base abc has no carbon-budget.yml"
    code, out = report(folder, head)
    assert code == 0
    assert out.startswith(
        "⚠️ carbon-gate: change not judged — the change against the base was not judged: the "
        "base was not measured: the base abc has no carbon-budget.yml"
    )


def test_too_few_pairs_are_said_not_silently_judged_as_separate_runs(folder: Path) -> None:
    head, base = results_document(0.0101), results_document(0.01)  # five batches each
    head["comparison"], base["comparison_id"] = {"id": "run-1", "pairs": 5}, "run-1"
    (folder / "linked-base.json").write_text(json.dumps(base))
    code, out = report(folder, head, "--baseline", str(folder / "linked-base.json"))
    assert code == 0
    assert "only 5 pairs fit in benchmark.compare_duration" in out.splitlines()[0]


def test_a_base_of_another_batch_size_is_not_compared(folder: Path) -> None:
    base = results_document(0.01)
    del base["benchmark"]["batch_size"]  # an older file: one sample a call
    head = results_document(0.0101)
    head["benchmark"]["batch_size"] = 32
    (folder / "other-size.json").write_text(json.dumps(base))
    code, out = report(folder, head, "--baseline", str(folder / "other-size.json"))
    assert code == 0
    assert "the base measured another benchmark (batch_size 1 → 32)" in out.splitlines()[0]


def test_a_repository_inside_an_environment_still_has_code_of_its_own() -> None:
    """Cloned inside a virtualenv, or into /usr/src with the system's Python: the environment
    holds the repository, so it cannot be what hides the repository's modules."""
    found = workload._imported_from(sys.base_prefix)
    assert found  # the standard library, imported from under the "repository"
    assert not any("site-packages" in path for path in found)


def test_a_measured_k_below_one_is_used_as_measured_and_said(folder: Path) -> None:
    head = results_document(0.0101)
    head["repeats"]["train_step"] = copy.deepcopy(head["repeats"]["inference"])
    for batch in head["repeats"]["train_step"]:
        batch["energy_j"] /= 2  # a training step at half the cost of an inference call
    code, out = report(folder, head)
    assert code == 0, out
    assert "note: the measured overhead factor k is 0.50, below 1" in out
    lines = (folder / "report.md").read_text().splitlines()
    overhead = next(line for line in lines if line.startswith("| overhead\\_factor"))
    assert "| 0.5 |" in overhead


def test_a_batch_faster_than_any_call_can_be_is_refused(folder: Path) -> None:
    # The embodied emissions follow the time per call: a forged file must not shrink it to nothing.
    head = results_document(0.0101)
    head["repeats"]["inference"][0].update(calls=10**6, seconds=1e-6, fastest_call_s=1e-6)
    code, out = report(folder, head)
    assert code == 2
    assert "seconds: less than 10 ns per call — not a measurement" in out
