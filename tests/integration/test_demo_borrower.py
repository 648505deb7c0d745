"""The demo borrower: one delinquent borrower per demo platform also gets the platform's
public demo number, chosen the same way on every run, so the borrower portal can be tried
(the demo's own numbers are made up and known to nobody)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.borrowers import Borrower
from tideover.domain.contacts import parse_phone
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.errors import NotFound
from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, Money
from tideover.domain.schedules import build_schedule, terms_for
from tideover.services.demo.people import DEMO_BORROWER_PHONES, ensure_demo_borrower

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
AS_OF = date(2026, 11, 30)
OWN_PHONE = "+8613912345678"
# loan → days past due on the last snapshot; B3 has a number of their own.
DPD = {"L1": 0, "L2": 45, "L5": 20, "L3": 10, "L4": 5}


def _book(
    uow_factory: UowFactory,
    platform: str,
    snapshot: bool = True,
    dpd: dict[str, int] | None = None,
) -> None:
    terms = terms_for(
        principal=Money.of("12000", CNY),
        annual_rate=Decimal("0.12"),
        term=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        start_date=date(2026, 1, 15),
    )
    with uow_factory() as uow:
        uow.platforms.ensure(platform, name=platform, currency="CNY", settings={})
        uow.borrowers(platform).add_many(
            [
                Borrower(
                    platform,
                    f"B{n}",
                    f"Borrower {n}",
                    phones=(parse_phone(OWN_PHONE),) if n == 3 else (),
                )
                for n in range(1, 6)
            ]
        )
        uow.loans(platform).add_many(
            [Loan(platform, f"L{n}", f"B{n}", terms, build_schedule(terms)) for n in range(1, 6)]
        )
        if snapshot:
            uow.delinquency(platform).replace(
                AS_OF,
                [
                    DelinquencyStatus(
                        loan_id=loan,
                        as_of=AS_OF,
                        dpd=days,
                        bucket="M0" if days == 0 else ("M1" if days <= 30 else "M2"),
                        oldest_unpaid_due=None,
                        overdue={},
                        outstanding_principal=Money.of("9000", CNY),
                    )
                    for loan, days in (dpd or DPD).items()
                ],
            )
        uow.commit()


def _phones(uow_factory: UowFactory, platform: str) -> dict[str, tuple[str, ...]]:
    with uow_factory() as uow:
        return {
            b.borrower_id: tuple(p.e164 for p in b.phones)
            for b in uow.borrowers(platform).list_all()
        }


def test_the_first_loan_in_early_arrears_gives_its_borrower_the_demo_number(
    uow_factory: UowFactory,
) -> None:
    _book(uow_factory, "demo-cn")
    chosen = ensure_demo_borrower(uow_factory=uow_factory, platform="demo-cn")
    assert chosen is not None
    # L3 (10 days) is the first by loan id in early arrears: L1 is current, L2 (45 days)
    # past early arrears.  B3's own number stays first; the demo number comes after it.
    assert chosen.borrower_id == "B3"
    assert chosen.phone == DEMO_BORROWER_PHONES["demo-cn"]
    phones = _phones(uow_factory, "demo-cn")
    assert phones["B3"] == (OWN_PHONE, DEMO_BORROWER_PHONES["demo-cn"])
    assert [b for b, p in phones.items() if p and b != "B3"] == []
    with uow_factory() as uow:  # the portal finds them by the number's keyed hash
        found = uow.borrowers("demo-cn").find_by_phone(DEMO_BORROWER_PHONES["demo-cn"])
    assert [b.borrower_id for b in found] == ["B3"]


def test_past_early_arrears_when_nobody_is_in_them(uow_factory: UowFactory) -> None:
    _book(uow_factory, "demo-cn", dpd={"L1": 0, "L2": 45, "L4": 31})
    chosen = ensure_demo_borrower(uow_factory=uow_factory, platform="demo-cn")
    assert chosen is not None
    assert chosen.borrower_id == "B2"


def test_a_rerun_finds_the_same_borrower_and_writes_nothing(uow_factory: UowFactory) -> None:
    _book(uow_factory, "demo-cn")
    first = ensure_demo_borrower(uow_factory=uow_factory, platform="demo-cn")
    before = _phones(uow_factory, "demo-cn")
    again = ensure_demo_borrower(uow_factory=uow_factory, platform="demo-cn")
    assert again == first
    assert _phones(uow_factory, "demo-cn") == before


def test_nobody_without_a_snapshot_or_a_demo_number(uow_factory: UowFactory) -> None:
    _book(uow_factory, "demo-cn", snapshot=False)
    assert ensure_demo_borrower(uow_factory=uow_factory, platform="demo-cn") is None
    _book(uow_factory, "acme")
    assert ensure_demo_borrower(uow_factory=uow_factory, platform="acme") is None
    assert all(p == () for b, p in _phones(uow_factory, "demo-cn").items() if b != "B3")


def test_a_phone_is_added_only_when_it_is_new_to_the_borrower(uow_factory: UowFactory) -> None:
    _book(uow_factory, "demo-us", snapshot=False)
    number = parse_phone(DEMO_BORROWER_PHONES["demo-us"])
    with uow_factory() as uow:
        borrowers = uow.borrowers("demo-us")
        assert borrowers.add_phone_if_new("B1", number) is True
        assert borrowers.add_phone_if_new("B1", number) is False
        assert borrowers.add_phone_if_new("B3", number) is True
        assert borrowers.add_phone_if_new("B3", parse_phone(OWN_PHONE)) is False
        with pytest.raises(NotFound):
            borrowers.add_phone_if_new("B9", number)
        uow.commit()
    phones = _phones(uow_factory, "demo-us")
    assert phones["B1"] == (DEMO_BORROWER_PHONES["demo-us"],)
    assert phones["B3"] == (OWN_PHONE, DEMO_BORROWER_PHONES["demo-us"])
    _book(uow_factory, "acme", snapshot=False)
    with uow_factory() as uow:  # one platform's number is nobody's on another
        assert uow.borrowers("acme").find_by_phone(DEMO_BORROWER_PHONES["demo-us"]) == []
