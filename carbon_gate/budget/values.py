"""The values of the budget file's keys: how each kind is read (`plain_text`, `budget_limit`, …) and
checked (`positive`, `at_most_all`, …). A parser raises `QuantityError`; a check returns (what is
wrong, what to write) or None. Pure; `schema` puts them to their keys."""

from __future__ import annotations

import re
from typing import Any

from carbon_gate import units
from carbon_gate.lifecycle.assumptions import BOUNDARIES
from carbon_gate.quantities import Energy, Mass
from carbon_gate.units import QuantityError

SCHEMA_VERSION = 1
# A leg's name or a runner's label, as a matrix writes them: plain words ("classifier", "gpu").
LABEL = r"[A-Za-z0-9][A-Za-z0-9 ._/@+-]{0,79}"
# Characters of a text: a benchmark's command or callable, a CPU model, a runner's label. One limit
# for the budget file, the results file and the history (`results.records`), so that what one
# accepts the next ones do.
TEXT_LIMIT = 1_000


def plain_text(value: Any) -> str:
    if not isinstance(value, str):
        raise QuantityError(f"expected text, got {value!r}", "")
    if not value.strip():
        raise QuantityError("is empty", "write a value or remove the key")
    if len(value.strip()) > TEXT_LIMIT:
        raise QuantityError(
            f"is {len(value.strip()):,} characters long, more than the {TEXT_LIMIT:,} carbon-gate "
            "keeps",
            "shorten it (a long command belongs in a script that it runs)",
        )
    return value.strip()


def country(value: Any) -> str:
    if value is False:  # YAML 1.1 reads an unquoted NO (Norway's alpha-2) as false
        raise QuantityError("expected a country code, got false", 'write Norway as "NOR"')
    # Whether the code exists is checked against codecarbon's data, which can suggest the right one.
    return plain_text(value).upper()


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise QuantityError(f"expected true or false, got {value!r}", "write true or false")
    return value


def integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuantityError(f"expected a whole number, got {value!r}", "")
    return value


def budget_limit(value: Any) -> Mass | Energy:
    try:
        return units.parse_mass(value)
    except QuantityError as mass_error:
        try:
            return units.parse_energy(value)
        except QuantityError:
            raise QuantityError(
                mass_error.message, 'write a mass of CO2eq ("5 kg", "120 g") or an energy ("3 kWh")'
            ) from None


def module_function(value: Any) -> str:
    text = plain_text(value)
    if not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*", text):
        raise QuantityError(
            f"expected `module:function`, got {text!r}", 'write e.g. "my_model.bench:predict"'
        )
    return text


def duration(unit_for_plain: str) -> Any:
    return lambda value: units.parse_duration(value, unit_for_plain)


def amount(value: Any) -> float:
    """The number inside a quantity (joules, kg, seconds, …), or the value itself."""
    for unit in ("joules", "kg", "seconds", "per_second", "g_per_kwh"):
        if hasattr(value, unit):
            return float(getattr(value, unit))
    return float(value)


def positive(value: Any) -> tuple[str, str] | None:
    if amount(value) <= 0:
        return "must be more than zero", "remove the key if it does not apply"
    return None


def not_negative(value: Any) -> tuple[str, str] | None:
    return ("must not be negative", "write 0 or more") if amount(value) < 0 else None


def whole(value: float) -> tuple[str, str] | None:
    if value != int(value):
        return "must be a whole number", "round it"
    return None


def at_most_one(value: float) -> tuple[str, str] | None:
    if value > 1:
        return "must be at most 1 (a full training)", 'write e.g. 0.25 or "25 %"'
    return None


def at_most_all(value: float) -> tuple[str, str] | None:
    if value > 1:
        return "must be at most 1 (all of it)", 'write e.g. 0.25 or "25 %"'
    return None


def unit_name(value: Any) -> str:
    text = plain_text(value)
    if not re.fullmatch(r"[^\W_][\w ,.'()/-]{0,39}", text):
        raise QuantityError(
            f"expected a short name of words, got {text!r}",
            'write e.g. "request" or "hour of use" (letters, digits, spaces; 40 at most)',
        )
    return text


def boundary(value: Any) -> str:
    text = plain_text(value)
    if text not in BOUNDARIES:
        raise QuantityError(
            f"expected inference or lifecycle, got {text!r}",
            "inference: serving the model; lifecycle: search and training spread over the "
            "inferences too",
        )
    return text


def at_least_two(value: int) -> tuple[str, str] | None:
    if value < 2:
        return "must be 2 or more", "the spread of the result needs at least 2 repeats"
    return None


def at_least_one_worker(value: int) -> tuple[str, str] | None:
    if value < 1:
        return "must be 1 or more", "each side needs a worker process"
    return None


def known_version(value: int) -> tuple[str, str] | None:
    if value != SCHEMA_VERSION:
        return f"must be {SCHEMA_VERSION}", "this carbon-gate reads version 1 files; upgrade it"
    return None


def at_least_one(value: float) -> tuple[str, str] | None:
    if value < 1:
        return "must be 1 or more", "write 1 or more"
    return None
