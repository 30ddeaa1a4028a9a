"""The supervisor of the worker: the process carbon-gate started, forked before the user's code
is imported.

Nothing the user's code starts may outlive the worker, nor the worker carbon-gate. The process
carbon-gate starts forks before the user's code is imported: the child goes on as the worker, and
the parent stays as its supervisor, running no user code (so a thread of its cannot wait for the
GIL behind a hung C call). On Linux the supervisor is a child subreaper: a process the user's code
started stays below it when it leaves the session, when its own parent dies, and when the worker
itself dies first (os._exit, the OOM killer), so the walk down from it finds them all. When the
worker ends, the supervisor kills everything below it and ends as the worker did. Its stdin is a
pipe that carbon-gate holds open and never writes to: when carbon-gate is gone, however it went
(SIGKILL included), the supervisor kills everything below it, then the whole process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import NoReturn

from carbon_gate.measure.processes import (
    PR_SET_CHILD_SUBREAPER,
    PR_SET_PDEATHSIG,
    kill_descendants,
    prctl,
)


def guarded_by_lifeline() -> None:
    """Fork: return in the child, the worker, whose stdin is /dev/null; the parent, the process
    carbon-gate started, supervises it (`_supervise`) and never returns."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # not inherited: the supervisor's alone
    lifeline = os.dup(0)  # not inheritable: the user's children never hold it
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    worker = os.fork()
    if worker == 0:
        os.close(lifeline)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # its supervisor killed: it goes too
        return
    try:
        _supervise(worker, lifeline)
    finally:
        os._exit(3)  # only if supervising itself failed


def _supervise(worker: int, lifeline: int) -> NoReturn:
    """Wait for the worker to end, or carbon-gate to be gone; kill everything below, then end as
    the worker ended (its exit code, or its signal)."""
    # Hold no pipe of the worker's (its answers to carbon-gate): only the lifeline.
    os.closerange(3, lifeline)
    os.closerange(lifeline + 1, os.sysconf("SC_OPEN_MAX"))
    # carbon-gate asks for the stacks of a hung benchmark with SIGUSR1: the worker's to answer.
    signal.signal(signal.SIGUSR1, lambda *_: _signal(worker, signal.SIGUSR1))
    threading.Thread(target=_watch, args=(lifeline,), daemon=True).start()
    _, status = os.waitpid(worker, 0)
    kill_descendants(os.getpid())
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # killed by a signal: so is this process, for carbon-gate to read it so
        with contextlib.suppress(OSError, ValueError):  # SIGKILL has no handler to reset
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def _watch(lifeline: int) -> None:
    """When carbon-gate is gone (its end of the lifeline closed), kill all below and the group."""
    while os.read(lifeline, 1):  # carbon-gate never writes: this returns when it is gone
        pass
    try:
        kill_descendants(os.getpid())
    finally:  # the process group at least, whatever the walk met
        os.killpg(0, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
