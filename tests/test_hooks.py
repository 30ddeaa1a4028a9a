"""The pre-commit hooks of .pre-commit-hooks.yaml, installed and run by the real `pre-commit
try-repo` in a temporary Git repository. Slow: pre-commit installs carbon-gate into its own
environment once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "carbon_gate" / "example" / "carbon-budget.yml"


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    text = EXAMPLE.read_text().replace("duration: 10 s", "duration: 3 s")
    (tmp_path / "carbon-budget.yml").write_text(text)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    return tmp_path


def try_repo(repo: Path, home: Path, *args: str) -> tuple[int, str]:
    program = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    program = program or shutil.which("pre-commit")
    assert program, "pre-commit is not installed: pip install '.[test]'"
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    done = subprocess.run(
        [program, "try-repo", str(ROOT), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_validate_hook_passes_a_good_file_and_names_the_line_of_a_bad_one(
    repo: Path, pre_commit_home: Path
) -> None:
    code, log = try_repo(repo, pre_commit_home, "carbon-gate-validate", "--all-files")
    assert code == 0, log
    assert "carbon-gate validate" in log
    assert "Passed" in log

    budget = repo / "carbon-budget.yml"
    budget.write_text(budget.read_text().replace("epochs: 20 ", "epochs: many"))
    code, log = try_repo(repo, pre_commit_home, "carbon-gate-validate", "--all-files")
    assert code == 1, log
    assert "exit code: 2" in log
    lines = budget.read_text().splitlines()
    number = next(i for i, text in enumerate(lines, 1) if "epochs: many" in text)
    assert f"carbon-budget.yml:{number}:" in log
    assert "lifecycle.epochs" in log


def test_the_check_hook_measures_and_gates_without_commenting(
    repo: Path, pre_commit_home: Path
) -> None:
    args = ("carbon-gate-check", "--hook-stage", "manual", "--all-files")
    code, log = try_repo(repo, pre_commit_home, *args)
    assert code == 0, log
    assert "carbon-gate check" in log
    assert "Passed" in log
    assert (repo / "carbon-gate-report.md").is_file()
    assert (repo / "carbon-gate-results.json").is_file()
