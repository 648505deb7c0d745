"""A payment checked against its stored loan: not before the loan, not beyond what it can owe.

Pure, but it needs the stored loans, so the import service calls it on the
payments that passed :func:`tideover.ingest.validate.validate_payments`
and whose loan exists (services/portfolio/imports.py).

Why a ceiling at all: one payment of 90,000,000,000,000,000.00 on a 12,000
loan was once accepted, and every later delinquency run of the platform
failed on an integer overflow that named no loan.  A payment can legitimately
exceed the schedule (penalty interest and late fees accrue on top of it), but
not by an unbounded amount: what a loan can ever be owed is its schedule's
principal, interest and fees plus penalty and fees for late payment.  Those are
bounded by law: in China the Supreme People's Court caps overdue interest,
penalty and other fees of private lending together at four times the one-year
LPR a year (Provisions on Private Lending Cases, 2020 revision, art. 29), and
lets courts cut whatever a financial loan charges in interest, compound
interest, penalty and fees above 24 % a year (法发〔2017〕22号, art. 2).  So
*twice the schedule's total* leaves room for years of late payment on any real
loan while refusing the absurd.  A payment beyond it is a per-record error: it
is held back for a person to look at, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tideover.domain.loans import Loan
from tideover.domain.money import Currency, Money
from tideover.domain.payments import Payment
from tideover.i18n import N_, Wording
from tideover.ingest.report import RowError

OVERPAYMENT_FACTOR = 2  # a loan may receive at most twice its schedule's total


def payment_ceiling(loan: Loan) -> Money:
    """The most a loan can ever be paid in total: twice principal + interest + fees."""
    return Money(loan.schedule.total_due.minor * OVERPAYMENT_FACTOR, loan.schedule.currency)


def paid_before_start(payment: Payment, loan: Loan) -> bool:
    """True when the payment's value date is before the loan was disbursed."""
    return payment.paid_on < loan.terms.start_date


def net_paid(payments: Iterable[Payment], currency: Currency) -> Money:
    """What ``payments`` of one loan add up to, each reversal taking its amount back."""
    minor = 0
    for payment in payments:
        minor += -payment.amount.minor if payment.reverses else payment.amount.minor
    return Money(minor, currency)


def payment_loan_errors(
    row: int, payment: Payment, loan: Loan, *, paid_before: Money | None = None
) -> list[RowError]:
    """The problems of ``payment`` against ``loan``; ``paid_before`` is what the loan
    has already received (net of reversals), stored or earlier in the same file.

    A reversal is checked for its date only: it takes money back.  A payment in
    another currency than the loan's is left to the caller's currency check.
    """
    errors: list[RowError] = []
    if paid_before_start(payment, loan):
        start = loan.terms.start_date
        errors.append(
            RowError.of(
                row,
                "paid_on",
                payment.paid_on.isoformat(),
                Wording(
                    N_("paid_on %(paid_on)s is before loan %(loan_id)s started on %(start)s"),
                    paid_on=payment.paid_on,
                    loan_id=loan.loan_id,
                    start=start,
                ),
                code="before_loan_start",
            )
        )
    currency = loan.schedule.currency
    if payment.reverses or payment.amount.currency != currency:
        return errors
    ceiling = payment_ceiling(loan)
    before = paid_before if paid_before is not None else Money.zero(currency)
    if before + payment.amount > ceiling:
        errors.append(
            RowError.of(
                row,
                "amount",
                str(payment.amount.amount),
                Wording(
                    N_(
                        "amount %(amount)s would bring loan %(loan_id)s's payments to "
                        "%(before)s, more than twice its schedule's total (%(ceiling)s); an "
                        "overpayment this large must be checked before it is imported"
                    ),
                    amount=payment.amount,
                    loan_id=loan.loan_id,
                    before=before + payment.amount,
                    ceiling=ceiling,
                ),
                code="beyond_loan_ceiling",
            )
        )
    return errors


def payments_against_loans(
    payments: Sequence[tuple[int, Payment]],
    loans: Mapping[str, Loan],
    *,
    paid_before: Mapping[str, Money] | None = None,
) -> list[RowError]:
    """Every problem of a file's ``payments`` (row, payment) against their ``loans``.

    Rows are taken in order and each accepted payment counts towards its loan's
    ceiling for the rows after it; ``paid_before`` maps a loan id to what is
    already stored for it (:func:`net_paid` of the stored payments).  Payments
    whose loan is not in ``loans`` are skipped (the caller reports unknown loans).
    """
    running: dict[str, Money] = dict(paid_before or {})
    errors: list[RowError] = []
    for row, payment in sorted(payments, key=lambda item: item[0]):
        loan = loans.get(payment.loan_id)
        if loan is None:
            continue
        found = payment_loan_errors(row, payment, loan, paid_before=running.get(loan.loan_id))
        errors.extend(found)
        if not found and payment.amount.currency == loan.schedule.currency:
            before = running.get(loan.loan_id, Money.zero(loan.schedule.currency))
            signed = -payment.amount if payment.reverses else payment.amount
            running[loan.loan_id] = before + signed
    return errors
