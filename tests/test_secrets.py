"""The measured code is a pull request's, maybe a fork's: it gets no secret of GitHub's, and what
it prints or raises is shown with every secret-looking value masked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from carbon_gate.cli.main import cli
from carbon_gate.measure import redact
from carbon_gate.measure.worker_process import _worker_environment

TOKEN = "ghs_" + "A1b2C3d4" * 5
MODEL_TOKEN = "hf_" + "Z9y8X7w6" * 4


def test_the_benchmark_gets_no_secret_of_githubs(monkeypatch: pytest.MonkeyPatch) -> None:
    withheld = {
        "GITHUB_TOKEN": TOKEN,
        "GH_TOKEN": TOKEN,
        "ACTIONS_RUNTIME_TOKEN": "runtime-token-value",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-token",
        "GITHUB_APP_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----",
        "GITHUB_OUTPUT": "/runner/_temp/_runner_file_commands/set_output_1",
        "GITHUB_STEP_SUMMARY": "/runner/_temp/_runner_file_commands/step_summary_1",
        "ACTIONS_RUNTIME_URL": "https://pipelines.actions.example/",
        "ACTIONS_CACHE_URL": "https://artifactcache.actions.example/",
        "CODECARBON_FORCE_CPU_POWER": "1000",
    }
    kept = {"GITHUB_SHA": "0" * 40, "GITHUB_WORKSPACE": "/w", "HF_TOKEN": MODEL_TOKEN}
    for name, value in {**withheld, **kept}.items():
        monkeypatch.setenv(name, value)
    env = _worker_environment()
    assert not set(withheld) & set(env)
    assert {name: env[name] for name in kept} == kept  # the model may need its own token


@pytest.mark.parametrize(
    ("environ", "masked"),
    [
        ({"GITHUB_TOKEN": TOKEN}, (TOKEN,)),
        ({"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "abcdefgh"}, ("abcdefgh",)),
        (
            {"HF_TOKEN": MODEL_TOKEN, "GITHUB_SHA": "f" * 40, "PATH": "/usr/bin:/bin"},
            (MODEL_TOKEN,),
        ),
        ({"GITHUB_TOKEN": "short"}, ()),
        (
            {"A_SECRET": "abcdefgh", "B_PASSWORD": "abcdefgh-longer"},
            ("abcdefgh-longer", "abcdefgh"),
        ),
    ],
    ids=["github-token", "actions-token", "only-secret-names", "too-short", "longest-first"],
)
def test_the_values_masked_are_those_of_secret_looking_variables(
    environ: dict[str, str], masked: tuple[str, ...]
) -> None:
    assert redact.secrets(environ) == masked


def test_every_string_of_a_document_is_masked() -> None:
    hidden = redact.secrets({"GITHUB_TOKEN": TOKEN})
    doc = {"error": f"Bearer {TOKEN}!", TOKEN: [1, f"x{TOKEN}"], "n": 2.5}
    assert redact.document(doc, hidden) == {"error": "Bearer ***!", "***": [1, "x***"], "n": 2.5}


BENCH = """\
import os, sys


def _parents_token():
    try:
        with open(f"/proc/{os.getppid()}/environ", "rb") as environ:
            variables = environ.read().split(b"\\0")
    except OSError as error:
        return f"unreadable ({type(error).__name__})"
    found = [v for v in variables if v.startswith(b"GITHUB_TOKEN=")]
    return found[0].decode().partition("=")[2] if found else "absent"


def raises():
    token = _parents_token()
    print("the parent's token:", token, "mine:", os.environ.get("GITHUB_TOKEN"))
    raise ValueError(f"leaked {token} and {os.environ['HF_TOKEN']}")


def exits():
    print("the parent's token:", _parents_token(), "the model's:", os.environ["HF_TOKEN"])
    sys.stdout.flush()
    os._exit(3)
"""


@pytest.mark.parametrize("callable_", ["raises", "exits"])
def test_what_the_benchmark_says_is_shown_with_secrets_masked(
    tmp_path: Path, callable_: str
) -> None:
    """The token of the gate's environment stays out of the benchmark's reach where the system
    allows it (not for root), and out of everything shown from the benchmark in any case."""
    (tmp_path / "leaky.py").write_text(BENCH)
    (tmp_path / "carbon-budget.yml").write_text(
        "grid: {country: FRA}\n"
        f"benchmark: {{callable: 'leaky:{callable_}', warmup: 0.1 s, duration: 0.5 s, "
        "repeats: 2, timeout: 30 s}\n"
    )
    env = {**os.environ, "GITHUB_TOKEN": TOKEN, "HF_TOKEN": MODEL_TOKEN}
    done = subprocess.run(
        [sys.executable, "-m", "carbon_gate", "measure"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    shown = done.stdout + done.stderr
    assert TOKEN not in shown
    assert MODEL_TOKEN not in shown
    assert "***" in shown  # the model's token, at least, was there to mask
    if sys.platform == "linux" and os.geteuid() != 0:  # root reads every process's environment
        assert "unreadable (PermissionError)" in shown


FILE_COMMANDS = (
    "GITHUB_OUTPUT",
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_STATE",
    "GITHUB_STEP_SUMMARY",
)
WRITER = """\
import json, os

NAMES = {names!r}
LINES = {{
    "GITHUB_OUTPUT": "status=pass\\n",
    "GITHUB_ENV": "NODE_OPTIONS=--require=/tmp/evil.js\\n",
    "GITHUB_PATH": "/tmp/evil-bin\\n",
    "GITHUB_STATE": "cleanup=false\\n",
    "GITHUB_STEP_SUMMARY": "✅ carbon-gate: every stage within budget\\n",
}}


def predict():
    seen = [name for name in NAMES if name in os.environ]
    for name in seen:
        with open(os.environ[name], "a", encoding="utf-8") as file:
            file.write(LINES[name])
    with open("seen.json", "w", encoding="utf-8") as file:
        json.dump(seen, file)
"""


def test_the_benchmark_cannot_write_into_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner's file commands are carbon-gate's to write: a benchmark that appends to them (a
    forged output, NODE_OPTIONS for the job's later steps, a fake summary) finds them unset."""
    runner = tmp_path / "runner"
    runner.mkdir()
    for name in FILE_COMMANDS:
        (runner / name).write_text("before\n", encoding="utf-8")
        monkeypatch.setenv(name, str(runner / name))
    (tmp_path / "writer.py").write_text(WRITER.format(names=FILE_COMMANDS), encoding="utf-8")
    (tmp_path / "carbon-budget.yml").write_text(
        "grid: {country: FRA}\n"
        "benchmark: {callable: 'writer:predict', warmup: 0.1 s, duration: 0.5 s, repeats: 2, "
        "timeout: 30 s}\n"
    )
    result = CliRunner().invoke(cli, ["measure"])
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "seen.json").read_text(encoding="utf-8")) == []
    written = {name: (runner / name).read_text(encoding="utf-8") for name in FILE_COMMANDS}
    assert written == dict.fromkeys(FILE_COMMANDS, "before\n")
