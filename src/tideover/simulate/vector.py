"""Policy conditions evaluated over whole columns at once, with SQL's three-valued logic.

The same checked condition tree that :mod:`tideover.policy.conditions` evaluates
for one account is evaluated here for every account of a column set.  A truth
value is a pair of boolean arrays (is TRUE, is FALSE); both false is NULL.
Numbers are exact fixed-point integers: a column carries its ``scale`` (money in
minor units has scale 2, a score in ten-thousandths scale 4) and literals keep
their decimal places, so no float ever decides a comparison.  Strings are small
integer codes into the column's categories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from sqlglot import exp

from tideover.policy.features import FeatureType

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
_COMPARISONS: tuple[type[exp.Expr], ...] = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


@dataclass(frozen=True)
class Column:
    """One feature for every account; ``known`` False is NULL (None: never NULL)."""

    kind: FeatureType
    values: npt.NDArray[np.generic]
    known: BoolArray | None = None
    scale: int = 0  # numeric columns: the value is values / 10**scale
    categories: tuple[str, ...] = ()  # string columns: code i means categories[i]


@dataclass(frozen=True)
class _Value:
    kind: str  # "number", "string", "bool", "null"
    values: npt.NDArray[np.generic]
    known: BoolArray
    scale: int = 0
    categories: tuple[str, ...] | None = None  # None: values are Python strings (a literal)


Truth = tuple[BoolArray, BoolArray]
_TRUE: BoolArray = np.ones((), dtype=bool)  # 0-d: broadcasts against any column
_FALSE: BoolArray = np.zeros((), dtype=bool)


def holds(tree: exp.Expr, columns: Mapping[str, Column]) -> BoolArray:
    """Where the condition is TRUE (NULL counts as not holding, as in WHERE)."""
    t, _ = truth(tree, columns)
    size = len(next(iter(columns.values())).values) if columns else 1
    result: BoolArray = np.broadcast_to(t, (size,)).copy()
    return result


def truth(node: exp.Expr, columns: Mapping[str, Column]) -> Truth:
    if isinstance(node, exp.Paren):
        return truth(node.this, columns)
    if isinstance(node, exp.And):
        lt, lf = truth(node.this, columns)
        rt, rf = truth(node.expression, columns)
        return lt & rt, lf | rf
    if isinstance(node, exp.Or):
        lt, lf = truth(node.this, columns)
        rt, rf = truth(node.expression, columns)
        return lt | rt, lf & rf
    if isinstance(node, exp.Not):
        t, f = truth(node.this, columns)
        return f, t
    if isinstance(node, _COMPARISONS):
        return _compare(type(node), value(node.this, columns), value(node.expression, columns))
    if isinstance(node, exp.Between):
        v = value(node.this, columns)
        lt, lf = _compare(exp.GTE, v, value(node.args["low"], columns))
        ht, hf = _compare(exp.LTE, v, value(node.args["high"], columns))
        return lt & ht, lf | hf
    if isinstance(node, exp.In):
        return _in(value(node.this, columns), [value(i, columns) for i in node.expressions])
    if isinstance(node, exp.Is):
        v = value(node.this, columns)
        if isinstance(node.expression, exp.Null):
            return ~v.known, v.known
        wanted = bool(node.expression.this)
        t = v.known & (v.values == wanted)
        return t, ~t
    v = value(node, columns)
    if v.kind == "null":
        return _FALSE, _FALSE
    on = v.values.astype(bool)
    return v.known & on, v.known & ~on


def value(node: exp.Expr, columns: Mapping[str, Column]) -> _Value:
    if isinstance(node, exp.Paren):
        return value(node.this, columns)
    if isinstance(node, exp.Column):
        return _column(columns[node.name])
    if isinstance(node, exp.Literal):
        if node.is_string:
            return _Value("string", np.array(node.this, dtype=object), _TRUE, categories=None)
        return _number(Decimal(node.this))
    if isinstance(node, exp.Boolean):
        return _Value("bool", np.array(bool(node.this)), _TRUE)
    if isinstance(node, exp.Null):
        return _Value("null", np.array(0), _FALSE)
    if isinstance(node, exp.Neg):
        v = value(node.this, columns)
        return _Value("number", -v.values.astype(np.int64), v.known, v.scale)
    if isinstance(node, exp.Add | exp.Sub | exp.Mul):
        return _arithmetic(node, value(node.this, columns), value(node.expression, columns))
    if isinstance(node, exp.Coalesce):
        return _coalesce([value(p, columns) for p in (node.this, *node.expressions)])
    t, f = truth(node, columns)
    return _Value("bool", t, t | f)


def _column(column: Column) -> _Value:
    known: BoolArray = column.known if column.known is not None else _TRUE
    if column.kind is FeatureType.BOOLEAN:
        return _Value("bool", column.values, known)
    if column.kind is FeatureType.STRING:
        return _Value("string", column.values, known, categories=column.categories)
    return _Value("number", column.values, known, column.scale)


def _number(number: Decimal) -> _Value:
    exponent = number.as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    return _Value("number", np.array(int(number.scaleb(scale)), dtype=np.int64), _TRUE, scale)


def _rescale(v: _Value, scale: int) -> npt.NDArray[np.int64]:
    result: npt.NDArray[np.int64] = v.values.astype(np.int64) * (10 ** (scale - v.scale))
    return result


def _arithmetic(node: exp.Expr, a: _Value, b: _Value) -> _Value:
    known = a.known & b.known
    if a.kind == "null" or b.kind == "null":
        return _Value("null", np.array(0), _FALSE)
    if isinstance(node, exp.Mul):
        product = a.values.astype(np.int64) * b.values.astype(np.int64)
        return _Value("number", product, known, a.scale + b.scale)
    scale = max(a.scale, b.scale)
    left, right = _rescale(a, scale), _rescale(b, scale)
    return _Value(
        "number", left + right if isinstance(node, exp.Add) else left - right, known, scale
    )


def _coalesce(parts: list[_Value]) -> _Value:
    live = [p for p in parts if p.kind != "null"]
    if not live:
        return _Value("null", np.array(0), _FALSE)
    first = live[0]
    if first.kind == "number":
        scale = max(p.scale for p in live)
        values = _rescale(first, scale)
        known = np.asarray(first.known)
        for part in live[1:]:
            take = ~known & part.known
            values = np.where(take, _rescale(part, scale), values)
            known = known | part.known
        return _Value("number", values, known, scale)
    if first.kind == "string":
        strings = [_strings(p) for p in live]
        text = strings[0]
        known = np.asarray(first.known)
        for part, part_text in zip(live[1:], strings[1:], strict=True):
            take = ~known & part.known
            text = np.where(take, part_text, text)
            known = known | part.known
        return _Value("string", np.asarray(text, dtype=object), known, categories=None)
    values = np.asarray(first.values, dtype=bool)
    known = np.asarray(first.known)
    for part in live[1:]:
        take = ~known & part.known
        values = np.where(take, part.values.astype(bool), values)
        known = known | part.known
    return _Value("bool", values, known)


def _strings(v: _Value) -> npt.NDArray[np.object_]:
    if v.categories is None:
        return np.asarray(v.values, dtype=object)
    table = np.array([*v.categories, ""], dtype=object)
    codes = np.where(np.asarray(v.values) < 0, len(v.categories), v.values)
    result: npt.NDArray[np.object_] = table[codes]
    return result


def _equal_strings(a: _Value, b: _Value) -> npt.NDArray[np.bool_]:
    if a.categories is not None and b.categories is None and np.ndim(b.values) == 0:
        literal = str(b.values)
        code = a.categories.index(literal) if literal in a.categories else -1
        result: npt.NDArray[np.bool_] = np.asarray(a.values) == code
        return result
    if b.categories is not None and a.categories is None and np.ndim(a.values) == 0:
        return _equal_strings(b, a)
    equal: npt.NDArray[np.bool_] = _strings(a) == _strings(b)
    return equal


def _compare(op: type[exp.Expr], a: _Value, b: _Value) -> Truth:
    known = a.known & b.known
    if a.kind == "null" or b.kind == "null":
        return _FALSE, _FALSE
    if a.kind == "string" or b.kind == "string":
        equal = _equal_strings(a, b)
        result = equal if op is exp.EQ else ~equal
    elif a.kind == "bool" or b.kind == "bool":
        equal = np.asarray(a.values, dtype=bool) == np.asarray(b.values, dtype=bool)
        result = equal if op is exp.EQ else ~equal
    else:
        scale = max(a.scale, b.scale)
        left, right = _rescale(a, scale), _rescale(b, scale)
        outcomes: dict[type[exp.Expr], np.ufunc] = {
            exp.EQ: np.equal,
            exp.NEQ: np.not_equal,
            exp.GT: np.greater,
            exp.GTE: np.greater_equal,
            exp.LT: np.less,
            exp.LTE: np.less_equal,
        }
        result = outcomes[op](left, right)
    return known & result, known & ~result


def _in(v: _Value, items: list[_Value]) -> Truth:
    if v.kind == "null":
        return _FALSE, _FALSE
    hit: BoolArray = np.zeros(np.shape(v.values), dtype=bool)
    any_null = False
    for item in items:
        if item.kind == "null":
            any_null = True
            continue
        t, _ = _compare(exp.EQ, v, item)
        hit = hit | t
    t = v.known & hit
    f = v.known & ~hit if not any_null else np.zeros_like(t)
    return t, f


def number_column(values: npt.NDArray[np.integer], *, scale: int = 0) -> Column:
    """An integer column (``values / 10**scale``)."""
    return Column(FeatureType.INTEGER if scale == 0 else FeatureType.DECIMAL, values, None, scale)


def string_column(codes: npt.NDArray[np.integer], categories: tuple[str, ...]) -> Column:
    """A string column as codes into ``categories``; a negative code is NULL."""
    codes = np.asarray(codes)
    known = codes >= 0
    return Column(FeatureType.STRING, codes, None if known.all() else known, 0, categories)


def flag_column(values: BoolArray) -> Column:
    return Column(FeatureType.BOOLEAN, values)


def unused_int(size: int) -> IntArray:
    result: IntArray = np.zeros(size, dtype=np.int64)
    return result
