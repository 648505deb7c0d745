"""Outcome KPIs on small DuckDB tables: attribution to today's segment and arm, bases, zeros."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tideover.adapters.repositories.plans import PlanTimeline
from tideover.batch.cycle import CycleConfig, CycleInputs, GateSettings, run_stages
from tideover.batch.cycle.kpis import OUTCOME_SCHEMA, outcome_kpis
from tideover.compliance.gate import compile_pack
from tideover.compliance.loader import load_pack
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans.lifecycle import PlanEvent, PlanStatus, ScheduleVersion
from tideover.policy.document import load_policy
from tideover.services.cycle.outcomes import plan_figures, recovery_figures

POLICY = Path(__file__).parents[2] / "src" / "tideover" / "policy" / "examples" / "supportive.yaml"
AS_OF = date(2025, 6, 20)

# Today's accounts: L1, L2 in segment s1 (arms a, b), L3 open and L4 repaid in s2.
ASSIGNED = pa.table(
    {
        "account_id": ["L1", "L2", "L3", "L4"],
        "borrower_id": ["B1", "B2", "B3", "B3"],
        "is_open": [True, True, True, False],
        "bucket": ["M1", "M2", "M0", "M0"],
        "dpd": [10, 40, 0, 0],
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


def _kpis(*figures: dict[str, Any]) -> dict[tuple[str, str, str, str], tuple[Any, ...]]:
    con = duckdb.connect()
    con.register("assigned", ASSIGNED)
    con.register("outcomes", pa.Table.from_pylist(list(figures), schema=OUTCOME_SCHEMA))
    rows = outcome_kpis(con, assigned="assigned", outcomes="outcomes", currency="CNY")
    keyed = {
        (r["segment"], r["arm"], r["metric"], r["key"]): (
            r["accounts"],
            r["amount_minor"],
            r["base_accounts"],
            r["base_amount_minor"],
        )
        for r in rows
    }
    assert len(keyed) == len(rows)  # one row per segment, arm, metric and key
    return keyed


def test_figures_go_to_the_accounts_segment_and_arm_of_today() -> None:
    k = _kpis(
        _fig("L1", "promises", "made", amount=500),
        _fig("L2", "promises", "made", amount=700),
        _fig("L2", "plans", "offered", amount=9_000),
        _fig("L3", "attempted", "call", items=2),
    )
    assert k[("s1", "a", "promises", "made")] == (1, 500, None, None)
    assert k[("s1", "b", "promises", "made")] == (1, 700, None, None)
    assert k[("s1", "b", "plans", "offered")] == (1, 9_000, None, None)
    assert k[("s2", "", "attempted", "call")] == (2, 0, None, None)


def test_a_contact_on_another_debt_goes_to_the_borrowers_first_account() -> None:
    k = _kpis(
        _fig("X9", "attempted", "sms", items=4, borrower="B3"),
        _fig("X9", "complaints", "all", borrower="B3"),
        _fig("X8", "attempted", "sms", items=5, borrower="B-unknown"),  # nobody's: dropped
        _fig("L1", "attempted", "call", items=3),
    )
    assert k[("s2", "", "attempted", "sms")] == (4, 0, None, None)
    assert k[("s2", "", "complaints", "all")] == (1, 0, 4, None)  # 1 complaint in 4 attempts
    assert k[("s1", "a", "complaints", "all")] == (0, 0, 3, None)  # a zero rate, not no row
    assert sum(v[0] for key, v in k.items() if key[2] == "attempted") == 7


def test_promises_and_plans_kept_are_read_over_those_decided() -> None:
    k = _kpis(
        _fig("L1", "promises", "kept", amount=300),
        _fig("L1", "promises", "broken", amount=200),
        _fig("L2", "promises", "broken", amount=100),
        _fig("L1", "plans", "completed", amount=5_000),
        _fig("L1", "promises", "made", amount=999),  # not a decision
    )
    assert k[("s1", "a", "promises", "kept")] == (1, 300, 2, 500)
    assert k[("s1", "a", "promises", "broken")] == (1, 200, 2, 500)
    assert k[("s1", "b", "promises", "kept")] == (0, 0, 1, 100)
    assert k[("s1", "b", "promises", "broken")] == (1, 100, 1, 100)
    assert k[("s1", "a", "plans", "completed")] == (1, 5_000, 1, 5_000)
    assert k[("s1", "a", "plans", "broken")] == (0, 0, 1, 5_000)
    assert ("s1", "b", "plans", "completed") not in k  # nothing decided there


def test_plans_in_force_are_a_share_of_every_segments_open_accounts() -> None:
    k = _kpis(_fig("L2", "plans", "in_force"), _fig("L4", "plans", "in_force"))
    assert k[("s1", "b", "plans", "in_force")] == (1, 2_000, 1, 2_000)
    assert k[("s1", "a", "plans", "in_force")] == (0, 0, 1, 1_000)
    # L4 is repaid: neither counted nor in the base.
    assert k[("s2", "", "plans", "in_force")] == (0, 0, 1, 3_000)


def test_recovery_is_the_days_money_over_the_overdue_amount_at_the_start_of_the_day() -> None:
    k = _kpis(
        # L1 started the day in M2 with 150 overdue and paid 50 (it ends in M1 with 100).
        _fig("L1", "received", "M2", amount=50),
        _fig("L1", "start_overdue", "M2", amount=150),
        # L4 paid off its last 80 overdue today: it still counts where it started.
        _fig("L4", "received", "M1", amount=80),
        _fig("L4", "start_overdue", "M1", amount=80),
        # L3 was current this morning: its payment is not a recovery.
        _fig("L3", "received", "M0", amount=999),
        _fig("L3", "start_overdue", "M0", amount=0),
    )
    assert k[("s1", "a", "recovery", "M2")] == (1, 50, 1, 150)
    assert k[("s1", "b", "recovery", "M2")] == (0, 0, 1, 200)  # no money today: its own figures
    assert k[("s2", "", "recovery", "M1")] == (1, 80, 1, 80)
    assert not [key for key in k if key[2] == "recovery" and key[3] == "M0"]


def test_a_reversal_on_the_day_is_taken_off_the_recovery() -> None:
    k = _kpis(_fig("L2", "received", "M2", amount=-60), _fig("L2", "start_overdue", "M2", 1, 140))
    assert k[("s1", "b", "recovery", "M2")] == (0, -60, 1, 140)


# --- the stage and the service's pure parts ---------------------------------------------


def _stage_accounts() -> pa.Table:
    return pa.table(
        {
            "account_id": ["L0", "L1"],
            "borrower_id": ["B0", "B1"],
            "is_open": [True, True],
            "time_zones": ["Asia/Shanghai"] * 2,
            "dpd": pa.array([0, 45], pa.int32()),
            "bucket": ["M0", "M2"],
            "overdue_minor": pa.array([0, 4_500], pa.int64()),
            "balance_minor": pa.array([100_000] * 2, pa.int64()),
            "product": ["cash"] * 2,
            "months_on_book": pa.array([6] * 2, pa.int32()),
            "installments_overdue": pa.array([0, 2], pa.int32()),
        }
    )


def _config() -> CycleConfig:
    return CycleConfig(
        platform="demo",
        as_of=AS_OF,
        currency="CNY",
        minor_digits=2,
        bucket_labels=("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"),
        gate=GateSettings((compile_pack(load_pack("CN")),)),
    )


def test_the_kpi_stage_adds_outcome_rows_only_when_given_them() -> None:
    outcomes = pa.Table.from_pylist(
        [_fig("L1", "received", "M2", amount=1_000), _fig("L1", "start_overdue", "M2", 1, 5_000)],
        schema=OUTCOME_SCHEMA,
    )
    policy = load_policy(POLICY)
    plain = run_stages(policy, None, CycleInputs(_stage_accounts()), _config())
    assert not [r for r in plain.kpis if r["metric"] in ("recovery", "plans")]
    fed = run_stages(policy, None, CycleInputs(_stage_accounts(), outcomes=outcomes), _config())
    (recovery,) = [r for r in fed.kpis if r["metric"] == "recovery"]
    assert (recovery["key"], recovery["accounts"], recovery["amount_minor"]) == ("M2", 1, 1_000)
    assert (recovery["base_accounts"], recovery["base_amount_minor"]) == (1, 5_000)
    assert fed.counts["kpi_rows"] == len(fed.kpis) > len(plain.kpis)


def _loan() -> Loan:
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    return Loan("acme", "L1", "B1", terms, build_schedule(terms))


def _pay(pid: str, amount: str, on: date, reverses: str | None = None) -> Payment:
    return Payment("acme", pid, "L1", Money.of(amount), on, reverses)


def test_recovery_figures_replay_the_loan_without_the_days_money() -> None:
    loan = _loan()
    installment = loan.schedule.installments[0].total.minor
    settings = PlatformSettings()
    earlier = _pay("P1", "1066.19", date(2025, 2, 15))  # the first installment, on time
    paid = [earlier, _pay("P2", "500", AS_OF), _pay("P3", "200", AS_OF),
            _pay("R3", "200", AS_OF, reverses="P3")]  # fmt: skip
    assert installment == 106_619
    received, start = recovery_figures({"L1": loan}, {"L1": paid}, {}, AS_OF, settings)
    assert (received["metric"], received["amount_minor"]) == ("received", 50_000)
    # Due 15 Mar, Apr, May unpaid this morning (penalty accrued on them included).
    assert start["metric"] == "start_overdue"
    assert start["key"] == received["key"] == "M4"  # 97 days past due (15 Mar to 20 Jun)
    assert start["amount_minor"] >= 3 * installment
    # The day's payment is not in the start: replaying with it gives less overdue.
    later = recovery_figures({"L1": loan}, {"L1": paid}, {}, date(2025, 6, 21), settings)
    assert later[1]["amount_minor"] < start["amount_minor"]


def test_a_reversal_of_an_earlier_payment_is_negative_money_on_its_day() -> None:
    loan = _loan()
    paid = [_pay("P1", "1066.19", date(2025, 2, 15)),
            _pay("R1", "1066.19", AS_OF, reverses="P1")]  # fmt: skip
    received, start = recovery_figures({"L1": loan}, {"L1": paid}, {}, AS_OF, PlatformSettings())
    assert received["amount_minor"] == -106_619
    assert start["key"] == "M4"  # this morning the February installment still stood


def test_a_loan_on_a_plan_starts_the_day_on_the_plans_schedule() -> None:
    loan = _loan()
    plan = build_schedule(
        terms_for(
            principal=Money.of("9000"),
            annual_rate=Decimal("0.12"),
            term=12,
            method=RepaymentMethod.EQUAL_INSTALLMENT,
            start_date=date(2025, 6, 15),
        )
    )  # first due 15 July: nothing overdue on the plan yet
    versions = {"L1": [ScheduleVersion(2, plan, "plan term-12", date(2025, 6, 1))]}
    paid = [_pay("P1", "1066.19", date(2025, 2, 15)), _pay("P2", "300", AS_OF)]
    on_plan = recovery_figures({"L1": loan}, {"L1": paid}, {}, AS_OF, PlatformSettings(),
                               histories=versions)  # fmt: skip
    assert [(r["metric"], r["key"], r["amount_minor"]) for r in on_plan] == [
        ("received", "M0", 30_000),
        ("start_overdue", "M0", 0),
    ]
    contract = recovery_figures({"L1": loan}, {"L1": paid}, {}, AS_OF, PlatformSettings())
    assert contract[1]["key"] == "M4"  # without its history the contract would be replayed


def test_plan_figures_count_the_days_events_and_the_plans_active_at_its_end() -> None:
    day, before = AS_OF, date(2025, 6, 1)
    timelines = [
        PlanTimeline("A1-1", "L1", (PlanEvent(day, PlanStatus.OFFERED),
                                    PlanEvent(day, PlanStatus.ACCEPTED),
                                    PlanEvent(day, PlanStatus.ACTIVE))),
        PlanTimeline("A2-1", "L2", (PlanEvent(before, PlanStatus.OFFERED),
                                    PlanEvent(before, PlanStatus.ACTIVE),
                                    PlanEvent(day, PlanStatus.BROKEN))),
        PlanTimeline("A3-1", "L3", (PlanEvent(before, PlanStatus.ACTIVE),
                                    PlanEvent(date(2025, 7, 1), PlanStatus.COMPLETED))),
    ]  # fmt: skip
    rows = plan_figures(timelines, {"A1-1": 9_000, "A2-1": 4_000}, day)
    got = sorted((r["account_id"], r["key"], r["amount_minor"]) for r in rows)
    assert got == [
        ("L1", "accepted", 9_000),
        ("L1", "active", 9_000),
        ("L1", "in_force", 0),
        ("L1", "offered", 9_000),
        ("L2", "broken", 4_000),
        ("L3", "in_force", 0),  # completed only later: in force on the day (a rerun's view)
    ]


@pytest.mark.parametrize("bad", ["", "L1"])
def test_an_unknown_borrower_or_none_attributes_nothing(bad: str) -> None:
    k = _kpis(_fig("nobody", "promises", "made", amount=1, borrower=bad or None))
    assert not [key for key in k if key[2] == "promises"]
