"""An assumption's value travels with its source: `Assumptions.given` sets both or neither."""

from __future__ import annotations

import pytest

from carbon_gate.lifecycle.assumptions import DEFAULT_SOURCES, Assumptions, Given
from carbon_gate.quantities import Energy


def test_a_given_value_comes_with_its_source() -> None:
    before = Assumptions()
    after = before.given(epochs=Given(3.0, "--epochs"), per_inference=Given(Energy(1e-3), "run"))
    assert (after.epochs, after.source("epochs")) == (3.0, "--epochs")
    assert (after.per_inference, after.source("per_inference")) == (Energy(1e-3), "run")
    assert after.source("pue") == DEFAULT_SOURCES["pue"]  # the defaults' sources stay
    assert (before.epochs, before.source("epochs")) == (None, None)  # a new value, not a change


def test_sources_cannot_be_changed_behind_the_values_back() -> None:
    assumptions = Assumptions().given(epochs=Given(3.0, "--epochs"))
    with pytest.raises(TypeError):
        assumptions.sources["epochs"] = "somewhere else"  # type: ignore[index]


@pytest.mark.parametrize("name", ["sources", "epoch"])
def test_only_an_assumption_can_be_given(name: str) -> None:
    with pytest.raises(TypeError, match=f"not an assumption: {name}"):
        Assumptions().given(**{name: Given(1.0, "x")})
