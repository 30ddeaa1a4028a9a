from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from github_server import FakeGitHub

from carbon_gate.lifecycle import grid


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's GitHub or codecarbon settings, or their working directory."""
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "CODECARBON_", "CARBON_GATE_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def grid_data() -> grid.GridData:
    return grid.load()


@pytest.fixture
def write_budget(tmp_path: Path) -> Callable[[str], Path]:
    """Write a budget file (dedented) into the test's directory and return its path."""

    def write(text: str, name: str = "carbon-budget.yml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    """A GitHub stand-in on 127.0.0.1 (see github_server.py)."""
    fake = FakeGitHub().start()
    yield fake
    fake.stop()
