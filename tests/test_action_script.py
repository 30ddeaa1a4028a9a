"""The action's own shell step, run by bash as GitHub runs it, with a stand-in for carbon-gate
that says which process it is: in the modes that measure, carbon-gate takes the shell's place."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

ACTION = Path(__file__).resolve().parents[1] / "action.yml"
STAND_IN = """#!/bin/sh
echo "$$ $*" > "$CARBON_GATE_SEEN"
exit 1
"""


def _step() -> dict[str, object]:
    steps = yaml.safe_load(ACTION.read_text())["runs"]["steps"]
    return next(s for s in steps if s.get("id") == "gate")


@pytest.mark.parametrize("mode", ["check", "measure", "comment"])
def test_where_the_pull_requests_code_runs_no_shell_holding_the_token_stays(
    tmp_path: Path, mode: str
) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "carbon-gate").write_text(STAND_IN)
    (tmp_path / "bin" / "carbon-gate").chmod(0o755)
    env = {
        "PATH": os.environ["PATH"],
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "CARBON_GATE_SEEN": str(tmp_path / "seen"),
        "CARBON_GATE_BIN": str(tmp_path / "bin"),
        "CARBON_GATE_MODE": mode,
        "CARBON_GATE_CONFIG": "carbon-budget.yml",
        "CARBON_GATE_COMMENT": "update",
        **dict.fromkeys(
            ["CARBON_GATE_BASE_REF", "CARBON_GATE_BASELINE", "CARBON_GATE_ARTIFACT",
             "CARBON_GATE_WARN_ONLY", "CARBON_GATE_REQUIRE_COMPARISON",
             "CARBON_GATE_REPORT_ID"], ""),
    }  # fmt: skip
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


def test_the_measuring_half_is_given_no_token() -> None:
    token = _step()["env"]["GITHUB_TOKEN"]  # type: ignore[index]
    assert token == "${{ inputs.mode != 'measure' && inputs.token || '' }}"
