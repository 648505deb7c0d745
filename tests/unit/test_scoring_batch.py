"""Batch and single-account scoring with a stored model: columns, bands, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tideover.domain.errors import InputRejected
from tideover.scoring.artefact import Artefact
from tideover.scoring.derive import Derivation
from tideover.scoring.scaling import Bands, PointsScale
from tideover.scoring.scorecard import Characteristic, ScorecardModel
from tideover.scoring.scoring import score_account, score_frame

SCALE = PointsScale(600, 50, 20)


def artefact() -> Artefact:
    util = Characteristic(
        "util", "numeric", (0.3, 0.8), (), ("low", "mid", "high", "missing"), (), (80, 60, 20, 50)
    )
    city = Characteristic(
        "city", "categorical", (), (("sh", "bj"), ("xa",)), ("{sh, bj}", "{xa}", "missing"),
        (), (70, 40, 55),
    )  # fmt: skip
    model = ScorecardModel((util, city), SCALE, 0.0)
    derived = (Derivation.parse("util=ratio(bill,limit)"),)
    return Artefact("scorecard-test-1", model, derived, Bands(), {})


FRAME = pd.DataFrame(
    {
        "acct": ["a1", "a2", "a3"],
        "bill": [100.0, 900.0, 50.0],
        "limit": [1000.0, 1000.0, 0.0],
        "city": ["sh", "xa", "gz"],
    }
)


def test_batch_output_has_scores_bands_reasons_and_version() -> None:
    out = score_frame(artefact(), FRAME, id_column="acct", top=2)
    assert list(out.columns) == [
        "acct", "score", "probability", "band", "reason_1_code", "reason_1_value",
        "reason_2_code", "reason_2_value", "model_version",
    ]  # fmt: skip
    assert out["score"].tolist() == [150.0, 60.0, 105.0]
    assert np.allclose(out["probability"], SCALE.probability(out["score"].to_numpy()))
    assert pd.isna(out.loc[0, "reason_1_code"])  # best bin everywhere: no reason
    assert out.loc[1, "reason_1_code"] == "R-UTIL"  # 60 points lost, more than city's 30
    assert out.loc[1, "reason_1_value"] == "0.9"
    assert out.loc[1, "reason_2_code"] == "R-CITY"
    assert out.loc[2, "reason_1_value"] == "missing"  # ratio to a zero limit
    assert set(out["model_version"]) == {"scorecard-test-1"}
    assert out["band"].tolist() == Bands().assign(out["probability"].to_numpy()).tolist()


def test_single_account_matches_the_batch() -> None:
    batch = score_frame(artefact(), FRAME, top=3)
    for i, record in enumerate(FRAME.to_dict("records")):
        one = score_account(artefact(), record)
        assert one.score == batch.loc[i, "score"]
        assert one.band == batch.loc[i, "band"]
        assert [r.code for r in one.reasons] == [
            c for c in batch.loc[i, ["reason_1_code", "reason_2_code"]] if not pd.isna(c)
        ]


def test_a_scoring_file_without_a_model_input_is_refused() -> None:
    with pytest.raises(InputRejected, match="'limit'"):
        score_frame(artefact(), FRAME.drop(columns=["limit"]))
    with pytest.raises(InputRejected, match="city"):
        score_frame(artefact(), FRAME.drop(columns=["city"]))
    with pytest.raises(InputRejected, match="'bill'"):
        score_account(artefact(), {"bill": "lots", "limit": 5, "city": "sh"})
    with pytest.raises(InputRejected, match="'id'"):
        score_frame(artefact(), FRAME, id_column="id")
