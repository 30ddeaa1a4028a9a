"""carbon-gate: a carbon-budget gate for machine-learning repositories."""

from __future__ import annotations

__version__ = "0.1.0"
