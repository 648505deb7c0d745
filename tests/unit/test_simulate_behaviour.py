"""The behaviour model: transitions by segment, shrinkage to the pooled rows, draws, daily roots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg

from tideover.config import Settings
from tideover.simulate.behaviour import (
    POOLED,
    count_transitions,
    daily,
    daily_error,
    fit_transitions,
)
from tideover.simulate.errors import NotEnoughHistory
from tideover.simulate.states import (
    D1,
    D3,
    D4,
    C,
    installments_paid,
    missed_after,
    state_of_missed,
    states_from_codes,
)

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
MONTHS = ["PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0"]


def _sample_states() -> np.ndarray:
    return states_from_codes(pd.read_csv(SAMPLE)[MONTHS].to_numpy())


def test_codes_merge_one_and_two_missed_into_d1() -> None:
    codes = np.array([-2, -1, 0, 1, 2, 3, 4, 8])
    assert states_from_codes(codes).tolist() == [C, C, C, D1, D1, D3, D4, D4]


def test_counts_follow_consecutive_month_pairs() -> None:
    states = np.array([[C, D1, D3], [D1, C, C]])
    counts = count_transitions(states)
    assert counts.sum() == 4
    assert counts[C, D1] == 1
    assert counts[D1, D3] == 1
    assert counts[D1, C] == 1
    assert counts[C, C] == 1


def test_the_pooled_segment_is_last_and_unknown_segments_fall_back_to_it() -> None:
    states = _sample_states()
    bands = np.where(np.arange(len(states)) % 2 == 0, "A", "B").tolist()
    model = fit_transitions(
        states, products=["card"] * len(states), bands=bands, scenario="t", source="s", min_row=1
    )
    assert model.keys == (("card", "A"), ("card", "B"), POOLED)
    assert model.counts[:-1].sum(axis=0).tolist() == model.pooled.tolist()
    assert model.index(["card", "card", "loan"], ["B", "Z", "A"]).tolist() == [1, 2, 2]


def test_a_thin_segment_leans_on_the_pooled_rows_a_thick_one_on_itself() -> None:
    rng = np.random.default_rng(1)
    thick = np.where(rng.random((2000, 2)) < 0.5, C, D1)
    deep = np.array([[D3, D4], [D4, D4]])
    thin = np.full((3, 2), D1)
    states = np.vstack([thick, deep, thin])
    bands = ["thick"] * 2002 + ["thin"] * 3
    model = fit_transitions(states, bands=bands, scenario="t", source="s", strength=20, min_row=1)
    expected = model.expected()
    pooled_cure = expected[-1][D1, C]
    assert abs(expected[0][D1, C] - 0.5) < 0.03  # its own data
    # Three accounts that all stayed in D1 move the thin row only part of the way from the pool.
    assert 0.3 < expected[1][D1, C] < pooled_cure


def test_too_little_history_is_refused_in_both_languages() -> None:
    with pytest.raises(NotEnoughHistory) as caught:
        fit_transitions(np.array([[C], [D1]]), scenario="t", source="s")
    assert "two months" in caught.value.en
    assert "两个月" in caught.value.zh
    with pytest.raises(NotEnoughHistory) as thin:
        fit_transitions(np.array([[C, C], [C, D1]]), scenario="t", source="s")
    assert "D3" in thin.value.en
    assert "历史数据不足" in thin.value.zh


def test_draws_are_stochastic_matrices_that_keep_structural_zeros() -> None:
    model = fit_transitions(_sample_states(), scenario="t", source="s", min_row=1)
    for seed in range(5):
        drawn = model.draw(np.random.default_rng(seed))
        assert np.allclose(drawn.sum(axis=2), 1.0)
        assert (drawn >= 0).all()
        zeros = model.alpha() == 0
        assert (drawn[zeros] == 0).all()  # nobody went from current to D3 or D4 in a month
    assert zeros[-1][C, D3]
    assert zeros[-1][C, D4]


def test_draws_centre_on_the_posterior_mean() -> None:
    model = fit_transitions(_sample_states(), scenario="t", source="s", min_row=1)
    rng = np.random.default_rng(3)
    mean = np.mean([model.draw(rng) for _ in range(400)], axis=0)
    assert np.abs(mean - model.expected()).max() < 0.03


REFERENCE = np.array(  # ../shared/reference/data.md: the full Taiwan data
    [
        [0.939, 0.061, 0, 0],
        [0.253, 0.684, 0.063, 0],
        [0.159, 0.425, 0.159, 0.257],
        [0.031, 0.273, 0.051, 0.645],
    ]
)


def test_the_daily_matrix_compounds_back_to_the_month() -> None:
    one_day = daily(REFERENCE)
    assert np.allclose(one_day.sum(axis=1), 1.0)
    assert (one_day >= 0).all()
    assert daily_error(REFERENCE) < 0.025  # docs/simulation.md
    assert one_day[C, C] > REFERENCE[C, C]  # a day moves less than a month


def test_the_daily_search_never_does_worse_than_the_clipped_root() -> None:
    monthly = fit_transitions(_sample_states(), scenario="t", source="s", min_row=1).expected()[-1]
    root = np.clip(np.real(linalg.fractional_matrix_power(monthly, 1 / 30)), 1e-9, None)
    root /= root.sum(axis=1, keepdims=True)
    clipped = np.abs(np.linalg.matrix_power(root, 30) - monthly).max()
    assert daily_error(monthly) <= clipped + 1e-9


@settings(max_examples=200, deadline=None)
@given(
    before=st.integers(0, 12),
    end=st.sampled_from([C, D1, D3, D4]),
)
def test_missed_counts_stay_inside_the_state_drawn(before: int, end: int) -> None:
    b = np.array([before], dtype=np.int8)
    after = missed_after(b, np.array([end], dtype=np.int8))
    assert state_of_missed(after)[0] == end
    paid = installments_paid(b, after)[0]
    assert paid >= 0
    if end == C:
        assert paid == before + 1  # back to current clears the arrears and pays the month


def _full_taiwan() -> Path | None:
    path = Settings().resolved_cache_dir / "taiwan" / "accounts.parquet"
    return path if path.is_file() else None


@pytest.mark.skipif(_full_taiwan() is None, reason="Taiwan data not fetched (tideover data fetch)")
def test_the_full_data_gives_the_reference_matrix() -> None:
    path = _full_taiwan()
    assert path is not None
    states = states_from_codes(pd.read_parquet(path)[MONTHS].to_numpy())
    model = fit_transitions(states, scenario="stress", source="taiwan")
    assert np.round(model.expected()[-1], 3).tolist() == REFERENCE.tolist()
