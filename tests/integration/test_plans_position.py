"""A hardship application on a loan that already had a plan, on SQLite and PostgreSQL.

A loan whose plan is open (offered, accepted, active) is refused a second one,
at the application and wherever options are priced; a loan whose plan broke,
or that was re-aged and whose plan then ended, is priced on its schedule in
force (``services.plans.position``), never on its contract.  Every refusal is
checked to leave the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.plans import OptionsResult
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import relief as relief_service
from tideover.services.plans import reoffer as reoffer_service
from tideover.services.plans import review as plan_review
from tideover.services.plans.options import plan_options
from tideover.services.plans.position import LoanHasOpenPlan, load_for_relief
from tideover.services.plans.results import InstallmentRow
from tideover.services.platforms import settings_of

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
TABLES = ("hardship_applications", "hardship_evidence", "relief_plans", "plan_approvals",
          "schedule_versions", "audit_records", "audit_heads")  # fmt: skip
START = date(2025, 6, 20)  # A1's plan on L1 offered (and, automatic, accepted)
# term-22 of the 12,000 CNY loan at 12 %: 22 installments of 640.44 from 2025-07-15.
INSTALLMENT = "640.44"


def on(day: date) -> FixedClock:
    """11:00 in Asia/Shanghai on ``day``: the platform's business date is ``day``."""
    return FixedClock(datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC))


@pytest.fixture
def uow(acme_with_loan: UowFactory) -> UowFactory:
    return acme_with_loan


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in TABLES
        }


def apply(uow: UowFactory, application_id: str, day: date, *, review: bool = True) -> None:
    data = {
        "application_id": application_id,
        "loan_id": "L1",
        "submitted_on": day.isoformat(),
        "reason": "illness_injury",
        "description": "In hospital for two months.",
        "expected_duration_months": 4,
        "income": {"benefits": "5200"},
        "expenses": {"home_and_contents": "1200", "food_and_housekeeping": "1400"},
        "dependants": 1,
    }
    hardship_service.apply_for_hardship(uow=uow(), platform="acme", data=data, clock=on(day))
    if review:
        hardship_service.review_application(
            uow=uow(), platform="acme", application_id=application_id, by="r", clock=on(day)
        )


def offer(uow: UowFactory, application_id: str, option: str, day: date) -> str:
    return relief_service.offer_plan(
        uow=uow(), platform="acme", application_id=application_id, loan_id="L1",
        option_id=option, by="collector1", clock=on(day),
    ).plan_id  # fmt: skip


def active_plan(uow: UowFactory) -> list[InstallmentRow]:
    """A1's plan A1-1 (term-22, approved by the system) active on L1: its schedule rows."""
    apply(uow, "A1", START)
    plan_id = offer(uow, "A1", "term-22", START)
    accepted = relief_service.accept_plan(
        uow=uow(), platform="acme", plan_id=plan_id, clock=on(START)
    )
    return accepted.schedule


def pay(uow: UowFactory, *days: date) -> None:
    with uow() as unit:
        count = len(unit.payments("acme").for_loan("L1"))
        unit.payments("acme").add_many(
            [
                Payment("acme", f"P{count + n}", "L1", Money.of(INSTALLMENT), day)
                for n, day in enumerate(days, start=1)
            ]
        )
        unit.commit()


def options(uow: UowFactory, application_id: str, day: date) -> OptionsResult:
    return relief_service.options_for_application(
        uow=uow(), platform="acme", application_id=application_id, loan_id="L1", clock=on(day)
    )


def on_contract(uow: UowFactory, application_id: str, day: date) -> OptionsResult:
    """The options the loan's contract and all its payments would give (the old pricing)."""
    with uow() as unit:
        loan = unit.loans("acme").get("L1")
        assert loan is not None
        return plan_options(
            loan=loan,
            payments=unit.payments("acme").for_loan("L1"),
            settings=settings_of(unit, "acme"),
            application=unit.applications("acme").require_application(application_id).application,
            as_of=day,
        )


@pytest.mark.parametrize("accepted", [False, True], ids=["offered", "active"])
def test_an_application_on_a_loan_with_an_open_plan_is_refused(
    uow: UowFactory, engine: Engine, accepted: bool
) -> None:
    apply(uow, "A1", START)
    # term-36 waits for a team lead's approval; term-22 is approved by the system.
    plan_id = offer(uow, "A1", "term-22" if accepted else "term-36", START)
    if accepted:
        relief_service.accept_plan(uow=uow(), platform="acme", plan_id=plan_id, clock=on(START))
    status = "active" if accepted else "offered"
    later = START + timedelta(days=3)
    before = state(engine)
    with pytest.raises(LoanHasOpenPlan) as caught:
        apply(uow, "A2", later, review=False)
    assert caught.value.code == "loan_has_open_plan"
    assert caught.value.exit_code == 1
    assert f"loan 'L1' already has plan 'A1-1' ({status}, application 'A1')" in caught.value.en
    assert "cancel it first" in caught.value.en
    assert "已有还款方案 'A1-1'" in caught.value.zh
    assert "先取消该方案" in caught.value.zh
    assert state(engine) == before


