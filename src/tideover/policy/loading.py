"""Reading a policy file: YAML (or JSON, which YAML reads too) with positions kept.

Every node's place in the file is remembered by its path
(``("segments", 2, "condition")``) so that problems found later, even inside a
condition's SQL, are reported at a line and column of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from tideover.domain.safe_yaml import YamlRejected, load_yaml_node
from tideover.i18n import N_, Wording
from tideover.policy.problems import PolicyRejected, Problem, path_text

Path = tuple[str | int, ...]


@dataclass
class Locator:
    """Maps document paths (and offsets inside string values) to file positions."""

    nodes: dict[Path, yaml.Node] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def locate(self, path: Path, offset: int | None = None) -> tuple[int | None, int | None]:
        """1-based (line, column) of ``path``, or of its nearest located parent."""
        for end in range(len(path), -1, -1):
            node = self.nodes.get(path[:end])
            if node is not None:
                exact = end == len(path)
                return self._inside(node, offset if exact else None)
        return None, None

    def _inside(self, node: yaml.Node, offset: int | None) -> tuple[int, int]:
        line, column = node.start_mark.line, node.start_mark.column
        if offset is None or not isinstance(node, yaml.ScalarNode):
            return line + 1, column + 1
        text: str = node.value
        style = node.style
        if style in (None, "'", '"') and "\n" not in text:
            quote = 0 if style is None else 1
            return line + 1, column + 1 + quote + offset
        if style == "|":
            # A literal block: its lines are the file's lines after the indicator.
            row = text.count("\n", 0, offset)
            first = line + 1 + row
            indent = (
                len(self.lines[first]) - len(self.lines[first].lstrip(" "))
                if first < len(self.lines)
                else 0
            )
            return first + 1, indent + offset - (text.rfind("\n", 0, offset) + 1) + 1
        return line + 1, column + 1  # folded or multi-line flow text: the value's start


def read_document(text: str, source: str) -> tuple[Any, Locator]:
    """Parse ``text``; reject invalid YAML, duplicate keys and documents beyond the
    limits of ``domain.safe_yaml`` (size, depth, aliases — a "billion laughs" document
    is refused while it is read, before it can expand) with their position."""
    try:
        data, node = load_yaml_node(text)
    except YamlRejected as exc:
        code = "yaml" if exc.reason == "invalid" else f"yaml_{exc.reason}"
        raise PolicyRejected(
            source, [Problem(code, "(document)", exc.problem, exc.line, exc.column)]
        ) from None
    if node is None:
        raise PolicyRejected(
            source, [Problem("empty", "(document)", Wording(N_("the file is empty")))]
        )
    locator = Locator(lines=text.split("\n"))
    _walk(node, (), locator, source)
    return data, locator


def _walk(node: yaml.Node, path: Path, locator: Locator, source: str) -> None:
    locator.nodes[path] = node
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                _reject(
                    source,
                    "duplicate_key",
                    Wording(N_("key %(key)s appears twice in the same mapping"), key=repr(key)),
                    key_node.start_mark,
                    where=path_text((*path, key)),
                )
            seen.add(key)
            _walk(value_node, (*path, key), locator, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), locator, source)


def _reject(
    source: str, code: str, why: Wording, mark: yaml.Mark | None, where: str = "(document)"
) -> None:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    raise PolicyRejected(source, [Problem(code, where, why, line, column)])
