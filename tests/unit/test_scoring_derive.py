"""Derived features written as text, applied the same way at training and scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tideover.domain.errors import InputRejected, ValidationError
from tideover.scoring.derive import Derivation, derive

FRAME = pd.DataFrame(
    {"bill": [100.0, 50.0, 0.0, np.nan], "limit": [1000.0, 0.0, 10.0, np.nan], "p": [1, -1, 2, 0]}
)


def test_ratio_to_a_non_positive_base_is_missing() -> None:
    got = derive(FRAME, [Derivation.parse("util = ratio(bill, limit)")])["util"].tolist()
    assert got[0] == pytest.approx(0.1)
    assert np.isnan(got[1])
    assert got[2] == 0.0
    assert np.isnan(got[3])


def test_reductions_skip_missing_values() -> None:
    out = derive(
        FRAME,
        [
            Derivation.parse("top=max(bill,limit)"),
            Derivation.parse("late=count_positive(p,bill)"),
            Derivation.parse("total=sum(bill,limit)"),
        ],
    )
    assert out["top"].tolist()[:3] == [1000.0, 50.0, 10.0]
    assert np.isnan(out["top"].iloc[3])
    assert out["late"].tolist() == [2.0, 1.0, 1.0, 0.0]
    assert out["total"].tolist()[3] == 0.0
    assert "top" not in FRAME.columns  # the input is not changed


def test_a_derivation_can_use_an_earlier_one() -> None:
    steps = [Derivation.parse("s=sum(bill,limit)"), Derivation.parse("r=ratio(bill,s)")]
    assert derive(FRAME, steps)["r"].iloc[0] == pytest.approx(100 / 1100)


def test_text_round_trips() -> None:
    d = Derivation.parse(" u = ratio( bill , limit ) ")
    assert Derivation.parse(d.text) == d


@pytest.mark.parametrize(
    "text", ["u=ratio(bill)", "u=exec(bill)", "u=bill/limit", "=max(a)", "u=max()"]
)
def test_bad_derivations_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        Derivation.parse(text)


def test_a_missing_or_text_source_column_is_named() -> None:
    with pytest.raises(InputRejected, match="'salary'"):
        derive(FRAME, [Derivation.parse("u=ratio(salary,limit)")])
    with pytest.raises(InputRejected, match="'name'"):
        derive(FRAME.assign(name="x"), [Derivation.parse("u=max(name,bill)")])
    with pytest.raises(InputRejected, match="clashes"):
        derive(FRAME, [Derivation.parse("bill=max(limit)")])