def test_an_application_already_stored_is_refused_when_priced(
    uow: UowFactory, engine: Engine
) -> None:
    apply(uow, "A1", START)
    apply(uow, "A2", START)  # both before any plan: both stored
    offer(uow, "A1", "term-36", START)  # open, awaiting approval
    before = state(engine)
    with pytest.raises(LoanHasOpenPlan, match="already has plan 'A1-1'"):
        options(uow, "A2", START)
    with pytest.raises(LoanHasOpenPlan, match="already has plan 'A1-1'"):
        offer(uow, "A2", "term-22", START)
    assert state(engine) == before
    relief_service.cancel_plan(
        uow=uow(), platform="acme", plan_id="A1-1", by="lead", reason="replaced", clock=on(START)
    )
    # The offer was never accepted: the loan is still on its contract.
    assert offer(uow, "A2", "term-22", START) == "A2-1"


def test_a_loan_whose_plan_broke_is_priced_on_the_plan(uow: UowFactory, engine: Engine) -> None:
    first = active_plan(uow)
    pay(uow, *(row.due_date for row in first[:3]))
    day = first[3].due_date + timedelta(days=6)
    plan_review.review_plans(uow=uow(), platform="acme", as_of=day, clock=on(day))
    apply(uow, "A2", day)  # a broken plan is not open: the borrower may apply again

    with uow() as unit:
        position = load_for_relief(unit, "acme", "L1", day)
    assert position.in_force is not None
    assert (position.in_force.version, position.in_force.payments_from) == (2, START)
    assert position.open_plan is None
    assert len(position.payments) == 3
    result = options(uow, "A2", day)
    # Three of the plan's installments kept, the fourth six days late: the plan's
    # principal after its third installment, six days past due.
    snapshot = result.snapshot
    assert snapshot.outstanding_principal.amount == first[2].remaining_principal
    assert snapshot.dpd == 6
    assert snapshot.regular_payment == Money.of(INSTALLMENT)
    contract = on_contract(uow, "A2", day).snapshot
    assert contract.outstanding_principal != snapshot.outstanding_principal
    assert contract.dpd > 60  # the contract's arrears, which the plan had replaced

    plan_id = offer(uow, "A2", result.offered[0].option.option_id, day)
    assert plan_id == "A2-1"
    # With A2-1 open, the broken plan is not re-offered on top of it.
    before = state(engine)
    with pytest.raises(LoanHasOpenPlan, match="already has plan 'A2-1'"):
        reoffer_service.reoffer_plan(
            uow=uow(), platform="acme", plan_id="A1-1", by="collector1", clock=on(day)
        )
    assert state(engine) == before


def test_a_re_aged_loan_is_priced_on_its_re_aged_schedule(uow: UowFactory) -> None:
    first = active_plan(uow)
    pay(uow, *(date(2025, 7 + m, 15) for m in range(4)))
    reaged_on = date(2025, 10, 15)  # four kept, nine months on book: FFIEC allows it
    report = plan_review.review_plans(
        uow=uow(), platform="acme", as_of=reaged_on, clock=on(reaged_on)
    )
    assert [d.status for d in report.plans] == ["reaged"]
    day = date(2025, 10, 20)
    relief_service.cancel_plan(  # the borrower's income fell again: the plan is ended first
        uow=uow(), platform="acme", plan_id="A1-1", by="lead", reason="new hardship",
        clock=on(day),
    )  # fmt: skip
    apply(uow, "A2", day)

    with uow() as unit:
        position = load_for_relief(unit, "acme", "L1", day)
    assert position.in_force is not None
    assert (position.in_force.version, position.ages_from) == (3, reaged_on)
    result = options(uow, "A2", day)
    snapshot = result.snapshot
    assert snapshot.outstanding_principal.amount == first[3].remaining_principal
    assert snapshot.dpd == 0
    assert on_contract(uow, "A2", day).snapshot.dpd > 0

    plan_id = offer(uow, "A2", result.offered[0].option.option_id, day)
    shown = relief_service.show_plan(uow=uow(), platform="acme", plan_id=plan_id)
    if shown.approval.approved_by is None:  # approved at once when within the automatic limits
        relief_service.approve_plan(
            uow=uow(), platform="acme", plan_id=plan_id, by="boss", role="manager", clock=on(day)
        )
    relief_service.accept_plan(uow=uow(), platform="acme", plan_id=plan_id, clock=on(day))
    with uow() as unit:
        history = unit.schedules("acme").schedule_history("L1")
    assert [(v.version, v.reason, v.effective_from) for v in history] == [
        (1, "contract", date(2025, 1, 15)),
        (2, "plan term-22", START),
        (3, "re-aged", reaged_on),
        (4, f"plan {result.offered[0].option.option_id}", day),
    ]
