"""The one place that turns an error into what the user reads and the exit code it means.

0 pass, 1 over budget, 2 usage or budget-file error, 3 measurement or internal error
"""

from __future__ import annotations

import os

from carbon_gate import output
from carbon_gate.errors import CarbonGateError, ConfigError, MeasurementError


def reported(error: Exception) -> int:
    """Print `error` as the user should see it, and return the exit code it means.

    Re-raises an error carbon-gate does not know when CARBON_GATE_DEBUG is set, for its traceback.
    """
    if isinstance(error, ConfigError):
        for problem in error.problems:
            output.message(str(problem))
        count = len(error.problems)
        output.message(f"error: {count} problem{'s' * (count != 1)} in the budget file")
        return error.exit_code
    if isinstance(error, CarbonGateError):
        output.message(f"error: {error}")
        if isinstance(error, MeasurementError) and error.details.strip():
            output.message("\n".join(f"  | {line}" for line in error.details.splitlines()))
        return error.exit_code
    # The last line of defence: no traceback, but what happened.
    if os.environ.get("CARBON_GATE_DEBUG"):
        raise error
    message = f"internal error: {type(error).__name__}: {error}"
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if token:
        message = message.replace(token, "***")
    output.message(f"{message} — please report it; set CARBON_GATE_DEBUG=1 to see more")
    return 3
