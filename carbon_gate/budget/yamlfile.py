"""Read a YAML file into plain values that remember their line and column.

The budget file is edited by hand, so every problem must point at a line. `yaml.compose` gives the
node tree with positions; scalars are built by PyYAML's SafeConstructor, so nothing but plain data
(strings, numbers, booleans, null, dates) is ever constructed. This is the one place YAML is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

from carbon_gate.errors import ConfigError, Problem

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Enough for any budget file; stops alias bombs ("billion laughs") from expanding without bound.
_MAX_NODES = 10_000


@dataclass(frozen=True)
class Node:
    """A YAML value and its 1-based position; a mapping holds dict[str, Node], a list list[Node]."""

    value: Any
    line: int
    column: int
    key_positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)


def _fail(filename: str, where: tuple[int, int], message: str, hint: str) -> NoReturn:
    """Stop reading the file: one problem that leaves nothing else to check."""
    raise ConfigError([Problem(filename, where[0], where[1], "", message, hint)])


def decode(data: bytes, filename: str) -> str:
    """The file's bytes as text; a `ConfigError` at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        _fail(
            filename,
            (line, column),
            f"not UTF-8 text (byte 0x{data[error.start]:02x})",
            "save the file as UTF-8",
        )


def load(text: str, filename: str) -> Node:
    """Parse `text` into a `Node`; raise `ConfigError` with every structural problem found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        # An unclosed bracket or quote is noticed lines later; point at where it was opened.
        problem, context = error.problem_mark, error.context_mark
        mark = context if context and (not problem or context.line < problem.line) else problem
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = ", ".join(str(part) for part in (error.context, error.problem) if part)
        hint = "check the indentation and quoting on this line and the one before"
        if problem and mark is not problem:
            what += f" (noticed on line {problem.line + 1})"
            hint = "close the bracket or quote that opens here"
        _fail(filename, (line, column), f"YAML syntax error: {what}", hint)
    except yaml.YAMLError as error:  # e.g. a control character the reader rejects
        _fail(
            filename,
            (1, 1),
            f"not readable as YAML: {str(error).splitlines()[0]}",
            "save it as UTF-8 text",
        )
    except RecursionError:
        _fail(filename, (1, 1), "nested too deeply", "a budget file is a few levels deep")
    if root is None:
        _fail(
            filename,
            (1, 1),
            "the file is empty",
            "see carbon-gate's docs/budget-file.md for a complete example",
        )
    converter = _Converter(filename)
    try:
        node = converter.convert(root, depth=0, path="")
    except RecursionError:
        converter.problems.append(
            Problem(filename, 1, 1, "", "nested too deeply", "a budget file is a few levels deep")
        )
        node = Node(None, 1, 1)
    except _TooLarge:
        converter.problems.append(
            Problem(
                filename,
                1,
                1,
                "",
                f"too large: more than {_MAX_NODES:,} values",
                "a budget file has a few dozen keys; check its &anchors and *aliases",
            )
        )
        node = Node(None, 1, 1)
    if converter.problems:
        raise ConfigError(converter.problems)
    return node


class _TooLarge(Exception):
    pass


class _Converter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.SafeLoader("")  # only its scalar constructors are used

    def convert(self, node: yaml.Node, depth: int, path: str) -> Node:
        self.count += 1
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if self.count > _MAX_NODES:
            raise _TooLarge
        if depth > 50:
            raise RecursionError
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth, path, (line, column))
        if isinstance(node, yaml.SequenceNode):
            items = [
                self.convert(item, depth + 1, f"{path}[{i}]") for i, item in enumerate(node.value)
            ]
            return Node(items, line, column)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as error:  # an explicit tag such as !!python/object
            self.problems.append(
                Problem(
                    self.filename,
                    line,
                    column,
                    "",
                    f"unsupported value: {error.problem}",
                    "remove the !!tag and write plain text, numbers or lists",
                )
            )
            value = None
        except (yaml.YAMLError, ValueError, OverflowError) as error:  # e.g. a date like 2001-13-45
            self.problems.append(
                Problem(self.filename, line, column, "", f"unreadable value: {error}", "quote it")
            )
            value = None
        return Node(value, line, column)

    def _mapping(
        self, node: yaml.MappingNode, depth: int, path: str, where: tuple[int, int]
    ) -> Node:
        values: dict[str, Node] = {}
        positions: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag == "tag:yaml.org,2002:merge"
            ):
                self.problems.append(
                    Problem(
                        self.filename,
                        key_line,
                        key_column,
                        "",
                        "unsupported key",
                        "keys are plain words such as `grid:` or `pue:`",
                    )
                )
                continue
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if key in values:
                first = positions[key][0]
                self.problems.append(
                    Problem(
                        self.filename,
                        key_line,
                        key_column,
                        key_path,
                        f"duplicate key (first given on line {first})",
                        "keep only one of them",
                    )
                )
                continue
            positions[key] = (key_line, key_column)
            values[key] = self.convert(value_node, depth + 1, key_path)
        return Node(values, where[0], where[1], positions)
