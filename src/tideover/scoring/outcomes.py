"""Realised outcomes: matching them to scored accounts, and how well the scores did."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.domain.errors import InputRejected
from tideover.i18n import N_, Wording
from tideover.scoring.evaluate import calibration_table, expected_calibration_error, metrics
from tideover.scoring.inputs import binary_target
from tideover.scoring.scaling import FloatArray

_SHOWN_IDS = 5


def id_keys(column: pd.Series) -> npt.NDArray[np.object_]:
    """Ids as text, so 8, 8.0 and "8" (CSV against Parquet) are the same account."""
    values = column.astype(object).to_numpy(copy=True)
    if pd.api.types.is_float_dtype(column):
        numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
        whole = ~np.isnan(numbers) & (numbers % 1 == 0)
        values[whole] = numbers[whole].astype(np.int64)
    keys: npt.NDArray[np.object_] = np.array([str(v) for v in values], dtype=object)
    return keys


def _column(frame: pd.DataFrame, name: str) -> None:
    if name not in frame.columns:
        raise InputRejected(
            N_("outcome column %(name)s is not in the outcome data (columns: %(shown)s)"),
            name=repr(name),
            shown=tuple(map(str, list(frame.columns)[:20])),
        )


def attach_outcomes(
    ids: pd.Series, outcomes: pd.DataFrame, *, id_column: str, outcome_column: str
) -> FloatArray:
    """The 0/1 outcome of each scored account (NaN where none has arrived yet).

    Refuses an outcome file with unknown columns, a non-binary outcome,
    duplicate ids, or ids that are not among the scored accounts.
    """
    _column(outcomes, id_column)
    _column(outcomes, outcome_column)
    # the same checks as a training target, named as outcomes
    y = binary_target(outcomes, outcome_column, role=N_("outcome column"))
    keys = id_keys(outcomes[id_column])
    duplicated = pd.Series(keys).duplicated()
    if duplicated.any():
        shown = ", ".join(pd.Series(keys)[duplicated].unique()[:_SHOWN_IDS])
        raise InputRejected(
            N_(
                "outcome column %(id_column)s repeats ids (%(shown)s); give one outcome per account"
            ),
            id_column=repr(id_column),
            shown=shown,
        )
    scored = id_keys(ids)
    unknown = ~np.isin(keys, scored)
    if unknown.any():
        shown = ", ".join(keys[unknown][:_SHOWN_IDS])
        raise InputRejected(
            N_(
                "%(unknown)s of %(count)s ids in outcome column %(id_column)s are not "
                "among the scored accounts (e.g. %(shown)s); check the id column and the "
                "files"
            ),
            unknown=int(unknown.sum()),
            count=len(keys),
            id_column=repr(id_column),
            shown=shown,
        )
    by_id = pd.Series(y.astype(np.float64), index=keys)
    result: FloatArray = pd.Series(scored).map(by_id).to_numpy(dtype=np.float64)
    return result


def realised_performance(
    outcome: FloatArray, probability: FloatArray, *, training_auc: float | None = None
) -> dict[str, Any]:
    """AUC, Gini, KS, Brier and calibration on the accounts whose outcome has arrived."""
    known = ~np.isnan(outcome)
    y = outcome[known].astype(np.int8)
    p = probability[known]
    result: dict[str, Any] = {
        "rows_with_outcome": int(known.sum()),
        "rows_without_outcome": int((~known).sum()),
        "observed_bad_rate": float(y.mean()) if y.size else None,
        "mean_predicted": float(p.mean()) if p.size else None,
        "training_auc": training_auc,
    }
    if y.size == 0 or y.min() == y.max():
        note = Wording(N_("AUC needs both good and bad outcomes; only one class has arrived"))
        result["note"] = {"en": note.en, "zh": note.zh}
        return result
    scores = metrics(y, p)
    table = calibration_table(y, p, groups=min(10, y.size))
    result.update(scores)
    result["auc_change"] = None if training_auc is None else scores["auc"] - training_auc
    result["calibration"] = table
    gap = expected_calibration_error(table)
    result["calibration_gap"] = None if math.isnan(gap) else gap
    return result
