"""The cycle by partitions of borrowers gives what the unpartitioned cycle gives.

Random portfolios — several loans per borrower, several candidate zones, a
contact ledger that caps some borrowers, holds, yesterday's buckets with
accounts gone since, outcomes on today's accounts and on debts that are not
(attributed to the borrower's first account) — go through ``run_stages`` once
and through ``run_partitioned`` split 1, 3 and 7 ways: segments, arms, every
gated action in order, outbox row, queue item, KPI row and count must agree.
A partition that fails once is retried; one that keeps failing fails the run.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from pathlib import Path

import pyarrow as pa
import pytest

from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.cycle.kpis import OUTCOME_SCHEMA
from tideover.batch.cycle.partitions import (
    PartitionedInputs,
    partition_of,
    partitioned_folders,
    run_partitioned,
)
from tideover.batch.cycle.stages import CycleResult
from tideover.compliance.contacts import ActorRole, Attempt, Channel, Hold, HoldKind, Outcome
from tideover.compliance.gate import compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.policy import load_policy

EXAMPLES = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples"
AS_OF = date(2026, 11, 30)
LABELS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
ZONES = ["Asia/Shanghai", "Asia/Urumqi,Asia/Shanghai", "Asia/Hong_Kong"]
STEP_DAYS = [1, 2, 3, 5, 7, 10, 14, 15, 16, 20, 23, 28, 30, 31, 45, 60, 75, 90, 120]
ACCOUNTS_SCHEMA = pa.schema(
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
    ]
)


def _bucket(dpd: int) -> str:
    return "M0" if dpd == 0 else LABELS[min((dpd + 29) // 30, 7)]


def portfolio(seed: int) -> tuple[pa.Table, pa.Table, pa.Table, int]:
    rng = random.Random(seed)
    n, borrowers = rng.randint(150, 500), rng.randint(60, 200)
    rows = []
    for i in range(n):
        dpd = 0 if rng.random() < 0.3 else rng.choice(STEP_DAYS)
        b = rng.randrange(borrowers)
        balance = rng.randint(5_000, 5_000_000)
        rows.append(
            {
                "account_id": f"L{rng.randrange(10**6):06d}-{i}",
                "borrower_id": f"B{b:04d}",
                "is_open": rng.random() > 0.05,
                "time_zones": ZONES[b % len(ZONES)],
                "dpd": dpd,
                "bucket": _bucket(dpd),
                "overdue_minor": balance // rng.randint(3, 30) if dpd else 0,
                "balance_minor": balance,
                "product": rng.choice(["cash", "card"]),
                "region": rng.choice([None, "east", "west"]),
                "months_on_book": rng.randint(0, 36),
                "installments_overdue": (dpd + 29) // 30,
                "days_since_last_payment": None if rng.random() < 0.2 else dpd + rng.randint(0, 9),
            }
        )
    accounts = pa.Table.from_pylist(rows, schema=ACCOUNTS_SCHEMA)
    previous = []
    for r in rows:
        index = LABELS.index(r["bucket"])
        roll = rng.random()
        index = max(index - 1, 0) if roll < 0.2 else min(index + 1, 7) if roll < 0.3 else index
        previous.append(
            {
                "account_id": r["account_id"],
                "borrower_id": r["borrower_id"],
                "bucket": LABELS[index],
                "balance_minor": r["balance_minor"] if rng.random() > 0.05 else 0,
            }
        )
    for k in range(rng.randint(0, 8)):  # accounts of yesterday that are gone today
        previous.append(
            {
                "account_id": f"GONE-{k}",
                "borrower_id": f"B{rng.randrange(borrowers):04d}",
                "bucket": rng.choice(LABELS),
                "balance_minor": rng.randint(1, 10_000),
            }
        )
    previous_table = pa.Table.from_pylist(
        previous,
        schema=pa.schema(
            [
                ("account_id", pa.string()),
                ("borrower_id", pa.string()),
                ("bucket", pa.string()),
                ("balance_minor", pa.int64()),
            ]
        ),
    )
    outcomes = []
    for r in rng.sample(rows, k=min(len(rows), 60)):
        metric, key = rng.choice(
            [
                ("promises", "made"),
                ("promises", "kept"),
                ("promises", "broken"),
                ("plans", "in_force"),
                ("attempted", "call"),
                ("complaints", "all"),
                ("received", r["bucket"]),
            ]
        )
        debt = r["account_id"] if rng.random() < 0.8 else f"OLD-{rng.randrange(99)}"
        outcomes.append(
            {
                "account_id": debt,
                "borrower_id": r["borrower_id"],
                "metric": metric,
                "key": key,
                "items": 1,
                "amount_minor": rng.randint(0, 50_000),
            }
        )
        if metric == "received":
            outcomes.append({**outcomes[-1], "metric": "start_overdue", "items": 1})
    return accounts, previous_table, pa.Table.from_pylist(outcomes, OUTCOME_SCHEMA), borrowers


def ledger(borrowers: int) -> InMemoryLedger:
    found = InMemoryLedger()
    for b in range(0, borrowers, 5):
        for hour in (1, 2, 3):
            at = datetime(2026, 11, 30, hour, tzinfo=UTC)
            found.record(
                Attempt(f"B{b:04d}", "old", Channel.CALL, ActorRole.CREDITOR, at),
                Outcome.CONNECTED,
            )
    return found


def config(borrowers: int) -> CycleConfig:
    holds = {f"B{b:04d}": (Hold(HoldKind.CEASE_CONTACT),) for b in range(3, borrowers, 17)}
    return CycleConfig(
        platform="acme-cn",
        as_of=AS_OF,
        currency="CNY",
        minor_digits=2,
        bucket_labels=LABELS,
        gate=GateSettings(
            (compile_pack(load_pack("CN")),),
            send_times={"sms": time(6, 30), "letter": time(23, 30)},
            holds=holds,
        ),
        costs_minor={"sms": 5, "email": 1, "human_call": 200, "letter": 150},
    )


def same(whole: CycleResult, merged: CycleResult) -> None:
    assert merged.segments == whole.segments
    assert merged.arms == whole.arms
    assert merged.gated == whole.gated
    assert merged.outbox == whole.outbox
    assert merged.queue == whole.queue
    assert merged.kpis == whole.kpis
    assert merged.counts == whole.counts


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("policy", ["supportive", "aggressive"])
def test_the_partitioned_cycle_is_the_unpartitioned_cycle(
    seed: int, policy: str, tmp_path: Path
) -> None:
    compiled = load_policy(EXAMPLES / f"{policy}.yaml")
    accounts, previous, outcomes, borrowers = portfolio(seed)
    whole = run_stages(
        compiled,
        None,
        CycleInputs(accounts, previous.drop(["borrower_id"]), ledger(borrowers), outcomes),
        config(borrowers),
    )
    assert {g.state for g in whole.gated} >= {"allowed", "dropped"}
    assert {r["metric"] for r in whole.kpis} >= {"bucket", "roll", "cure", "promises", "plans"}
    for n in (1, 3, 7):
        with partitioned_folders(
            accounts, n, previous=previous, outcomes=outcomes, workdir=tmp_path
        ) as (acc, prev, outs, _):
            merged = run_partitioned(
                compiled,
                None,
                PartitionedInputs(acc, n, prev, outs, ledger(borrowers)),
                config(borrowers),
            )
        same(whole, merged)


def test_the_partition_hash_is_the_sql_one_and_stable() -> None:
    import duckdb

    from tideover.batch.cycle.partitions import partition_sql

    ids = ["B0001", "借款人-7", "O'Brien", "", "x" * 200]
    con = duckdb.connect()
    con.register("ids", pa.table({"borrower_id": ids}))
    sql = f"SELECT {partition_sql('borrower_id', 7)} FROM ids"
    in_sql = [row[0] for row in con.execute(sql).fetchall()]
    assert in_sql == [partition_of(i, 7) for i in ids]
    assert partition_of("B0001", 7) == 6  # fixed: a rerun puts every borrower where it was


def test_a_failing_partition_is_retried_and_one_that_keeps_failing_fails_the_run(
    tmp_path: Path,
) -> None:
    compiled = load_policy(EXAMPLES / "supportive.yaml")
    accounts, previous, outcomes, borrowers = portfolio(5)
    tries: dict[str, int] = {}

    def flaky(stage: str) -> None:
        tries[stage] = tries.get(stage, 0) + 1
        if stage == "partition:1" and tries[stage] == 1:
            raise OSError("the worker lost its disk")

    def broken(stage: str) -> None:
        if stage == "partition:2":
            raise OSError("the worker lost its disk")

    with partitioned_folders(
        accounts, 3, previous=previous, outcomes=outcomes, workdir=tmp_path
    ) as (acc, prev, outs, _):
        inputs = PartitionedInputs(acc, 3, prev, outs, ledger(borrowers))
        first = run_partitioned(compiled, None, inputs, config(borrowers), fault=flaky)
        assert tries["partition:1"] == 2
        again = run_partitioned(
            compiled, None, PartitionedInputs(acc, 3, prev, outs, ledger(borrowers)),
            config(borrowers),
        )  # fmt: skip
        with pytest.raises(OSError, match="lost its disk"):
            run_partitioned(compiled, None, inputs, config(borrowers), fault=broken, retries=2)
    same(again, first)  # a retry (and a rerun) gives identical results
