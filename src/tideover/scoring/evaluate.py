"""Discrimination and calibration: AUC, Gini, KS, Brier, calibration table, k-fold CV."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tideover.scoring.scaling import FloatArray

METRICS = ("auc", "gini", "ks", "brier")


def metrics(y: npt.NDArray[Any], probability: FloatArray) -> dict[str, float]:
    """AUC, Gini (= 2 AUC - 1), Kolmogorov-Smirnov statistic and Brier score."""
    from sklearn.metrics import (
        brier_score_loss,
        roc_auc_score,
        roc_curve,
    )

    auc = float(roc_auc_score(y, probability))
    false_positive, true_positive, _ = roc_curve(y, probability)
    return {
        "auc": auc,
        "gini": 2.0 * auc - 1.0,
        "ks": float(np.max(true_positive - false_positive)),
        "brier": float(brier_score_loss(y, probability)),
    }


@dataclass(frozen=True)
class CrossValidation:
    """Per-fold metrics and the out-of-fold probability of every row."""

    folds: tuple[dict[str, float], ...]
    out_of_fold: FloatArray

    def summary(self) -> dict[str, dict[str, float]]:
        """Mean, standard deviation (n-1), min and max of each metric over the folds."""
        result: dict[str, dict[str, float]] = {}
        for name in METRICS:
            values = np.asarray([fold[name] for fold in self.folds])
            spread = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            result[name] = {
                "mean": float(values.mean()),
                "std": spread,
                "min": float(values.min()),
                "max": float(values.max()),
            }
        return result


def cross_validate(
    y: npt.NDArray[np.int8],
    fit_predict: Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], FloatArray],
    *,
    folds: int = 5,
    seed: int = 7,
    on_fold: Callable[[int], None] | None = None,
) -> CrossValidation:
    """Stratified k-fold: ``fit_predict(train_rows, test_rows)`` returns test probabilities;
    ``on_fold`` hears the number of folds done after each one."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    out_of_fold = np.full(len(y), np.nan)
    results: list[dict[str, float]] = []
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        probability = fit_predict(train_rows, test_rows)
        out_of_fold[test_rows] = probability
        results.append(metrics(y[test_rows], probability))
        if on_fold is not None:
            on_fold(len(results))
    return CrossValidation(tuple(results), out_of_fold)


def calibration_table(
    y: npt.NDArray[Any], probability: FloatArray, groups: int = 10
) -> list[dict[str, float]]:
    """Rows sorted by predicted risk, cut into ``groups`` equal-count groups."""
    order = np.argsort(probability, kind="stable")
    table = []
    for number, rows in enumerate(np.array_split(order, groups), start=1):
        if rows.size == 0:
            continue
        predicted = float(probability[rows].mean())
        observed = float(y[rows].mean())
        table.append(
            {
                "group": number,
                "rows": int(rows.size),
                "min_probability": float(probability[rows].min()),
                "max_probability": float(probability[rows].max()),
                "mean_predicted": predicted,
                "observed_bad_rate": observed,
                "gap": observed - predicted,
            }
        )
    return table


def expected_calibration_error(table: list[dict[str, float]]) -> float:
    """Row-weighted mean absolute gap between predicted and observed bad rates."""
    rows = sum(row["rows"] for row in table)
    if not rows:
        return math.nan
    return sum(abs(row["gap"]) * row["rows"] for row in table) / rows
