"""Population stability, the stored training baseline, and realised outcomes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.domain.errors import InputRejected
from tideover.scoring.artefact import Artefact
from tideover.scoring.monitoring import (
    MISSING,
    OTHER,
    Baseline,
    assess_frame,
    fit_baseline,
    markdown,
    monitor,
    psi,
    psi_status,
    stability,
    stored_baseline,
    training_baselines,
)
from tideover.scoring.outcomes import attach_outcomes, id_keys, realised_performance
from tideover.scoring.training import train

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


# -- PSI ------------------------------------------------------------------------------


def test_psi_matches_a_hand_computation() -> None:
    expected = -0.25 * math.log(0.5) + 0.25 * math.log(1.5)
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected)
    assert psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0


def test_an_empty_bin_gives_a_large_but_finite_psi() -> None:
    value = psi([0.5, 0.5, 0.0], [0.25, 0.25, 0.5])
    assert math.isfinite(value)
    assert value > 1.0


@pytest.mark.parametrize(
    ("value", "status"),
    [(0.0, "stable"), (0.0999, "stable"), (0.1, "watch"), (0.25, "watch"), (0.2501, "shift")],
)
def test_thresholds(value: float, status: str) -> None:
    assert psi_status(value) == status


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200),
)
def test_psi_is_zero_on_the_training_sample_and_never_negative(
    train_values: list[float], run_values: list[float]
) -> None:
    baseline = fit_baseline("x", train_values)
    assert stability(baseline, train_values).psi == pytest.approx(0.0, abs=1e-12)
    assert stability(baseline, run_values).psi >= 0.0
    assert sum(baseline.shares) == pytest.approx(1.0)


def test_ties_fold_into_distinct_right_closed_bins() -> None:
    codes = [-2] * 10 + [-1] * 20 + [0] * 50 + [1] * 10 + [2] * 10
    baseline = fit_baseline("PAY_0", codes)
    assert baseline.edges == (-2.0, -1.0, 0.0, 1.0)
    assert baseline.labels() == ["≤ -2", "(-2, -1]", "(-1, 0]", "(0, 1]", "> 1", MISSING]
    assert baseline.shares == pytest.approx((0.1, 0.2, 0.5, 0.1, 0.1, 0.0))


def test_missing_values_appearing_after_training_are_a_shift() -> None:
    baseline = fit_baseline("x", np.arange(1000.0))
    run = np.where(np.arange(1000) % 2 == 0, np.nan, np.arange(1000.0))
    result = stability(baseline, run)
    assert result.status == "shift"
    assert result.bins[-1]["bin"] == MISSING
    assert result.bins[-1]["actual"] == 0.5


def test_categorical_levels_unseen_in_training_go_to_other() -> None:
    baseline = fit_baseline("city", ["a", "a", "b", None], kind="categorical")
    assert baseline.labels() == ["a", "b", OTHER, MISSING]
    counts = baseline.counts(pd.Series(["a", "z", "z", None], dtype=object))
    assert counts.tolist() == [1, 0, 2, 1]


def test_baseline_round_trips_through_json() -> None:
    baseline = fit_baseline("x", np.arange(50.0))
    assert Baseline.from_dict(baseline.to_dict()) == baseline


# -- on a trained model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


@pytest.fixture(scope="module")
def artefact(frame: pd.DataFrame) -> Artefact:
    result = train(frame, TARGET, "scorecard", id_column="ID", folds=3)
    model = result.model
    scores = model.scale.score(model.bad_log_odds(result.data.frame))
    kinds = {f.name: f.kind for f in model.features}
    metadata = {
        "monitoring": training_baselines(result.data.frame, kinds, scores),
        "metrics": {"auc": {"mean": 0.75}},
    }
    return Artefact("scorecard-test", model, metadata=metadata)


def test_the_training_sample_itself_is_stable(artefact: Artefact, frame: pd.DataFrame) -> None:
    report = monitor(artefact, frame)
    assert report["status"] == "stable"
    assert report["score"]["psi"] == 0.0
    assert {f["name"] for f in report["features"]} == {f.name for f in artefact.model.features}


def test_a_shifted_sample_is_flagged(artefact: Artefact, frame: pd.DataFrame) -> None:
    shifted = frame.copy()
    for column in ("PAY_0", "PAY_2", "PAY_3"):
        shifted[column] = shifted[column].clip(lower=0) + 2  # everyone two months late
    report = monitor(artefact, shifted)
    assert report["status"] == "shift"
    assert report["score"]["status"] == "shift"
    worst = report["features"][0]
    assert worst["name"] in ("PAY_0", "PAY_2", "PAY_3")
    assert worst["status"] == "shift"
    assert "| score |" in markdown(report)


def test_a_model_without_a_stored_baseline_is_refused_clearly(artefact: Artefact) -> None:
    bare = Artefact("old-version", artefact.model)
    with pytest.raises(InputRejected) as caught:
        stored_baseline(bare)
    assert "--baseline" in caught.value.en
    assert "--baseline" in caught.value.zh


def test_a_scoring_file_without_a_model_feature_names_it(
    artefact: Artefact, frame: pd.DataFrame
) -> None:
    with pytest.raises(InputRejected, match="PAY_0"):
        assess_frame(artefact, frame.drop(columns=["PAY_0"]))


# -- outcomes -------------------------------------------------------------------------


def test_ids_written_as_int_float_or_text_match() -> None:
    assert id_keys(pd.Series([8, 9])).tolist() == ["8", "9"]
    assert id_keys(pd.Series([8.0, 9.0])).tolist() == ["8", "9"]
    assert id_keys(pd.Series(["8", "x"])).tolist() == ["8", "x"]


def outcomes(ids: list[object], values: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"ID": ids, "bad": values})


def test_outcomes_are_matched_by_id_and_may_be_partial() -> None:
    scored = pd.Series([1, 2, 3])
    result = attach_outcomes(
        scored, outcomes([3.0, 1.0], [1, 0]), id_column="ID", outcome_column="bad"
    )
    assert result[0] == 0
    assert math.isnan(result[1])
    assert result[2] == 1


@pytest.mark.parametrize(
    ("table", "outcome_column", "named"),
    [
        (outcomes([1, 2], [0, 1]), "default", "'default'"),
        (pd.DataFrame({"id": [1], "bad": [1]}), "bad", "'ID'"),
        (outcomes([1, 2], [0, 2]), "bad", "'bad'"),
        (outcomes([1, 1], [0, 1]), "bad", "'ID'"),
        (outcomes([1, 99], [0, 1]), "bad", "99"),
    ],
    ids=["unknown outcome column", "unknown id column", "not binary", "duplicate", "no match"],
)
def test_bad_outcome_files_are_refused_naming_the_column(
    table: pd.DataFrame, outcome_column: str, named: str
) -> None:
    with pytest.raises(InputRejected) as caught:
        attach_outcomes(pd.Series([1, 2, 3]), table, id_column="ID", outcome_column=outcome_column)
    assert named in caught.value.en
    assert named in caught.value.zh


def test_realised_performance_on_perfect_and_one_class_outcomes() -> None:
    probability = np.array([0.1, 0.2, 0.8, 0.9, 0.5])
    good = realised_performance(np.array([0, 0, 1, 1, np.nan]), probability, training_auc=0.8)
    assert good["auc"] == 1.0
    assert good["auc_change"] == pytest.approx(0.2)
    assert good["rows_with_outcome"] == 4
    assert good["rows_without_outcome"] == 1
    assert good["observed_bad_rate"] == 0.5
    one_class = realised_performance(np.array([0.0, 0, 0, 0, 0]), probability)
    assert "auc" not in one_class
    assert one_class["note"]["zh"]
