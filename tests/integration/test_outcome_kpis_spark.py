"""The outcome KPI statement transpiled to Spark gives the DuckDB rows (local mode)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tideover.batch.cycle.kpis import OUTCOME_SCHEMA, outcome_kpis

pyspark = pytest.importorskip(
    "pyspark", reason="PySpark is not installed (optional: pip install pyspark; needs Java 17+)"
)
if shutil.which("java") is None:
    if os.environ.get("TIDEOVER_REQUIRE_SPARK") == "1":
        raise RuntimeError("TIDEOVER_REQUIRE_SPARK=1 but no Java runtime is on the PATH")
    pytest.skip("no Java runtime on the PATH: PySpark cannot start", allow_module_level=True)

from tideover.batch.cycle.spark import SparkSqlConnection, local_session  # noqa: E402

ASSIGNED = pa.table(
    {
        "account_id": ["L1", "L2", "L3", "L4"],
        "borrower_id": ["B1", "B2", "B3", "B3"],
        "is_open": [True, True, True, False],
        "bucket": ["M1", "M2", "M0", "M0"],
        "overdue_minor": pa.array([100, 200, 0, 0], pa.int64()),
        "balance_minor": pa.array([1_000, 2_000, 3_000, 0], pa.int64()),
        "segment": ["s1", "s1", "s2", "s2"],
        "arm": ["a", "b", "", ""],
    }
)


def _fig(account: str, metric: str, key: str, items: int = 1, amount: int = 0,
         borrower: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {"account_id": account, "borrower_id": borrower, "metric": metric, "key": key,
            "items": items, "amount_minor": amount}  # fmt: skip


FIGURES = pa.Table.from_pylist(
    [
        _fig("L1", "received", "M2", amount=50),
        _fig("L1", "start_overdue", "M2", amount=150),
        _fig("L4", "received", "M1", amount=-80),
        _fig("L4", "start_overdue", "M1", amount=80),
        _fig("L1", "promises", "kept", amount=300),
        _fig("L1", "promises", "broken", amount=200),
        _fig("L2", "promises", "made", amount=700),
        _fig("L2", "plans", "offered", amount=9_000),
        _fig("L1", "plans", "completed", amount=5_000),
        _fig("L2", "plans", "in_force"),
        _fig("X9", "attempted", "sms", items=4, borrower="B3"),
        _fig("X9", "complaints", "all", borrower="B3"),
        _fig("L1", "attempted", "call", items=3),
        _fig("X8", "attempted", "sms", items=5, borrower="nobody"),
    ],
    schema=OUTCOME_SCHEMA,
)


def _key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row[k]) for k in ("segment", "arm", "metric", "key"))


@pytest.mark.slow
def test_spark_and_duckdb_agree_on_the_outcome_kpis(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.register("assigned", ASSIGNED)
    con.register("outcomes", FIGURES)
    duck = outcome_kpis(con, assigned="assigned", outcomes="outcomes", currency="CNY")
    spark = local_session(cores=1, memory="1g")
    try:
        spark.createDataFrame(ASSIGNED).createOrReplaceTempView("assigned")
        spark.createDataFrame(FIGURES).createOrReplaceTempView("outcomes")
        sparked = outcome_kpis(
            SparkSqlConnection(spark),
            assigned="assigned",
            outcomes="outcomes",
            currency="CNY",
        )
    finally:
        spark.stop()
    assert sorted(sparked, key=_key) == sorted(duck, key=_key)
    metrics = {r["metric"] for r in duck}
    assert metrics == {"recovery", "promises", "plans", "attempted", "complaints"}
