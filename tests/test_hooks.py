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


def test_the_check_hook_on_a_push_compares_with_what_the_remote_has(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    """pre-push: the base is the commit the remote has, measured in alternation with the head."""
    model = tmp_path / "toymodel.py"
    model.write_text("def predict():\n    return sum(i * i for i in range(2000))\n")
    (tmp_path / "carbon-budget.yml").write_text(
        "version: 1\ngrid: {country: FRA}\nbudgets: {max_increase: 5 %}\n"
        "benchmark:\n  callable: toymodel:predict\n  warmup: 0.2 s\n  duration: 1.5 s\n"
    )
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "model"], check=True)
    model.write_text(model.read_text().replace("2000", "6000"))  # three times the work
    subprocess.run([*git, "commit", "-qam", "a costlier model"], check=True)
    args = ("carbon-gate-check", "--hook-stage", "pre-push", "--from-ref", "HEAD~1",
            "--to-ref", "HEAD", "--all-files")  # fmt: skip
    code, log = try_repo(tmp_path, pre_commit_home, *args)
    assert code == 1, log
    assert "measuring the head and the base" in log
    assert "more than the allowed 5%" in log
    assert "% CI +" in log
