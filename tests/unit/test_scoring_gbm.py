"""The boosting challenger on the real Taiwan sample: TreeSHAP reasons, round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tideover.scoring.gbm import GbmModel, GbmSettings, load_gbm
from tideover.scoring.inputs import coerce
from tideover.scoring.training import TrainingResult, train

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"
FAST = GbmSettings(rounds=60, learning_rate=0.1)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = pd.read_csv(SAMPLE)
    data["CHANNEL"] = np.where(data["ID"] % 3 == 0, "app", "branch")
    data.loc[::11, "CHANNEL"] = None
    return data


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame) -> TrainingResult:
    return train(frame, TARGET, "gbm", id_column="ID", folds=3, gbm=FAST)


@pytest.fixture(scope="module")
def model(result: TrainingResult) -> GbmModel:
    assert isinstance(result.model, GbmModel)
    return result.model


def test_the_challenger_learns_something_on_real_data(result: TrainingResult) -> None:
    assert result.validation.summary()["auc"]["mean"] > 0.62
    assert ("CHANNEL", "categorical") in [(f.name, f.kind) for f in result.model.features]


def test_contributions_add_up_to_the_log_odds(model: GbmModel, frame: pd.DataFrame) -> None:
    x = coerce(frame, model.features)
    raw = np.asarray(model.booster.predict(model.matrix(x), pred_contrib=True))
    assert np.allclose(raw.sum(axis=1), model.bad_log_odds(x))


def test_reasons_are_the_largest_risk_raising_contributions(
    model: GbmModel, frame: pd.DataFrame
) -> None:
    x = coerce(frame, model.features)
    table = model.reasons(x, 2)
    contributions = model.contributions(x)
    rows = np.flatnonzero(table.feature_index[:, 0] >= 0)
    assert rows.size > 0
    picked = contributions[rows, table.feature_index[rows, 0]]
    assert np.allclose(picked, contributions[rows].max(axis=1))
    assert (picked > 0).all()


def test_single_account_matches_the_batch(model: GbmModel, frame: pd.DataFrame) -> None:
    x = coerce(frame, model.features)
    batch = model.scale.score(model.bad_log_odds(x))
    for i in (0, 5, 11):
        score, reasons = model.explain_one(frame.iloc[i].to_dict(), 3)
        assert score == pytest.approx(batch[i])
        assert all(r.impact > 0 and "风险" in r.zh for r in reasons)


def test_unseen_categories_are_scored_as_missing(model: GbmModel, frame: pd.DataFrame) -> None:
    x = coerce(frame.head(3), model.features)
    unseen = x.assign(CHANNEL="kiosk")
    missing = x.assign(CHANNEL=None)
    assert np.allclose(model.bad_log_odds(unseen), model.bad_log_odds(missing))


def test_the_booster_survives_a_text_round_trip(model: GbmModel, frame: pd.DataFrame) -> None:
    again = load_gbm(model.to_text(), model.features, model.scale, model.levels)
    x = coerce(frame, model.features)
    assert np.allclose(again.bad_log_odds(x), model.bad_log_odds(x))
