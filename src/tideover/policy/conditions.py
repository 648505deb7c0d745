"""Conditions: SQL boolean expressions over the feature catalogue.

A condition is parsed once with sqlglot, checked against a small allow-list of
constructs (comparisons, AND/OR/NOT, BETWEEN, IN lists, IS NULL, + - *,
COALESCE) and type-checked against :data:`FEATURES`.  Everything else is
refused: subqueries, other functions, statements.  Division is refused because
engines disagree on it (integer vs decimal vs double results); multiply the
other side instead.  Strings compare only with ``=``, ``<>`` and ``IN`` so that
no engine's collation can change a result.

The same tree is evaluated in Python with SQL's three-valued logic (NULL), so
the single-account evaluator agrees with the SQL engines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError

from tideover.i18n import N_, Worded, Wording
from tideover.policy.features import FEATURES, FeatureType
from tideover.policy.suggest import SQL_WORDS, closest, sql_word, words

Value = Decimal | int | str | bool | None

_COMPARISONS: tuple[type[exp.Expr], ...] = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_ARITHMETIC: tuple[type[exp.Expr], ...] = (exp.Add, exp.Sub, exp.Mul)
_NUMERIC, _STRING, _BOOLEAN, _NULL = "numeric", "string", "boolean", "null"
_WORDS = {
    _NUMERIC: N_("numeric"),
    _STRING: N_("string"),
    _BOOLEAN: N_("boolean"),
    _NULL: N_("null"),
    "arithmetic": N_("arithmetic"),
}


def _word(kind: str) -> Wording | str:
    """A kind of value (or a construct) as the reader calls it."""
    return Wording(_WORDS[kind]) if kind in _WORDS else kind


@dataclass(frozen=True)
class ConditionIssue(Worded):
    """A problem at ``offset`` (0-based character) inside the condition text."""

    offset: int
    wording: Wording


class ConditionInvalid(Exception):
    def __init__(self, issues: list[ConditionIssue]) -> None:
        super().__init__(issues[0].wording.en)
        self.issues = issues


@dataclass(frozen=True)
class Condition:
    """A parsed, checked condition."""

    text: str
    tree: exp.Expr

    @property
    def features(self) -> frozenset[str]:
        return frozenset(c.name for c in self.tree.find_all(exp.Column))

    def sql(self, dialect: str = "duckdb") -> str:
        return self.tree.sql(dialect=dialect)

    def normalised(self) -> str:
        """One canonical spelling, so whitespace and case never show as a change."""
        return self.tree.sql()

    def holds(self, features: Mapping[str, Value]) -> bool:
        """True only when the condition is TRUE (NULL counts as not holding, as in WHERE)."""
        return evaluate(self.tree, features) is True


def parse_condition(text: str) -> Condition:
    """Parse and check ``text``; raise :class:`ConditionInvalid` with every issue found."""
    try:
        trees = sqlglot.parse(text)
    except ParseError as exc:
        misspelt = _misspelt_words(text)
        if misspelt:
            raise ConditionInvalid(misspelt) from exc
        first = exc.errors[0] if exc.errors else {}
        offset = _offset(text, first.get("line"), first.get("col"))
        why = re.sub(r"<class '[\w.]*?(\w+)'>", r"\1", str(first.get("description", exc)))
        raise ConditionInvalid(
            [ConditionIssue(offset, Wording(N_("not valid SQL: %(why)s"), why=why))]
        ) from exc
    except SqlglotError as exc:
        raise ConditionInvalid(
            [ConditionIssue(0, Wording(N_("not valid SQL: %(exc)s"), exc=exc))]
        ) from exc
    if len(trees) != 1 or trees[0] is None:
        raise ConditionInvalid([ConditionIssue(0, Wording(N_("write exactly one expression")))])
    tree = trees[0]
    for column in tree.find_all(exp.Column):
        # Unquoted SQL names are case-insensitive in every engine: DPD is dpd.
        column.this.set("this", column.name.lower())
    issues: list[ConditionIssue] = []
    kind = _check(tree, text, issues)
    if not issues and kind not in (_BOOLEAN, _NULL):
        issues.append(
            ConditionIssue(
                0,
                Wording(N_("a condition must be true or false, not %(kind)s"), kind=_word(kind)),
            )
        )
    if issues:
        raise ConditionInvalid(issues)
    return Condition(text, tree)


def _misspelt_words(text: str) -> list[ConditionIssue]:
    """Words of a condition that SQL could not read and that are near a keyword (``BETWEN``)
    or a feature: the usual reason a hand-written condition does not parse."""
    issues = []
    for offset, word in words(text):
        if word.lower() in FEATURES or word.upper() in SQL_WORDS:
            continue
        keyword = sql_word(word)
        feature = closest(word.lower(), FEATURES)
        meant = keyword or feature
        if meant is not None:
            issues.append(
                ConditionIssue(
                    offset,
                    Wording(
                        N_("%(word)s is neither a SQL word nor a feature; did you mean %(meant)s?"),
                        word=repr(word),
                        meant=meant,
                    ),
                )
            )
    return issues


def _offset(text: str, line: object, col: object) -> int:
    if not isinstance(line, int) or not isinstance(col, int):
        return 0
    lines = text.split("\n")
    before = sum(len(part) + 1 for part in lines[: line - 1])
    return max(0, min(len(text), before + col - 1))


def _start(node: exp.Expr, text: str) -> int:
    """Best offset for a node: its first identifier's position, else 0."""
    for column in node.find_all(exp.Column):
        start = column.this.meta.get("start")
        if isinstance(start, int):
            return start
    return 0


