"""The action's own shell steps, run by bash as GitHub runs them. The gate's step with a stand-in
for carbon-gate that says which process it is: in the modes that measure, carbon-gate takes the
shell's place. The install step with a stand-in for this action's files, a wheel, and no package
registry: where it installs with pip (the real one), the stand-in and nothing else is installed."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ACTION = Path(__file__).resolve().parents[1] / "action.yml"
STAND_IN = """#!/bin/sh
echo "$$ $*" > "$CARBON_GATE_SEEN"
exit 1
"""


def _step(name: str = "gate") -> dict[str, object]:
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return next(s for s in steps if s.get("id") == name)


def _gate_environment(tmp_path: Path, mode: str, stand_in: str) -> dict[str, str]:
    """The gate step's environment as GitHub sets it (every input's variable, empty where the
    input is), with `stand_in` as carbon-gate."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "carbon-gate").write_text(stand_in)
    (tmp_path / "bin" / "carbon-gate").chmod(0o755)
    declared = _step()["env"]
    assert isinstance(declared, dict)
    variables = {name for name in declared if name.startswith("CARBON_GATE_")}
    return {
        **dict.fromkeys(variables, ""),
        "CARBON_GATE_HISTORY_BRANCH": "carbon-gate-history",
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "CARBON_GATE_SEEN": str(tmp_path / "seen"),
        "CARBON_GATE_BIN": str(tmp_path / "bin"),
        "CARBON_GATE_MODE": mode,
        "CARBON_GATE_CONFIG": "carbon-budget.yml",
        "CARBON_GATE_COMMENT": "update",
    }


@pytest.mark.parametrize("mode", ["check", "measure", "comment"])
def test_where_the_pull_requests_code_runs_no_shell_holding_the_token_stays(
    tmp_path: Path, mode: str
) -> None:
    env = _gate_environment(tmp_path, mode, STAND_IN)
    script = tmp_path / "step.sh"
    script.write_text(str(_step()["run"]))
    # As GitHub runs a `shell: bash` step.
    shell = subprocess.Popen(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env
    )
    code = shell.wait(timeout=30)
    pid, *args = (tmp_path / "seen").read_text().split()
    assert args[0] == ("report" if mode == "comment" else "check")
    if mode == "comment":  # the shell stays, to read the exit code: no pull request code runs
        assert int(pid) != shell.pid
        assert code == 0  # the verdict was the measuring workflow's to give
    else:
        assert int(pid) == shell.pid  # carbon-gate took the shell's place (exec)
        assert code == 1


def test_only_the_modes_that_comment_or_set_a_status_are_given_the_token() -> None:
    """The measuring half runs the pull request's code; `record` pushes with the checkout's
    credentials: neither gets the token."""
    token = _step()["env"]["GITHUB_TOKEN"]  # type: ignore[index]
    modes = ("check", "comment", "pending")
    given = f"({' || '.join(f'inputs.mode == {m!r}' for m in modes)}) && inputs.token || ''"
    assert token == "${{ " + given + " }}"


RECORDING_STAND_IN = """#!/bin/sh
echo "$*" >> "$CARBON_GATE_SEEN"
"""


def _run_gate_step(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """The gate step, run by bash as GitHub runs a `shell: bash` step."""
    script = tmp_path / "step.sh"
    script.write_text(str(_step()["run"]))
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], env=env, timeout=30,
        check=False,
    )  # fmt: skip


def test_record_mode_records_then_draws_the_page_and_the_badge(tmp_path: Path) -> None:
    env = _gate_environment(tmp_path, "record", RECORDING_STAND_IN)
    env["CARBON_GATE_ARTIFACT"] = str(tmp_path / "artifact")
    done = _run_gate_step(tmp_path, env)
    assert done.returncode == 0
    site = tmp_path / "carbon-gate-history-site"
    assert (tmp_path / "seen").read_text().splitlines() == [
        "history record --config carbon-budget.yml --results "
        f"{tmp_path / 'artifact' / 'head.json'} --branch carbon-gate-history",
        f"history html --output {site} --from refs/carbon-gate/history",
        f"history badge --output {site}/badge.svg --config carbon-budget.yml "
        "--from refs/carbon-gate/history",
    ]
    assert f"history-site={site}" in (tmp_path / "output").read_text()


@pytest.mark.parametrize(
    ("mode", "status", "expected"),
    [
        ("check", "carbon-gate", "--comment update --commit-status carbon-gate"),
        ("comment", "carbon-gate", "--comment update --commit-status carbon-gate"),
        ("measure", "carbon-gate", "--comment off --artifact"),  # a read-only token: no status
        ("check", "", "--comment update"),
        ("pending", "carbon-gate", "pending --commit-status carbon-gate"),
        ("pending", "", "pending --commit-status carbon-gate"),
    ],
)
def test_the_commit_status_is_set_where_a_token_may_set_it(
    tmp_path: Path, mode: str, status: str, expected: str
) -> None:
    env = _gate_environment(tmp_path, mode, RECORDING_STAND_IN)
    env["CARBON_GATE_COMMIT_STATUS"] = status
    done = _run_gate_step(tmp_path, env)
    assert done.returncode == 0
    (seen,) = (tmp_path / "seen").read_text().splitlines()
    assert expected in seen
    assert ("--commit-status" in seen) == (
        mode != "measure" and (bool(status) or mode == "pending")
    )
    if mode == "pending":  # no model, no base, no report: only the mark
        assert seen == expected


