"""The one place that turns an error into what the user reads and the exit code it means.

0 pass, 1 over budget, 2 usage or budget-file error, 3 measurement or internal error

Every error is printed inert in GitHub Actions' log (`output.inert`), whichever it is: a message
may quote what carbon-gate did not write (a name on the history branch, a key of a results file,
git's or GitHub's answer, the benchmark's traceback), and telling which ones do is a guess that
one new message would get wrong. Outside Actions, where nothing runs commands, it reads as is.
"""

from __future__ import annotations

import os

from carbon_gate import output
from carbon_gate.errors import CarbonGateError, ConfigError, MeasurementError


def reported(error: Exception) -> int:
    """Print `error` as the user should see it, and return the exit code it means.

    Re-raises an error carbon-gate does not know when CARBON_GATE_DEBUG is set, for its traceback.
    """
    if not isinstance(error, CarbonGateError) and os.environ.get("CARBON_GATE_DEBUG"):
        raise error
    output.untrusted_message(said(error), os.environ)
    return error.exit_code if isinstance(error, CarbonGateError) else 3


def said(error: Exception) -> str:
    """`error` as the user reads it: every line of it, in one text."""
    if isinstance(error, ConfigError):
        count = len(error.problems)
        summary = f"error: {count} problem{'s' * (count != 1)} in the budget file"
        return "\n".join([*(str(problem) for problem in error.problems), summary])
    if isinstance(error, MeasurementError) and error.details.strip():
        details = "\n".join(f"  | {line}" for line in error.details.splitlines())
        return f"error: {error}\n{details}"
    if isinstance(error, CarbonGateError):
        return f"error: {error}"
    # The last line of defence: no traceback, but what happened.
    message = f"internal error: {type(error).__name__}: {error}"
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if token:
        message = message.replace(token, "***")
    return f"{message} — please report it; set CARBON_GATE_DEBUG=1 to see more"
