"""The import contract of pyproject.toml (`lint-imports`): kept by the code as it is, broken by a
reversed import and by IO in the pure core — so that CI's run of it can fail."""

from __future__ import annotations

import ast
import re
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


def _package_modules(package: Path) -> set[str]:
    """The modules and subpackages of `package`, by the names its docstring uses."""
    names = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    return names | {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}


@pytest.mark.parametrize(
    "package",
    sorted(
        p.parent.relative_to(ROOT).as_posix()
        for p in (ROOT / "carbon_gate").rglob("*.py")
        if p.name == "__init__.py" and p.parent.name != "example"
    ),
)
def test_each_stage_says_which_module_does_what(package: str) -> None:
    """A stage's docstring lists every module in it, and no module that is not there."""
    folder = ROOT / package
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text())) or ""
    listed: set[str] = set()
    for line in docstring.splitlines():
        if line.startswith("    ") and line.strip():  # the module table: `    name[, name]  what`
            names = re.split(r"\s{2,}", line.strip())[0]
            listed |= {n.strip().rstrip("/") for n in names.split(",")}
    assert listed == _package_modules(folder)


def test_the_architecture_page_names_modules_that_exist() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`([a-z_]+(?:/[a-z_]+)*/[a-z_]+\.py)`", page))
    assert len(named) > 20
    missing = [
        p for p in named if not ((ROOT / "carbon_gate" / p).is_file() or (ROOT / p).is_file())
    ]
    assert missing == []
