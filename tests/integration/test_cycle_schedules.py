"""The delinquency stage reads the schedule in force: relief plans and re-aging, both databases.

A loan goes through the real plan flow (hardship application, offer, approval,
acceptance, review); the daily cycle's inputs, ``tideover delinquency`` and a
whole cycle run are then checked on hand-worked dates, and every stored loan
against the domain's one-loan reference (``status_in_force``) on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.support import cycle_under

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.schedule_in_force import status_in_force
from tideover.services.cycle.inputs import load_cycle_inputs
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import relief as relief_service
from tideover.services.plans import review as plan_review
from tideover.services.platforms import settings_of
from tideover.services.portfolio.delinquency import compute_delinquency

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
ACCEPTED = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))  # 11:00 in Asia/Shanghai
LATER = FixedClock(datetime(2027, 1, 1, 3, 0, tzinfo=UTC))
SUPPORTIVE = Path(__file__).parents[2] / "src/tideover/policy/examples/supportive.yaml"
# L1 (acme_with_loan): 12,000 CNY over 12 months from 2025-01-15, first due 2025-02-15, nothing
# paid.  Plan "term-22": 22 installments of 640.44 from 2025-07-15, active from 2025-06-20.
INSTALLMENT = "640.44"
PLAN_FIRST_DUE = date(2025, 7, 15)


@pytest.fixture
def uow(acme_with_loan: UowFactory) -> UowFactory:
    return acme_with_loan


def accept_plan(uow: UowFactory, tmp_path: Path) -> None:
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(b"%PDF-1.4 medical certificate")
    application = {
        "application_id": "A1",
        "loan_id": "L1",
        "submitted_on": "2025-06-20",
        "reason": "illness_injury",
        "description": "In hospital for two months.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
    }
    hardship_service.apply_for_hardship(
        uow=uow(), platform="acme", data=application,
        evidence=[f"medical_certificate:{pdf}"], clock=ACCEPTED,
    )  # fmt: skip
    hardship_service.review_application(
        uow=uow(), platform="acme", application_id="A1", by="reviewer", clock=ACCEPTED
    )
    offered = relief_service.offer_plan(
        uow=uow(), platform="acme", application_id="A1", loan_id="L1", option_id="term-22",
        by="collector1", clock=ACCEPTED,
    ).to_json()  # fmt: skip
    if offered["approval"]["approved_by"] is None:
        relief_service.approve_plan(
            uow=uow(), platform="acme", plan_id="A1-1", by="lead", role="manager", clock=ACCEPTED
        )
    plan = relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id="A1-1", clock=ACCEPTED
    ).to_json()
    assert plan["schedule"][0]["due_date"] == PLAN_FIRST_DUE.isoformat()
    assert plan["schedule"][0]["total"] == INSTALLMENT


def pay(uow: UowFactory, *paid: tuple[str, date], reverses: str | None = None) -> None:
    with uow() as unit:
        first = unit.payments("acme").count() + 1
        unit.payments("acme").add_many(
            [
                Payment("acme", f"P{n}", "L1", Money.of(amount), on, reverses)
                for n, (amount, on) in enumerate(paid, start=first)
            ]
        )
        unit.commit()


def account(uow: UowFactory, as_of: date) -> dict[str, Any]:
    """L1's row of the cycle's accounts table on ``as_of``, checked against the domain."""
    with uow() as unit:
        settings = settings_of(unit, "acme")
    loaded = load_cycle_inputs(uow(), "acme", as_of, settings, packs_horizon=timedelta(0))
    [row] = loaded.inputs.accounts.to_pylist()
    [status] = loaded.statuses
    with uow() as unit:
        loan = unit.loans("acme").get("L1")
        assert loan is not None
        _, reference = status_in_force(
            loan,
            unit.payments("acme").for_loan("L1"),
            as_of,
            versions=unit.schedules("acme").schedule_history("L1"),
            waterfall=settings.waterfall,
            penalty=settings.penalty,
            scheme=settings.buckets,
        )
    assert status == reference
    assert (row["dpd"], row["bucket"]) == (reference.dpd, reference.bucket)
    return row


def review(uow: UowFactory, as_of: date) -> list[tuple[str, str]]:
    report = plan_review.review_plans(
        uow=uow(), platform="acme", as_of=as_of, clock=LATER
    ).to_json()
    return [(d["plan_id"], d["status"]) for d in report["plans"]]


def test_a_plan_paid_on_time_brings_the_loan_to_m0(uow: UowFactory, tmp_path: Path) -> None:
    # Before the plan: nothing paid since the first due date, 2025-02-15.
    assert account(uow, date(2025, 6, 19))["dpd"] == (date(2025, 6, 19) - date(2025, 2, 15)).days
    accept_plan(uow, tmp_path)
    pay(uow, (INSTALLMENT, PLAN_FIRST_DUE), (INSTALLMENT, date(2025, 8, 15)))
    row = account(uow, date(2025, 8, 31))
    assert (row["dpd"], row["bucket"], row["installments_overdue"]) == (0, "M0", 0)
    assert row["overdue_minor"] == 0
    # The contract's arrears are no longer owed: the plan took over what was left.
    report = compute_delinquency(uow=uow(), platform="acme", as_of=date(2025, 8, 31))
    assert [(line.bucket, line.accounts) for line in report.buckets if line.accounts] == [("M0", 1)]


def test_a_missed_plan_installment_ages_from_its_own_due_date(
    uow: UowFactory, tmp_path: Path
) -> None:
    accept_plan(uow, tmp_path)
    pay(uow, (INSTALLMENT, PLAN_FIRST_DUE))
    second_due = date(2025, 8, 15)
    row = account(uow, date(2025, 9, 1))
    assert (row["dpd"], row["bucket"], row["installments_overdue"]) == (17, "M1", 1)
    assert account(uow, second_due + timedelta(days=5))["dpd"] == 5
    assert review(uow, second_due + timedelta(days=6)) == [("A1-1", "broken")]


def test_payments_before_the_plan_took_effect_do_not_count_towards_it(
    uow: UowFactory, tmp_path: Path
) -> None:
    """As the plan review counts them: a plan covers what was left on its start date."""
    accept_plan(uow, tmp_path)
    pay(uow, (INSTALLMENT, date(2025, 6, 19)))  # booked later, valued the day before
    assert account(uow, PLAN_FIRST_DUE + timedelta(days=5))["dpd"] == 5
    assert review(uow, PLAN_FIRST_DUE + timedelta(days=6)) == [("A1-1", "broken")]
    # Its reversal after the plan started reopens nothing of the plan.
    pay(uow, (INSTALLMENT, date(2025, 7, 1)), reverses="P1")
    pay(uow, ("650.00", date(2025, 7, 16)))  # a day late: with the day's penalty
    assert account(uow, date(2025, 7, 31))["dpd"] == 0


def test_re_aging_brings_the_account_current_from_its_date(uow: UowFactory, tmp_path: Path) -> None:
    """Paid three days late each month: kept within the plan's five days of grace, but the
    penalty (18 % a year from the first day) is taken first, so a little stays unpaid and
    the loan ages until the review re-ages it on 2025-10-15."""
    accept_plan(uow, tmp_path)
    late = [date(2025, month, 18) for month in (7, 8, 9, 10, 11)]
    pay(uow, *((INSTALLMENT, day) for day in late))
    before = account(uow, date(2025, 10, 14))
    assert before["dpd"] > 0
    assert review(uow, date(2025, 10, 15)) == [("A1-1", "reaged")]
    assert account(uow, date(2025, 10, 14)) == before  # the version is not in force yet
    on_the_day = account(uow, date(2025, 10, 15))
    assert (on_the_day["dpd"], on_the_day["bucket"], on_the_day["installments_overdue"]) == (
        0,
        "M0",
        0,
    )
    assert on_the_day["overdue_minor"] > 0  # brought current, nothing forgiven
    # From then on only installments due on or after 2025-10-15 age.
    assert account(uow, date(2025, 10, 17))["dpd"] == 2
    assert account(uow, date(2025, 10, 31))["dpd"] == (date(2025, 10, 31) - date(2025, 10, 15)).days


def test_the_cycle_stores_the_plan_schedules_delinquency(uow: UowFactory, tmp_path: Path) -> None:
    accept_plan(uow, tmp_path)
    pay(uow, (INSTALLMENT, PLAN_FIRST_DUE), (INSTALLMENT, date(2025, 8, 15)))
    day = date(2025, 8, 31)
    clock = FixedClock(datetime(2025, 8, 31, 14, 0, tzinfo=UTC))
    summary = cycle_under(
        uow=uow(), platform="acme", as_of=day, clock=clock, policy_file=SUPPORTIVE
    ).to_json()
    assert summary["counts"]["accounts"] == 1
    with uow() as unit:
        stored = unit.delinquency("acme").for_date(day)
    assert (stored["L1"].dpd, stored["L1"].bucket) == (0, "M0")
