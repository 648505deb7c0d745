"""Transition matrices from repayment-status months and from Tideover's bucket history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tideover.config import Settings
from tideover.domain.delinquency import DelinquencyStatus, transition_matrix
from tideover.domain.errors import InputRejected
from tideover.domain.money import CNY, Money
from tideover.scoring.rollrates import (
    TAIWAN_STATES,
    TransitionMatrix,
    bucket_transitions,
    pay_history_transitions,
    taiwan_states,
)

SAMPLE = Path(__file__).parents[1] / "data" / "taiwan_sample.csv"
MONTHS = ("PAY_6", "PAY_5", "PAY_4", "PAY_3", "PAY_2", "PAY_0")


def test_codes_map_to_states_with_1_and_2_merged() -> None:
    codes = np.array([-2, -1, 0, 1, 2, 3, 4, 8, 9])
    states = [TAIWAN_STATES[i] for i in taiwan_states(codes)]
    assert states == ["C", "C", "C", "D1", "D1", "D3", "D4", "D4", "D4"]


def test_hand_made_histories_give_exact_counts() -> None:
    frame = pd.DataFrame({"m1": [0, 2, 3], "m2": [1, 3, 0], "m3": [-1, 4, 0]})
    matrix = pay_history_transitions(frame, ("m1", "m2", "m3"))["all"]
    assert matrix.accounts == 6
    counts = dict(matrix.to_json()["counts"])
    assert counts["C"] == {"C": 1, "D1": 1, "D3": 0, "D4": 0}  # 0->1, 0->0
    assert counts["D1"] == {"C": 1, "D1": 0, "D3": 1, "D4": 0}  # 1->-1, 2->3
    assert counts["D3"] == {"C": 1, "D1": 0, "D3": 0, "D4": 1}  # 3->0, 3->4
    assert matrix.rate("D3", "D4") == 0.5
    assert matrix.rates()[3] == (None, None, None, None)  # nobody started in D4


def test_the_sample_gives_a_sane_matrix() -> None:
    matrices = pay_history_transitions(pd.read_csv(SAMPLE), MONTHS)
    matrix = matrices["all"]
    assert matrix.accounts == 300 * 5
    for row in matrix.rates():
        if row[0] is not None:
            assert sum(r or 0.0 for r in row) == pytest.approx(1.0)
    assert (matrix.rate("C", "C") or 0) > 0.85  # most current accounts stay current
    assert matrix.rate("C", "D3") == 0
    assert matrix.rate("C", "D4") == 0
    assert (matrix.rate("D1", "D1") or 0) > (matrix.rate("D1", "D3") or 0)


def test_segments_add_up_to_the_pooled_matrix() -> None:
    matrices = pay_history_transitions(pd.read_csv(SAMPLE), MONTHS, segment="SEX")
    assert set(matrices) == {"all", "0", "1"}
    pooled = np.array(matrices["all"].counts)
    assert (np.array(matrices["0"].counts) + np.array(matrices["1"].counts) == pooled).all()


@pytest.mark.parametrize(
    ("frame", "segment", "named"),
    [
        (pd.DataFrame({"PAY_6": [0]}), None, "'PAY_5'"),
        (pd.DataFrame({m: [0.0] for m in MONTHS} | {"PAY_0": [2.5]}), None, "'PAY_0'"),
        (pd.DataFrame({m: [0] for m in MONTHS} | {"PAY_2": ["x"]}), None, "'PAY_2'"),
        (pd.DataFrame({m: [0] for m in MONTHS} | {"PAY_3": [12]}), None, "'PAY_3'"),
        (pd.DataFrame({m: [0] for m in MONTHS}), "REGION", "'REGION'"),
        (pd.DataFrame({m: [0] * 60 for m in MONTHS} | {"S": range(60)}), "S", "'S'"),
    ],
    ids=["missing month", "fraction", "text", "out of range", "unknown segment", "many segments"],
)
def test_bad_input_names_the_column(frame: pd.DataFrame, segment: str | None, named: str) -> None:
    with pytest.raises(InputRejected) as caught:
        pay_history_transitions(frame, MONTHS, segment=segment)
    assert named in caught.value.en
    assert named in caught.value.zh


def status(loan_id: str, bucket: str) -> DelinquencyStatus:
    zero = Money.zero(CNY)
    return DelinquencyStatus(loan_id, date(2024, 3, 1), 0, bucket, None, {}, zero)


def test_bucket_history_counts_become_a_matrix_in_scheme_order() -> None:
    before = {"L1": status("L1", "M0"), "L2": status("L2", "M1"), "L3": status("L3", "M1")}
    after = {"L1": status("L1", "M1"), "L2": status("L2", "M0"), "L3": status("L3", "M2")}
    labels = ("M0", "M1", "M2")
    counts = {k: v for k, v in transition_matrix(before, after).items() if set(k) <= set(labels)}
    matrix = bucket_transitions(counts, labels)
    assert matrix.counts == ((0, 1, 0), (1, 0, 1), (0, 0, 0))
    assert matrix.rate("M1", "M2") == 0.5
    assert "| M1 | 0.500 | 0.000 | 0.500 | 2 |" in matrix.markdown()


def test_matrix_json_keeps_counts_and_rates() -> None:
    matrix = TransitionMatrix(("A", "B"), ((3, 1), (0, 0)), "seg")
    data = matrix.to_json()
    assert data["counts"]["A"] == {"A": 3, "B": 1}
    assert data["rates"]["A"] == {"A": 0.75, "B": 0.25}
    assert data["rates"]["B"] == {"A": None, "B": None}


def _full_taiwan() -> Path | None:
    path = Settings().resolved_cache_dir / "taiwan" / "accounts.parquet"
    return path if path.is_file() else None


@pytest.mark.skipif(_full_taiwan() is None, reason="Taiwan data not fetched (tideover data fetch)")
def test_the_full_data_reproduces_the_reference_table() -> None:
    path = _full_taiwan()
    assert path is not None
    matrix = pay_history_transitions(pd.read_parquet(path), MONTHS)["all"]
    reference = [  # ../shared/reference/data.md
        [0.939, 0.061, 0, 0],
        [0.253, 0.684, 0.063, 0],
        [0.159, 0.425, 0.159, 0.257],
        [0.031, 0.273, 0.051, 0.645],
    ]
    assert np.round(np.array(matrix.rates(), dtype=float), 3).tolist() == reference


def test_the_matrix_is_headed_in_the_readers_language() -> None:
    matrix = TransitionMatrix(states=("C", "D1"), counts=((8, 2), (3, 7)))
    english, chinese = matrix.markdown("en"), matrix.markdown("zh")
    assert english.splitlines()[0] == "| from \\ to | C | D1 | accounts |"
    assert chinese.splitlines()[0] == "| 由 \\ 至 | C | D1 | 户数 |"
    assert english.splitlines()[2:] == chinese.splitlines()[2:]  # the figures do not change
