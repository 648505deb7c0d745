"""The cycle's DuckDB stages on small Arrow tables: features, gate, dispatch, KPIs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.cycle.features import check_accounts, features_sql
from tideover.batch.cycle.gate import PlannedAction, gate_actions
from tideover.batch.cycle.stages import queue_priority
from tideover.compliance.contacts import Attempt, Channel, Outcome
from tideover.compliance.gate import compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.domain.errors import ValidationError
from tideover.policy.document import load_policy

POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
AS_OF = date(2026, 11, 30)
LABELS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
CN = compile_pack(load_pack("CN"))


def _accounts(dpds: list[int], *, is_open: list[bool] | None = None) -> pa.Table:
    n = len(dpds)
    buckets = ["M0" if d == 0 else "M1" if d <= 30 else "M2" if d <= 60 else "M3" for d in dpds]
    return pa.table(
        {
            "account_id": [f"L{i}" for i in range(n)],
            "borrower_id": [f"B{i}" for i in range(n)],
            "is_open": is_open or [True] * n,
            "time_zones": ["Asia/Shanghai"] * n,
            "dpd": pa.array(dpds, pa.int32()),
            "bucket": buckets,
            "overdue_minor": pa.array([d * 100 for d in dpds], pa.int64()),
            "balance_minor": pa.array([100_000] * n, pa.int64()),
            "product": ["cash"] * n,
            "months_on_book": pa.array([6] * n, pa.int32()),
            "installments_overdue": pa.array([(d + 29) // 30 for d in dpds], pa.int32()),
        }
    )


def _config(**gate: object) -> CycleConfig:
    return CycleConfig(
        platform="demo",
        as_of=AS_OF,
        currency="CNY",
        minor_digits=2,
        bucket_labels=LABELS,
        gate=GateSettings((CN,), **gate),  # type: ignore[arg-type]
        costs_minor={"sms": 5, "human_call": 200},
    )


def test_features_take_documented_defaults_and_exact_money() -> None:
    con = duckdb.connect()
    con.register("accounts", _accounts([0, 12]))
    sql = features_sql(check_accounts(con, "accounts"), relation="accounts", minor_digits=2)
    rows = con.sql(sql).to_arrow_table().to_pylist()
    assert rows[1]["overdue_amount"] == Decimal("12.00")
    assert rows[1]["balance"] == Decimal("1000.00")
    assert rows[1]["days_in_segment"] == 12  # runs with the DPD clock
    assert rows[1]["hardship_flag"] is False
    assert rows[1]["days_since_last_contact"] is None
    assert rows[1]["broken_promises"] == 0


def test_an_accounts_table_without_a_required_column_is_refused() -> None:
    con = duckdb.connect()
    con.register("accounts", _accounts([1]).drop(["time_zones"]))
    with pytest.raises(ValidationError, match="time_zones"):
        check_accounts(con, "accounts")


def test_the_stages_plan_due_steps_for_open_accounts_only() -> None:
    dpds = [1, 2, 10, 31, 0]
    result = run_stages(
        load_policy(POLICY),
        None,
        CycleInputs(_accounts(dpds, is_open=[True, True, True, False, True])),
        _config(),
    )
    assert result.segments["early"] == 3
    assert result.segments["current"] == 1
    channels = {g.action.account_id: g.action.channel for g in result.gated}
    # Day 1 app push, day 2 SMS, day 10 a call; dpd 31 is closed; the holdout arm plans none.
    holdout = {g.action.account_id for g in result.gated if g.action.arm == "holdout"}
    assert "L3" not in channels
    assert "L4" not in channels
    assert set(channels.values()) <= {"app_push", "sms", "human_call"}
    assert not holdout
    assert {r["account_id"] for r in result.outbox} | {
        r["account_id"] for r in result.queue
    } == set(channels)


def test_a_send_time_outside_the_window_is_rescheduled_to_its_opening() -> None:
    action = _action("sms")
    gated = gate_actions(
        [action],
        as_of=AS_OF,
        ledger=InMemoryLedger(),
        settings=GateSettings((CN,), send_times={"sms": time(6, 30)}),
    )
    assert gated[0].state == "rescheduled"
    assert gated[0].rule_ids == ("CN-HOURS",)
    assert gated[0].at == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # 08:00 Shanghai


def test_a_call_over_the_daily_cap_is_dropped_with_its_rule() -> None:
    ledger = InMemoryLedger()
    for hour in (1, 2, 3):  # three connected calls already today (UTC morning = Shanghai day)
        at = datetime(2026, 11, 30, hour, tzinfo=UTC)
        ledger.record(Attempt("B0", "L0", Channel.CALL, CN_ACTOR, at), Outcome.CONNECTED)
    gated = gate_actions(
        [_action("human_call")],
        as_of=AS_OF,
        ledger=ledger,
        settings=GateSettings((CN,), send_times={"human_call": time(12, 0)}),
    )
    assert gated[0].state == "dropped"
    assert "CN-FREQ-CONNECTED" in gated[0].rule_ids
    assert gated[0].at is None


def test_allowed_contacts_count_against_caps_within_the_run() -> None:
    calls = [_action("human_call", account=f"L{i}") for i in range(8)]  # one borrower, 8 loans
    gated = gate_actions(calls, as_of=AS_OF, ledger=InMemoryLedger(), settings=GateSettings((CN,)))
    states = [g.state for g in gated]
    assert states.count("allowed") == 3  # planned calls count as connected (CN-FREQ-CONNECTED)
    assert states.count("dropped") == 5


def test_queue_priority_is_balance_times_risk_times_urgency_rounded_half_up() -> None:
    scored = _action("human_call", score=Decimal("0.25"), priority=70, balance=100_001)
    assert queue_priority(scored) == 17500  # 100001 × 0.25 × 0.70 = 17500.175
    unscored = _action("human_call", score=None, priority=30, balance=1_001)
    assert queue_priority(unscored) == 150  # 1001 × 0.5 × 0.3 = 150.15


def test_roll_and_cure_compare_with_yesterday_and_cost_counts_what_goes_ahead() -> None:
    today = _accounts([40, 0, 5, 0], is_open=[True, True, True, False])
    previous = pa.table(
        {
            "account_id": ["L0", "L1", "L2", "L3"],
            "bucket": ["M1", "M1", "M1", "M2"],
            "balance_minor": pa.array([100, 200, 300, 400], pa.int64()),
        }
    )
    result = run_stages(load_policy(POLICY), None, CycleInputs(today, previous), _config())
    rows = result.kpis

    def total(metric: str, key: str, field: str) -> int:
        return sum(r[field] or 0 for r in rows if r["metric"] == metric and r["key"] == key)

    assert total("roll", "M1", "base_accounts") == 3
    assert total("roll", "M1", "accounts") == 1  # L0: M1 → M2
    # The rolled balance is L0's today (100,000), over the bucket's balance then (100 + 200 +
    # 300): 本期余额 / 上期余额, as ``domain.kpis.roll_figures`` defines it.
    assert total("roll", "M1", "amount_minor") == 100_000
    assert total("roll", "M1", "base_amount_minor") == 600
    assert total("cure", "M1", "accounts") == 1  # L1 back to current
    assert total("cure", "M2", "accounts") == 1  # L3 repaid
    assert total("delinquent", "30+", "accounts") == 1
    sms = [g for g in result.gated if g.action.channel == "sms" and g.state != "dropped"]
    assert total("cost", "sms", "amount_minor") == 5 * len(sms)


CN_ACTOR = GateSettings((CN,)).actor


def _action(
    channel: str,
    *,
    account: str = "L0",
    score: Decimal | None = None,
    priority: int | None = 50,
    balance: int = 100_000,
) -> PlannedAction:
    return PlannedAction(
        account_id=account,
        borrower_id="B0",
        time_zones=("Asia/Shanghai",),
        step="t#0",
        channel=channel,
        template="x",
        tone="neutral",
        queue="q" if channel == "human_call" else None,
        priority=priority,
        segment="early",
        arm="",
        treatment="t",
        offers=None,
        dpd=10,
        bucket="M1",
        overdue_minor=1000,
        balance_minor=balance,
        score=score,
        band=None,
    )
