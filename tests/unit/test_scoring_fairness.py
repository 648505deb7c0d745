"""Fairness report: groups, gaps and flags; protected attributes kept out of the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tideover.domain.errors import InputRejected
from tideover.scoring.derive import Derivation
from tideover.scoring.fairness import fairness, group_labels, markdown
from tideover.scoring.inputs import DEFAULT_PROTECTED, is_protected
from tideover.scoring.training import train

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


# -- groups ---------------------------------------------------------------------------


def test_age_is_banded_in_age_order() -> None:
    ages = pd.Series([24, 25, 34, 35, 54, 55, 79, *list(range(30, 40))])
    labels = group_labels(pd.DataFrame({"AGE": ages}), "AGE")
    assert labels.tolist()[:7] == ["<25", "25-35", "25-35", "35-45", "45-55", "55+", "55+"]


def test_one_hot_columns_collapse_into_one_attribute() -> None:
    frame = pd.DataFrame({"EDUCATION_1": [1, 0, 0], "EDUCATION_2": [0, 1, 0], "X": [5, 6, 7]})
    assert group_labels(frame, "EDUCATION").tolist() == ["1", "2", "(missing)"]


def test_plain_codes_and_missing_values_are_groups() -> None:
    frame = pd.DataFrame({"sex": [1.0, 2.0, None]})
    assert group_labels(frame, "SEX").tolist() == ["1", "2", "(missing)"]


@pytest.mark.parametrize(
    ("frame", "attribute", "named"),
    [
        (pd.DataFrame({"AGE": [30, 40]}), "RACE", "'RACE'"),
        (pd.DataFrame({"SEX": [None, None]}, dtype=object), "SEX", "'SEX'"),
        (pd.DataFrame({"M_1": [1, 1], "M_2": [0, 1]}), "M", "'M'"),
    ],
    ids=["unknown attribute", "empty column", "two levels at once"],
)
def test_bad_attributes_are_refused_naming_the_column(
    frame: pd.DataFrame, attribute: str, named: str
) -> None:
    with pytest.raises(InputRejected) as caught:
        group_labels(frame, attribute)
    assert named in caught.value.en
    assert named in caught.value.zh


# -- gaps and flags ---------------------------------------------------------------------


def synthetic(rows: int = 2000, seed: int = 3) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Group B gets worse scores, an uninformative ranking and a miscalibrated probability."""
    rng = np.random.default_rng(seed)
    group = np.where(np.arange(rows) % 2 == 0, "A", "B")
    outcome = rng.random(rows) < 0.3
    informative = np.where(outcome, 0.6, 0.17) + rng.normal(0, 0.05, rows)  # calibrated
    noise = 0.45 + rng.normal(0, 0.1, rows)
    probability = np.clip(np.where(group == "A", informative, noise), 0.01, 0.99)
    return pd.DataFrame({"GROUP": group}), {
        "probability": probability,
        "score": 600 - 100 * probability,
        "outcome": outcome.astype(np.float64),
    }


def compare(
    frame: pd.DataFrame, arrays: dict[str, np.ndarray], min_rows: int = 100
) -> dict[str, Any]:
    return fairness(
        frame,
        ["GROUP"],
        cutoff=0.4,
        score=arrays["score"],
        probability=arrays["probability"],
        outcome=arrays["outcome"],
        min_rows=min_rows,
    )


def test_large_gaps_are_flagged_against_the_best_group() -> None:
    frame, arrays = synthetic()
    report = compare(frame, arrays)["GROUP"]
    a, b = report["groups"]["A"], report["groups"]["B"]
    assert a["adverse_impact_ratio"] == 1.0
    assert b["adverse_impact_ratio"] < 0.8
    assert b["auc_gap"] > 0.05
    assert {f["code"] for f in b["flags"]} == {"adverse_impact", "auc_gap", "calibration_gap"}
    assert a["flags"] == []
    assert report["flagged_groups"] == ["B"]
    assert b["score_ks_vs_rest"] > 0.5  # distributions clearly apart
    assert a["bad_rate"] == pytest.approx(arrays["outcome"][::2].mean())


def test_small_groups_are_reported_but_never_flagged() -> None:
    frame, arrays = synthetic(rows=2000)
    report = compare(frame, arrays, min_rows=5000)["GROUP"]
    assert report["flagged_groups"] == []
    assert report["groups"]["B"]["eligible"] is False


def test_without_outcomes_only_scores_and_favourable_rates_are_compared() -> None:
    frame, arrays = synthetic()
    report = fairness(
        frame, ["GROUP"], cutoff=0.4, score=arrays["score"], probability=arrays["probability"]
    )
    b = report["GROUP"]["groups"]["B"]
    assert "auc" not in b
    assert [f["code"] for f in b["flags"]] == ["adverse_impact"]


def test_a_single_group_cannot_be_compared() -> None:
    frame = pd.DataFrame({"SEX": [1, 1, 1]})
    values = np.array([0.1, 0.2, 0.3])
    with pytest.raises(InputRejected, match="'SEX'") as caught:
        fairness(frame, ["SEX"], score=values, probability=values, cutoff=0.4)
    assert "SEX" in caught.value.zh


def test_markdown_lists_every_group() -> None:
    frame, arrays = synthetic()
    groups = compare(frame, arrays)
    text = markdown(
        {
            "model_version": "v1",
            "rows": 2000,
            "cutoff": 0.4,
            "min_rows": 100,
            "model_inputs_protected": [],
            "attributes": groups,
        }
    )
    assert "| A |" in text
    assert "adverse_impact" in text


# -- protected attributes are not model inputs ----------------------------------------------


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


def protected_inputs(names: list[str]) -> list[str]:
    return [n for n in names if is_protected(n, DEFAULT_PROTECTED)]


def test_protected_attributes_are_not_model_inputs_by_default(sample: pd.DataFrame) -> None:
    result = train(sample, TARGET, "gbm", id_column="ID", folds=2)
    assert protected_inputs([f.name for f in result.model.features]) == []
    for name in ("SEX", "AGE", "EDUCATION_2", "MARRIAGE_1"):
        assert result.data.excluded[name].en == "protected attribute"


def test_protected_attributes_are_inputs_only_when_allowed(sample: pd.DataFrame) -> None:
    result = train(
        sample,
        TARGET,
        "gbm",
        id_column="ID",
        folds=2,
        allow_protected=True,
        exclude=["EDUCATION_0", "MARRIAGE_0"],
    )
    assert {"SEX", "AGE"} <= {f.name for f in result.model.features}


def test_a_feature_derived_from_a_protected_attribute_is_refused(sample: pd.DataFrame) -> None:
    with pytest.raises(InputRejected, match="'AGE'"):
        train(
            sample,
            TARGET,
            "gbm",
            id_column="ID",
            folds=2,
            derivations=[Derivation.parse("AGE_LIMIT=ratio(LIMIT_BAL,AGE)")],
        )
