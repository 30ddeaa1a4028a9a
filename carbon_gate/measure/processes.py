"""Processes below a process (Linux's /proc), killing them all, and Linux's prctl(2).

What the gate needs so that nothing a measurement started outlives it: a worker that is a child
subreaper keeps every process its benchmark started below it, even one that left its session, and
`kill_descendants` finds and kills them. Where there is no /proc (macOS), nothing is found, and the
process group is all that is killed.
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


def kill_adopted(mark: str, workers: Collection[int]) -> None:
    """SIGKILL the children this process adopted (as a child subreaper) from a worker that died
    before it could be walked, with all below them, and reap them: those whose environment holds
    `mark` ("NAME=VALUE", set in every worker's) but the `workers` still running, so that no other
    child of ours is touched."""
    wanted = mark.encode()
    for pid in _children().get(os.getpid(), []):
        if pid in workers:
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                if wanted not in environ.read().split(b"\0"):
                    continue
        except OSError:  # gone, or unreadable: not provably ours
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGSTOP)  # it starts nothing more while we look
        kill_descendants(pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)  # our child now: no zombie left behind
