"""The cycle on a real Spark standalone cluster (a master and two workers on loopback).

The master and the workers start from the ``pyspark`` package's ``spark-class``
(``batch.cycle.spark_cluster``); the cycle's stages run with the accounts read
from Parquet by the executors, and every segment, arm, gated action, outbox row,
queue item, KPI row and score must be what the DuckDB engine gives on the same
input.  Every process started is stopped when the test ends, whether it passes or
fails.  Skipped without PySpark, or without Java unless ``TIDEOVER_REQUIRE_SPARK=1``
(as in CI).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytest.importorskip(
    "pyspark", reason="PySpark is not installed (optional: pip install pyspark; needs Java 17+)"
)
if shutil.which("java") is None:
    # CI sets TIDEOVER_REQUIRE_SPARK=1 so that a missing Java fails there instead.
    if os.environ.get("TIDEOVER_REQUIRE_SPARK") == "1":
        raise RuntimeError("TIDEOVER_REQUIRE_SPARK=1 but no Java runtime is on the PATH")
    pytest.skip("no Java runtime on the PATH: PySpark cannot start", allow_module_level=True)

from tests.integration.test_spark_cycle import (
    EXAMPLES,
    _accounts,
    _assert_identical,
    _config,
    _ledger,
    _model,
    _previous,
)

from tideover.batch.cycle import CycleInputs, run_stages
from tideover.batch.cycle.spark import run_stages_spark
from tideover.batch.cycle.spark_cluster import (
    cluster_session,
    standalone_cluster,
)
from tideover.policy import load_policy


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
def test_the_cycle_on_a_standalone_cluster_from_parquet_is_what_duckdb_gives(
    tmp_path: Path,
) -> None:
    compiled = load_policy(EXAMPLES / "supportive.yaml")
    accounts = _accounts(seed=7)
    previous = _previous(accounts, seed=7)
    model = _model(accounts, "champion-1", seed=3)
    challengers = (_model(accounts, "challenger-1", seed=4),)
    folder = tmp_path / "accounts"
    folder.mkdir()
    # Two files, so that both workers have something to read.
    half = accounts.num_rows // 2
    pq.write_table(accounts.slice(0, half), folder / "part-0.parquet")
    pq.write_table(accounts.slice(half), folder / "part-1.parquet")
    duck = run_stages(
        compiled, model, CycleInputs(accounts, previous, _ledger(), challengers=challengers),
        _config(),
    )  # fmt: skip
    with standalone_cluster(workers=2, cores=1, memory="1g") as cluster:
        pids = cluster.pids
        session = cluster_session(cluster.master_url, shuffle_partitions=4)
        try:
            context = session.sparkContext
            assert context.master == cluster.master_url
            inputs = CycleInputs(accounts.slice(0, 0), previous, _ledger(), challengers=challengers)
            sparked = run_stages_spark(
                compiled,
                model,
                inputs,
                _config(),
                spark=session,
                accounts_parquet=str(folder),
            )
            # Both workers ran executors for it (the driver is the third entry).
            executors = context._jsc.sc().getExecutorMemoryStatus().size()
        finally:
            session.stop()
    assert executors == 3
    _assert_identical(duck, sparked)
    assert {g.state for g in duck.gated} == {"allowed", "rescheduled", "dropped"}
    assert duck.queue
    assert duck.outbox
    assert all(_gone(pid) for pid in pids)


def test_a_cluster_that_does_not_come_up_in_time_leaves_no_process() -> None:
    """The start fails (no worker registers in the time given): every JVM it started is
    stopped before the error reaches the caller."""
    with (
        pytest.raises(RuntimeError, match="did not come up"),
        standalone_cluster(workers=1, timeout=0.5),
    ):
        pass  # never reached
    assert not _spark_children()


def _spark_children() -> list[int]:
    """This process's children that are Spark masters or workers (still running)."""
    me = os.getpid()
    children = Path(f"/proc/{me}/task/{me}/children").read_text().split()
    return [int(pid) for pid in children if _is_spark(int(pid))]


def _is_spark(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # Not the driver's own gateway JVM (``deploy.SparkSubmit``), which PySpark keeps.
    return b"deploy.master.Master" in command or b"deploy.worker.Worker" in command


def test_a_block_that_fails_stops_the_cluster() -> None:
    pids: list[int] = []

    def fail_inside() -> None:
        with standalone_cluster(workers=1) as cluster:
            pids.extend(cluster.pids)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_inside()
    assert pids
    assert all(_gone(pid) for pid in pids)
    assert not _spark_children()
