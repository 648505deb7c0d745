"""Bad training and scoring input is refused with the column named, in en and zh."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tideover.domain.errors import InputRejected, ValidationError
from tideover.scoring.inputs import Feature, coerce, is_protected, training_set
from tideover.scoring.training import train

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
TARGET = "default-payment-next-month"


@pytest.fixture(scope="module")
def taiwan() -> pd.DataFrame:
    return pd.read_csv(SAMPLE)


def small(rows: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "id": range(rows),
            "income": rng.normal(100, 20, rows),
            "region": rng.choice(["north", "south", None], rows),
            "bad": np.tile([0, 1], rows // 2),
        }
    )


def test_unknown_target_names_the_column(taiwan: pd.DataFrame) -> None:
    with pytest.raises(InputRejected) as caught:
        training_set(taiwan, "defaulted")
    assert "'defaulted'" in caught.value.en
    assert "'defaulted'" in caught.value.zh
    assert "目标列" in caught.value.zh


def test_non_binary_target_is_refused() -> None:
    frame = small().assign(bad=[0, 1, 2] * 20)
    with pytest.raises(InputRejected, match="not binary"):
        training_set(frame, "bad")


def test_missing_target_values_are_refused() -> None:
    frame = small().astype({"bad": "float64"})
    frame.loc[3, "bad"] = np.nan
    with pytest.raises(InputRejected, match="1 missing"):
        training_set(frame, "bad")


def test_constant_column_names_the_column() -> None:
    frame = small().assign(branch="HQ")
    with pytest.raises(InputRejected) as caught:
        training_set(frame, "bad", id_column="id")
    assert "'branch'" in caught.value.en
    assert "常量" in caught.value.zh
    # The way out the message offers works.
    assert "branch" not in [f.name for f in training_set(frame, "bad", exclude=["branch"]).features]


def test_too_few_rows_per_class_is_refused() -> None:
    frame = small().assign(bad=[1] * 5 + [0] * 55)
    with pytest.raises(InputRejected, match="at least 20"):
        training_set(frame, "bad")


def test_unknown_id_column_is_refused() -> None:
    with pytest.raises(InputRejected, match="'account'"):
        training_set(small(), "bad", id_column="account")


def test_feature_types_are_inferred_and_ids_left_out() -> None:
    frame = small().assign(ref=[f"REF{i:04d}" for i in range(60)])
    data = training_set(frame, "bad", id_column="id")
    assert data.features == (Feature("income", "numeric"), Feature("region", "categorical"))
    assert data.excluded["ref"].en.startswith("identifier-like")
    assert data.frame["region"].isna().sum() == (frame["region"].isna()).sum()


def test_protected_attributes_and_their_one_hot_columns_are_not_inputs(
    taiwan: pd.DataFrame,
) -> None:
    data = training_set(taiwan, TARGET, id_column="ID")
    names = {f.name for f in data.features}
    for column in ("SEX", "AGE", "EDUCATION_1", "MARRIAGE_2"):
        assert column not in names
        assert data.excluded[column].en == "protected attribute"
    allowed = training_set(
        taiwan, TARGET, id_column="ID", allow_protected=True, exclude=["EDUCATION_0", "MARRIAGE_0"]
    )
    assert {"SEX", "AGE"} <= {f.name for f in allowed.features}


def test_is_protected_matches_whole_names_only() -> None:
    assert is_protected("Education_3", ["education"])
    assert not is_protected("agency_fee", ["age"])


def test_a_derived_feature_from_a_protected_attribute_is_refused(taiwan: pd.DataFrame) -> None:
    from tideover.scoring.derive import Derivation

    with pytest.raises(InputRejected, match="'AGE'"):
        train(taiwan, TARGET, derivations=[Derivation.parse("X=ratio(LIMIT_BAL,AGE)")])


def test_unknown_kind_is_a_validation_error(taiwan: pd.DataFrame) -> None:
    with pytest.raises(ValidationError, match="'forest'"):
        train(taiwan, TARGET, "forest")


def test_scoring_input_missing_a_feature_names_it() -> None:
    features = [Feature("income", "numeric"), Feature("region", "categorical")]
    with pytest.raises(InputRejected, match="region"):
        coerce(pd.DataFrame({"income": [1.0]}), features)


def test_scoring_input_with_text_in_a_numeric_feature_names_it() -> None:
    frame = pd.DataFrame({"income": ["12", "n/a", None]})
    with pytest.raises(InputRejected) as caught:
        coerce(frame, [Feature("income", "numeric")])
    assert "'income'" in caught.value.en
    assert "'n/a'" in caught.value.zh


def test_numbers_written_as_text_are_accepted() -> None:
    frame = pd.DataFrame({"income": ["12", "3.5", None]})
    values = coerce(frame, [Feature("income", "numeric")])["income"].to_numpy()
    assert values[:2].tolist() == [12.0, 3.5]
    assert np.isnan(values[2])


def test_category_codes_read_as_float_or_int_give_the_same_text() -> None:
    feature = [Feature("grade", "categorical")]
    got = coerce(pd.DataFrame({"grade": [1.0, None, 2.5]}), feature)["grade"].tolist()
    as_float = [None if pd.isna(v) else v for v in got]
    as_int = coerce(pd.DataFrame({"grade": [1, 3]}), feature)["grade"].tolist()
    assert as_float == ["1", None, "2.5"]
    assert as_int == ["1", "3"]
