"""Conditions over columns agree with the one-account evaluator, NULLs and decimals included."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.policy.conditions import Value, parse_condition
from tideover.policy.features import FeatureType
from tideover.simulate.vector import Column, holds

BANDS = ("A", "B", "C", "D", "E")
REGIONS = ("east", "west")

_numbers = st.integers(-5, 200)
_scores = st.sampled_from(["0", "0.1", "0.25", "0.5", "0.6", "0.6001", "0.95", "1"])
_money = st.sampled_from(["0", "10", "100.5", "999.99", "1000", "5000.01"])

ATOMS = st.one_of(
    _numbers.map(lambda i: f"dpd > {i}"),
    st.tuples(_numbers, _numbers).map(lambda p: f"dpd BETWEEN {min(p)} AND {max(p)}"),
    _numbers.map(lambda i: f"dpd + 5 >= {i}"),
    _scores.map(lambda d: f"score >= {d}"),
    _scores.map(lambda d: f"COALESCE(score, 0.5) < {d}"),
    _scores.map(lambda d: f"score - 0.1 > {d}"),
    st.just("score IS NULL"),
    st.just("score IS NOT NULL"),
    st.sampled_from(BANDS).map(lambda b: f"band = '{b}'"),
    st.sampled_from(BANDS).map(lambda b: f"band <> '{b}'"),
    st.just("band IN ('D', 'E')"),
    st.just("COALESCE(band, 'X') = 'X'"),
    st.just("region = 'east'"),
    st.just("region IS NULL"),
    st.just("hardship_flag"),
    st.just("hardship_flag = TRUE"),
    _money.map(lambda m: f"balance > {m}"),
    _money.map(lambda m: f"balance * 2 >= {m}"),
    st.just("NULL"),
)
CONDITIONS = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: f"({p[0]} AND {p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} OR {p[1]})"),
        inner.map(lambda c: f"NOT ({c})"),
    ),
    max_leaves=6,
)
ROWS = st.lists(
    st.tuples(
        st.integers(0, 200),  # dpd
        st.one_of(st.none(), st.integers(0, 10_000)),  # score, ten-thousandths
        st.one_of(st.none(), st.sampled_from(range(len(BANDS)))),
        st.one_of(st.none(), st.sampled_from(range(len(REGIONS)))),
        st.booleans(),
        st.integers(0, 1_000_000),  # balance, minor units
    ),
    min_size=1,
    max_size=30,
)


def _columns(rows: list[tuple[int, int | None, int | None, int | None, bool, int]]) -> dict:
    dpd, score, band, region, hardship, balance = zip(*rows, strict=True)

    def codes(values: tuple[int | None, ...]) -> np.ndarray:
        return np.array([-1 if v is None else v for v in values], dtype=np.int16)

    band_codes, region_codes = codes(band), codes(region)
    return {
        "dpd": Column(FeatureType.INTEGER, np.array(dpd, dtype=np.int64)),
        "score": Column(
            FeatureType.DECIMAL,
            np.array([0 if s is None else s for s in score], dtype=np.int64),
            np.array([s is not None for s in score]),
            4,
        ),
        "band": Column(FeatureType.STRING, band_codes, band_codes >= 0, 0, BANDS),
        "region": Column(FeatureType.STRING, region_codes, region_codes >= 0, 0, REGIONS),
        "hardship_flag": Column(FeatureType.BOOLEAN, np.array(hardship)),
        "balance": Column(FeatureType.DECIMAL, np.array(balance, dtype=np.int64), None, 2),
    }


def _features(row: tuple[int, int | None, int | None, int | None, bool, int]) -> dict[str, Value]:
    dpd, score, band, region, hardship, balance = row
    return {
        "dpd": dpd,
        "score": None if score is None else Decimal(score).scaleb(-4),
        "band": None if band is None else BANDS[band],
        "region": None if region is None else REGIONS[region],
        "hardship_flag": hardship,
        "balance": Decimal(balance).scaleb(-2),
    }


@settings(max_examples=400, deadline=None)
@given(text=CONDITIONS, rows=ROWS)
def test_columns_and_single_accounts_agree(text: str, rows: list) -> None:
    condition = parse_condition(text)
    vectorised = holds(condition.tree, _columns(rows))
    expected = [condition.holds(_features(row)) for row in rows]
    assert vectorised.tolist() == expected, text


def test_money_compares_exactly_at_the_cent() -> None:
    condition = parse_condition("balance > 100.5")
    columns = _columns([(0, None, None, None, False, 10_050), (0, None, None, None, False, 10_051)])
    assert holds(condition.tree, columns).tolist() == [False, True]
