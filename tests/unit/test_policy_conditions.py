"""Conditions: what is accepted, what is refused and where, and SQL's NULL logic in Python."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.policy.conditions import ConditionInvalid, Value, parse_condition


def issues(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ConditionInvalid) as caught:
        parse_condition(text)
    return [(i.offset, i.en) for i in caught.value.issues]


@pytest.mark.parametrize(
    "text",
    [
        "dpd > 30",
        "hardship_flag OR vulnerable_flag",
        "dpd BETWEEN 1 AND 30 AND NOT dispute_flag",
        "band IN ('D', 'E') AND score >= 0.6",
        "overdue_amount > balance * 0.5",
        "days_since_last_contact IS NULL OR days_since_last_contact > 7",
        "COALESCE(broken_promises, 0) >= 2",
        "region <> 'HK' AND product = 'cash_loan'",
    ],
)
def test_valid_conditions(text: str) -> None:
    assert parse_condition(text).normalised()


@pytest.mark.parametrize(
    ("text", "offset", "words"),
    [
        ("dpdd > 30", 0, "unknown feature 'dpdd'"),
        ("dpd > 'thirty'", 0, "cannot compare"),
        ("hardship_flag AND dpd", 18, "AND/OR/NOT needs boolean"),
        ("dpd IN (SELECT dpd FROM accounts)", 0, "subquery"),
        ("EXISTS (SELECT 1)", 0, "subquery"),
        ("dpd > 1 AND upper(band) = 'A'", 12, "function UPPER"),
        ("dpd / 2 > 10", 0, "division"),
        ("bucket < 'M2'", 0, "compare only with =, <> or IN"),
        ("DROP TABLE accounts", 0, "DROP"),
        ("dpd > 1; DROP TABLE accounts", 0, "exactly one expression"),
        ("dpd >", 4, "not valid SQL"),
        ("dpd", 0, "must be true or false"),
        ("t.dpd > 1", 2, "feature name alone"),
    ],
)
def test_refused_conditions_say_what_and_where(text: str, offset: int, words: str) -> None:
    found = issues(text)
    assert any(o == offset and words in en for o, en in found), found


ROW: dict[str, Value] = {
    "dpd": 40,
    "score": None,
    "band": "D",
    "hardship_flag": False,
    "balance": Decimal("1000.00"),
    "overdue_amount": Decimal("500.00"),
}


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("dpd > 30", True),
        ("score > 0.5", False),  # NULL, not TRUE
        ("NOT (score > 0.5)", False),  # NOT NULL is still NULL
        ("score > 0.5 OR dpd > 30", True),
        ("score > 0.5 AND hardship_flag", False),
        ("score IS NULL", True),
        ("band IN ('D', 'E')", True),
        ("overdue_amount >= balance * 0.5", True),
        ("overdue_amount > balance * 0.5", False),
        ("COALESCE(score, 0.9) > 0.5", True),
        ("dpd BETWEEN 40 AND 40", True),
        ("dpd > -1", True),
    ],
)
def test_three_valued_evaluation(text: str, holds: bool) -> None:
    assert parse_condition(text).holds(ROW) is holds


ATOMS = [
    "dpd > 30",
    "dpd BETWEEN 5 AND 20",
    "score >= 0.5",
    "band IN ('D', 'E')",
    "hardship_flag",
    "days_since_last_contact IS NULL",
    "overdue_amount > balance * 0.25",
]

rows = st.fixed_dictionaries(
    {
        "dpd": st.integers(0, 60),
        "score": st.none() | st.decimals("0", "1", places=2),
        "band": st.none() | st.sampled_from(["A", "C", "D", "E"]),
        "hardship_flag": st.booleans(),
        "days_since_last_contact": st.none() | st.integers(0, 30),
        "overdue_amount": st.decimals("0", "500", places=2),
        "balance": st.decimals("0", "1000", places=2),
    }
)
conditions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: (
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        | inner.map(lambda c: f"NOT ({c})")
    ),
    max_leaves=4,
)


@settings(max_examples=60, deadline=None)
@given(condition=conditions, row=rows)
def test_python_agrees_with_duckdb(condition: str, row: dict[str, Value]) -> None:
    duckdb = pytest.importorskip("duckdb")
    parsed = parse_condition(condition)
    columns = ", ".join(
        f"CAST(? AS {kind}) AS {name}"
        for name, kind in [
            ("dpd", "INTEGER"),
            ("score", "DECIMAL(5,2)"),
            ("band", "VARCHAR"),
            ("hardship_flag", "BOOLEAN"),
            ("days_since_last_contact", "INTEGER"),
            ("overdue_amount", "DECIMAL(12,2)"),
            ("balance", "DECIMAL(12,2)"),
        ]
    )
    values = [row[k] for k in ROW_ORDER]
    sql = f"SELECT ({parsed.sql('duckdb')}) IS TRUE FROM (SELECT {columns})"
    (in_sql,) = duckdb.execute(sql, values).fetchone()
    assert parsed.holds(row) is in_sql


ROW_ORDER = [
    "dpd",
    "score",
    "band",
    "hardship_flag",
    "days_since_last_contact",
    "overdue_amount",
    "balance",
]
