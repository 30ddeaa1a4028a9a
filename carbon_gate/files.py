"""Files carbon-gate writes (the results file, the report, what `init` writes, the artifact):
written whole or not at all, and refused before any work is done when they cannot be."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from carbon_gate.errors import UsageError


def writable(path: Path) -> Path:
    """The file to write for `path` (through a symlink); a `UsageError` before any work is done."""
    target = path.resolve()
    if target.exists() and not target.is_file():
        raise UsageError(f"{path}: exists and is not a regular file — choose another --output")
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{path}: cannot create its folder: {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{path}: its folder {folder} is not writable — choose another --output")
    return target


def write_text(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: readers see the old file or the new one, never half."""
    target = writable(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would hide it from other users
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
