"""The trusted job reads an artifact a fork may have written whole: any shape, any values.

Hypothesis mutates every part of a real artifact at once (head.json, base.json, pull-request.json:
nodes replaced by hostile values, dropped, added, lists cut or grown) and the commenting half runs
on it as it does in a `workflow_run` event. Whatever the folder holds, the gate judges it, or
refuses with a message naming the file (exit 2); never an internal error, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gate_fixtures import LIFECYCLE_YAML, results_document
from github_server import FakeGitHub
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from carbon_gate.cli.main import cli

HEAD_SHA, BASE_SHA = "b" * 40, "a" * 40
HUGE = "<an integer of 5,000 digits>"  # past Python's limit for reading integers from text
BUDGET = (
    f"grid: {{country: FRA}}\n{LIFECYCLE_YAML}budgets:\n  lifecycle: 1 kg\n  max_increase: 2 %\n"
)

hostile = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
        st.sampled_from([HUGE, -1, 0, 2**63, 5e-324, 1e308, "1e999", float("nan"), float("inf"),
                         "../../etc/passwd", "@octo #1 <b>x</b>", "a" * 300]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, node: Any, rate: int = 15) -> Any:
    """`node` with about one part in `rate` replaced by something hostile, keys dropped and
    added, lists cut and grown: the document's whole shape is in play, not one value."""
    if draw(st.integers(0, rate - 1)) == 0:
        return draw(hostile)
    if isinstance(node, dict):
        kept = {k: draw(mutated(v, rate)) for k, v in node.items() if draw(st.integers(0, rate))}
        if draw(st.integers(0, rate)) == 0:
            kept[draw(st.text(max_size=8))] = draw(hostile)
        return kept
    if isinstance(node, list):
        items = [draw(mutated(v, rate)) for v in node]
        if not items or draw(st.integers(0, rate)):
            return items
        cut = draw(st.integers(0, len(items) + 2))
        return items[:cut] + [draw(mutated(node[0], rate))] * (cut - len(items))
    return node


def _claim() -> dict[str, Any]:
    return {
        "format": "carbon-gate/pull-request",
        "version": 1,
        "number": 42,
        "head_sha": HEAD_SHA,
        "base_sha": BASE_SHA,
    }


def _document() -> dict[str, Any]:
    document = results_document(0.0102, cv=0.01)
    document["repeats"]["train_step"] = list(document["repeats"]["inference"])
    document["comparison"] = {"id": "run-1", "pairs": 5, "stopped": "clear"}
    return document


def _write(path: Path, content: Any) -> None:
    path.write_text(json.dumps(content, allow_nan=True).replace(json.dumps(HUGE), "9" * 5000))


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub().start()
    fake.pull_heads[42] = HEAD_SHA
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def place(
    tmp_path_factory: pytest.TempPathFactory, github: FakeGitHub
) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("artifact-fuzz")
    (folder / "carbon-budget.yml").write_text(BUDGET)
    event = {
        "workflow_run": {
            "id": 7, "event": "pull_request", "head_sha": HEAD_SHA, "pull_requests": [],
            "head_repository": {"full_name": "fork/model"},
        }
    }  # fmt: skip
    (folder / "event.json").write_text(json.dumps(event))
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": "acme/model",
        "GITHUB_EVENT_PATH": str(folder / "event.json"),
        "GITHUB_TOKEN": "bot-token",
    }
    return folder, env


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    head=mutated(_document(), rate=40),
    base=st.one_of(st.none(), mutated(_document(), rate=40)),
    claim=st.one_of(st.none(), mutated(_claim(), rate=8)),
)
def test_whatever_the_artifact_holds_the_trusted_job_judges_it_or_refuses_it_cleanly(
    place: tuple[Path, dict[str, str]], head: Any, base: Any, claim: Any
) -> None:
    folder, env = place
    artifact = folder / "artifact"
    artifact.mkdir(exist_ok=True)
    for name, content in (("head.json", head), ("base.json", base), ("pull-request.json", claim)):
        (artifact / name).unlink(missing_ok=True)
        if content is not None:
            _write(artifact / name, content)
    result = CliRunner().invoke(
        cli,
        ["report", "--artifact", str(artifact), "--config", str(folder / "carbon-budget.yml"),
         "--report", str(folder / "report.md"), "--comment", "update"],
        env=env,
    )  # fmt: skip
    out = result.stdout + result.stderr
    event(f"exit {result.exit_code}: " + out.replace(str(folder), "")[:70])
    assert result.exception is None or isinstance(result.exception, SystemExit), out
    assert result.exit_code in (0, 1, 2), out
    assert "Traceback" not in out, out
    assert "internal error" not in out, out
    if result.exit_code == 2:
        assert any(name in out for name in ("head.json", "base.json", "pull-request.json")), out
