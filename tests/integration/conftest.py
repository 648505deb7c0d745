"""Fixtures shared by the integration tests of plans and their review."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from tests.support import install_cast

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.borrowers import Borrower
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.schedules import build_schedule, terms_for

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@pytest.fixture
def acme_with_loan(uow_factory: UowFactory) -> UowFactory:
    """Platform ``acme`` with borrower B1 and a 12,000 CNY loan L1 at 12 % started
    2025-01-15; an empty platform ``other``."""
    terms = terms_for(
        principal=Money.of("12000"),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2025, 1, 15),
    )
    with uow_factory() as unit:
        for code in ("acme", "other"):
            unit.platforms.ensure(code, name=code, currency=CNY, settings={})
        unit.borrowers("acme").add_many([Borrower(platform="acme", borrower_id="B1", name="王")])
        unit.loans("acme").add_many([Loan("acme", "L1", "B1", terms, build_schedule(terms))])
        unit.commit()
    return uow_factory


@pytest.fixture(autouse=True)
def cast(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every platform these tests create gets ``tests.support.CAST`` as its users (the
    product acts only for stored users); ``@pytest.mark.own_users`` tests make their own."""
    if request.node.get_closest_marker("own_users") is None:
        install_cast(monkeypatch)
