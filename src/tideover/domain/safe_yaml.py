"""Reading YAML that someone else wrote, with bounds on what it may cost.

PyYAML's safe loader builds no objects of arbitrary classes, but it follows
aliases: a few hundred bytes of anchors referring to anchors (the "billion
laughs" document) describe 10^9 nodes, and whoever walks the result — a
validator, a JSON dump, a position index — runs out of memory.  Deep nesting
overflows the composer's recursion, a timestamp like ``2026-13-45`` or an
integer of 5,000 digits raises a bare ``ValueError``.

:class:`BoundedLoader` is a ``yaml.SafeLoader`` that counts while it
composes — characters, nesting depth, alias events, and the number of nodes
the document stands for once every alias is expanded — and refuses a document
beyond :class:`YamlLimits` with :class:`YamlRejected`, naming the line and
column.  :func:`load_yaml` is the one-call form for any YAML a user supplies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

import yaml

from tideover.domain.errors import ValidationError
from tideover.i18n import N_, Wording


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How much a document may hold.

    The defaults are far above any real policy or rule pack — the largest shipped
    ones have 9 KB, depth 6 and about 530 values — and keep the pure-Python parser
    under about two seconds on the worst document that passes them.
    """

    max_chars: int = 256 * 1024
    max_depth: int = 64
    max_aliases: int = 100
    max_nodes: int = 50_000  # values, counting each alias as the values it repeats


DEFAULT_LIMITS = YamlLimits()


class YamlRejected(ValidationError):
    """A YAML document was malformed or beyond the limits; ``reason`` says which.

    ``reason`` is one of ``too_large``, ``too_deep``, ``too_many_aliases``,
    ``too_many_nodes``, ``recursive_alias`` and ``invalid``; ``line`` and
    ``column`` (1-based) are where, when known; ``problem`` is the message
    without them.
    """

    code = "yaml_rejected"

    def __init__(
        self,
        message: str | Wording,
        /,
        *,
        reason: str,
        line: int | None = None,
        column: int | None = None,
        **values: object,
    ) -> None:
        problem = message if isinstance(message, Wording) else Wording(message, **values)
        if line is None:
            super().__init__(problem)
        else:
            super().__init__(
                N_("%(problem)s (line %(line)s, column %(column)s)"),
                problem=problem,
                line=line,
                column=column,
            )
        self.reason = reason
        self.problem = problem
        self.line, self.column = line, column


class _Mark(Protocol):
    line: int
    column: int


def _rejected(problem: Wording, reason: str, mark: _Mark | None) -> YamlRejected:
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    return YamlRejected(problem, reason=reason, line=line, column=column)


_BRACKETS = re.compile(r"[\[\]{}]")


def _check_flow_depth(text: str, max_depth: int) -> None:
    # PyYAML's scanner keeps a possible simple key per open flow collection and
    # rechecks them all at every token: "[" * n costs n² before the composer (and its
    # depth count) sees a single node.  Brackets are counted first, quotes ignored —
    # a real document never holds dozens of unbalanced brackets in its strings.
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = 0
    for found in _BRACKETS.finditer(text):
        depth += 1 if found.group() in "[{" else -1
        if depth > max_depth:
            line = text.count("\n", 0, found.start())
            column = found.start() - (text.rfind("\n", 0, found.start()) + 1)
            raise YamlRejected(
                N_("the document is nested more than %(max_depth)s levels deep"),
                max_depth=max_depth,
                reason="too_deep",
                line=line + 1,
                column=column + 1,
            )


class BoundedLoader(yaml.SafeLoader):
    """A safe loader that refuses documents beyond ``limits`` while composing them."""

    def __init__(self, text: str, limits: YamlLimits = DEFAULT_LIMITS) -> None:
        if len(text) > limits.max_chars:
            raise YamlRejected(
                N_("the document has %(count)s characters, more than %(max_chars)s"),
                count=format(len(text), ","),
                max_chars=format(limits.max_chars, ","),
                reason="too_large",
            )
        _check_flow_depth(text, limits.max_depth)
        super().__init__(text)
        self.limits = limits
        self._depth = 0
        self._aliases = 0
        self._composed = 0
        self._expanded: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            return self._alias(parent, index)
        mark = self._next_event().start_mark
        self._composed += 1
        if self._composed > self.limits.max_nodes:  # a long flat document: stop early
            raise self._too_many(mark)
        self._depth += 1
        if self._depth > self.limits.max_depth:
            raise _rejected(
                Wording(
                    N_("the document is nested more than %(max_depth)s levels deep"),
                    max_depth=self.limits.max_depth,
                ),
                "too_deep",
                mark,
            )
        node = super().compose_node(parent, index)
        self._depth -= 1
        if node is not None:
            self._count(node)
        return node

    def _next_event(self) -> yaml.Event:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        return event

    def _alias(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self._next_event()
        self._aliases += 1
        if self._aliases > self.limits.max_aliases:
            raise _rejected(
                Wording(
                    N_("the document uses more than %(max_aliases)s aliases (*name)"),
                    max_aliases=self.limits.max_aliases,
                ),
                "too_many_aliases",
                event.start_mark,
            )
        anchor = getattr(event, "anchor", None)
        anchored = self.anchors.get(anchor)
        if anchored is not None and id(anchored) not in self._expanded:
            raise _rejected(
                Wording(N_("alias *%(anchor)s refers to a node that contains it"), anchor=anchor),
                "recursive_alias",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def _count(self, node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        size = 1 + sum(self._expanded[id(child)] for child in children)
        if size > self.limits.max_nodes:
            raise self._too_many(node.start_mark)
        self._expanded[id(node)] = size

    def _too_many(self, mark: _Mark | None) -> YamlRejected:
        return _rejected(
            Wording(
                N_(
                    "the document holds more than %(max_nodes)s values (each alias counted "
                    "as the values it repeats)"
                ),
                max_nodes=format(self.limits.max_nodes, ","),
            ),
            "too_many_nodes",
            mark,
        )

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A timestamp like 2026-13-45 or an integer of 5,000 digits matches YAML's
        # pattern but raises a bare ValueError when built: report it where it is.
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value: {exc}", node.start_mark
            ) from exc


def load_yaml(text: str, *, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """The data of the single YAML (or JSON) document in ``text`` (None when empty).

    Raises :class:`YamlRejected` for malformed YAML and for a document beyond
    ``limits``; nothing else.
    """
    return load_yaml_node(text, limits=limits)[0]


def load_yaml_node(
    text: str, *, limits: YamlLimits = DEFAULT_LIMITS
) -> tuple[Any, yaml.Node | None]:
    """The data of the single document in ``text`` and its root node (for positions).

    Raises :class:`YamlRejected` for malformed YAML and for a document beyond
    ``limits``; nothing else.
    """
    loader: BoundedLoader | None = None
    try:
        loader = BoundedLoader(text, limits)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        why = " ".join(str(exc.problem or exc).split())
        raise _rejected(
            Wording(N_("invalid YAML: %(why)s"), why=why), "invalid", exc.problem_mark
        ) from exc
    except yaml.YAMLError as exc:  # a character YAML does not allow (NUL, a lone surrogate)
        why = " ".join(str(exc).split())
        raise YamlRejected(N_("invalid YAML: %(why)s"), why=why, reason="invalid") from exc
    finally:
        if loader is not None:
            loader.dispose()
    return data, node
