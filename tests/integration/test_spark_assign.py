"""The assignment SQL, transpiled to Spark SQL, gives on PySpark exactly what DuckDB gives.

Runs PySpark in local mode (one JVM, one core) on a small frame; skipped when
PySpark is not installed (it is an optional extra: ``pip install pyspark``,
Java 17 or newer).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tideover.batch.assign import OUTPUT_COLUMNS, assign_to_table, spark_sql
from tideover.policy import CompiledPolicy, load_policy

pyspark = pytest.importorskip(
    "pyspark", reason="PySpark is not installed (optional: pip install pyspark; needs Java 17+)"
)
if shutil.which("java") is None:
    # CI sets TIDEOVER_REQUIRE_SPARK=1 so that a missing Java fails there instead.
    if os.environ.get("TIDEOVER_REQUIRE_SPARK") == "1":
        raise RuntimeError("TIDEOVER_REQUIRE_SPARK=1 but no Java runtime is on the PATH")
    pytest.skip("no Java runtime on the PATH: PySpark cannot start", allow_module_level=True)
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import types as spark_types  # noqa: E402

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
POLICIES = {name: load_policy(EXAMPLES / f"{name}.yaml") for name in ("supportive", "aggressive")}

ARROW_SCHEMA = pa.schema(
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
SPARK_SCHEMA = spark_types.StructType(
    [
        spark_types.StructField("account_id", spark_types.StringType()),
        spark_types.StructField("dpd", spark_types.IntegerType()),
        spark_types.StructField("days_in_segment", spark_types.IntegerType()),
        spark_types.StructField("score", spark_types.DecimalType(5, 3)),
        spark_types.StructField("band", spark_types.StringType()),
        spark_types.StructField("broken_promises", spark_types.ShortType()),
        spark_types.StructField("hardship_flag", spark_types.BooleanType()),
        spark_types.StructField("vulnerable_flag", spark_types.BooleanType()),
        spark_types.StructField("dispute_flag", spark_types.BooleanType()),
        spark_types.StructField("promise_active", spark_types.BooleanType()),
        spark_types.StructField("balance", spark_types.DecimalType(18, 2)),
    ]
)
STEP_DAYS = [0, 1, 2, 5, 10, 14, 16, 23, 30, 31, 60]  # around the examples' steps


def _rows(count: int, seed: int) -> list[dict[str, Any]]:
    """A fixed-seed portfolio with NULLs, edge scores, odd account ids and step days."""
    rng = random.Random(seed)
    odd_ids = ["", "借据-7", "O'Brien", "a b", "L" * 40]

    def day() -> int:
        return rng.choice(STEP_DAYS) if rng.random() < 0.5 else rng.randint(0, 200)

    def score() -> Decimal | None:
        pick = rng.random()
        if pick < 0.15:
            return None
        if pick < 0.3:
            return rng.choice([Decimal("0.600"), Decimal("0.599")])
        return Decimal(rng.randint(0, 1000)).scaleb(-3)

    return [
        {
            "account_id": odd_ids[i] if i < len(odd_ids) else f"L{i:05d}",
            "dpd": day(),
            "days_in_segment": day(),
            "score": score(),
            "band": rng.choice([None, "A", "B", "C", "D", "E", "d"]),
            "broken_promises": rng.randint(0, 4),
            "hardship_flag": rng.random() < 0.1,
            "vulnerable_flag": rng.random() < 0.05,
            "dispute_flag": rng.random() < 0.05,
            "promise_active": rng.random() < 0.2,
            "balance": Decimal(rng.randint(0, 10**8)).scaleb(-2),
        }
        for i in range(count)
    ]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[1]")
        .appName("tideover-assign-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


def _duckdb(
    compiled: CompiledPolicy, rows: list[dict[str, Any]], platform: str
) -> list[tuple[Any, ...]]:
    table = assign_to_table(
        compiled, pa.Table.from_pylist(rows, schema=ARROW_SCHEMA), platform=platform
    )
    return sorted(tuple(row[c] for c in OUTPUT_COLUMNS) for row in table.to_pylist())


def _spark(
    session: SparkSession, compiled: CompiledPolicy, rows: list[dict[str, Any]], platform: str
) -> list[tuple[Any, ...]]:
    session.createDataFrame(rows, schema=SPARK_SCHEMA).createOrReplaceTempView("portfolio")
    result = session.sql(spark_sql(compiled, platform=platform, relation="portfolio"))
    assert tuple(result.columns) == OUTPUT_COLUMNS
    return sorted(tuple(row[c] for c in OUTPUT_COLUMNS) for row in result.collect())


@pytest.mark.parametrize("platform", ["demo", "acme-cn"])
@pytest.mark.parametrize("name", sorted(POLICIES))
def test_spark_and_duckdb_assign_every_account_identically(
    spark: SparkSession, name: str, platform: str
) -> None:
    compiled = POLICIES[name]
    rows = _rows(600, seed=len(name) * 31 + len(platform))
    expected = _duckdb(compiled, rows, platform)
    got = _spark(spark, compiled, rows, platform)
    assert got == expected
    # The frame must exercise the policy, or agreement proves little.
    assert len({row[1] for row in expected}) >= 3  # several segments reached
    assert any(row[5] for row in expected)  # some action due today
    if compiled.policy.experiments:
        assert len({row[2] for row in expected if row[2] is not None}) >= 2  # both arms


def test_a_changed_policy_changes_the_spark_result(spark: SparkSession) -> None:
    """Guards the comparison itself: different policies must not agree on this frame."""
    rows = _rows(300, seed=7)
    supportive = _spark(spark, POLICIES["supportive"], rows, "demo")
    aggressive = _spark(spark, POLICIES["aggressive"], rows, "demo")
    assert supportive != aggressive
