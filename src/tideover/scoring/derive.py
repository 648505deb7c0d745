"""Derived features written as data: ``NAME=function(COLUMN, ...)``.

A model's derivations are stored with it and applied again at scoring time,
so the same text defines a feature in training, batch scoring and single
scoring. Only a few vectorised functions exist, by design: no code is run.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tideover.domain.errors import InputRejected, ValidationError
from tideover.i18n import N_
from tideover.scoring.scaling import FloatArray


def _ratio(columns: list[FloatArray]) -> FloatArray:
    numerator, denominator = columns
    # A ratio to a zero or negative base (a credit balance) means nothing: missing.
    safe = np.where(denominator > 0, denominator, np.nan)
    result: FloatArray = numerator / safe
    return result


def _count_positive(columns: list[FloatArray]) -> FloatArray:
    result: FloatArray = (np.column_stack(columns) > 0).sum(axis=1).astype(np.float64)
    return result


def _reduce(function: Callable[..., FloatArray]) -> Callable[[list[FloatArray]], FloatArray]:
    def apply(columns: list[FloatArray]) -> FloatArray:
        result: FloatArray = function(np.column_stack(columns), axis=1)
        return result

    return apply


FUNCTIONS: dict[str, tuple[Callable[[list[FloatArray]], FloatArray], int | None]] = {
    "ratio": (_ratio, 2),
    "max": (_reduce(np.nanmax), None),
    "min": (_reduce(np.nanmin), None),
    "sum": (_reduce(np.nansum), None),
    "mean": (_reduce(np.nanmean), None),
    "count_positive": (_count_positive, None),
}

_PATTERN = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*([a-z_]+)\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class Derivation:
    """One derived numeric feature."""

    name: str
    function: str
    columns: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.name}={self.function}({','.join(self.columns)})"

    @classmethod
    def parse(cls, text: str) -> Derivation:
        match = _PATTERN.match(text)
        known = ", ".join(FUNCTIONS)
        if match is None or match.group(2) not in FUNCTIONS:
            raise ValidationError(
                N_(
                    "derived feature %(text)s: expected NAME=function(COLUMN, ...) with a "
                    "function among %(known)s"
                ),
                text=repr(text),
                known=known,
            )
        name, function, args = match.groups()
        columns = tuple(a.strip() for a in args.split(",") if a.strip())
        arity = FUNCTIONS[function][1]
        if not columns or (arity is not None and len(columns) != arity):
            raise ValidationError(
                N_("derived feature %(name)s: %(function)s takes %(arity)s columns")
                if arity is not None
                else N_("derived feature %(name)s: %(function)s takes one or more columns"),
                name=repr(name),
                function=function,
                arity=arity,
            )
        return cls(name, function, columns)


def derive(frame: pd.DataFrame, derivations: Sequence[Derivation]) -> pd.DataFrame:
    """``frame`` with the derived columns added (a copy; the input is not changed)."""
    if not derivations:
        return frame
    added: dict[str, FloatArray] = {}
    for d in derivations:
        if d.name in frame.columns:
            raise InputRejected(
                N_("derived feature %(name)s clashes with a column of the data"),
                name=repr(d.name),
            )
        columns = [_column(frame, added, d, c) for c in d.columns]
        with np.errstate(all="ignore"), _quiet_all_missing():
            added[d.name] = FUNCTIONS[d.function][0](columns)
    return frame.assign(**added)


def _column(
    frame: pd.DataFrame, added: dict[str, FloatArray], d: Derivation, column: str
) -> FloatArray:
    if column in added:
        return added[column]
    if column not in frame.columns:
        raise InputRejected(
            N_("derived feature %(name)s needs column %(column)s, which the data lacks"),
            name=repr(d.name),
            column=repr(column),
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    if (values.isna() & frame[column].notna()).any():
        raise InputRejected(
            N_("derived feature %(name)s needs numeric column %(column)s, which holds text"),
            name=repr(d.name),
            column=repr(column),
        )
    result: FloatArray = values.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
    return result


@contextmanager
def _quiet_all_missing() -> Iterator[None]:
    """nanmax & co. warn on rows where every input is missing; the result (missing) is right."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="All-NaN slice", category=RuntimeWarning)
        warnings.filterwarnings("ignore", message="Mean of empty slice", category=RuntimeWarning)
        yield
