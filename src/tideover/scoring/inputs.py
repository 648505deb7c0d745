"""Checking and typing the columns of a training or scoring table.

Everything a user can get wrong is an ``InputRejected`` naming the column, in
en and zh, raised before any model is fitted or anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.domain.errors import InputRejected
from tideover.i18n import N_, Clauses, Wording

FeatureKind = Literal["numeric", "categorical"]

# Attributes a lender may not score on in most jurisdictions (e.g. US ECOA/Reg B,
# 12 CFR 1002.6; EU AI Act annex III 5(b) treats credit scoring as high risk).
DEFAULT_PROTECTED: tuple[str, ...] = (
    "sex",
    "gender",
    "age",
    "marriage",
    "marital_status",
    "education",
    "race",
    "ethnicity",
    "religion",
    "nationality",
)

# A text column where most values are distinct is an identifier, not a feature.
_ID_LIKE_MIN_DISTINCT = 50
_ID_LIKE_SHARE = 0.5


@dataclass(frozen=True)
class Feature:
    """One model input and how it is read."""

    name: str
    kind: FeatureKind


@dataclass(frozen=True)
class TrainingSet:
    """Model inputs, the 0/1 target (1 = bad) and what was left out, with why (read in
    the reader's language; the training summary keeps the English)."""

    frame: pd.DataFrame
    target: npt.NDArray[np.int8]
    features: tuple[Feature, ...]
    excluded: dict[str, Wording] = field(default_factory=dict)


def is_protected(column: str, protected: Iterable[str]) -> bool:
    """True for a protected name or its one-hot columns (``EDUCATION`` -> ``EDUCATION_2``)."""
    lowered = column.lower()
    return any(lowered == p.lower() or lowered.startswith(p.lower() + "_") for p in protected)


def binary_target(
    frame: pd.DataFrame, target: str, *, role: str = N_("target column")
) -> npt.NDArray[np.int8]:
    """The target as 0/1, refusing unknown, missing or non-binary targets (``role`` names
    the column in the messages: the training target, or the outcome of scored accounts)."""
    named = Wording(role)
    if target not in frame.columns:
        raise InputRejected(
            N_("%(role)s %(target)s is not in the data (columns: %(shown)s)"),
            role=named,
            target=repr(target),
            shown=tuple(map(str, list(frame.columns)[:20])),
        )
    column = frame[target]
    missing = int(column.isna().sum())
    if missing:
        raise InputRejected(
            N_("%(role)s %(target)s has %(missing)s missing values; every row needs 0 or 1"),
            role=named,
            target=repr(target),
            missing=missing,
        )
    values = set(pd.unique(column).tolist())
    if not values <= {0, 1}:  # True == 1 and False == 0 in Python
        raise InputRejected(
            N_("%(role)s %(target)s is not binary: values %(shown)s; it must be 0/1 (1 = bad)"),
            role=named,
            target=repr(target),
            shown=tuple(map(repr, sorted(values, key=str)[:5])),
        )
    result: npt.NDArray[np.int8] = column.astype("int8").to_numpy()
    return result


def _check_class_sizes(target: str, y: npt.NDArray[np.int8], minimum: int) -> None:
    bad = int(y.sum())
    good = len(y) - bad
    if min(bad, good) < minimum:
        raise InputRejected(
            N_(
                "target column %(target)s: %(good)s rows of class 0 and %(bad)s of class "
                "1; each class needs at least %(minimum)s"
            ),
            target=repr(target),
            good=good,
            bad=bad,
            minimum=minimum,
        )


def infer_kind(column: pd.Series) -> FeatureKind | None:
    """``numeric`` for numbers and booleans, ``categorical`` for text; None for dates."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(column) or pd.api.types.is_timedelta64_dtype(column):
        return None
    return "categorical"


def _why_excluded(name: str, column: pd.Series, kind: FeatureKind | None) -> Wording | None:
    if kind is None:
        return Wording(N_("date or time column; derive a numeric feature from it"))
    distinct = int(column.nunique(dropna=True))
    if (
        kind == "categorical"
        and distinct >= _ID_LIKE_MIN_DISTINCT
        and distinct > _ID_LIKE_SHARE * column.notna().sum()
    ):
        return Wording(N_("identifier-like text (%(distinct)s distinct values)"), distinct=distinct)
    return None


def _check_not_constant(name: str, column: pd.Series) -> None:
    if column.nunique(dropna=True) <= 1:
        value = column.dropna().tolist()[0] if column.notna().any() else "missing"
        raise InputRejected(
            N_(
                "column %(name)s is constant (%(value)s in every row) and cannot help a "
                "model; drop it or list it with --exclude"
            ),
            name=repr(name),
            value=repr(value),
        )


def training_set(
    frame: pd.DataFrame,
    target: str,
    *,
    id_column: str | None = None,
    protected: Sequence[str] = DEFAULT_PROTECTED,
    allow_protected: bool = False,
    exclude: Sequence[str] = (),
    min_rows_per_class: int = 20,
) -> TrainingSet:
    """Check a training table and split it into typed features and a 0/1 target."""
    y = binary_target(frame, target)
    for name, role in [(id_column, "id column"), *((e, "excluded column") for e in exclude)]:
        if name is not None and name not in frame.columns:
            raise InputRejected(
                N_("%(role)s %(name)s is not in the data"), role=role, name=repr(name)
            )
    _check_class_sizes(target, y, min_rows_per_class)
    excluded: dict[str, Wording] = dict.fromkeys(exclude, Wording(N_("excluded on request")))
    features: list[Feature] = []
    for name in frame.columns:
        if name in (target, id_column) or name in excluded:
            continue
        if not isinstance(name, str):
            raise InputRejected(N_("column name %(name)s is not text"), name=repr(name))
        if is_protected(name, protected) and not allow_protected:
            excluded[name] = Wording(N_("protected attribute"))
            continue
        kind = infer_kind(frame[name])
        why = _why_excluded(name, frame[name], kind)
        if why is not None or kind is None:
            excluded[name] = why or Wording(N_("unsupported type"))
            continue
        _check_not_constant(name, frame[name])
        features.append(Feature(name, kind))
    if not features:
        raise InputRejected(
            N_("no usable feature columns are left after exclusions: %(excluded)s"),
            excluded=_describe(excluded),
        )
    inputs = coerce(frame, features)
    return TrainingSet(inputs, y, tuple(features), excluded)


def _describe(excluded: dict[str, Wording]) -> Clauses | str:
    return (
        Clauses(
            Wording(N_("%(column)s (%(why)s)"), column=name, why=why)
            for name, why in excluded.items()
        )
        or "-"
    )


def coerce(frame: pd.DataFrame, features: Sequence[Feature]) -> pd.DataFrame:
    """The feature columns as float64 (numeric) or object text (categorical).

    Refuses a table missing a feature or holding text in a numeric feature.
    """
    missing = [f.name for f in features if f.name not in frame.columns]
    if missing:
        raise InputRejected(
            N_("the data lacks model feature column(s): %(missing)s"), missing=tuple(missing)
        )
    columns: dict[str, Any] = {}
    for feature in features:
        column = frame[feature.name]
        columns[feature.name] = (
            _numeric(feature.name, column) if feature.kind == "numeric" else _text(column)
        )
    return pd.DataFrame(columns, index=frame.index)


def _numeric(name: str, column: pd.Series) -> npt.NDArray[np.float64]:
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        numbers: npt.NDArray[np.float64] = column.astype("float64").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        return numbers
    converted = pd.to_numeric(column, errors="coerce")
    bad = converted.isna() & column.notna()
    if bad.any():
        example = column[bad].iloc[0]
        raise InputRejected(
            N_("column %(name)s must be numeric but holds %(example)s (%(bad)s such rows)"),
            name=repr(name),
            example=repr(example),
            bad=int(bad.sum()),
        )
    result: npt.NDArray[np.float64] = converted.astype("float64").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return result


def _text(column: pd.Series) -> npt.NDArray[np.object_]:
    values = np.array(column.astype(object), dtype=object)  # a writable copy
    if pd.api.types.is_float_dtype(column):
        # A code column read as float in one file (because of a gap) and as int in
        # another must give the same text: 1.0 -> "1".
        numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = ~np.isnan(numbers) & (numbers % 1 == 0)
        values[whole] = numbers[whole].astype(np.int64)
    missing = pd.isna(values)
    out: npt.NDArray[np.object_] = values.astype(str).astype(object)
    out[missing] = None
    return out
