"""A small declarative description of a YAML file: sections, fields, checks and docs.

One description serves three purposes: the loader walks it to parse and validate a file (collecting
every problem with its line), `json_schema()` turns it into the JSON Schema shipped for editors, and
the docs of each field come from it too. Keeping all three in one place keeps them in step.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carbon_gate.budget.yamlfile import Node
from carbon_gate.errors import Problem
from carbon_gate.units import QuantityError

Check = Callable[[Any], "tuple[str, str] | None"]  # parsed value -> (what is wrong, what to do)

NUMBER_WITH_UNIT = r"^\s*[+-]?([0-9][0-9_]*(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*[^\s0-9].*$"


@dataclass(frozen=True)
class Scalar:
    """A single value: `parse` turns what YAML gave into a domain value or raises QuantityError."""

    parse: Callable[[Any], Any]
    doc: str
    schema: dict[str, Any]
    checks: tuple[Check, ...] = ()

    def json_schema(self) -> dict[str, Any]:
        return {"description": self.doc, **self.schema}

    def read(self, raw: Any) -> Any:
        """The parsed, checked value; `QuantityError` (with a hint) when it is not acceptable."""
        try:
            value = self.parse(raw)
        except QuantityError as error:
            raise QuantityError(error.message, error.hint or self.example_hint()) from None
        for check in self.checks:
            failure = check(value)
            if failure is not None:
                raise QuantityError(*failure)
        return value

    def example_hint(self) -> str:
        examples = self.schema.get("examples")
        return f"write e.g. {examples[0]}" if examples else "write a single value"


@dataclass(frozen=True)
class Section:
    """A mapping of named fields; `exclusive` groups keys of which one at most may be set;
    `one_of` lists ways to be complete, each a group of keys all of which are set."""

    doc: str
    fields: dict[str, Spec]
    exclusive: tuple[tuple[str, ...], ...] = ()
    required: tuple[str, ...] = ()
    one_of: tuple[tuple[str, ...], ...] = ()

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "description": self.doc,
            "type": "object",
            "additionalProperties": False,
            "properties": {name: spec.json_schema() for name, spec in self.fields.items()},
        }
        if self.required:
            schema["required"] = list(self.required)
        if self.exclusive:
            schema["allOf"] = [
                {"not": {"anyOf": [{"required": [a, b]} for a in group for b in group if a < b]}}
                for group in self.exclusive
            ]
        if self.one_of:
            schema.setdefault("allOf", []).append(
                {"anyOf": [{"required": list(group)} for group in self.one_of]}
            )
        return schema


@dataclass(frozen=True)
class Either:
    """A value written either as one scalar or as a section (e.g. a count, or a rate × lifetime)."""

    scalar: Scalar
    section: Section

    def json_schema(self) -> dict[str, Any]:
        return {"anyOf": [self.scalar.json_schema(), self.section.json_schema()]}


@dataclass(frozen=True)
class ListOf:
    """A list of scalars; a single scalar is accepted as a list of one."""

    item: Scalar
    doc: str

    def json_schema(self) -> dict[str, Any]:
        item = self.item.json_schema()
        return {"description": self.doc, "anyOf": [item, {"type": "array", "items": item}]}


@dataclass(frozen=True)
class Mapping:
    """Free-form keys with plain values (text, numbers, booleans), passed on as they are."""

    doc: str

    def json_schema(self) -> dict[str, Any]:
        plain = {"type": ["string", "number", "boolean", "null"]}
        return {"description": self.doc, "type": "object", "additionalProperties": plain}


@dataclass(frozen=True)
class Each:
    """Keys that are names of the user's (e.g. runner labels), each holding the same section."""

    section: Section
    doc: str
    key_pattern: str  # a regular expression every key must match in full
    key_hint: str

    def json_schema(self) -> dict[str, Any]:
        return {
            "description": self.doc,
            "type": "object",
            "propertyNames": {"pattern": f"^(?:{self.key_pattern})$"},
            "additionalProperties": self.section.json_schema(),
        }


Spec = Scalar | Section | Either | ListOf | Mapping | Each


