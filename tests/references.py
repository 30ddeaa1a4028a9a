"""Where the tests find the references others wrote (tests/js, installed by `.ci/run`).

Without them (no Node.js, or `npm ci --prefix tests/js --ignore-scripts` not run) the tests that
need them are skipped, and say so; `.ci/run` sets CARBON_GATE_TEST_REFERENCES=required, and there a
missing reference fails the test instead: CI never passes what it did not check.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).parent / "js" / "node_modules"
_REQUIRED = os.environ.get("CARBON_GATE_TEST_REFERENCES") == "required"


def node_package(name: str) -> Path:
    """The npm package `name` in tests/js, with `node` on PATH; else skip (or fail)."""
    folder = NODE_MODULES / name
    if shutil.which("node") and (folder / "package.json").is_file():
        return folder
    why = f"needs Node.js and {name}: run `npm ci --prefix tests/js --ignore-scripts`"
    if _REQUIRED:
        pytest.fail(why)
    pytest.skip(why)
