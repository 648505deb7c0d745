"""The DuckDB assignment engine agrees with the pure-Python evaluator, account by account."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tideover.batch.assign import (
    OUTPUT_COLUMNS,
    Codebook,
    assign_to_parquet,
    assign_to_table,
    assignment_sql,
    decode_actions,
    read_codebook,
    spark_sql,
)
from tideover.batch.impact import impact
from tideover.domain.errors import ValidationError
from tideover.policy import CompiledPolicy, decide, load_policy, parse_policy

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
SUPPORTIVE = load_policy(EXAMPLES / "supportive.yaml")
AGGRESSIVE = load_policy(EXAMPLES / "aggressive.yaml")
POLICIES = {"supportive": SUPPORTIVE, "aggressive": AGGRESSIVE}

SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("dpd", pa.int32()),
        ("days_in_segment", pa.int32()),
        ("score", pa.decimal128(5, 3)),
        ("band", pa.string()),
        ("broken_promises", pa.int16()),
        ("hardship_flag", pa.bool_()),
        ("vulnerable_flag", pa.bool_()),
        ("dispute_flag", pa.bool_()),
        ("promise_active", pa.bool_()),
        ("balance", pa.decimal128(18, 2)),
    ]
)

# Days around every step of both examples (repeats included), so actions are often due.
_DAYS = st.one_of(st.integers(0, 200), st.sampled_from([0, 1, 2, 5, 10, 14, 16, 23, 30, 31, 60]))
_ROW = st.fixed_dictionaries(
    {
        "account_id": st.text(min_size=0, max_size=12),
        "dpd": _DAYS,
        "days_in_segment": _DAYS,
        "score": st.one_of(
            st.none(),
            st.sampled_from([Decimal("0.6"), Decimal("0.599")]),
            st.decimals(0, 1, places=3),
        ),
        "band": st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D", "E", "d"])),
        "broken_promises": st.integers(0, 4),
        "hardship_flag": st.booleans(),
        "vulnerable_flag": st.booleans(),
        "dispute_flag": st.booleans(),
        "promise_active": st.booleans(),
        "balance": st.decimals(0, 10**6, places=2),
    }
)
_PLATFORM = st.sampled_from(["demo", "acme-cn", "p"])


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def _expected(compiled: CompiledPolicy, row: dict[str, Any], platform: str) -> tuple[Any, ...]:
    features = {k: v for k, v in row.items() if k not in ("account_id", "balance")}
    d = decide(compiled, features, platform=platform, account_id=row["account_id"])
    offers = next((k for k, v in compiled.policy.offers.items() if v is d.offers), None)
    return d.segment, d.arm, d.treatment, d.stopped, tuple(a.step for a in d.actions), offers


def _engine(got: dict[str, Any]) -> tuple[Any, ...]:
    return (
        got["segment"],
        got["arm"],
        got["treatment"],
        got["stopped"],
        decode_actions(got["actions"]),
        got["offers"],
    )


@pytest.mark.parametrize("name", sorted(POLICIES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, min_size=1, max_size=40), platform=_PLATFORM)
def test_engine_agrees_with_the_evaluator(
    name: str, rows: list[dict[str, Any]], platform: str
) -> None:
    compiled = POLICIES[name]
    out = assign_to_table(compiled, _table(rows), platform=platform, labels=True).to_pylist()
    assert [o["account_id"] for o in out] == [r["account_id"] for r in rows]
    for row, got in zip(rows, out, strict=True):
        assert _engine(got) == _expected(compiled, row, platform), row


def test_every_arm_and_action_is_exercised_on_a_dense_portfolio() -> None:
    """A fixed portfolio on which agreement is not vacuous: every segment, arm and step occurs."""
    rng = random.Random(20261130)
    rows = [
        {
            "account_id": f"L{i}",
            "dpd": rng.randint(0, 180),
            "days_in_segment": rng.randint(0, 90),
            "score": rng.choice([None, Decimal(rng.randint(0, 999)) / 1000]),
            "band": rng.choice("ABCDE"),
            "broken_promises": rng.randint(0, 3),
            "hardship_flag": rng.random() < 0.1,
            "vulnerable_flag": rng.random() < 0.05,
            "dispute_flag": rng.random() < 0.03,
            "promise_active": rng.random() < 0.15,
            "balance": Decimal(i),
        }
        for i in range(6000)
    ]
    out = assign_to_table(SUPPORTIVE, _table(rows), platform="demo", labels=True).to_pylist()
    seen: set[tuple[Any, ...]] = set()
    for row, got in zip(rows, out, strict=True):
        assert _engine(got) == _expected(SUPPORTIVE, row, "demo")
        seen |= {("seg", got["segment"]), ("arm", got["arm"])}
        seen |= {("step", got["treatment"], s) for s in decode_actions(got["actions"])}
    assert {("seg", s.id) for s in SUPPORTIVE.policy.segments} <= seen
    assert {("arm", a) for a in ("champion", "warm", "holdout")} <= seen
    steps = {
        ("step", t, i)
        for t, tr in SUPPORTIVE.policy.treatments.items()
        for i in range(len(tr.steps))
    }
    assert steps <= seen


def test_parquet_output_has_codes_and_its_codebook(tmp_path: Path) -> None:
    rows = [
        {
            **dict.fromkeys(SCHEMA.names),
            "account_id": f"A{i}",
            "dpd": i % 40,
            "days_in_segment": 0,
            "broken_promises": 0,
            "hardship_flag": i == 3,
            "vulnerable_flag": False,
            "dispute_flag": i == 4,
            "promise_active": False,
            "balance": Decimal("10.50"),
        }
        for i in range(300)
    ]
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(_table(rows), src)
    summary = assign_to_parquet(SUPPORTIVE, src, out, platform="demo", as_of="2026-11-30")
    written = pq.read_table(out)
    assert tuple(written.column_names) == OUTPUT_COLUMNS
    assert written.schema.field("segment").type == pa.int8()
    assert written.schema.field("actions").type == pa.int64()
    book = read_codebook(out)
    assert book == Codebook.of(SUPPORTIVE, platform="demo", as_of="2026-11-30")
    assert summary.rows == sum(summary.segments.values()) == 300
    assert (summary.segments["hardship"], summary.segments["dispute"]) == (1, 1)
    segments = [book.segments[c] for c in written.column("segment").to_pylist()]
    assert segments.count("early") == summary.segments["early"]
    assert sum(summary.arms["early-tone"].values()) == summary.segments["early"]


def test_compiled_sql_transpiles_to_spark_and_back_with_the_same_result() -> None:
    """PySpark is not installed: the Spark SQL is parsed, and run again on DuckDB after a
    round trip (Spark → DuckDB) to show the transpiled text keeps the meaning."""
    spark = spark_sql(SUPPORTIVE, platform="demo")
    tree = sqlglot.parse_one(spark, read="spark")
    assert not {f.sql_name() for f in tree.find_all(sqlglot.exp.Anonymous)}  # no unknown function
    assert "READ_PARQUET" not in spark.upper()
    assert "::" not in spark
    rows = [
        {
            "account_id": f"L{i}",
            "dpd": i % 60,
            "days_in_segment": i % 20,
            "score": None,
            "band": "D" if i % 3 else None,
            "broken_promises": i % 3,
            "hardship_flag": i % 11 == 0,
            "vulnerable_flag": False,
            "dispute_flag": False,
            "promise_active": i % 5 == 0,
            "balance": Decimal(1),
        }
        for i in range(2000)
    ]
    con = duckdb.connect()
    con.register("portfolio", _table(rows))
    back = sqlglot.transpile(spark, read="spark", write="duckdb")[0]
    direct = assignment_sql(SUPPORTIVE, platform="demo", relation="portfolio")
    assert con.sql(back).fetchall() == con.sql(direct).fetchall()


def _row(**changes: Any) -> dict[str, Any]:
    base = {
        "account_id": "A1",
        "dpd": 3,
        "days_in_segment": 0,
        "score": Decimal("0.5"),
        "band": "B",
        "broken_promises": 0,
        "hardship_flag": False,
        "vulnerable_flag": False,
        "dispute_flag": False,
        "promise_active": False,
        "balance": Decimal("1.00"),
    }
    return {**base, **changes}


def test_a_portfolio_that_does_not_fit_is_refused_with_every_reason() -> None:
    missing = _table([_row()]).drop_columns(["band"])
    floats = _table([_row()]).set_column(3, "score", pa.array([0.5]))
    nulls = pa.Table.from_pylist([_row(dpd=None)], schema=SCHEMA)
    with pytest.raises(ValidationError) as caught:
        assign_to_table(SUPPORTIVE, missing.append_column("x", pa.array([1])), platform="demo")
    assert "band: missing" in caught.value.en
    with pytest.raises(ValidationError, match="score: DOUBLE is not decimal"):
        assign_to_table(SUPPORTIVE, floats, platform="demo")
    with pytest.raises(ValidationError, match="dpd: has NULLs"):
        assign_to_table(SUPPORTIVE, nulls, platform="demo")
    with pytest.raises(ValidationError, match="does not exist"):
        assign_to_table(SUPPORTIVE, Path("/nonexistent/portfolio.parquet"), platform="demo")


def test_impact_of_the_same_policy_is_nothing() -> None:
    rows = [_row(account_id=f"A{i}", dpd=i % 50, hardship_flag=i % 9 == 0) for i in range(500)]
    result = impact(SUPPORTIVE, SUPPORTIVE, _table(rows), platform="demo")
    assert (result.accounts, result.material_accounts) == (500, 0)
    assert all(
        (m.old_segment, m.old_treatment) == (m.new_segment, m.new_treatment) for m in result.moves
    )
    assert sum(m.accounts for m in result.moves) == 500


def test_impact_counts_content_not_names(tmp_path: Path) -> None:
    text = (EXAMPLES / "supportive.yaml").read_text(encoding="utf-8")
    # Renaming a treatment is no change for a borrower; a later first call is.
    renamed = parse_policy(
        text.replace("treatment: recovery", "treatment: later").replace("  recovery:", "  later:")
    )
    later = parse_policy(
        text.replace("{at: 31, channel: human_call", "{at: 33, channel: human_call")
    )
    rows = [_row(account_id=f"A{i}", dpd=i % 90, balance=Decimal("2.50")) for i in range(900)]
    assert impact(SUPPORTIVE, renamed, _table(rows), platform="demo").material_accounts == 0
    out = tmp_path / "changed.parquet"
    result = impact(SUPPORTIVE, later, _table(rows), platform="demo", out=out)
    late = [r for r in rows if _expected(SUPPORTIVE, r, "demo")[0] == "late"]
    assert result.material_accounts == result.treatment_changed == len(late) > 0
    assert result.offers_changed == 0
    assert result.material_balance == Decimal("2.50") * len(late)
    listed = pq.read_table(out).to_pylist()
    assert sorted(r["account_id"] for r in listed) == sorted(r["account_id"] for r in late)
    assert {(r["old_treatment"], r["new_treatment"]) for r in listed} == {("recovery", "recovery")}


def test_decode_actions() -> None:
    assert decode_actions(0) == ()
    assert decode_actions(0b10101) == (0, 2, 4)
    assert decode_actions(1 << 62) == (62,)
