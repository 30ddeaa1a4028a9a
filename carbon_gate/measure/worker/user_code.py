"""The user's code as the worker calls it: a callable imported by its reference
(`package.module:function`) or a shell command, and what becomes of its failures.

Takes references and calls; gives the callables, or a `UserCodeError` that carries the stage and
the user's own traceback (without carbon-gate's frames) when the user's code raises, calls
`sys.exit` or, as a command, exits with an error.
"""

from __future__ import annotations

import importlib
import subprocess
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Frames of carbon-gate's own worker files are left out of the user's tracebacks: every module
# between the worker's entry and the user's code.
_OURS = {
    str(Path(__file__).with_name(name))
    for name in ("__main__.py", "supervisor.py", "workload.py", "repeat.py", "user_code.py")
}


class CommandFailed(Exception):
    """The benchmark's shell command exited with an error; carries the end of its output."""

    def __init__(self, code: int, output: str) -> None:
        super().__init__(f"exited with code {code}")
        self.output = output


class UserCodeError(Exception):
    """The user's code failed; carries the stage and the user's own traceback."""

    def __init__(self, stage: str, message: str, trace: str) -> None:
        super().__init__(message)
        self.stage, self.message, self.trace = stage, message, trace


def load(reference: str) -> Callable[..., Any]:
    """The callable `package.module:function` names, imported; a `UserCodeError` if it is none."""
    module_name, _, attribute = reference.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except BaseException as error:  # a user's import may raise anything, even SystemExit
        reason = describe(error).removeprefix("raised ")
        if isinstance(error, ModuleNotFoundError) and error.name == module_name.split(".")[0]:
            reason += " — is it installed here, or in a folder listed in benchmark.python_path?"
        raise UserCodeError(
            "import", f"cannot import {reference}: {reason}", user_trace(error)
        ) from None
    if not callable(target):
        raise UserCodeError(
            "import", f"{reference} is not callable (it is {type(target).__name__})", ""
        )
    return target  # type: ignore[no-any-return]


def call(function: Callable[..., Any], reference: str, stage: str, **kwargs: Any) -> Any:
    """`function(**kwargs)`; whatever it raises becomes a `UserCodeError` of `stage`."""
    try:
        return function(**kwargs)
    except BaseException as error:  # SystemExit and KeyboardInterrupt included
        raise UserCodeError(stage, f"{reference} {describe(error)}", user_trace(error)) from None


def describe(error: BaseException) -> str:
    """What the user's code did: "raised KeyError: 'x'", "called sys.exit(2)", "exited with …"."""
    if isinstance(error, CommandFailed):
        return str(error)
    if isinstance(error, SystemExit):
        return f"called sys.exit({error.code!r})"
    text = str(error)
    return f"raised {type(error).__name__}" + (f": {text}" if text else "")


def user_trace(error: BaseException) -> str:
    """The traceback without carbon-gate's own frames: only the user's code, as they wrote it."""
    if isinstance(error, CommandFailed):
        return error.output
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename not in _OURS
        and not f.filename.startswith("<frozen")
        and "importlib" not in Path(f.filename).parts
    ]
    if not frames:
        return "".join(traceback.format_exception_only(type(error), error))
    return "Traceback (most recent call last):\n" + "".join(
        traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    )


def shell_command(command: str) -> Callable[[], Any]:
    """A call that runs `command` in a shell; a non-zero exit raises `CommandFailed`."""

    def run_once() -> None:
        done = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CommandFailed(done.returncode, (done.stderr or done.stdout)[-4000:].strip())

    return run_once
