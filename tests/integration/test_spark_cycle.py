"""The cycle's stages on PySpark (local mode) give exactly what the DuckDB engine gives.

One synthetic portfolio — a few thousand loans of fewer borrowers, several
candidate time zones, a contact ledger that caps some borrowers, stored holds,
a send time outside the window, a trained champion and yesterday's buckets —
goes through both engines; segments, arms, every gated action, outbox row,
queue item and KPI row must agree.  Skipped without PySpark, or without Java
unless ``TIDEOVER_REQUIRE_SPARK=1`` (as in CI).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from tests.support import cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.cycle.features import check_accounts, features_sql
from tideover.batch.cycle.stages import CycleResult
from tideover.compliance.contacts import ActorRole, Attempt, Channel, Hold, HoldKind, Outcome
from tideover.compliance.gate import compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.demo.portfolio import DEMO_PLATFORMS
from tideover.domain.clock import FixedClock
from tideover.policy import CompiledPolicy, load_policy
from tideover.scoring.artefact import Artefact
from tideover.scoring.training import train
from tideover.services.demo.story import load_demo_platform

pyspark = pytest.importorskip(
    "pyspark", reason="PySpark is not installed (optional: pip install pyspark; needs Java 17+)"
)
if shutil.which("java") is None:
    # CI sets TIDEOVER_REQUIRE_SPARK=1 so that a missing Java fails there instead.
    if os.environ.get("TIDEOVER_REQUIRE_SPARK") == "1":
        raise RuntimeError("TIDEOVER_REQUIRE_SPARK=1 but no Java runtime is on the PATH")
    pytest.skip("no Java runtime on the PATH: PySpark cannot start", allow_module_level=True)
from pyspark.sql import SparkSession  # noqa: E402

from tideover.batch.cycle.spark import local_session, run_stages_spark  # noqa: E402

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
DATA = Path(__file__).parents[1] / "data"
CLOCK = FixedClock(datetime(2026, 11, 30, 20, 0, tzinfo=UTC))
AS_OF = date(2026, 11, 30)
LABELS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
ZONES = ["Asia/Shanghai", "Asia/Shanghai", "Asia/Urumqi,Asia/Shanghai", "Asia/Hong_Kong"]
# Around the example policies' step days, so that many actions fall due today.
STEP_DAYS = [1, 2, 3, 5, 7, 10, 14, 15, 16, 20, 23, 28, 30, 31, 45, 60, 75, 90, 120]
ACCOUNTS = 2000
BORROWERS = 900


def _bucket(dpd: int) -> str:
    return "M0" if dpd == 0 else LABELS[min((dpd + 29) // 30, 7)]


def _accounts(seed: int) -> pa.Table:
    """Loans of fewer borrowers (caps bind across loans), flags set, odd ids first."""
    rng = random.Random(seed)
    odd_ids = ["借据-7", "O'Brien", "a b", "L" * 40]
    rows = []
    for i in range(ACCOUNTS):
        dpd = 0 if rng.random() < 0.3 else rng.choice(STEP_DAYS)
        borrower = rng.randrange(BORROWERS)
        balance = rng.randint(5_000, 5_000_000)
        rows.append(
            {
                "account_id": odd_ids[i] if i < len(odd_ids) else f"L{i:05d}",
                "borrower_id": f"B{borrower:04d}",
                "is_open": rng.random() > 0.03,
                "time_zones": ZONES[borrower % len(ZONES)],
                "dpd": dpd,
                "bucket": _bucket(dpd),
                "overdue_minor": balance // rng.randint(3, 30) if dpd else 0,
                "balance_minor": balance,
                "product": rng.choice(["cash", "card"]),
                "region": rng.choice([None, "east", "west"]),
                "months_on_book": rng.randint(0, 36),
                "installments_overdue": (dpd + 29) // 30,
                "days_since_last_payment": None if rng.random() < 0.2 else dpd + rng.randint(0, 9),
                "hardship_flag": rng.random() < 0.06,
                "dispute_flag": rng.random() < 0.02,
                "promise_active": rng.random() < 0.1,
                "broken_promises": rng.choice([0, 0, 0, 1, 2, 3]),
            }
        )
    schema = pa.schema(
        [
            ("account_id", pa.string()),
            ("borrower_id", pa.string()),
            ("is_open", pa.bool_()),
            ("time_zones", pa.string()),
            ("dpd", pa.int32()),
            ("bucket", pa.string()),
            ("overdue_minor", pa.int64()),
            ("balance_minor", pa.int64()),
            ("product", pa.string()),
            ("region", pa.string()),
            ("months_on_book", pa.int32()),
            ("installments_overdue", pa.int32()),
            ("days_since_last_payment", pa.int32()),
            ("hardship_flag", pa.bool_()),
            ("dispute_flag", pa.bool_()),
            ("promise_active", pa.bool_()),
            ("broken_promises", pa.int32()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _previous(accounts: pa.Table, seed: int) -> pa.Table:
    """Yesterday: one account in six a bucket better, one in twenty a bucket worse."""
    rng = random.Random(seed)
    rows = []
    for account_id, bucket, balance in zip(
        accounts.column("account_id").to_pylist(),
        accounts.column("bucket").to_pylist(),
        accounts.column("balance_minor").to_pylist(),
        strict=True,
    ):
        index, roll = LABELS.index(bucket), rng.random()
        index = max(index - 1, 0) if roll < 1 / 6 else min(index + 1, 7) if roll < 0.22 else index
        rows.append({"account_id": account_id, "bucket": LABELS[index], "balance_minor": balance})
    schema = pa.schema(
        [("account_id", pa.string()), ("bucket", pa.string()), ("balance_minor", pa.int64())]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _ledger() -> InMemoryLedger:
    """Calls and texts already made today for one borrower in seven: caps bind for some."""
    ledger = InMemoryLedger()
    for b in range(0, BORROWERS, 7):
        for hour in (1, 2, 3):  # Shanghai morning, before the 09:00 sends
            at = datetime(2026, 11, 30, hour, tzinfo=UTC)
            attempt = Attempt(f"B{b:04d}", "old", Channel.CALL, ActorRole.CREDITOR, at)
            ledger.record(attempt, Outcome.CONNECTED)
    return ledger


def _holds() -> dict[str, tuple[Hold, ...]]:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    holds = {
        f"B{b:04d}": (Hold(HoldKind.CEASE_CONTACT, since=start),) for b in range(3, BORROWERS, 40)
    }
    holds["B0011"] = (Hold(HoldKind.DISPUTE, until=start + timedelta(days=60)),)
    return holds


def _config() -> CycleConfig:
    return CycleConfig(
        platform="acme-cn",
        as_of=AS_OF,
        currency="CNY",
        minor_digits=2,
        bucket_labels=LABELS,
        gate=GateSettings(
            (compile_pack(load_pack("CN")),),
            send_times={"sms": time(6, 30), "letter": time(23, 30)},
            holds=_holds(),
        ),
        costs_minor={"sms": 5, "email": 1, "human_call": 200, "letter": 150},
    )


def _model(accounts: pa.Table, version: str, seed: int) -> Artefact:
    """A scorecard trained on the features themselves (a target that rises with DPD)."""
    con = duckdb.connect()
    con.register("accounts", accounts)
    sql = features_sql(check_accounts(con, "accounts"), relation="accounts", minor_digits=2)
    frame = con.sql(f"SELECT dpd, balance, months_on_book, broken_promises FROM ({sql})").df()
    rng = np.random.default_rng(seed)
    frame["bad"] = (rng.random(len(frame)) < 0.1 + frame["dpd"].to_numpy() / 150).astype(int)
    result = train(frame, "bad", "scorecard", folds=2)
    return Artefact(version=version, model=result.model)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session(cores=1, memory="1g")
    try:
        yield session
    finally:
        session.stop()


def _both(
    spark: SparkSession, compiled: CompiledPolicy, *, scored: bool, seed: int
) -> tuple[CycleResult, CycleResult]:
    accounts = _accounts(seed)
    previous = _previous(accounts, seed)
    model = _model(accounts, "champion-1", seed=3) if scored else None
    challengers = (_model(accounts, "challenger-1", seed=4),) if scored else ()

    def inputs() -> CycleInputs:
        return CycleInputs(accounts, previous, _ledger(), challengers=challengers)

    duck = run_stages(compiled, model, inputs(), _config())
    sparked = run_stages_spark(compiled, model, inputs(), _config(), spark=spark)
    return duck, sparked


def _kpi_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(str(row[k]) for k in ("segment", "arm", "metric", "key"))


def _assert_identical(duck: CycleResult, sparked: CycleResult) -> None:
    assert sparked.segments == duck.segments
    assert sparked.arms == duck.arms
    assert sparked.gated == duck.gated  # same actions, same order, same decisions and times
    assert sparked.outbox == duck.outbox
    assert sparked.queue == duck.queue
    assert sparked.kpis == duck.kpis  # both engines give them in one order
    assert sparked.counts == duck.counts
    if duck.scores is None:
        assert sparked.scores is None
    else:
        assert sparked.scores is not None
        # Champion and challenger, row for row (values: dictionaries may be laid out apart).
        assert sparked.scores.schema == duck.scores.schema
        assert sparked.scores.to_pylist() == duck.scores.to_pylist()
    assert set(sparked.timings) == set(duck.timings)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "scored"), [("supportive", True), ("aggressive", False)])
def test_spark_and_duckdb_give_identical_cycle_results(
    spark: SparkSession, name: str, scored: bool
) -> None:
    compiled = load_policy(EXAMPLES / f"{name}.yaml")
    rules = "spark.sql.optimizer.excludedRules"
    spark.conf.set(rules, "org.apache.spark.sql.catalyst.optimizer.CombineUnions")
    try:
        duck, sparked = _both(spark, compiled, scored=scored, seed=len(name))
        # The run's own settings do not outlive it: the session's are as they were.
        assert spark.conf.get(rules) == "org.apache.spark.sql.catalyst.optimizer.CombineUnions"
    finally:
        spark.conf.unset(rules)
    _assert_identical(duck, sparked)
    # The input must exercise every stage, or agreement proves little.
    assert sum(1 for n in duck.segments.values() if n) >= 4
    if compiled.policy.experiments:
        assert all(n > 0 for arms in duck.arms.values() for n in arms.values())
    states = {g.state for g in duck.gated}
    assert states == {"allowed", "rescheduled", "dropped"}
    assert duck.queue
    assert duck.outbox
    rules = {rule for g in duck.gated for rule in g.rule_ids}
    assert {"CN-HOURS", "CN-FREQ-CONNECTED"} <= rules
    assert any("HOLD" in rule for rule in rules)
    assert {r["metric"] for r in duck.kpis} >= {"bucket", "delinquent", "roll", "cure", "cost"}
    scores = [q["summary"]["score"] for q in duck.queue]
    if scored:
        assert duck.scores is not None
        assert set(duck.scores.column("role").to_pylist()) == {"champion", "challenger"}
        assert None not in scores
        assert len(set(scores)) >= 3
    else:
        assert not any(scores)


@pytest.mark.slow
def test_the_stored_cycle_on_spark_writes_what_duckdb_writes(
    spark: SparkSession, uow_factory: Callable[[], SqlAlchemyUnitOfWork]
) -> None:
    """``run_cycle(engine="spark")`` on a demo platform: same rows, run recorded as Spark."""
    frame = pd.read_csv(DATA / "lendingclub_sample.csv")
    preset = DEMO_PLATFORMS["demo-cn"]
    load_demo_platform(uow=uow_factory(), preset=preset, load_source=lambda: frame, as_of=AS_OF)

    def run_and_read(engine: str) -> tuple[dict[str, Any], dict[str, Any]]:
        summary = cycle_under(
            uow=uow_factory(),
            platform="demo-cn",
            as_of=AS_OF,
            clock=CLOCK,
            policy_file=EXAMPLES / "supportive.yaml",
            engine=engine,
        ).to_json()
        with uow_factory() as uow:
            repo = uow.cycle("demo-cn")
            state = {
                "outbox": repo.outbox(AS_OF),
                "queue": repo.queue_items(AS_OF),
                "kpis": sorted(repo.kpis(AS_OF, AS_OF), key=_kpi_key),
            }
        return summary, state

    on_spark, spark_state = run_and_read("spark")
    on_duckdb, duckdb_state = run_and_read("duckdb")  # a rerun of the date replaces it
    assert on_spark["engine"] == "spark"
    assert on_duckdb["engine"] == "duckdb"
    assert spark_state == duckdb_state
    assert spark_state["outbox"]
    assert spark_state["kpis"]
    assert on_spark["counts"] == on_duckdb["counts"]
    with uow_factory() as uow:
        assert [r.engine for r in uow.cycle("demo-cn").runs(AS_OF)] == ["spark", "duckdb"]


@pytest.mark.slow
def test_tables_handed_to_a_local_session_as_parquet_give_the_same_results(
    spark: SparkSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large tables reach a local session through a Parquet file (and the unscored run
    keeps no copy of its features): the rows are the same as DuckDB's."""
    from tideover.batch.cycle import spark as engine

    monkeypatch.setattr(engine, "PARQUET_HANDOFF_ROWS", 1)
    compiled = load_policy(EXAMPLES / "aggressive.yaml")
    duck, sparked = _both(spark, compiled, scored=False, seed=11)
    _assert_identical(duck, sparked)
    assert duck.counts["accounts"] == ACCOUNTS
