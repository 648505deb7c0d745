"""The scorecard on the real Taiwan sample: points, vectorised look-ups, reasons."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tideover.scoring.inputs import Feature, coerce
from tideover.scoring.scaling import PointsScale
from tideover.scoring.scorecard import Characteristic, ScorecardModel
from tideover.scoring.training import TrainingResult, train

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = pd.read_csv(SAMPLE)
    data.loc[::17, "PAY_AMT1"] = np.nan  # missing values must have a bin of their own
    return data


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame) -> TrainingResult:
    return train(frame, TARGET, "scorecard", id_column="ID", folds=3)


@pytest.fixture(scope="module")
def model(result: TrainingResult) -> ScorecardModel:
    assert isinstance(result.model, ScorecardModel)
    return result.model


def inputs(model: ScorecardModel, frame: pd.DataFrame) -> pd.DataFrame:
    return coerce(frame, model.features)


def test_the_scorecard_learns_something_on_real_data(result: TrainingResult) -> None:
    summary = result.validation.summary()
    assert summary["auc"]["mean"] > 0.62
    assert summary["gini"]["mean"] == pytest.approx(2 * summary["auc"]["mean"] - 1)
    assert not np.isnan(result.validation.out_of_fold).any()
    assert "PAY_0" in {f.name for f in result.model.features}


def test_points_add_up_to_the_score(model: ScorecardModel, frame: pd.DataFrame) -> None:
    x = inputs(model, frame)
    score = model.points(x).sum(axis=1)
    assert np.allclose(model.scale.score(model.bad_log_odds(x)), score)


def test_single_account_path_agrees_with_the_vectorised_path(
    model: ScorecardModel, frame: pd.DataFrame
) -> None:
    x = inputs(model, frame)
    batch = model.points(x).sum(axis=1)
    single = [model.explain_one(row, 3)[0] for row in frame.to_dict("records")]
    assert np.allclose(batch, single)


def test_numeric_bins_follow_the_splits() -> None:
    c = Characteristic("x", "numeric", (1.5, 10.0), (), ("a", "b", "c", "m"), (), ())
    values = np.asarray([-5.0, 1.5, 9.99, 10.0, np.nan])
    assert c.bin_index(values).tolist() == [0, 1, 1, 2, 3]
    assert [c.bin_of(v) for v in values] == [0, 1, 1, 2, 3]


def test_unseen_and_missing_categories_fall_in_the_last_bin() -> None:
    c = Characteristic("x", "categorical", (), (("a", "b"), ("c",)), ("{a,b}", "{c}", "m"), (), ())
    values = np.asarray(["c", "a", "zzz", None], dtype=object)
    assert c.bin_index(values).tolist() == [1, 0, 2, 2]
    assert [c.bin_of(v) for v in values] == [1, 0, 2, 2]


def test_reasons_are_the_characteristics_furthest_below_their_best(
    model: ScorecardModel, frame: pd.DataFrame
) -> None:
    x = inputs(model, frame)
    table = model.reasons(x, 3)
    points = model.points(x)
    gap = np.asarray([max(c.points) for c in model.characteristics]) - points
    first = table.feature_index[:, 0]
    assert np.allclose(table.impact[:, 0], gap.max(axis=1))
    assert (np.diff(table.impact, axis=1) <= 1e-9).all()  # largest first
    assert ((first == -1) == (gap.max(axis=1) <= 1e-9)).all()


def test_single_account_reasons_carry_codes_values_and_both_languages(
    model: ScorecardModel, frame: pd.DataFrame
) -> None:
    record = frame.iloc[0].to_dict()
    _, reasons = model.explain_one(record, 3)
    assert reasons, "a real account is below the best bin somewhere"
    for reason in reasons:
        assert reason.code == "R-" + reason.feature.upper()
        assert reason.value in reason.en
        assert reason.value in reason.zh
        assert "分" in reason.zh


def test_a_scorecard_survives_a_json_round_trip(model: ScorecardModel, frame: pd.DataFrame) -> None:
    again = ScorecardModel.from_dict(json.loads(json.dumps(model.to_dict())))
    x = inputs(model, frame)
    assert np.array_equal(again.points(x), model.points(x))


def test_points_scale_is_configurable(frame: pd.DataFrame) -> None:
    data = train(frame, TARGET, id_column="ID", folds=2, scale=PointsScale(300, 10, 50))
    probability = 1 / (1 + np.exp(-data.model.bad_log_odds(inputs(data.model, frame))))  # type: ignore[arg-type]
    assert data.model.scale.pdo == 50
    assert np.allclose(
        data.model.scale.probability(
            data.model.scale.score(np.log(probability / (1 - probability)))
        ),
        probability,
    )


def test_categorical_features_are_binned() -> None:
    rng = np.random.default_rng(3)
    rows = 400
    grade = rng.choice(["A", "B", "C", "D"], rows)
    risk = pd.Series(grade).map({"A": 0.05, "B": 0.15, "C": 0.3, "D": 0.5}).to_numpy()
    frame = pd.DataFrame(
        {"grade": grade, "noise": rng.normal(size=rows), "bad": rng.random(rows) < risk}
    )
    result = train(frame, "bad", folds=3)
    model = result.model
    assert isinstance(model, ScorecardModel)
    grade_card = next(c for c in model.characteristics if c.feature == "grade")
    assert grade_card.kind == "categorical"
    probe = coerce(pd.DataFrame({"grade": ["A", "D"], "noise": [0.0, 0.0]}), model.features)
    a, d = model.points(probe)[:, model.features.index(Feature("grade", "categorical"))]
    assert a > d
    assert result.validation.summary()["auc"]["mean"] > 0.6


def test_training_set_rows_are_not_changed(frame: pd.DataFrame) -> None:
    before = frame.copy()
    train(frame, TARGET, id_column="ID", folds=2)
    pd.testing.assert_frame_equal(frame, before)


def test_the_fits_run_with_one_blas_thread(
    frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadpoolctl import threadpool_info

    from tideover.scoring import training

    seen: list[int] = []
    fit = training._fit

    def watched(*args: object, **kwargs: object) -> object:
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return fit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(training, "_fit", watched)
    train(frame, TARGET, id_column="ID", folds=2)
    assert seen  # numpy's BLAS is loaded: the test sees what it tests
    assert set(seen) == {1}
