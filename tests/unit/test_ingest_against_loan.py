"""A payment against its loan: not before the start, not beyond twice the schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tideover.domain.loans import Loan, RepaymentMethod
from tideover.domain.money import CNY, USD, Money
from tideover.domain.payments import Payment
from tideover.domain.schedules import build_schedule, terms_for
from tideover.ingest.against_loan import (
    net_paid,
    paid_before_start,
    payment_ceiling,
    payment_loan_errors,
    payments_against_loans,
)

TERMS = terms_for(
    principal=Money.of("12000"),
    annual_rate=Decimal("0.12"),
    term=12,
    method=RepaymentMethod.EQUAL_INSTALLMENT,
    start_date=date(2025, 1, 15),
)
LOAN = Loan("acme", "L1", "B1", TERMS, build_schedule(TERMS))
CEILING = payment_ceiling(LOAN)


def _payment(
    amount: str, paid_on: date = date(2025, 3, 1), pid: str = "P1", reverses: str | None = None
) -> Payment:
    return Payment("acme", pid, "L1", Money.of(amount), paid_on, reverses)


def test_the_ceiling_is_twice_the_schedule_total() -> None:
    assert Money(LOAN.schedule.total_due.minor * 2, CNY) == CEILING
    assert Money.of("25000") < CEILING < Money.of("28000")


def test_the_absurd_payment_of_the_issue_is_refused_naming_the_loan() -> None:
    errors = payment_loan_errors(4, _payment("90000000000000000.00"), LOAN)
    assert [(e.row, e.field, e.code) for e in errors] == [(4, "amount", "beyond_loan_ceiling")]
    assert "L1" in errors[0].reason_en
    assert "L1" in errors[0].reason_zh


def test_a_payment_before_the_loan_started_is_refused() -> None:
    early = _payment("100", paid_on=date(2025, 1, 14))
    assert paid_before_start(early, LOAN)
    errors = payment_loan_errors(1, early, LOAN)
    assert [(e.field, e.code) for e in errors] == [("paid_on", "before_loan_start")]
    assert not paid_before_start(_payment("100", paid_on=date(2025, 1, 15)), LOAN)


def test_year_one_is_before_any_loan() -> None:
    errors = payment_loan_errors(1, _payment("100", paid_on=date(1, 1, 1)), LOAN)
    assert [e.code for e in errors] == ["before_loan_start"]


def test_an_ordinary_overpayment_is_accepted() -> None:
    assert payment_loan_errors(1, _payment(str(LOAN.schedule.total_due.amount + 500)), LOAN) == []


def test_what_was_paid_before_counts_and_reversals_give_it_back() -> None:
    half = Money(CEILING.minor // 2, CNY)
    stored = [_payment(str(half.amount), pid="S1"), _payment(str(half.amount), pid="S2")]
    assert net_paid(stored, CNY) == Money(half.minor * 2, CNY)
    assert payment_loan_errors(1, _payment("1.00"), LOAN, paid_before=net_paid(stored, CNY)) != []
    reversal = _payment(str(half.amount), pid="R1", reverses="S2")
    assert net_paid([*stored, reversal], CNY) == half
    # A reversal takes money back: never over the ceiling.
    assert payment_loan_errors(1, reversal, LOAN, paid_before=CEILING) == []


def test_a_file_counts_its_own_earlier_rows() -> None:
    near = Money(CEILING.minor - 100, CNY)
    rows = [
        (1, _payment(str(near.amount), pid="P1")),
        (2, _payment("0.50", pid="P2")),
        (3, _payment("0.51", pid="P3")),  # 1.01 more than P1 and P2 leave room for
        (4, _payment("0.01", pid="P4", paid_on=date(2024, 12, 31))),
        (5, Payment("acme", "P5", "L404", Money.of("1"), date(2025, 3, 1))),  # unknown loan
    ]
    errors = payments_against_loans(rows, {"L1": LOAN})
    assert [(e.row, e.code) for e in errors] == [
        (3, "beyond_loan_ceiling"),
        (4, "before_loan_start"),
    ]


def test_a_payment_in_another_currency_is_left_to_the_currency_check() -> None:
    dollars = Payment("acme", "P1", "L1", Money.of("90000000", USD), date(2025, 3, 1))
    assert payment_loan_errors(1, dollars, LOAN) == []


@given(st.integers(min_value=1, max_value=10**12))
def test_a_single_payment_is_refused_exactly_when_it_passes_the_ceiling(minor: int) -> None:
    payment = Payment("acme", "P1", "L1", Money(minor, CNY), date(2025, 3, 1))
    assert bool(payment_loan_errors(1, payment, LOAN)) == (minor > CEILING.minor)
