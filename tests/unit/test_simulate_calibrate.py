"""The calibrated normal scenario: the monthly entry rate fitted to loans behind after m months."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tideover.simulate.behaviour import POOLED, fit_transitions
from tideover.simulate.calibrate import (
    behind_probability,
    calibrate_entry,
    fit_entry,
    lending_club_behind,
)
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import D1, C, states_from_codes

TAIWAN = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
LENDING_CLUB = Path(__file__).parents[1] / "data" / "lendingclub_sample.csv"
MONTHS = ["PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0"]
ISSUED = {"Jan-2018": 5, "Feb-2018": 4, "Mar-2018": 3}


def _stress():
    states = states_from_codes(pd.read_csv(TAIWAN)[MONTHS].to_numpy())
    return fit_transitions(states, scenario="stress", source="taiwan sample", min_row=1)


def test_lending_club_statuses_map_to_behind_or_not() -> None:
    behind = lending_club_behind(
        ["Current", "Fully Paid", "In Grace Period", "Late (16-30 days)", "Charged Off"]
    )
    assert behind.tolist() == [False, False, True, True, True]
    with pytest.raises(NotEnoughHistory) as caught:
        lending_club_behind(["Current", "Sold"])
    assert "Sold" in caught.value.en
    assert "Sold" in caught.value.zh


def test_behind_probability_grows_with_age_and_with_the_entry_rate() -> None:
    matrix = _stress().expected()[-1]
    months = np.arange(1, 13)
    low = behind_probability(matrix, 0.01, months)
    high = behind_probability(matrix, 0.05, months)
    assert (np.diff(low) > 0).all()
    assert (high > low).all()
    assert low[0] == pytest.approx(0.01)  # one month: exactly the entry


def test_the_fitted_entry_recovers_the_rate_that_made_the_data() -> None:
    matrix = _stress().expected()[-1]
    rng = np.random.default_rng(11)
    months = rng.integers(3, 6, 20_000)
    truth = 0.012
    behind = rng.random(len(months)) < behind_probability(matrix, truth, months)
    assert fit_entry(matrix, months, behind) == pytest.approx(truth, rel=0.12)


def test_the_calibrated_model_keeps_the_arrears_rows_and_replaces_entry() -> None:
    stress = _stress()
    loans = pd.read_csv(LENDING_CLUB)
    normal = calibrate_entry(
        stress,
        months_on_book=loans["issue_month"].map(ISSUED).to_numpy(),
        behind=lending_club_behind(loans["loan_status"].tolist()),
        bands=loans["grade"].tolist(),
        product="instalment",
        scenario="normal",
        source="lending club sample",
    )
    assert normal.keys[-1] == POOLED
    assert all(k[0] == "instalment" for k in normal.keys[:-1])
    for counts in normal.counts:
        assert counts[C].sum() == counts[C, C] + counts[C, D1]
        assert (counts[1:] == stress.pooled[1:]).all()
    # The fitted entry makes the model's share behind match the loans' (the sample
    # over-represents late loans, so both are high).
    months = loans["issue_month"].map(ISSUED).to_numpy()
    behind = lending_club_behind(loans["loan_status"].tolist())
    entry = normal.expected()[-1][C, D1]
    predicted = behind_probability(stress.expected()[-1], entry, months).mean()
    assert predicted == pytest.approx(behind.mean(), abs=0.02)


def test_calibration_refuses_mismatched_or_empty_inputs() -> None:
    with pytest.raises(NotEnoughHistory):
        calibrate_entry(
            _stress(),
            months_on_book=np.array([3, 4]),
            behind=np.array([True]),
            bands=["A", "B"],
            product="instalment",
            scenario="normal",
            source="x",
        )
