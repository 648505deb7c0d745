"""Settings and strategies shared by the fuzz tests.

"A result or a coded error": the code under test may return anything, or raise a
``TideoverError`` (which has a stable code and zh/en messages); any other
exception fails the test.  Example counts are kept small so that the folder runs
in well under a minute; set ``TIDEOVER_FUZZ_EXAMPLES`` to hunt longer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tideover.domain.errors import TideoverError

T = TypeVar("T")

FUZZ = settings(
    # TIDEOVER_FUZZ_EXAMPLES=5000 for a long hunt; the default keeps the folder quick.
    max_examples=int(os.environ.get("TIDEOVER_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LONG_DIGITS = re.compile(r"[0-9]{15,}")


def result_or_coded_error(call: Callable[[], T]) -> T | TideoverError:
    """What ``call`` returns, or the TideoverError it raised; anything else propagates."""
    try:
        return call()
    except TideoverError as exc:
        if not (exc.code and exc.en and exc.zh):
            raise AssertionError(f"{type(exc).__name__} lacks a code or a message") from exc
        return exc


# Text that exercises the edges: controls, NUL, bidi overrides, surrogates, CJK,
# full-width forms, digits of other scripts and long digit runs.
tricky_text = st.one_of(
    st.text(max_size=40),
    st.text(
        st.sampled_from(
            [
                *"0123456789.-+eE%Xx ;@,:/#_",
                *("\x00", "\n", "\t", "\u202e", "\u200b", "\ufeff", "\ud800", "\ue000"),
                *("张", "伟", "Ｌ", "１", "٣", "\u3000", "\xa0"),
            ]
        ),
        max_size=40,
    ),
    st.sampled_from(
        [
            "1e999",
            "NaN",
            "Infinity",
            "-0",
            "90000000000000000.00",
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "11010519491231002X",
            "13812345678",
            "12.99%",
            "1" * 60,
        ]
    ),
)

json_scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    tricky_text,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)

python_values: st.SearchStrategy[Any] = st.one_of(
    json_scalars,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(UTC)),
    st.binary(max_size=8),
    st.just(date(1, 1, 1)),
    st.just(datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
    st.just(datetime(1, 1, 1, tzinfo=UTC)),
    st.just(Decimal("1E+999999")),
)
