"""No budget file, however wrong, produces anything but a valid Config or a ConfigError."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carbon_gate.budget import config, schema
from carbon_gate.budget.fields import Either, Section
from carbon_gate.errors import ConfigError
from carbon_gate.lifecycle.grid import GridData

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _keys(section: Section) -> list[str]:
    names: list[str] = []
    for name, spec in section.fields.items():
        names.append(name)
        inner = spec.section if isinstance(spec, Either) else spec
        if isinstance(inner, Section):
            names += _keys(inner)
    return names


KEYS = [*_keys(schema.ROOT), "contry", "x", ""]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["12 J", "-3 kWh", "5 kg", "10M/day", "2 years", "DEU", "gcp", "0", "1e999",
                     "a:b", "5 %", "380 g/kWh", "NO", "1e-400 J", "nan", "10M/0 days"]),
)  # fmt: skip
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)
    ),
    max_leaves=25,
)


def _load(text: str, grid_data: GridData) -> None:
    """Parse `text`; any exception but ConfigError fails the test, and so does an empty one."""
    problems = []
    try:
        config.parse(text, "carbon-budget.yml", grid_data)
    except ConfigError as error:
        problems = error.problems
        assert problems, "a ConfigError must name at least one problem"
    assert all(p.line >= 1 and p.column >= 1 and p.message for p in problems)


@FUZZ
@given(document=documents)
def test_any_yaml_structure_loads_or_fails_cleanly(document: object, grid_data: GridData) -> None:
    _load(yaml.safe_dump(document, allow_unicode=True), grid_data)


@FUZZ
@given(text=st.text(max_size=200))
def test_any_text_loads_or_fails_cleanly(text: str, grid_data: GridData) -> None:
    _load(text, grid_data)


@FUZZ
@given(
    lines=st.lists(
        st.sampled_from(["grid:", "  country: DEU", "  pue: [", "lifecycle:", "  epochs: *a",
                         "  search: &a {trials: 3}", "budgets:", "\ttraining: 5", "- 1", "? x",
                         "  inferences:", "    rate: 1/s", "'unclosed", "{", "...", "---"]),
        max_size=10,
    )
)  # fmt: skip
def test_broken_lines_load_or_fail_cleanly(lines: list[str], grid_data: GridData) -> None:
    _load("\n".join(lines), grid_data)


def test_alias_bombs_are_stopped(grid_data: GridData) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    with pytest.raises(ConfigError, match="too large"):
        config.parse(bomb, "carbon-budget.yml", grid_data)
