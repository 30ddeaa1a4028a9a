"""`carbon-gate init` in real Git repositories, and what it writes checked by check-jsonschema and
zizmor, as this repository's own action and workflows are."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from carbon_gate.cli import init
from carbon_gate.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
PINNED = "acme/carbon-gate@" + "0123456789abcdef" * 2 + "01234567"
TOOLS = Path(sys.executable).parent


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A command-line tool from the test environment (check-jsonschema, zizmor)."""
    program = shutil.which(name, path=str(TOOLS)) or shutil.which(name)
    assert program, f"{name} is not installed: pip install '.[test]'"
    return subprocess.run([program, *args], capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_it_finds_the_inference_function_and_its_setup(repo: Path) -> None:
    write(repo / "tests" / "test_model.py", "def predict():\n    pass\n")
    write(repo / "scripts" / "serve.py", "def infer(x):\n    return x\n")
    write(
        repo / "src" / "shop" / "model.py",
        "def load_model(checkpoint, *, device='cpu'):\n    return 1\n\n"
        "def predict(model):\n    return model\n\ndef train_step(model):\n    pass\n",
    )
    code, out, err = run(["init", "--action", PINNED])
    assert code == 0, err
    budget = (repo / "carbon-budget.yml").read_text()
    assert "  setup: shop.model:load_model\n" in budget
    assert "  callable: shop.model:predict\n" in budget
    assert "  train_step: shop.model:train_step\n" in budget
    assert "  python_path: [src]\n" in budget
    assert "# parameters: {checkpoint: ...}" in budget
    assert "TODO: set benchmark.parameters for the setup: checkpoint" in err
    assert "- id: carbon-gate-validate" in out
    assert "rev: " + PINNED.split("@")[1] in out
    assert run(["validate"])[0] == 0


def test_without_a_model_the_budget_file_says_what_to_do(repo: Path) -> None:
    code, _, err = run(["init", "--workflow", "single", "--action", PINNED])
    assert code == 0, err
    assert "no inference function was found" in err
    assert "callable: TODO.module:function" in (repo / "carbon-budget.yml").read_text()
    written = sorted(p.name for p in (repo / ".github" / "workflows").iterdir())
    assert written == ["carbon-gate-history.yml", "carbon-gate.yml"]
    code, _, err = run(["validate"])
    assert code == 0, err


def test_it_never_overwrites_without_force(repo: Path) -> None:
    write(repo / ".github" / "workflows" / "carbon-gate-comment.yml", "mine\n")
    code, _, err = run(["init", "--action", PINNED])
    assert code == 2
    assert ".github/workflows/carbon-gate-comment.yml: already there — nothing was written" in err
    assert not (repo / "carbon-budget.yml").exists()
    assert not (repo / ".gitignore").exists()
    code, _, err = run(["init", "--action", PINNED, "--force"])
    assert code == 0, err
    assert "workflow_run" in (repo / ".github/workflows/carbon-gate-comment.yml").read_text()


def test_the_history_workflow_is_written_unless_declined(repo: Path) -> None:
    assert run(["init", "--workflow", "single", "--action", PINNED, "--no-history"])[0] == 0
    assert not (repo / ".github" / "workflows" / "carbon-gate-history.yml").exists()
    assert run(["init", "--workflow", "fork-safe", "--action", PINNED, "--force"])[0] == 0
    written = yaml.safe_load((repo / ".github/workflows/carbon-gate-history.yml").read_text())
    jobs = written["jobs"]
    # Least privilege: the model runs with a read-only token; the job that can push runs no model.
    assert jobs["measure"]["permissions"] == {"contents": "read"}
    assert jobs["record"]["permissions"] == {"contents": "write"}
    assert jobs["pages"]["permissions"] == {"pages": "write", "id-token": "write"}
    recording = [s.get("with", {}) for s in jobs["record"]["steps"]]
    assert {"mode": "record"}.items() <= recording[2].items()
    assert "requirements" not in recording[2]
    assert "default_branch" in jobs["measure"]["if"]
    # No concurrency group: GitHub would cancel a pending run when the next push comes, and a
    # push of the default branch would go unrecorded (record's retry makes parallel runs safe).
    assert "concurrency" not in written


def test_outputs_are_ignored_once(repo: Path) -> None:
    write(repo / ".gitignore", "*.pyc")
    assert run(["init", "--action", PINNED, "--workflow", "none"])[0] == 0
    assert run(["init", "--action", PINNED, "--workflow", "none", "--force"])[0] == 0
    lines = (repo / ".gitignore").read_text().splitlines()
    assert lines[0] == "*.pyc"
    assert lines.count("carbon-gate-results.json") == 1


def test_outside_a_repository_it_refuses(tmp_path: Path) -> None:
    code, _, err = run(["init"])
    assert code == 2
    assert "is not in a Git repository — run `git init` first" in err
    assert list(tmp_path.iterdir()) == []


def test_an_action_reference_is_checked(repo: Path) -> None:
    code, _, err = run(["init", "--action", "carbon-gate"])
    assert code == 2
    assert "--action must be OWNER/REPO@REF" in err


def test_the_installed_commit_becomes_the_action_reference(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class Recorded:
        def __init__(self, info: dict[str, object]) -> None:
            self.info = info

        def read_text(self, name: str) -> str:
            return json.dumps(self.info)

    sha = "f" * 40
    vcs = {"url": "https://github.com/acme/carbon-gate.git", "vcs_info": {"commit_id": sha}}
    monkeypatch.setattr(init.metadata, "distribution", lambda name: Recorded(vcs))
    assert init.installed_action() == f"acme/carbon-gate@{sha}"
    clone = tmp_path / "clone"
    subprocess.run(["git", "init", "-q", str(clone)], check=True)
    write(clone / "README.md", "x")
    git = ["git", "-C", str(clone)]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run(
        [*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], check=True
    )
    subprocess.run([*git, "remote", "add", "origin", "git@github.com:acme/gate.git"], check=True)
    head = subprocess.check_output([*git, "rev-parse", "HEAD"], text=True)
    local = {"url": clone.as_uri(), "dir_info": {}}
    monkeypatch.setattr(init.metadata, "distribution", lambda name: Recorded(local))
    assert init.installed_action() == f"acme/gate@{head.strip()}"
    for url in ("x", "https://gitlab.com/acme/gate.git", "file:///home/me/src/carbon-gate"):
        vcs = {"url": url, "vcs_info": {"commit_id": sha}}
        monkeypatch.setattr(init.metadata, "distribution", lambda name, v=vcs: Recorded(v))
        assert init.installed_action() is None, url


@pytest.mark.parametrize("workflow", ["fork-safe", "single", "matrix"])
def test_what_init_writes_passes_the_schemas_and_zizmor(repo: Path, workflow: str) -> None:
    assert run(["init", "--workflow", workflow, "--action", PINNED])[0] == 0
    workflows = sorted(str(p) for p in (repo / ".github" / "workflows").iterdir())
    checked = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The pedantic persona, with no floor: what init writes has no finding that is not justified
    # in a comment of its template (`# zizmor: ignore[...]` with the reason).
    audit = tool("zizmor", "--offline", "--persona=pedantic", *workflows)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout + audit.stderr
    budget_schema = tool("carbon-gate", "schema").stdout
    (repo / "schema.json").write_text(budget_schema)
    checked = tool("check-jsonschema", "--schemafile", "schema.json", "carbon-budget.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("workflow", "name"),
    [("single", "carbon-gate.yml"), ("fork-safe", "carbon-gate.yml"),
     ("fork-safe", "carbon-gate-comment.yml"), ("matrix", "carbon-gate.yml"),
     ("matrix", "carbon-gate-comment.yml")],
)  # fmt: skip
def test_two_runs_for_one_pull_request_never_race_to_post(
    repo: Path, workflow: str, name: str
) -> None:
    """Every workflow init writes runs one at a time per pull request; the commenting one lets a
    run finish its post (a newer one waits) rather than cancel it half-way."""
    assert run(["init", "--workflow", workflow, "--action", PINNED])[0] == 0
    written = yaml.safe_load((repo / ".github" / "workflows" / name).read_text())
    group = written["concurrency"]["group"]
    if name == "carbon-gate-comment.yml":
        assert "workflow_run.head_branch" in group
        assert "workflow_run.head_repository.full_name" in group
        assert written["concurrency"]["cancel-in-progress"] is False
    else:
        assert "pull_request.number" in group
    assert written["permissions"] == {}  # what a job may do is said by the job


def test_this_repositorys_action_and_workflows_pass_the_schemas_and_zizmor() -> None:
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    checked = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    action = str(ROOT / "action.yml")
    checked = tool("check-jsonschema", "--builtin-schema", "vendor.github-actions", action)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    audit = tool("zizmor", "--offline", "--persona=pedantic", action, *workflows)
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_a_callable_that_setup_cannot_feed_gets_a_todo(repo: Path) -> None:
    write(
        repo / "tiny" / "model.py",
        "def setup(seed=0):\n    return 1\n\ndef predict(m, x):\n    pass\n",
    )
    code, _, err = run(["init", "--action", PINNED, "--workflow", "none"])
    assert code == 0, err
    assert "predict() takes 2 arguments but is called with setup()'s result" in err
    assert "TODO: predict() takes 2 arguments" in (repo / "carbon-budget.yml").read_text()


def test_switching_to_one_workflow_warns_about_the_comment_workflow(repo: Path) -> None:
    assert run(["init", "--action", PINNED])[0] == 0
    code, _, err = run(["init", "--action", PINNED, "--workflow", "single", "--force"])
    assert code == 0, err
    assert "overwrote carbon-budget.yml" in err
    assert "carbon-gate-comment.yml is from the fork-safe setup: remove it" in err


def test_in_a_monorepos_subfolder_the_project_is_that_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = repo / "services" / "model"
    write(
        project / "tiny" / "model.py", "def setup():\n    return 1\n\ndef predict(m):\n    pass\n"
    )
    write(project / "requirements.txt", "numpy\n")
    write(repo / "other" / "serve.py", "def predict():\n    pass\n")
    monkeypatch.chdir(project)
    code, out, err = run(["init", "--action", PINNED, "--workflow", "single"])
    assert code == 0, err
    assert "wrote services/model/carbon-budget.yml" in err
    assert "  callable: tiny.model:predict\n" in (project / "carbon-budget.yml").read_text()
    workflow = (repo / ".github" / "workflows" / "carbon-gate.yml").read_text()
    assert "          config: carbon-budget.yml\n" in workflow
    assert "          working-directory: services/model\n" in workflow
    assert "          requirements: -r requirements.txt\n" in workflow
    assert "args: [--config, services/model/carbon-budget.yml]" in out
    assert (repo / ".gitignore").is_file()
    assert not (repo / "carbon-budget.yml").exists()


@pytest.mark.parametrize("workflow", ["fork-safe", "single", "matrix"])
def test_the_readme_shows_what_init_writes(repo: Path, workflow: str) -> None:
    """The copy-paste workflows of the README and docs/ are init's output, word for word."""
    write(repo / "requirements.txt", "numpy\n")
    assert run(["init", "--workflow", workflow, "--action", "OWNER/carbon-gate@COMMIT"])[0] == 0
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    texts = [page.read_text() for page in pages]
    for path in (repo / ".github" / "workflows").iterdir():
        block = "```yaml\n" + path.read_text() + "```\n"
        assert any(block in text for text in texts), path.name
