"""The KPI statements transpiled to Spark give the reference figures (``domain.kpis``).

The random portfolios of ``tests/unit/test_kpi_differential.py`` — accounts new,
closed, missing, with money on the day — go through the very statements of
``batch.cycle.kpis`` on a local Spark session (``SparkSqlConnection``, as the
Spark engine runs them): every count, amount and base must be the reference's.
Skipped without PySpark, or without Java unless ``TIDEOVER_REQUIRE_SPARK=1``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

pyspark = pytest.importorskip(
    "pyspark", reason="PySpark is not installed (optional: pip install pyspark; needs Java 17+)"
)
if shutil.which("java") is None:
    if os.environ.get("TIDEOVER_REQUIRE_SPARK") == "1":
        raise RuntimeError("TIDEOVER_REQUIRE_SPARK=1 but no Java runtime is on the PATH")
    pytest.skip("no Java runtime on the PATH: PySpark cannot start", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from tideover.batch.cycle.spark import SparkSqlConnection, local_session  # noqa: E402

# The unit test's portfolios and its reference, so both engines face the same cases.
sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
from test_kpi_differential import (  # noqa: E402
    Account,
    cycle_rows,
    duckdb_figures,
    keyed,
    portfolios,
    reference_figures,
    tables,
)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session(cores=1, memory="1g")
    try:
        yield session
    finally:
        session.stop()


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(accounts=portfolios())
def test_spark_gives_the_reference_figures(spark: SparkSession, accounts: list[Account]) -> None:
    for name, table in tables(accounts).items():
        spark.createDataFrame(table).createOrReplaceTempView(name)
    sparked = keyed(cycle_rows(SparkSqlConnection(spark)))
    assert sparked == reference_figures(accounts)
    assert sparked == duckdb_figures(accounts)