def test_a_failed_record_fails_the_step_with_its_code(tmp_path: Path) -> None:
    env = _gate_environment(tmp_path, "record", RECORDING_STAND_IN + "exit 3\n")
    done = _run_gate_step(tmp_path, env)
    assert done.returncode == 3
    assert len((tmp_path / "seen").read_text().splitlines()) == 1  # no page of a failed record


def _stand_in_wheel(folder: Path) -> Path:
    """carbon-gate 0.0.1 as a wheel of one module, whose `carbon-gate --version` says so."""
    files = {
        "stand_in.py": "def main():\n    print('carbon-gate, version 0.0.1')\n",
        "carbon_gate-0.0.1.dist-info/METADATA": (
            "Metadata-Version: 2.1\nName: carbon-gate\nVersion: 0.0.1\n"
        ),
        "carbon_gate-0.0.1.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        "carbon_gate-0.0.1.dist-info/entry_points.txt": (
            "[console_scripts]\ncarbon-gate = stand_in:main\n"
        ),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files["carbon_gate-0.0.1.dist-info/RECORD"] = "\n".join(
        [*record, "carbon_gate-0.0.1.dist-info/RECORD,,\n"]
    )
    wheel = folder / "carbon_gate-0.0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def _install(tmp_path: Path, installer: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The install step, as GitHub runs it, with no package registry: pip and uv find nothing
    there (PIP_NO_INDEX, UV_NO_INDEX), and pip reads no configuration of this machine's."""
    script = tmp_path / "install.sh"
    script.write_text(str(_step("install")["run"]))
    outside = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env={
            **outside,
            "PIP_CONFIG_FILE": os.devnull,
            "RUNNER_TEMP": str(tmp_path),
            "GITHUB_OUTPUT": str(tmp_path / "output"),
            "GITHUB_ACTION_PATH": str(_stand_in_wheel(tmp_path)),
            "CARBON_GATE_PYTHON": sys.executable,
            "CARBON_GATE_REQUIREMENTS": "",
            "CARBON_GATE_INSTALLER": installer,
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("installer", ["poetry", "UV", "", "uv\n::warning::injected"])
def test_an_installer_other_than_uv_or_pip_fails_the_step_before_anything_is_made(
    tmp_path: Path, installer: str
) -> None:
    done = _install(tmp_path, installer)
    assert done.returncode == 2
    (line,) = done.stdout.splitlines()  # the value shown on the error's line, escaped
    assert line.startswith("::error title=carbon-gate::installer must be uv or pip, not ")
    assert not (tmp_path / "carbon-gate-venv").exists()
    assert not (tmp_path / "output").exists()


def _installed_with_pip(tmp_path: Path, done: subprocess.CompletedProcess[str]) -> list[str]:
    """What the step said, once it is checked that pip installed the stand-in, without uv."""
    assert done.returncode == 0, done.stdout + done.stderr
    venv = tmp_path / "carbon-gate-venv"
    said = done.stdout.splitlines()
    assert said[-1].startswith("installed carbon-gate, version 0.0.1 with pip in ")
    assert (tmp_path / "output").read_text() == f"bin={venv / 'bin'}\n"
    assert (venv / "bin" / "pip").exists()  # the virtualenv's own pip, as `venv` would put there
    assert not (venv / "bin" / "uv").exists()
    return said[:-1]


def test_installer_pip_installs_with_pip_alone(tmp_path: Path) -> None:
    assert _installed_with_pip(tmp_path, _install(tmp_path, "pip")) == []


def test_pip_installs_where_pip_has_package_sources_that_uv_would_not_read(
    tmp_path: Path,
) -> None:
    done = _install(tmp_path, "uv", PIP_NO_INDEX="1")
    assert _installed_with_pip(tmp_path, done) == [
        "pip is configured with package sources that uv does not read: installing with pip"
    ]


def test_pip_installs_where_uv_cannot_be_installed(tmp_path: Path) -> None:
    # uv is told where to look (nowhere), so pip's settings do not decide; pip finds no uv.
    done = _install(tmp_path, "uv", UV_NO_INDEX="1", PIP_NO_INDEX="1")
    assert _installed_with_pip(tmp_path, done) == ["could not install uv: installing with pip"]
    assert "uv==0.13.9" in done.stderr  # pip's own word on why
