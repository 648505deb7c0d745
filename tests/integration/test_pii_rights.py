"""A borrower's access and erasure requests on real databases: the law decides what goes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.borrowers import Borrower, PhoneNumber
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.identity.users import add_user
from tideover.services.privacy.rights import erase_borrower, export_borrower, retention_report

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
pytestmark = pytest.mark.own_users
AT = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
NATIONAL_ID = "11010519491231002X"
PHONE = "+8613812345678"


def _loan(loan_id: str, borrower_id: str, start: date) -> Loan:
    terms = terms_for(
        principal=Money.of("1200"),
        annual_rate=Decimal("0.12"),
        term=3,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=start,
    )
    return Loan("acme", loan_id, borrower_id, terms, build_schedule(terms))


def _paid_in_full(loan: Loan) -> list[Payment]:
    return [
        Payment(
            "acme",
            f"{loan.loan_id}-P{i.number}",
            loan.loan_id,
            i.principal + i.interest + i.fees,
            i.due_date,
        )
        for i in loan.schedule.installments
    ]


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    """acme: B-OLD paid off in 2009, B-NEW paid off in 2026, B-OWES still owing."""
    people = [
        Borrower(
            platform="acme",
            borrower_id=b,
            name="王小明",
            national_id=NATIONAL_ID if b == "B-OLD" else None,
            phones=(PhoneNumber(PHONE, "CN", ("Asia/Shanghai",)),),
            address="北京市东城区某街 1 号",
            email="wang@example.com",
        )
        for b in ("B-OLD", "B-NEW", "B-OWES")
    ]
    old, new, owes = (
        _loan("L-OLD", "B-OLD", date(2009, 1, 15)),
        _loan("L-NEW", "B-NEW", date(2026, 1, 15)),
        _loan("L-OWES", "B-OWES", date(2026, 9, 15)),
    )
    with uow_factory() as unit:
        unit.platforms.ensure("acme", name="Acme", currency=CNY, settings={})
        unit.borrowers("acme").add_many(people)
        unit.loans("acme").add_many([old, new, owes])
        unit.payments("acme").add_many(_paid_in_full(old) + _paid_in_full(new))
        unit.commit()
    add_user(uow=uow_factory(), platform="acme", username="admin", roles=["platform_admin"], at=AT)
    for name, role in (("cco", "compliance_officer"), ("agent", "collector")):
        add_user(uow=uow_factory(), platform="acme", username=name, roles=[role], by="admin", at=AT)
    return uow_factory


def test_an_access_request_gets_everything_and_the_trail_keeps_none_of_it(
    uow: UowFactory, engine: Engine
) -> None:
    export = export_borrower(uow=uow(), platform="acme", borrower_id="B-OLD", by="cco", at=AT)
    assert export.identity.national_id == NATIONAL_ID
    assert [p.e164 for p in export.identity.phones] == [PHONE]
    assert [loan.loan_id for loan in export.loans] == ["L-OLD"]
    assert len(export.loans[0].payments) == 3
    with engine.connect() as connection:
        trail = " ".join(connection.execute(text("SELECT payload FROM audit_records")).scalars())
    for secret in (NATIONAL_ID, PHONE, "王小明"):
        assert secret not in trail


def test_only_a_compliance_officer_or_an_administrator_decides(uow: UowFactory) -> None:
    with pytest.raises(ValidationError):
        export_borrower(uow=uow(), platform="acme", borrower_id="B-OLD", by="agent", at=AT)


def test_no_erasure_while_a_loan_is_owed(uow: UowFactory) -> None:
    with pytest.raises(Conflict) as refused:
        erase_borrower(
            uow=uow(), platform="acme", borrower_id="B-OWES", by="cco", reason="R-1", at=AT
        )
    assert "still owed" in refused.value.en


def test_no_erasure_before_the_retention_period_has_run(uow: UowFactory) -> None:
    with pytest.raises(Conflict) as refused:
        erase_borrower(
            uow=uow(), platform="acme", borrower_id="B-NEW", by="cco", reason="R-2", at=AT
        )
    assert "2036-04-15" in refused.value.en  # ten years after the last due date
    assert "CN-RET-AML" in refused.value.en


def test_erasure_removes_what_identifies_the_borrower_and_keeps_the_accounts(
    uow: UowFactory, engine: Engine
) -> None:
    result = erase_borrower(
        uow=uow(), platform="acme", borrower_id="B-OLD", by="cco", reason="R-3", at=AT
    )
    assert result.phones_removed
    with uow() as unit:
        erased = unit.borrowers("acme").get("B-OLD")
        assert erased is not None
        assert (erased.name, erased.national_id, erased.phones, erased.email) == (
            "",
            None,
            (),
            None,
        )
        assert unit.borrowers("acme").find_by_national_id(NATIONAL_ID) == []
        assert len(unit.payments("acme").for_loan("L-OLD")) == 3  # the accounts stay
        assert unit.audit("acme").records()[-1].kind == "pii_erased"
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT name, address FROM borrowers WHERE borrower_id = 'B-OLD'")
        ).one()
    assert tuple(rows) == ("", "")


def test_the_retention_rules_cite_their_law(uow: UowFactory) -> None:
    report = retention_report(uow=uow(), platform="acme")
    assert report.jurisdiction == "CN"  # from the platform's currency, as none is set
    assert all(rule.sources for rule in report.rules)
    assert {rule.id for rule in report.rules} == {"CN-RET-AML", "CN-RET-PIPL"}