@dataclass
class Walk:
    """The state of one pass over a file: where it is and what went wrong."""

    filename: str
    problems: list[Problem] = field(default_factory=list)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    def problem(self, where: tuple[int, int], key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.filename, where[0], where[1], key, message, hint))

    def walk(self, spec: Spec, node: Node, path: str) -> Any:
        """The parsed value of `node` as `spec` describes it, or None after recording a problem."""
        self.positions[path] = (node.line, node.column)
        if isinstance(spec, Section):
            return self._section(spec, node, path)
        if isinstance(spec, Either):
            return (
                self._section(spec.section, node, path)
                if node.is_mapping
                else self._scalar(spec.scalar, node, path)
            )
        if isinstance(spec, Mapping):
            return self._mapping(node, path)
        if isinstance(spec, Each):
            return self._each(spec, node, path)
        if isinstance(spec, ListOf):
            items = node.value if isinstance(node.value, list) else [node]
            return [self.walk(spec.item, item, f"{path}[{i}]") for i, item in enumerate(items)]
        return self._scalar(spec, node, path)

    def _scalar(self, spec: Scalar, node: Node, path: str) -> Any:
        where = (node.line, node.column)
        if isinstance(node.value, dict | list):
            kind = "a mapping" if isinstance(node.value, dict) else "a list"
            self.problem(where, path, f"expected a single value, got {kind}", spec.example_hint())
            return None
        try:
            return spec.read(node.value)
        except QuantityError as error:
            self.problem(where, path, error.message, error.hint)
            return None

    def _mapping(self, node: Node, path: str) -> dict[str, Any] | None:
        if node.value is None:
            return {}
        if not node.is_mapping:
            self.problem(
                (node.line, node.column),
                path,
                "expected a mapping of keys",
                "write e.g. {width: 256, depth: 3}",
            )
            return None
        values = {}
        for key, child in node.value.items():
            if child.value is not None and not isinstance(child.value, str | int | float | bool):
                self.problem(
                    (child.line, child.column),
                    f"{path}.{key}",
                    "expected a plain value",
                    "write text, a number or true/false",
                )
                continue
            values[key] = child.value
        return values

    def _each(self, spec: Each, node: Node, path: str) -> dict[str, Any] | None:
        if node.value is None:
            return {}
        if not node.is_mapping:
            self.problem((node.line, node.column), path, "expected a mapping of names", spec.doc)
            return None
        parsed: dict[str, Any] = {}
        for key, child in node.value.items():
            if not isinstance(key, str) or not re.fullmatch(spec.key_pattern, key):
                where = node.key_positions[key]
                self.problem(where, f"{path}.{key}", "is not a valid name", spec.key_hint)
                continue
            parsed[key] = self._section(spec.section, child, f"{path}.{key}")
            self.positions[f"{path}.{key}"] = (child.line, child.column)
        return parsed

    def _section(self, spec: Section, node: Node, path: str) -> dict[str, Any] | None:
        where = (node.line, node.column)
        if node.value is None:  # `grid:` with nothing under it means "all defaults"
            return {}
        if not node.is_mapping:
            self.problem(
                where,
                path,
                f"expected a mapping of keys, got {_kind(node.value)}",
                f"indent its keys under it, e.g. `{next(iter(spec.fields))}:`",
            )
            return None
        parsed: dict[str, Any] = {}
        for key, child in node.value.items():
            child_path = f"{path}.{key}" if path else key
            if key not in spec.fields:
                self.problem(
                    node.key_positions[key], child_path, "unknown key", _suggest(key, spec)
                )
                continue
            parsed[key] = self.walk(spec.fields[key], child, child_path)
        for group in spec.exclusive:
            given = [key for key in group if key in node.value]
            if len(given) > 1:
                second = node.key_positions[given[1]]
                self.problem(
                    second,
                    f"{path}.{given[1]}" if path else given[1],
                    f"`{given[0]}` and `{given[1]}` are both set",
                    f"keep only one of {', '.join(group)}",
                )
        if spec.one_of and not any(all(k in node.value for k in g) for g in spec.one_of):
            ways = " or ".join(" and ".join(f"`{k}`" for k in group) for group in spec.one_of)
            self.problem(where, path, "is incomplete", f"give {ways}")
        for key in spec.required:
            if key not in node.value:
                self.problem(
                    where,
                    path,
                    f"missing key `{key}`",
                    spec.fields[key].json_schema().get("description", ""),
                )
        return parsed


def _suggest(key: str, spec: Section) -> str:
    close = difflib.get_close_matches(key, list(spec.fields), n=1, cutoff=0.6)
    if not close:
        close = [name for name in spec.fields if key.lower() in name or name in key.lower()][:1]
    if close:
        return f"did you mean `{close[0]}`?"
    return f"valid keys here: {', '.join(spec.fields)}"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    return repr(value)
