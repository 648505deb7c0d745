"""One absurd payment never bricks a platform: refused at import, repairable once stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, ValidationError
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.services.portfolio.corrections import repair_payment
from tideover.services.portfolio.delinquency import compute_delinquency
from tideover.services.portfolio.imports import import_file

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
TODAY = date(2025, 6, 20)
CLOCK = FixedClock(datetime(2025, 6, 20, 3, 0, tzinfo=UTC))


def _payments_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "payments.csv"
    path.write_text("payment_id,loan_id,amount,paid_on\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def test_a_payment_far_beyond_the_loan_is_a_per_record_error(
    acme_with_loan: UowFactory, tmp_path: Path
) -> None:
    path = _payments_file(
        tmp_path,
        "P1,L1,1000.00,2025-02-15",
        "P2,L1,90000000.00,2025-03-15",  # far beyond a 12,000 loan
        "P3,L1,100.00,2024-12-31",  # before the loan started
    )
    result = import_file(uow=acme_with_loan(), platform="acme", kind="payments", path=path,
                         today=TODAY)  # fmt: skip
    assert not result.accepted
    rows = {e.row for e in result.report.errors}
    assert rows == {2, 3}
    with acme_with_loan() as uow:
        assert uow.payments("acme").for_loan("L1") == []  # all or nothing


def test_a_future_payment_needs_a_user_who_allows_it_and_is_audited(
    acme_with_loan: UowFactory, tmp_path: Path
) -> None:
    path = _payments_file(tmp_path, "P1,L1,1000.00,2025-07-15")
    refused = import_file(uow=acme_with_loan(), platform="acme", kind="payments", path=path,
                          today=TODAY)  # fmt: skip
    assert not refused.accepted
    allowed = import_file(uow=acme_with_loan(), platform="acme", kind="payments", path=path,
                          today=TODAY, future_payments_by="lead")  # fmt: skip
    assert allowed.accepted
    with acme_with_loan() as uow:
        kinds = [r.kind for r in uow.audit("acme").records()]
    assert "import_future_payments" in kinds


def test_a_poisoned_platform_is_repaired_by_reversing_the_bad_payment(
    acme_with_loan: UowFactory,
) -> None:
    # Stored before the bounds existed: 90,000,000,000,000,000.00 on a 12,000 loan.
    absurd = Payment("acme", "BAD", "L1", Money(9 * 10**18, Money.of("1").currency),
                     date(2025, 3, 15))  # fmt: skip
    with acme_with_loan() as uow:
        uow.payments("acme").add_many([absurd])
        uow.commit()
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever it raised, it was stuck
        compute_delinquency(uow=acme_with_loan(), platform="acme", as_of=TODAY)
    repaired = repair_payment(
        uow=acme_with_loan(), platform="acme", payment_id="BAD", by="lead",
        reason="keyed 90e15 instead of 900.00", amount=Decimal("900.00"), clock=CLOCK,
    )  # fmt: skip
    assert (repaired.reversal, repaired.corrected_payment) == ("BAD-R", "BAD-C")
    report = compute_delinquency(uow=acme_with_loan(), platform="acme", as_of=TODAY)
    assert report.open_accounts == 1
    with acme_with_loan() as uow:
        [record] = [r for r in uow.audit("acme").records() if r.kind == "payment_repaired"]
    assert record.payload["by"] == "lead"
    assert record.payload["reason"] == "keyed 90e15 instead of 900.00"
    with pytest.raises(Conflict):  # once
        repair_payment(uow=acme_with_loan(), platform="acme", payment_id="BAD", by="lead",
                       reason="again", clock=CLOCK)  # fmt: skip


def test_a_correction_is_checked_like_an_import(acme_with_loan: UowFactory) -> None:
    with acme_with_loan() as uow:
        uow.payments("acme").add_many([Payment("acme", "P1", "L1", Money.of("500"),
                                               date(2025, 2, 15))])  # fmt: skip
        uow.commit()
    with pytest.raises(ValidationError):  # before the loan started
        repair_payment(uow=acme_with_loan(), platform="acme", payment_id="P1", by="lead",
                       reason="wrong day", paid_on=date(2024, 1, 1), clock=CLOCK)  # fmt: skip
    with pytest.raises(ValidationError):  # only stored users repair payments
        repair_payment(uow=acme_with_loan(), platform="acme", payment_id="P1", by="nobody",
                       reason="x", clock=CLOCK)  # fmt: skip
    with acme_with_loan() as uow:
        assert [p.payment_id for p in uow.payments("acme").for_loan("L1")] == ["P1"]
