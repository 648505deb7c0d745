"""Points scaling (base score, base odds, points to double the odds) and bands."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.errors import ValidationError
from tideover.scoring.scaling import Bands, PointsScale


def test_base_score_sits_at_base_odds() -> None:
    scale = PointsScale(base_score=600, base_odds=50, pdo=20)
    # odds good:bad 50:1 -> probability of bad 1/51, log-odds of bad ln(1/50)
    assert scale.score(np.asarray([math.log(1 / 50)]))[0] == pytest.approx(600)


def test_odds_double_every_pdo_points() -> None:
    scale = PointsScale(base_score=500, base_odds=20, pdo=40)
    at_base, doubled = scale.score(np.log(np.asarray([1 / 20, 1 / 40])))
    assert doubled - at_base == pytest.approx(40)


@given(
    st.floats(min_value=300, max_value=900),
    st.floats(min_value=0.5, max_value=200),
    st.floats(min_value=5, max_value=100),
    st.floats(min_value=-12, max_value=12),
)
def test_probability_inverts_score(base: float, odds: float, pdo: float, log_odds: float) -> None:
    scale = PointsScale(base, odds, pdo)
    probability = scale.probability(scale.score(np.asarray([log_odds])))[0]
    assert probability == pytest.approx(1 / (1 + math.exp(-log_odds)), rel=1e-9)


def test_scale_refuses_non_positive_odds() -> None:
    with pytest.raises(ValidationError, match="positive"):
        PointsScale(base_odds=0)


def test_default_bands_cut_at_their_upper_bounds() -> None:
    bands = Bands()
    got = bands.assign(np.asarray([0.0, 0.0499, 0.05, 0.15, 0.39, 0.4, 0.99]))
    assert got.tolist() == ["A", "A", "B", "C", "D", "E", "E"]


def test_bands_parse_and_describe_round_trip() -> None:
    bands = Bands.parse("low:0.1, mid:0.3, high")
    assert bands == Bands(("low", "mid", "high"), (0.1, 0.3))
    assert Bands.parse(bands.describe()) == bands


@pytest.mark.parametrize("text", ["A:0.3,B:0.1,C", "A:0.1,A", "A:x,B", "A:1.5,B", ""])
def test_bad_bands_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        Bands.parse(text)
