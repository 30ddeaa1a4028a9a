"""The import contract of pyproject.toml (`lint-imports`): kept by the code as it is, broken by a
reversed import and by IO in the pure core — so that CI's run of it can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on a copy of the package in `tree`, with the project's contracts."""
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(command), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "carbon_gate", tmp_path / "carbon_gate")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_code_keeps_the_contracts(tree: Path) -> None:
    done = _lint_imports(tree)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_a_stage_that_imports_the_command_line_breaks_the_layers(tree: Path) -> None:
    _append(tree / "carbon_gate" / "lifecycle" / "estimate.py", "from carbon_gate.cli import check")
    done = _lint_imports(tree)
    assert done.returncode == 1
    assert "carbon_gate.lifecycle.estimate -> carbon_gate.cli.check" in done.stdout


def test_a_process_started_from_the_decision_breaks_the_pure_core(tree: Path) -> None:
    _append(tree / "carbon_gate" / "gate" / "compare.py", "import subprocess")
    done = _lint_imports(tree)
    assert done.returncode == 1
    assert "carbon_gate.gate is not allowed to import subprocess" in done.stdout
