"""Finding the model's inference function in a repository, for `init`: the module-level function
most likely to run one inference, with its setup, named as the budget file's benchmark names it.

Reads the source with `ast` and imports nothing of it.
"""

from __future__ import annotations

import ast
import keyword
from dataclasses import dataclass, field
from pathlib import Path

from carbon_gate.measure.git import git

# Function names that run the model, best first; and those that prepare it.
INFERENCE = ("predict", "infer", "inference", "run_inference", "predict_batch", "forward")
SETUP = ("setup", "load_model", "load")
_SKIPPED = {"tests", "test", "docs", "site-packages", "node_modules", "build", "dist"}
_MAX_FILES = 2000


@dataclass(frozen=True)
class Found:
    """The inference entry point found in the repository, as the budget file names it."""

    path: str
    callable: str
    setup: str | None = None
    train_step: str | None = None
    parameters: list[str] = field(default_factory=list)
    python_path: str | None = None
    note: str = ""


def find_entry_point(root: Path) -> Found | None:
    """The module-level function most likely to run one inference, or None."""
    best: tuple[tuple[object, ...], Found] | None = None
    for relative in _python_files(root):
        try:
            tree = ast.parse((root / relative).read_bytes())
        except (SyntaxError, ValueError, OSError):
            continue
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        name = next((n for n in INFERENCE if n in functions), None)
        module = _module(relative)
        if name is None or module is None:
            continue
        found = _describe(relative, module, name, functions)
        hint = any(word in relative.stem for word in ("bench", "model", "predict", "infer"))
        rank = (INFERENCE.index(name), found.setup is None, not hint, len(relative.parts))
        if best is None or (rank, str(relative)) < (best[0], best[1].path):
            best = (rank, found)
    return None if best is None else best[1]


def _describe(
    relative: Path, module: tuple[str, str | None], name: str, functions: dict[str, ast.FunctionDef]
) -> Found:
    dotted, python_path = module
    setup = next((n for n in SETUP if n in functions), None)
    parameters = _required(functions[setup]) if setup else []
    note = ""
    arguments = _required(functions[name])
    if setup is None and arguments:
        note = f"{name}() takes arguments: add a setup that returns what it needs"
    elif setup is not None and len(arguments) > 1:
        note = (
            f"{name}() takes {len(arguments)} arguments but is called with {setup}()'s result "
            "only: wrap it in a function of one argument"
        )
    return Found(
        path=relative.as_posix(),
        callable=f"{dotted}:{name}",
        setup=f"{dotted}:{setup}" if setup else None,
        train_step=f"{dotted}:train_step" if "train_step" in functions else None,
        parameters=parameters,
        python_path=python_path,
        note=note,
    )


def _required(function: ast.FunctionDef) -> list[str]:
    """Names of the parameters a call must give (no default)."""
    positional = [*function.args.posonlyargs, *function.args.args]
    without_default = positional[: len(positional) - len(function.args.defaults)]
    keyword = [
        arg.arg
        for arg, default in zip(function.args.kwonlyargs, function.args.kw_defaults, strict=True)
        if default is None
    ]
    return [arg.arg for arg in without_default] + keyword


def _module(relative: Path) -> tuple[str, str | None] | None:
    """("package.module", python_path) for a file, or None if it cannot be imported by name."""
    parts = list(relative.with_suffix("").parts)
    python_path = None
    if parts[0] == "src" and len(parts) > 1:
        python_path, parts = "src", parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return None
    return ".".join(parts), python_path


def _python_files(root: Path) -> list[Path]:
    """The repository's Python files (tracked or not, minus ignored ones), tests left out."""
    listed = git(root, "ls-files", "-co", "--exclude-standard", "--", "*.py") or ""
    files = []
    for line in listed.splitlines()[:_MAX_FILES]:
        path = Path(line)
        skipped = any(part in _SKIPPED or part.startswith(".") for part in path.parts[:-1])
        if skipped or path.name in ("setup.py", "conftest.py") or path.name.startswith("test_"):
            continue
        files.append(path)
    return files
