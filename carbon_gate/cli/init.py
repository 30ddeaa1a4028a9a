"""`carbon-gate init`: add carbon-gate to a Git repository.

Writes a commented budget file whose benchmark names the model's inference function when one can
be found (`entry_point`), the GitHub workflows, and prints the pre-commit snippet. Asks nothing:
what it cannot infer is a TODO in the file. Refuses to overwrite anything without --force, and
writes nothing at all when it refuses.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from carbon_gate import __version__, files, output
from carbon_gate.cli.entry_point import Found, find_entry_point
from carbon_gate.errors import UsageError
from carbon_gate.github.artifact import leg_config_allowed
from carbon_gate.measure.git import git
from carbon_gate.report import templates

# Third-party actions in the written workflows, pinned by commit (the tag in the comment).
CHECKOUT = "11bd71901bbe5b1630ceea73d27597364c9af683  # v4.2.2"
UPLOAD = "ea165f8d65b6e75b540449e92b4886f43607fa02  # v4.6.2"
DOWNLOAD = "d3f86a106a0bac45b974a628896c90dbdf5c8093  # v4.3.0"
UPLOAD_PAGES = "56afc609e74202658d3ffba0e8f6dda462b719fa  # v3.0.1"
DEPLOY_PAGES = "d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e  # v4.0.5"
HISTORY_WORKFLOW = {"carbon-gate-history.yml": "workflow-history.yml.j2"}

FALLBACK_ACTION = f"carbon-gate/carbon-gate@v{__version__}"
_ACTION = re.compile(r"[\w.-]+/[\w./-]+@[\w./-]+")
_COMMIT = re.compile(r"[0-9a-f]{40}")
BUDGET_FILE = "carbon-budget.yml"
WORKFLOWS = {
    "single": {"carbon-gate.yml": "workflow-single.yml.j2"},
    "fork-safe": {
        "carbon-gate.yml": "workflow-measure.yml.j2",
        "carbon-gate-comment.yml": "workflow-comment.yml.j2",
    },
    "matrix": {
        "carbon-gate.yml": "workflow-matrix.yml.j2",
        "carbon-gate-comment.yml": "workflow-merge.yml.j2",
    },
    "none": {},
}
GITIGNORED = ("carbon-gate-results.json", "carbon-gate-base-results.json", "carbon-gate-report.md")


def init(cwd: Path, workflow: str, action: str | None, force: bool, *, history: bool = True) -> int:
    """Write the files; 0, or a `UsageError` (exit 2) before anything is written.

    Run in a subfolder of the repository (a monorepo's project), the budget file goes there and
    the workflows, at the repository's root, run the action in that folder."""
    root = _repository_root(cwd)
    project = cwd.resolve()
    folder = project.relative_to(root.resolve()).as_posix() if project != root.resolve() else ""
    action = action or installed_action() or FALLBACK_ACTION
    if not _ACTION.fullmatch(action):
        raise UsageError(f"--action must be OWNER/REPO@REF, got {action!r}")
    found = find_entry_point(project)
    env = templates.environment(templates.directory() / "init")
    written = {project / BUDGET_FILE: env.get_template("carbon-budget.yml.j2").render(found=found)}
    variables = {
        "action": action,
        "config": BUDGET_FILE,
        "working_directory": folder,
        "requirements": _requirements(project),
        "checkout": CHECKOUT,
        "upload": UPLOAD,
        "download": DOWNLOAD,
        "upload_pages": UPLOAD_PAGES,
        "deploy_pages": DEPLOY_PAGES,
        "history": history and workflow != "none",
        "legs": _legs(root, folder),
    }
    workflows = dict(WORKFLOWS[workflow])
    if history and workflows:
        workflows.update(HISTORY_WORKFLOW)
    for name, template in workflows.items():
        path = root / ".github" / "workflows" / name
        written[path] = env.get_template(template).render(**variables)
    existing = [path for path in written if path.exists()]
    if existing and not force:
        names = ", ".join(str(path.relative_to(root)) for path in existing)
        raise UsageError(f"{names}: already there — nothing was written; --force overwrites")
    ignored = _ignore_outputs(root)  # read before anything is written: it may fail
    for path, text in written.items():
        verb = "overwrote" if path in existing else "wrote"
        files.write_text(path, text)
        output.message(f"{verb} {path.relative_to(root)}")
    stale = root / ".github" / "workflows" / "carbon-gate-comment.yml"
    if workflow not in ("fork-safe", "matrix") and stale.exists():
        output.message(
            f"warning: {stale.relative_to(root)} is from the fork-safe setup: remove it, or it "
            "runs after every measurement"
        )
    if ignored is not None:
        files.write_text(root / ".gitignore", ignored)
        output.message("added carbon-gate's output files to .gitignore")
    _explain(found, workflow, action, f"{folder}/{BUDGET_FILE}" if folder else "")
    return 0


def _legs(root: Path, folder: str) -> list[dict[str, str]]:
    """The matrix's legs: one for each budget file in the repository (the one being written
    too), named after its folder, with what its model needs installed."""
    listed = git(root, "-c", "core.quotePath=false", "ls-files", "--cached", "--others",
                 "--exclude-standard") or ""  # fmt: skip
    folders = {
        Path(p).parent.as_posix() for p in listed.splitlines() if Path(p).name == BUDGET_FILE
    }
    folders.add(folder or ".")
    legs: list[dict[str, str]] = []
    names: set[str] = set()
    for place in sorted(folders):
        config = BUDGET_FILE if place == "." else f"{place}/{BUDGET_FILE}"
        if not leg_config_allowed(config):
            output.message(f"warning: {config} is left out of the matrix: a leg's budget file "
                           "is a path of letters, digits and ._-/ only")  # fmt: skip
            continue
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", place).strip("-.") if place != "." else "model"
        name = name or "model"
        while name in names:  # models/a-b and models/a_b/.. must not share an artifact
            name += "-2"
        names.add(name)
        requirements = _requirements(root / place)
        if requirements == "-r requirements.txt" and place != ".":
            requirements = f"-r {place}/requirements.txt"
        elif requirements == "." and place != ".":
            requirements = f"./{place}"
        legs.append({"name": name, "config": config, "requirements": requirements})
    return legs


def _repository_root(cwd: Path) -> Path:
    top = git(cwd, "rev-parse", "--show-toplevel")
    if top is None:
        raise UsageError(f"{cwd} is not in a Git repository — run `git init` first")
    return Path(top)


def installed_action() -> str | None:
    """OWNER/REPO@COMMIT of the carbon-gate that runs, when pip recorded where it came from.

    `pip install git+https://github.com/OWNER/REPO@REF` records the commit (PEP 610); for
    `pip install ./clone`, the clone's HEAD and its `origin` say it, while the clone is there."""
    try:
        recorded = metadata.distribution("carbon-gate").read_text("direct_url.json")
        info = json.loads(recorded or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return None
    url = str(info.get("url", ""))
    commit = str((info.get("vcs_info") or {}).get("commit_id", ""))
    if not commit and url.startswith("file://"):
        folder = Path(unquote(urlparse(url).path))
        commit = git(folder, "rev-parse", "HEAD") or ""
        url = git(folder, "remote", "get-url", "origin") or ""
    # Only a GitHub repository can be `uses:`-d: https://github.com/O/R(.git), git@github.com:O/R
    match = re.fullmatch(
        r"(?:https://|ssh://git@|git@)github\.com[/:]([\w.-]+)/([\w.-]+?)(?:\.git)?/?", url
    )
    if not (match and _COMMIT.fullmatch(commit)):
        return None
    return f"{match[1]}/{match[2]}@{commit}"


def _requirements(root: Path) -> str:
    """What the workflow installs for the model: requirements.txt, else the project itself."""
    if (root / "requirements.txt").is_file():
        return "-r requirements.txt"
    if (root / "pyproject.toml").is_file() or (root / "setup.py").is_file():
        return "."
    return ""


def _ignore_outputs(root: Path) -> str | None:
    """.gitignore with carbon-gate's output files added; None when nothing is to be added."""
    path = root / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read it ({error}) — nothing was written") from None
    missing = [name for name in GITIGNORED if name not in text.splitlines()]
    if not missing:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    separator = "" if not text or text.endswith("\n") else newline
    lines = newline.join(["# carbon-gate's outputs", *missing])
    return f"{text}{separator}{lines}{newline}"


def _explain(found: Found | None, workflow: str, action: str, config: str) -> None:
    if found is None:
        output.message(
            f"TODO: no inference function was found — set benchmark.callable in {BUDGET_FILE}"
        )
    else:
        output.message(f"benchmark: {found.callable} (found in {found.path})")
        if found.parameters:
            names = ", ".join(found.parameters)
            output.message(f"TODO: set benchmark.parameters for the setup: {names}")
        if found.note:
            output.message(f"TODO: {found.note}")
    output.message("next: `carbon-gate measure` tries the benchmark; then commit the files")
    if not _COMMIT.fullmatch(action.partition("@")[2]):
        output.message(
            f"warning: the workflows use {action}: pin it to a commit SHA you trust "
            "(--action OWNER/REPO@SHA)"
        )
    if workflow in ("fork-safe", "matrix"):
        output.message(
            "the comment workflow runs from the default branch: pull requests get their "
            "comment once these files are merged"
        )
    if workflow != "none":
        output.message(
            "then require the status check `carbon-gate` in a branch rule of the default branch "
            "(Settings › Rules): the verdict a pull request cannot loosen"
        )
    repository, _, ref = action.partition("@")
    output.result(
        "\n# .pre-commit-config.yaml: check the budget file on commit, gate the model on push\n"
        "repos:\n"
        f"  - repo: https://github.com/{repository}\n"
        f"    rev: {ref}\n"
        "    hooks:\n"
        "      - id: carbon-gate-validate\n"
        "      - id: carbon-gate-check\n"
        + (f"        args: [--config, {config}]\n" if config else "")
        + "# then: pre-commit install --hook-type pre-commit --hook-type pre-push\n"
    )
