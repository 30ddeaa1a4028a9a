"""The errors carbon-gate raises, and the exit code each one means.

    CarbonGateError           exit 3: measurement or internal error
    ├── MeasurementError      exit 3: the benchmark failed, hung or crashed; carries the details
    ├── GitHubError           exit 3: GitHub refused or could not be reached (github/exchange.py)
    ├── UsageError            exit 2: a bad flag, a missing file, a malformed results file
    │   └── StalePullRequest  the artifact's pull request moved on (github/artifact.py)
    └── ConfigError           exit 2: the budget file is wrong; carries every problem found in it

Exit code 1 (over budget) is a decision, not an error: commands return it.
Only the CLI turns these into exit codes and prints them.
"""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong in a budget file, where it is, and what to write instead."""

    file: str
    line: int
    column: int
    key: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        key = f" {self.key}:" if self.key else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}:{key} {self.message}{hint}"


class CarbonGateError(Exception):
    """Base of every error carbon-gate reports to the user."""

    exit_code = 3


class UsageError(CarbonGateError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


class ConfigError(CarbonGateError):
    """The budget file has one or more problems; all of them are reported at once."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line, p.column, p.key))
        super().__init__("\n".join(str(p) for p in self.problems))


class MeasurementError(CarbonGateError):
    """The benchmark could not be measured; `details` holds the user's traceback or output."""

    exit_code = 3

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details