def _check(node: exp.Expr, text: str, issues: list[ConditionIssue]) -> str:
    """Type of ``node`` (numeric/string/boolean/null); problems go to ``issues``."""
    if isinstance(node, exp.Paren):
        return _check(node.this, text, issues)
    if isinstance(node, exp.Column):
        return _column(node, issues)
    if isinstance(node, exp.Literal):
        return _STRING if node.is_string else _NUMERIC
    if isinstance(node, exp.Boolean):
        return _BOOLEAN
    if isinstance(node, exp.Null):
        return _NULL
    if isinstance(node, exp.And | exp.Or | exp.Not):
        for part in _operands(node):
            _expect(part, _BOOLEAN, text, issues, "AND/OR/NOT")
        return _BOOLEAN
    if isinstance(node, _COMPARISONS):
        _comparison(node, [node.this, node.expression], text, issues)
        return _BOOLEAN
    if isinstance(node, exp.Between):
        _comparison(node, [node.this, node.args["low"], node.args["high"]], text, issues)
        return _BOOLEAN
    if isinstance(node, exp.In):
        return _in(node, text, issues)
    if isinstance(node, exp.Is):
        _check(node.this, text, issues)
        if not isinstance(node.expression, exp.Null | exp.Boolean):
            _refuse(node, text, issues, "IS takes only NULL, TRUE or FALSE")
        return _BOOLEAN
    if isinstance(node, (exp.Neg, *_ARITHMETIC)):
        for part in _operands(node):
            _expect(part, _NUMERIC, text, issues, "arithmetic")
        return _NUMERIC
    if isinstance(node, exp.Coalesce):
        kinds = {_check(part, text, issues) for part in _operands(node)} - {_NULL}
        if len(kinds) > 1:
            _refuse(node, text, issues, "COALESCE mixes types")
        return kinds.pop() if kinds else _NULL
    _forbidden(node, text, issues)
    return _NULL


def _operands(node: exp.Expr) -> list[exp.Expr]:
    if isinstance(node, exp.Not | exp.Neg):
        return [node.this]
    if isinstance(node, exp.Coalesce):
        return [node.this, *node.expressions]
    return [node.this, node.expression]


def _column(node: exp.Column, issues: list[ConditionIssue]) -> str:
    start = node.this.meta.get("start", 0)
    if node.table:
        issues.append(
            ConditionIssue(
                start,
                Wording(N_("write the feature name alone, not %(node)s"), node=node.sql()),
            )
        )
    feature = FEATURES.get(node.name)
    if feature is None:
        meant = sql_word(node.name) or closest(node.name, FEATURES)
        issues.append(
            ConditionIssue(
                start,
                Wording(
                    N_("unknown feature %(name)s%(hint)s (known features: %(known)s)"),
                    name=repr(node.name),
                    hint=""
                    if meant is None
                    else Wording(N_("; did you mean %(meant)s?"), meant=meant),
                    known=tuple(sorted(FEATURES)),
                ),
            )
        )
        return _NULL
    if feature.type is FeatureType.BOOLEAN:
        return _BOOLEAN
    return _STRING if feature.type is FeatureType.STRING else _NUMERIC


def _expect(node: exp.Expr, want: str, text: str, issues: list[ConditionIssue], where: str) -> None:
    kind = _check(node, text, issues)
    if kind not in (want, _NULL):
        issues.append(
            ConditionIssue(
                _start(node, text),
                Wording(
                    N_("%(where)s needs %(want)s operands, but %(node)s is %(kind)s"),
                    where=_word(where),
                    want=_word(want),
                    node=repr(node.sql()),
                    kind=_word(kind),
                ),
            )
        )


def _comparison(
    node: exp.Expr, parts: list[exp.Expr], text: str, issues: list[ConditionIssue]
) -> None:
    kinds = [_check(part, text, issues) for part in parts]
    real = set(kinds) - {_NULL}
    if len(real) > 1:
        shown = " vs ".join(f"{p.sql()} ({k})" for p, k in zip(parts, kinds, strict=True))
        issues.append(
            ConditionIssue(_start(node, text), Wording(N_("cannot compare %(shown)s"), shown=shown))
        )
    ordered = not isinstance(node, exp.EQ | exp.NEQ)
    if ordered and len(real) == 1 and real & {_STRING, _BOOLEAN}:
        issues.append(
            ConditionIssue(
                _start(node, text),
                Wording(
                    N_("text and flags compare only with =, <> or IN: %(node)s"), node=node.sql()
                ),
            )
        )


