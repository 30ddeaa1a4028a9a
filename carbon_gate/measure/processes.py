"""Processes below a process (Linux's /proc), killing them all, and Linux's prctl(2).

What the gate needs so that nothing a measurement started outlives it: a worker that is a child
subreaper keeps every process its benchmark started below it, even one that left its session, and
`kill_descendants` finds and kills them. carbon-gate is a child subreaper too: what a killed
supervisor leaves comes up to it, and `end_adopted` ends it. Where there is no /proc (macOS),
nothing is found, and the process group is all that is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Collection


def stat(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command (STATE, PPID, …, field 22 at [19] the start
    time in clock ticks since boot); None when the process is gone or there is no /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as file:
            # "PID (COMMAND) STATE PPID ...", and COMMAND may hold ")" or spaces.
            return file.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):  # gone (also while being read: ESRCH)
        return None


def _children() -> dict[int, list[int]]:
    """The live processes (Linux's /proc) by their parent's pid; {} where there is no /proc."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in filter(str.isdigit, os.listdir("/proc")):
            fields = stat(entry)
            if fields is None or len(fields) < 2:
                continue
            state, ppid = fields[:2]
            if state not in (b"Z", b"X"):  # the dead have no children left: theirs moved on
                children.setdefault(int(ppid), []).append(int(entry))
    return children


def descendants(root: int) -> list[int]:
    """Every live process below `root`, from /proc (Linux); none where there is no /proc."""
    children = _children()
    found, todo = [], [root]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def kill_descendants(root: int, spare: int | None = None) -> None:
    """SIGKILL every process below `root` (but `spare`), again until none is left: what a dying
    process started meanwhile comes up to `root`, a child subreaper (see `worker.supervisor`)."""
    refused: set[int] = set()  # another user's now (a setuid program): beyond our reach
    for _ in range(100):  # bounded: a fork bomb could outrun any walk
        found = [pid for pid in descendants(root) if pid != spare and pid not in refused]
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except PermissionError:
                refused.add(pid)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36


def prctl(option: int, value: int) -> None:
    """Linux's prctl(2), best effort: elsewhere, or where it is refused, nothing happens."""
    if sys.platform != "linux":
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def end_adopted(workers: Collection[int]) -> None:
    """SIGKILL, with all below them, and reap the children this process adopted as a child
    subreaper (what a worker whose supervisor was killed left): its children in a session other
    than its own, but the `workers` still running. Its own other children (git) are left alone."""
    # A process can start a session but never join one. Everything carbon-gate starts stays in its
    # session, but the workers, each started in a session of its own; so every process below a
    # worker, whatever it did (setsid, an empty environment, a double fork), is in another one.
    session = os.getsid(0)
    refused: set[int] = set()  # another user's now (a setuid program): beyond our reach
    for _ in range(100):  # bounded, as `kill_descendants`
        adopted = [
            pid
            for pid, its_session in _own_children()
            if its_session != session and pid not in workers and pid not in refused
        ]
        if not adopted:
            return
        for pid in adopted:
            try:
                os.kill(pid, signal.SIGSTOP)  # it starts nothing more while we look
            except PermissionError:
                refused.add(pid)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)  # reaped, should it have ended already
                continue
            kill_descendants(pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)  # our child now: no zombie left behind


def _own_children() -> list[tuple[int, int]]:
    """This process's children, zombies too, each with its session (Linux's /proc); [] where
    there is no /proc."""
    me = str(os.getpid()).encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in filter(str.isdigit, os.listdir("/proc")):
            fields = stat(entry)  # STATE, PPID, PGRP, SESSION, …
            if fields is not None and len(fields) > 3 and fields[1] == me:
                found.append((int(entry), int(fields[3])))
    return found
