"""Realised outcomes: matching them to scored accounts, and how well the scores did."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tideover.domain.errors import InputRejected
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


def _column(frame: pd.DataFrame, name: str, what_en: str, what_zh: str) -> None:
    if name not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise InputRejected(
            f"{what_en} column {name!r} is not in the {what_en} data (columns: {shown})",
            f"{what_zh}数据中没有列 {name!r}（现有列：{shown}）",
        )


def attach_outcomes(
    ids: pd.Series, outcomes: pd.DataFrame, *, id_column: str, outcome_column: str
) -> FloatArray:
    """The 0/1 outcome of each scored account (NaN where none has arrived yet).

    Refuses an outcome file with unknown columns, a non-binary outcome,
    duplicate ids, or ids that are not among the scored accounts.
    """
    _column(outcomes, id_column, "outcome", "结果")
    _column(outcomes, outcome_column, "outcome", "结果")
    try:
        y = binary_target(outcomes, outcome_column)
    except InputRejected as exc:  # the same checks as a training target, named as outcomes
        raise InputRejected(
            exc.en.replace("target column", "outcome column"),
            exc.zh.replace("目标列", "结果列"),
        ) from None
    keys = id_keys(outcomes[id_column])
    duplicated = pd.Series(keys).duplicated()
    if duplicated.any():
        shown = ", ".join(pd.Series(keys)[duplicated].unique()[:_SHOWN_IDS])
        raise InputRejected(
            f"outcome column {id_column!r} repeats ids ({shown}); give one outcome per account",
            f"结果数据的列 {id_column!r} 有重复的 id（{shown}）；每个账户只能有一个结果",
        )
    scored = id_keys(ids)
    unknown = ~np.isin(keys, scored)
    if unknown.any():
        shown = ", ".join(keys[unknown][:_SHOWN_IDS])
        raise InputRejected(
            f"{int(unknown.sum())} of {len(keys)} ids in outcome column {id_column!r} are not "
            f"among the scored accounts (e.g. {shown}); check the id column and the files",
            f"结果数据列 {id_column!r} 中 {len(keys)} 个 id 有 {int(unknown.sum())} 个不在已评分"
            f"账户中（例如 {shown}）；请检查 id 列和文件",
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
        result["note"] = {
            "en": "AUC needs both good and bad outcomes; only one class has arrived",
            "zh": "计算 AUC 需要好、坏两类结果；目前只有一类",
        }
        return result
    scores = metrics(y, p)
    table = calibration_table(y, p, groups=min(10, y.size))
    result.update(scores)
    result["auc_change"] = None if training_auc is None else scores["auc"] - training_auc
    result["calibration"] = table
    gap = expected_calibration_error(table)
    result["calibration_gap"] = None if math.isnan(gap) else gap
    return result