def _in(node: exp.In, text: str, issues: list[ConditionIssue]) -> str:
    if node.args.get("query") is not None or node.args.get("unnest") is not None:
        _refuse(node, text, issues, "subquery")
        return _BOOLEAN
    items = node.expressions
    if not all(isinstance(i, exp.Literal | exp.Boolean | exp.Neg) for i in items):
        _refuse(node, text, issues, "IN takes a list of constants only")
        return _BOOLEAN
    _comparison(exp.EQ(), [node.this, *items], text, issues)
    return _BOOLEAN


def _refuse(node: exp.Expr, text: str, issues: list[ConditionIssue], what: str) -> None:
    issues.append(
        ConditionIssue(
            _start(node, text), Wording(N_("not allowed in a condition: %(what)s"), what=what)
        )
    )


def _forbidden(node: exp.Expr, text: str, issues: list[ConditionIssue]) -> None:
    if isinstance(node, exp.Query | exp.Subquery) or node.find(exp.Query) is not None:
        what = "subquery"
    elif isinstance(node, exp.Div | exp.IntDiv | exp.Mod):
        what = "division (engines disagree; multiply the other side instead)"
    elif isinstance(node, exp.Func):
        what = f"function {node.sql_name()}"
        found = text.lower().rfind(node.sql_name().lower(), 0, _start(node, text) or len(text))
        if found >= 0:
            issues.append(
                ConditionIssue(
                    found, Wording(N_("not allowed in a condition: %(what)s"), what=what)
                )
            )
            return
    else:
        what = f"{node.key.upper()} ({node.sql()[:40]})"
    _refuse(node, text, issues, what)


# -- three-valued evaluation (SQL semantics: NULL propagates, WHERE keeps only TRUE) --


def evaluate(node: exp.Expr, row: Mapping[str, Value]) -> Value:
    """The value of a checked condition tree for one account's features."""
    if isinstance(node, exp.Paren):
        return evaluate(node.this, row)
    if isinstance(node, exp.Column):
        return row.get(node.name)
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else Decimal(node.this)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.And):
        return _and(evaluate(node.this, row), evaluate(node.expression, row))
    if isinstance(node, exp.Or):
        return _not(_and(_not(evaluate(node.this, row)), _not(evaluate(node.expression, row))))
    if isinstance(node, exp.Not):
        return _not(evaluate(node.this, row))
    if isinstance(node, _COMPARISONS):
        return _compare(type(node), evaluate(node.this, row), evaluate(node.expression, row))
    if isinstance(node, exp.Between):
        value = evaluate(node.this, row)
        low = _compare(exp.GTE, value, evaluate(node.args["low"], row))
        return _and(low, _compare(exp.LTE, value, evaluate(node.args["high"], row)))
    if isinstance(node, exp.In):
        return _in_list(evaluate(node.this, row), [evaluate(i, row) for i in node.expressions])
    if isinstance(node, exp.Is):
        value = evaluate(node.this, row)
        return (
            value is None
            if isinstance(node.expression, exp.Null)
            else value is bool(node.expression.this)
        )
    if isinstance(node, exp.Coalesce):
        return next((v for v in (evaluate(p, row) for p in _operands(node)) if v is not None), None)
    return _arithmetic(node, row)


def _arithmetic(node: exp.Expr, row: Mapping[str, Value]) -> Value:
    values = [evaluate(part, row) for part in _operands(node)]
    if any(v is None for v in values):
        return None
    numbers = [Decimal(v) for v in values if isinstance(v, Decimal | int)]
    if isinstance(node, exp.Neg):
        return -numbers[0]
    if isinstance(node, exp.Add):
        return numbers[0] + numbers[1]
    if isinstance(node, exp.Sub):
        return numbers[0] - numbers[1]
    if isinstance(node, exp.Mul):
        return numbers[0] * numbers[1]
    raise TypeError(f"unchecked construct {node.key}")


def _and(left: Value, right: Value) -> bool | None:
    if left is False or right is False:
        return False
    if left is None or right is None:
        return None
    return True


def _not(value: Value) -> bool | None:
    return None if value is None else not value


def _compare(op: type[exp.Expr], left: Value, right: Value) -> bool | None:
    if left is None or right is None:
        return None
    if isinstance(left, bool) or isinstance(right, bool) or isinstance(left, str):
        equal = left == right
        return equal if op is exp.EQ else not equal
    a, b = Decimal(left), Decimal(right)
    outcomes: dict[type[exp.Expr], bool] = {
        exp.EQ: a == b,
        exp.NEQ: a != b,
        exp.GT: a > b,
        exp.GTE: a >= b,
        exp.LT: a < b,
        exp.LTE: a <= b,
    }
    return outcomes[op]


def _in_list(value: Value, items: list[Value]) -> bool | None:
    if value is None:
        return None
    if any(_compare(exp.EQ, value, item) for item in items):
        return True
    return None if any(item is None for item in items) else False
