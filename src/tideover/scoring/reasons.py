"""Reason codes: which inputs pulled an account's score down, as stable codes.

A code is ``R-<FEATURE>``: it stays the same across model versions for as long
as the feature keeps its name, so a collector's screen or a letter template can
rely on it. The numbers behind it (points lost, or log-odds added) change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.i18n import Worded, Wording

# Impacts this small are rounding noise, not a reason.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Reason(Worded):
    """One reason for one account; ``to_dict`` has its text in both languages."""

    code: str
    feature: str
    value: str
    impact: float
    wording: Wording

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "feature": self.feature,
            "value": self.value,
            "impact": self.impact,
            "en": self.en,
            "zh": self.zh,
        }


@dataclass(frozen=True)
class ReasonTable:
    """Top reasons per row: feature index (-1 = none) and impact, both ``(rows, top)``."""

    feature_index: npt.NDArray[np.int64]
    impact: npt.NDArray[np.float64]


def code_for(feature: str) -> str:
    """The stable reason code of a feature."""
    return "R-" + re.sub(r"[^A-Za-z0-9]+", "_", feature).strip("_").upper()


def top_reasons(impact: npt.NDArray[np.float64], top: int) -> ReasonTable:
    """The ``top`` largest positive impacts per row, largest first (vectorised)."""
    columns = impact.shape[1]
    order = np.argsort(-impact, axis=1, kind="stable")[:, : min(top, columns)]
    chosen = np.take_along_axis(impact, order, axis=1).astype(np.float64)
    index = np.where(chosen > _EPSILON, order, -1).astype(np.int64)
    return ReasonTable(index, np.where(index >= 0, chosen, 0.0))


def display_value(value: object) -> str:
    """A feature value as a person reads it: integers without ``.0``, missing as ``missing``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def reason_columns(
    table: ReasonTable, features: tuple[str, ...], inputs: pd.DataFrame
) -> dict[str, npt.NDArray[np.object_]]:
    """Flat columns ``reason_<i>_code`` and ``reason_<i>_value`` for a batch output."""
    codes = np.asarray([code_for(f) for f in features] + [None], dtype=object)
    columns: dict[str, npt.NDArray[np.object_]] = {}
    values = [inputs[f].to_numpy() for f in features]
    for rank in range(table.feature_index.shape[1]):
        index = table.feature_index[:, rank]
        columns[f"reason_{rank + 1}_code"] = codes[index]  # -1 picks the trailing None
        shown = np.full(len(index), None, dtype=object)
        for position, column in enumerate(values):
            rows = np.flatnonzero(index == position)
            if rows.size:
                shown[rows] = _displayed(column[rows])
        columns[f"reason_{rank + 1}_value"] = shown
    return columns


def _displayed(values: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """``display_value`` of each value, formatting each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.asarray([display_value(u) for u in uniques] + ["missing"], dtype=object)
    result: npt.NDArray[np.object_] = texts.take(codes)  # the sentinel -1 picks "missing"
    return result
