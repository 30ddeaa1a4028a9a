"""A serving worker (`python -m carbon_gate.measure.worker DIR --serve`): ready once, then one
measured batch per request, over two pipes of its own (the user's code may print to stdout and
stderr).

Any way the worker can fail — an error it reports, a hang past the timeout, a crash, a broken pipe,
a garbled answer — is a `MeasurementError`, and its process group is killed at once. Its answers
come back with the secrets of carbon-gate's environment masked.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from carbon_gate.errors import MeasurementError
from carbon_gate.measure import run
from carbon_gate.measure.batches import Repeat
from carbon_gate.measure.worker_process import (
    failure,
    kill_group,
    masked,
    no_result,
    start,
    timed_out,
)


class Session:
    """One serving worker: `ready()` once, then `repeat()` per batch; `close()` ends it."""

    def __init__(
        self,
        directory: Path,
        process: subprocess.Popen[bytes],
        pipes: tuple[int, int],
        timeout_s: float,
    ) -> None:
        self._directory, self._process = directory, process
        self._requests, self._replies = pipes
        self._buffer = b""
        self.timeout_s = timeout_s

    def ready(self) -> run.Ready:
        """Wait for the import, the setup and the warm-up; the machine and its power sources."""
        return run.ready(self._answer())

    def repeat(self, index: int) -> Repeat:
        """Measure one repeat (each workload in turn): each workload's batch."""
        try:
            os.write(self._requests, f"measure {index}\n".encode())
        except OSError:  # the worker is gone: say how, from its exit and its log
            self._gone()
        return run.repeat(self._answer()["repeat"])

    def close(self) -> None:
        """Stop the worker and everything it started; harmless when it is already gone."""
        with contextlib.suppress(OSError):
            os.write(self._requests, b"stop\n")
        kill_group(self._process)

    def _answer(self) -> dict[str, Any]:
        try:
            answer = self._line()
        except MeasurementError:
            self.close()
            raise
        if not answer.get("ok"):
            self.close()
            raise failure(answer)
        return answer

    def _line(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_s
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([self._replies], [], [], max(remaining, 0.0))
            if not readable:
                raise timed_out(self._process, self._directory, self.timeout_s)
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                self._gone()
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            answer = masked(json.loads(line))
            if not isinstance(answer, dict):
                raise ValueError("not an object")
        except (ValueError, RecursionError):
            garbled = masked(repr(line[:200]))
            raise MeasurementError(f"the benchmark process answered garbage: {garbled}") from None
        return answer

    def _gone(self) -> None:
        code = self._process.wait()
        raise no_result(self._directory, code, self._directory / "output.log")


@contextlib.contextmanager
def serving(
    spec: dict[str, Any], timeout_s: float, python: str = sys.executable
) -> Iterator[Session]:
    """Start a serving worker for `spec`; each answer must come within `timeout_s`."""
    with tempfile.TemporaryDirectory(prefix="carbon-gate-") as folder:
        directory = Path(folder)
        ours: list[int] = []
        theirs: list[int] = []
        try:
            requests_read, requests_write = os.pipe()
            ours.append(requests_write)
            theirs.append(requests_read)
            replies_read, replies_write = os.pipe()
            ours.append(replies_read)
            theirs.append(replies_write)
            control = {**spec, "control": theirs}
            (directory / "spec.json").write_text(json.dumps(control), encoding="utf-8")
            with (directory / "output.log").open("wb") as sink:
                process = start(spec, directory, sink, python, tuple(theirs))
            for fd in theirs:  # the worker's ends: only it may hold them, so that EOF is seen
                os.close(fd)
            theirs.clear()
            session = Session(directory, process, (requests_write, replies_read), timeout_s)
            try:
                yield session
            finally:
                session.close()
        finally:
            for fd in ours + theirs:
                with contextlib.suppress(OSError):
                    os.close(fd)
