"""Does one condition imply another?  Used to find segments no account can reach.

Sound but incomplete: conditions are read as OR of ANDs of simple atoms
(a flag, a range of a number, a set of strings); anything else is compared as
text.  ``implies(a, b)`` True means every account matching ``a`` matches ``b``;
False means "not proven".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from sqlglot import exp
from sqlglot.optimizer.simplify import simplify

from tideover.policy.features import FEATURES, FeatureType


@dataclass(frozen=True)
class Range:
    low: Decimal | None = None  # None: unbounded
    low_open: bool = False
    high: Decimal | None = None
    high_open: bool = False

    def within(self, other: Range) -> bool:
        low_ok = other.low is None or (
            self.low is not None
            and (
                self.low > other.low
                or (self.low == other.low and (self.low_open or not other.low_open))
            )
        )
        high_ok = other.high is None or (
            self.high is not None
            and (
                self.high < other.high
                or (self.high == other.high and (self.high_open or not other.high_open))
            )
        )
        return low_ok and high_ok

    def meet(self, other: Range) -> Range:
        low, low_open = self.low, self.low_open
        if other.low is not None and (
            low is None or other.low > low or (other.low == low and other.low_open)
        ):
            low, low_open = other.low, other.low_open
        high, high_open = self.high, self.high_open
        if other.high is not None and (
            high is None or other.high < high or (other.high == high and other.high_open)
        ):
            high, high_open = other.high, other.high_open
        return Range(low, low_open, high, high_open)


Atom = Range | frozenset[str] | bool
Conjunction = tuple[dict[str, Atom], frozenset[str]]  # known atoms by feature, other text


def always_true(tree: exp.Expr) -> bool:
    folded = simplify(tree.copy())
    return isinstance(folded, exp.Boolean) and bool(folded.this)


def implies(later: exp.Expr, earlier: exp.Expr) -> bool:
    """True when every account matching ``later`` also matches ``earlier``."""
    if always_true(earlier):
        return True
    targets = [_conjunction(d) for d in _split(earlier, exp.Or)]
    return all(any(_within(_conjunction(d), t) for t in targets) for d in _split(later, exp.Or))


def _split(tree: exp.Expr, kind: type[exp.Expr]) -> list[exp.Expr]:
    tree = tree.unnest()
    if isinstance(tree, kind):
        return [*_split(tree.this, kind), *_split(tree.expression, kind)]
    return [tree]


def _conjunction(tree: exp.Expr) -> Conjunction:
    atoms: dict[str, Atom] = {}
    other: set[str] = set()
    for part in _split(tree, exp.And):
        found = _atom(part)
        if found is None:
            other.add(part.sql())
            continue
        name, atom = found
        atoms[name] = _meet(atoms[name], atom) if name in atoms else atom
    return atoms, frozenset(other)


def _meet(a: Atom, b: Atom) -> Atom:
    if isinstance(a, Range) and isinstance(b, Range):
        return a.meet(b)
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return a & b
    return a  # contradictory mixes are left alone: "not proven" is always safe


def _within(conj: Conjunction, target: Conjunction) -> bool:
    atoms, other = conj
    target_atoms, target_other = target
    if not target_other <= other:
        return False
    for name, want in target_atoms.items():
        have = atoms.get(name)
        if have is None:
            return False
        if isinstance(want, Range):
            if not (isinstance(have, Range) and have.within(want)):
                return False
        elif isinstance(want, frozenset):
            if not (isinstance(have, frozenset) and have <= want):
                return False
        elif have is not want:
            return False
    return True


def _atom(tree: exp.Expr) -> tuple[str, Atom] | None:
    tree = tree.unnest()
    if isinstance(tree, exp.Column) and _type(tree) is FeatureType.BOOLEAN:
        return tree.name, True
    if isinstance(tree, exp.Not) and isinstance(tree.this.unnest(), exp.Column):
        column = tree.this.unnest()
        return (column.name, False) if _type(column) is FeatureType.BOOLEAN else None
    if isinstance(tree, exp.In) and isinstance(tree.this, exp.Column):
        values = [i.this for i in tree.expressions if isinstance(i, exp.Literal) and i.is_string]
        if _type(tree.this) is FeatureType.STRING and len(values) == len(tree.expressions):
            return tree.this.name, frozenset(values)
        return None
    if isinstance(tree, exp.Between) and isinstance(tree.this, exp.Column):
        low, high = _number(tree.args["low"]), _number(tree.args["high"])
        if low is None or high is None:
            return None
        return tree.this.name, _tighten(tree.this, Range(low, False, high, False))
    return _comparison(tree)


def _comparison(tree: exp.Expr) -> tuple[str, Atom] | None:
    if not isinstance(tree, exp.EQ | exp.GT | exp.GTE | exp.LT | exp.LTE):
        return None
    column, value = tree.this, tree.expression
    kind: type[exp.Expr] = type(tree)
    if isinstance(value, exp.Column) and not isinstance(column, exp.Column):
        column, value = value, column
        flipped: dict[type[exp.Expr], type[exp.Expr]] = {
            exp.GT: exp.LT,
            exp.GTE: exp.LTE,
            exp.LT: exp.GT,
            exp.LTE: exp.GTE,
        }
        kind = flipped.get(kind, kind)
    if not isinstance(column, exp.Column):
        return None
    if isinstance(value, exp.Literal) and value.is_string and kind is exp.EQ:
        return column.name, frozenset([value.this])
    if isinstance(value, exp.Boolean) and kind is exp.EQ:
        return column.name, bool(value.this)
    number = _number(value)
    if number is None:
        return None
    shapes: dict[type[exp.Expr], Range] = {
        exp.EQ: Range(number, False, number, False),
        exp.GT: Range(low=number, low_open=True),
        exp.GTE: Range(low=number),
        exp.LT: Range(high=number, high_open=True),
        exp.LTE: Range(high=number),
    }
    return column.name, _tighten(column, shapes[kind])


def _number(node: exp.Expr) -> Decimal | None:
    node = node.unnest()
    if isinstance(node, exp.Neg):
        inner = _number(node.this)
        return None if inner is None else -inner
    if isinstance(node, exp.Literal) and not node.is_string:
        return Decimal(node.this)
    return None


def _tighten(column: exp.Column, shape: Range) -> Range:
    """For integer features, ``dpd > 30`` is ``dpd >= 31``: compare closed bounds."""
    if _type(column) is not FeatureType.INTEGER:
        return shape
    low = shape.low
    if low is not None:
        low = Decimal(math.floor(low) + 1) if shape.low_open else Decimal(math.ceil(low))
    high = shape.high
    if high is not None:
        high = Decimal(math.ceil(high) - 1) if shape.high_open else Decimal(math.floor(high))
    return Range(low, False, high, False)


def _type(column: exp.Column) -> FeatureType | None:
    feature = FEATURES.get(column.name)
    return None if feature is None else feature.type
