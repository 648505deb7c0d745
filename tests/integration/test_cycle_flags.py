"""The cycle's account flags read from the working tables, on both databases.

Each flag is set by the service a person would use (a hardship application, a
promise, a dispute hold, a contact) and read back through ``load_flags`` and
``with_flags`` as the features stage sees it; a second loan with nothing on
record keeps every default.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.contacts import ActorRole, Attempt, Channel, HoldKind, Outcome, Target
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import FixedClock
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import Money
from tideover.domain.schedules import build_schedule, terms_for
from tideover.plans.lifecycle import Outcome as PromiseOutcome
from tideover.services.compliance.checks import record_contact
from tideover.services.compliance.holds import add_hold
from tideover.services.cycle.flags import FLAG_COLUMNS, load_flags, with_flags
from tideover.services.plans import hardship as hardship_service
from tideover.services.plans import promises as promise_service

UowFactory = Callable[[], SqlAlchemyUnitOfWork]

AS_OF = date(2025, 6, 20)
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))  # 11:00 in Shanghai
ZONE = "Asia/Shanghai"


@pytest.fixture
def acme(acme_with_loan: UowFactory) -> UowFactory:
    """``acme`` with L1 (borrower B1) and a quiet second loan L2 (borrower B2)."""
    terms = terms_for(
        principal=Money.of("5000"),
        annual_rate=Decimal("0.10"),
        term=6,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 2, 1),
    )
    with acme_with_loan() as unit:
        unit.borrowers("acme").add_many([Borrower(platform="acme", borrower_id="B2", name="李")])
        unit.loans("acme").add_many([Loan("acme", "L2", "B2", terms, build_schedule(terms))])
        unit.commit()
    return acme_with_loan


def _accounts() -> pa.Table:
    return pa.table({"account_id": ["L1", "L2"], "borrower_id": ["B1", "B2"]})


def _flags(uow: UowFactory, as_of: date = AS_OF) -> dict[str, list[object]]:
    flags = load_flags(uow(), "acme", as_of, ZONE)
    table = with_flags(_accounts(), flags, as_of=as_of, time_zone=ZONE)
    return {name: table[name].to_pylist() for name in FLAG_COLUMNS}


def test_nothing_on_record_keeps_every_default(acme: UowFactory) -> None:
    assert _flags(acme) == {
        "hardship_flag": [False, False],
        "vulnerable_flag": [False, False],
        "dispute_flag": [False, False],
        "promise_active": [False, False],
        "broken_promises": [0, 0],
        "days_since_last_contact": [None, None],
    }


def test_each_record_sets_its_flag_on_its_own_loan_only(acme: UowFactory) -> None:
    hardship_service.apply_for_hardship(
        uow=acme(),
        platform="acme",
        data={
            "application_id": "A1",
            "loan_id": "L1",
            "submitted_on": "2025-06-20",
            "reason": "unemployment",
            "description": "Laid off in May.",
            "expected_duration_months": 3,
            "income": {"benefits": "3000"},
            "expenses": {"food_and_housekeeping": "1200"},
            "dependants": 0,
            "vulnerable": True,
        },
        clock=CLOCK,
    )
    promise_service.record_promise(
        uow=acme(), platform="acme", loan_id="L1", amount="500", due=date(2025, 6, 25), by="agent"
        , clock=CLOCK,
    )  # fmt: skip
    add_hold(
        uow=acme(),
        platform="acme",
        borrower_id="B1",
        kind=HoldKind.DISPUTE,
        reason="disputes the fee",
        by="agent-7",
        start=datetime(2025, 6, 1, tzinfo=UTC),
        clock=CLOCK,
    )
    # Reached on the 17th at 23:30 Shanghai time (15:30 UTC): three local days before.
    attempt = Attempt(
        borrower_id="B1",
        debt_id="L1",
        channel=Channel.CALL,
        actor=ActorRole.CREDITOR,
        target=Target.DEBTOR,
        planned_at=datetime(2025, 6, 17, 15, 30, tzinfo=UTC),
    )
    record_contact(
        uow=acme(), platform="acme", attempt=attempt, outcome=Outcome.CONVERSATION, clock=CLOCK
    )
    unanswered = Attempt(
        borrower_id="B2",
        debt_id="L2",
        channel=Channel.CALL,
        actor=ActorRole.CREDITOR,
        target=Target.DEBTOR,
        planned_at=datetime(2025, 6, 19, 2, 0, tzinfo=UTC),
    )
    record_contact(
        uow=acme(), platform="acme", attempt=unanswered, outcome=Outcome.NO_ANSWER, clock=CLOCK
    )
    assert _flags(acme) == {
        "hardship_flag": [True, False],
        "vulnerable_flag": [True, False],
        "dispute_flag": [True, False],
        "promise_active": [True, False],
        "broken_promises": [0, 0],
        "days_since_last_contact": [3, None],  # nobody answered B2: never reached
    }


def test_a_broken_promise_counts_for_ninety_days(acme: UowFactory) -> None:
    promise_service.record_promise(
        uow=acme(), platform="acme", loan_id="L1", amount="500", due=date(2025, 6, 22), by="agent",
        clock=CLOCK,
    )  # fmt: skip
    with acme() as unit:
        [stored] = unit.promises("acme").promises("L1")
        unit.promises("acme").decide_promise(
            stored.promise.promise_id, PromiseOutcome.BROKEN, date(2025, 6, 23)
        )
        unit.commit()
    assert _flags(acme, date(2025, 6, 23))["broken_promises"] == [1, 0]
    assert _flags(acme, date(2025, 6, 23))["promise_active"] == [False, False]
    assert _flags(acme, date(2025, 9, 20))["broken_promises"] == [1, 0]  # day 89
    assert _flags(acme, date(2025, 9, 21))["broken_promises"] == [0, 0]  # day 90: out
