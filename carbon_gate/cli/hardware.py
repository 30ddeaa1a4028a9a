"""`carbon-gate hardware`: the machines whose embodied emissions carbon-gate knows (Boavizta's
data), for `lifecycle.embodied.*.hardware` in the budget file."""

from __future__ import annotations

from carbon_gate import output
from carbon_gate.errors import UsageError
from carbon_gate.lifecycle import hardware
from carbon_gate.readable import format_amount, format_duration


def hardware_command(pattern: str) -> int:
    """Print every machine whose name holds `pattern` (all without one); 2 when none does."""
    data = hardware.load()
    wanted = pattern.strip().lower()
    found = [row for key, row in sorted(data.rows.items()) if wanted in key]
    if not found:
        problem = data.problem_with(pattern)
        hint = f" — {problem[1]}" if problem and problem[1] else ""
        raise UsageError(f"no machine's name holds {pattern!r}{hint}")
    width = max(len(row.name) for row in found)
    lines = [f"{'name'.ljust(width)}  TE (embodied)   range                 lifespan (EL)"]
    for row in found:
        total = format_amount(row.total)
        low, high = (format_amount(m) for m in (row.low, row.high))
        lines.append(
            f"{row.name.ljust(width)}  {total.ljust(14)}  {f'{low} – {high}'.ljust(20)}  "
            f"{format_duration(row.lifespan)}"
        )
    lines += ["", f"{len(found)} of {len(data.rows)} machines; figures: {data.origin}."]
    lines.append(
        "Cloud instances are their host's share (by vCPU, memory, storage, GPUs): RR/ToR is 1."
    )
    output.result("\n".join(lines) + "\n")
    return 0
