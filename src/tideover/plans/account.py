"""Where an account stands on a date, in the terms a plan is built from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tideover.domain.allocation import Component, LoanPosition, position_as_of
from tideover.domain.loans import Frequency, Loan, RepaymentMethod
from tideover.domain.money import Currency, Money, total
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedules import due_dates


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """The current contract on ``as_of``: balances by component and what is still to pay."""

    loan_id: str
    currency: Currency
    as_of: date
    annual_rate: Decimal
    method: RepaymentMethod
    frequency: Frequency
    outstanding_principal: Money
    overdue_interest: Money
    overdue_fees: Money
    future_fees: Money
    penalty: Money
    remaining_installments: int  # unsettled installments, overdue or not
    regular_payment: Money  # the contract's usual installment
    next_due_date: date  # first plan due date before any shift or holiday
    dpd: int
    current_cashflows: tuple[tuple[date, Money], ...]  # what the contract asks, overdue on as_of

    @property
    def balance(self) -> Money:
        """Owed today: principal, overdue interest and fees, penalty (not future interest)."""
        return self.outstanding_principal + self.overdue_interest + self.overdue_fees + self.penalty

    @property
    def current_total(self) -> Money:
        """Everything the contract still asks for, future interest included."""
        return total((amount for _, amount in self.current_cashflows), self.currency)

    @property
    def current_maturity(self) -> date:
        return max((d for d, _ in self.current_cashflows), default=self.as_of)


def snapshot_of(loan: Loan, position: LoanPosition) -> AccountSnapshot:
    """The snapshot of ``loan`` from its replayed ``position``."""
    cur, as_of = position.currency, position.as_of
    overdue = [i for i in position.installments if i.due_date < as_of]
    future = [i for i in position.installments if i.due_date >= as_of]
    unsettled = [i for i in position.installments if i.outstanding_total.is_positive]
    overdue_total = total((i.outstanding_total for i in overdue), cur)
    flows = [(as_of, overdue_total)] if overdue_total.is_positive else []
    flows += [(i.due_date, i.outstanding_total) for i in future if i.outstanding_total.is_positive]
    installments = loan.schedule.installments
    regular = installments[0].total if installments else Money.zero(cur)
    oldest = position.oldest_unpaid_due_date
    next_due = min((i.due_date for i in future if i.due_date > as_of), default=None)
    if next_due is None:
        # Matured loan: the plan starts one period after the business date.
        next_due = due_dates(as_of, 2, loan.terms.frequency)[1]
    return AccountSnapshot(
        loan_id=loan.loan_id,
        currency=cur,
        as_of=as_of,
        annual_rate=loan.terms.annual_rate,
        method=loan.terms.method,
        frequency=loan.terms.frequency,
        outstanding_principal=position.outstanding_principal,
        overdue_interest=position.overdue(Component.INTEREST),
        overdue_fees=position.overdue(Component.FEES),
        future_fees=total((i.outstanding(Component.FEES) for i in future), cur),
        penalty=position.outstanding(Component.PENALTY),
        remaining_installments=max(len(unsettled), 1),
        regular_payment=regular,
        next_due_date=next_due,
        dpd=(as_of - oldest).days if oldest is not None else 0,
        current_cashflows=tuple(flows),
    )


def snapshot_for(
    loan: Loan, payments: Sequence[Payment], as_of: date, settings: PlatformSettings
) -> AccountSnapshot:
    """Replay ``payments`` with the platform's waterfall and penalty, then snapshot."""
    position = position_as_of(
        loan, payments, as_of, waterfall=settings.waterfall, penalty=settings.penalty
    )
    return snapshot_of(loan, position)
