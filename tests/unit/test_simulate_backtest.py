"""Backtest: fit on the first months of the Taiwan data, predict the last months' state mix.

The bounds are those documented in docs/simulation.md ("Backtest"); a change that
makes the model predict worse fails here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tideover.config import Settings
from tideover.simulate.backtest import backtest
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import states_from_codes

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
MONTHS = ["PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0"]
# Documented bounds, percentage points of the book per state (docs/simulation.md).
FULL_AUGUST_BOUND = 1.0  # one month ahead (August)
FULL_SEPTEMBER_BOUND = 9.0  # two months ahead (September, when the data's coding changes)
SAMPLE_AUGUST_BOUND = 1.5


def _full_taiwan() -> Path | None:
    path = Settings().resolved_cache_dir / "taiwan" / "accounts.parquet"
    return path if path.is_file() else None


def test_the_sample_backtest_stays_within_its_bound() -> None:
    states = states_from_codes(pd.read_csv(SAMPLE)[MONTHS].to_numpy())
    result = backtest(states, fit_months=4, min_row=1)
    assert result.predicted.shape == (2, 4)
    assert np.allclose(result.predicted.sum(axis=1), 1.0)
    assert result.error_points[0].max() <= SAMPLE_AUGUST_BOUND
    assert "months ahead" in result.markdown()


def test_a_backtest_needs_months_to_fit_and_to_predict() -> None:
    states = states_from_codes(pd.read_csv(SAMPLE)[MONTHS].to_numpy())
    for fit_months in (1, 6):
        with pytest.raises(NotEnoughHistory):
            backtest(states, fit_months=fit_months)


@pytest.mark.skipif(_full_taiwan() is None, reason="Taiwan data not fetched (tideover data fetch)")
def test_the_full_data_backtest_stays_within_the_documented_bounds() -> None:
    path = _full_taiwan()
    assert path is not None
    frame = pd.read_parquet(path)
    states = states_from_codes(frame[MONTHS].to_numpy())
    result = backtest(states, fit_months=4)
    assert result.error_points[0].max() <= FULL_AUGUST_BOUND
    assert result.error_points[1].max() <= FULL_SEPTEMBER_BOUND
