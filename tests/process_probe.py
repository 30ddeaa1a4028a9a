"""Whether processes a test started (through carbon-gate) still run, read from Linux's /proc."""

from __future__ import annotations

import time


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for whoever adopted it to reap it."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before, or while, it was read
        return False


def all_gone(pids: list[int], within_s: float = 5.0) -> bool:
    """Whether every one of `pids` has ended, waiting up to `within_s` for it."""
    deadline = time.monotonic() + within_s
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(alive(pid) for pid in pids)
