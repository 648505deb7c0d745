"""AUC, Gini, KS, Brier, calibration and stratified cross-validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tideover.scoring.evaluate import (
    calibration_table,
    cross_validate,
    expected_calibration_error,
    metrics,
)


def test_perfect_separation() -> None:
    y = np.asarray([0, 0, 1, 1])
    got = metrics(y, np.asarray([0.1, 0.2, 0.8, 0.9]))
    assert got["auc"] == 1.0
    assert got["gini"] == 1.0
    assert got["ks"] == 1.0
    assert got["brier"] == pytest.approx((0.01 + 0.04 + 0.04 + 0.01) / 4)


def test_hand_computed_auc_and_ks() -> None:
    # Pairs (bad, good) ranked right: 3 of 4 -> AUC 0.75; KS at threshold 0.6 is 1/2.
    y = np.asarray([0, 1, 0, 1])
    got = metrics(y, np.asarray([0.2, 0.4, 0.6, 0.8]))
    assert got["auc"] == pytest.approx(0.75)
    assert got["ks"] == pytest.approx(0.5)


def test_calibration_table_groups_by_predicted_risk() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(10_000)
    y = (rng.random(10_000) < p).astype(int)
    table = calibration_table(y, p, groups=5)
    assert [row["rows"] for row in table] == [2000] * 5
    assert all(a["max_probability"] <= b["min_probability"] for a, b in itertools.pairwise(table))
    assert expected_calibration_error(table) < 0.03  # p is calibrated by construction


def test_cross_validation_is_stratified_and_covers_every_row() -> None:
    y = np.asarray([0] * 80 + [1] * 20, dtype=np.int8)
    seen: list[int] = []

    def fit_predict(train_rows: np.ndarray, test_rows: np.ndarray) -> np.ndarray:
        seen.extend(test_rows.tolist())
        assert y[test_rows].sum() == 4  # 20 bad rows over 5 folds
        return y[test_rows] * 0.6 + 0.2

    result = cross_validate(y, fit_predict, folds=5)
    assert sorted(seen) == list(range(100))
    summary = result.summary()
    assert summary["auc"] == {"mean": 1.0, "std": 0.0, "min": 1.0, "max": 1.0}
    assert not np.isnan(result.out_of_fold).any()
