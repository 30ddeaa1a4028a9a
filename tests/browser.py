"""A page as a real browser shows it: Debian's chromium, headless, driven by playwright-core
(tests/js/load_page.mjs). Without chromium or playwright-core the tests that need it are skipped,
or fail where CARBON_GATE_TEST_REFERENCES=required (as `references.node_package`).

Run as a script, it makes the docs' image of the dashboard, from the fixtures' 40 runs:

    python tests/browser.py docs/images/history-dashboard.png
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from references import node_package

LOADER = Path(__file__).parent / "js" / "load_page.mjs"
HEIGHT = 1750  # of the docs' image: the charts and the table's first rows
_REQUIRED = os.environ.get("CARBON_GATE_TEST_REFERENCES") == "required"


def chromium() -> str:
    """The chromium to drive, with playwright-core; else skip (or fail)."""
    node_package("playwright-core")
    found = shutil.which("chromium") or shutil.which("chromium", path="/usr/bin")
    if found:
        return found
    why = "needs chromium: apt-get install chromium (.ci/run does)"
    if _REQUIRED:
        pytest.fail(why)
    pytest.skip(why)


def load(
    page: Path, screenshot: Path | None = None, width: int = 1100, height: int | None = None
) -> dict[str, Any]:
    """What chromium met loading `page`: console and page errors, requests, the points shown, …
    (see load_page.mjs); with `screenshot`, the page (its top `height` pixels) as a PNG there."""
    command = ["node", str(LOADER), str(page.resolve())]
    if screenshot is not None:
        command += [str(screenshot.resolve()), str(width), *([str(height)] if height else [])]
    done = subprocess.run(
        command,
        env={**os.environ, "CHROMIUM": chromium()},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    shown: dict[str, Any] = json.loads(done.stdout)
    return shown


def main(image: str) -> None:
    """Write the docs' image of the dashboard of `history_fixtures.entries(40)` to `image`."""
    from history_fixtures import entries

    from carbon_gate.report import dashboard

    html = dashboard.page(entries(40), commit_url="https://github.com/example/model/commit/")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "index.html"
        page.write_text(html, encoding="utf-8")
        shown = load(page, Path(image), width=1100, height=HEIGHT)
    problems = shown["consoleErrors"] + shown["pageErrors"] + shown["failedRequests"]
    if problems:
        sys.exit(f"the page did not load cleanly: {problems}")


if __name__ == "__main__":
    main(sys.argv[1])
