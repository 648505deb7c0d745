"""Allocating payments to installments (the waterfall) and replaying a loan.

A loan's position on a date is rebuilt by replaying its payments in value-date
order, accruing penalty between them.  Replaying from scratch (rather than
patching a stored state) is what makes a reversal restore the earlier state
exactly and keeps the daily cycle idempotent.

The penalty component of an installment holds both penalty interest and the
late fee; neither keeps an installment unsettled (only principal, interest
and scheduled fees do), but the waterfall collects them like any component.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from tideover.domain.delinquency import PausePeriod, days_past_due
from tideover.domain.errors import CurrencyMismatch, ValidationError
from tideover.domain.loans import Installment, Loan
from tideover.domain.money import Currency, Money, round_half_up, total
from tideover.domain.payments import Payment
from tideover.domain.penalty import NO_PENALTY, PenaltyPolicy, penalty_interest_exact
from tideover.i18n import N_


class Component(StrEnum):
    """The parts of an installment a payment can settle."""

    PENALTY = "penalty"
    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


SCHEDULED = (Component.PRINCIPAL, Component.INTEREST, Component.FEES)
"""Components that must be paid for an installment to count as settled."""


@dataclass(frozen=True, slots=True)
class Waterfall:
    """The order in which a payment settles components and installments."""

    components: tuple[Component, ...] = (
        Component.PENALTY,
        Component.FEES,
        Component.INTEREST,
        Component.PRINCIPAL,
    )
    installment_order: Literal["oldest-first", "newest-first"] = "oldest-first"
    mode: Literal["installment-first", "component-first"] = "installment-first"

    def __post_init__(self) -> None:
        try:
            given = tuple(Component(c) for c in self.components)
        except ValueError as exc:
            raise ValidationError(N_("unknown waterfall component: %(exc)s"), exc=exc) from None
        object.__setattr__(self, "components", given)  # accept plain strings from settings
        if sorted(given) != sorted(Component):
            raise ValidationError(
                N_("waterfall must list each of %(component)s once, got %(given)s"),
                component=tuple(Component),
                given=given,
            )
        if self.installment_order not in ("oldest-first", "newest-first"):
            raise ValidationError(
                N_("unknown installment order %(installment_order)s"),
                installment_order=repr(self.installment_order),
            )
        if self.mode not in ("installment-first", "component-first"):
            raise ValidationError(N_("unknown waterfall mode %(mode)s"), mode=repr(self.mode))


DEFAULT_WATERFALL = Waterfall()


@dataclass(frozen=True, slots=True)
class InstallmentPosition:
    """One installment: what is owed and paid, by component, on the position date.

    ``scheduled[PENALTY]`` is penalty interest plus late fee accrued so far.
    """

    number: int
    due_date: date
    scheduled: dict[Component, Money]
    paid: dict[Component, Money]
    settled_on: date | None

    def outstanding(self, component: Component) -> Money:
        return self.scheduled[component] - self.paid[component]

    @property
    def outstanding_total(self) -> Money:
        return total(
            (self.outstanding(c) for c in Component), self.scheduled[Component.PRINCIPAL].currency
        )


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """The part of one payment that settled one component of one installment."""

    payment_id: str
    installment_number: int
    component: Component
    amount: Money


@dataclass(frozen=True, slots=True)
class LoanPosition:
    """A loan replayed up to ``as_of``; ``overpayment`` is credit left after paying all."""

    loan_id: str
    currency: Currency
    as_of: date
    installments: tuple[InstallmentPosition, ...]
    lines: tuple[AllocationLine, ...]
    overpayment: Money

    def outstanding(self, component: Component) -> Money:
        """Unpaid ``component`` over all installments, due or not."""
        return total((i.outstanding(component) for i in self.installments), self.currency)

    @property
    def outstanding_principal(self) -> Money:
        return self.outstanding(Component.PRINCIPAL)

    @property
    def outstanding_total(self) -> Money:
        return total((i.outstanding_total for i in self.installments), self.currency)

    def overdue(self, component: Component) -> Money:
        """Unpaid ``component`` of installments due before ``as_of`` (penalty accrued to it)."""
        return total(
            (i.outstanding(component) for i in self.installments if i.due_date < self.as_of),
            self.currency,
        )

    @property
    def oldest_unpaid_due_date(self) -> date | None:
        """Due date of the oldest installment due before ``as_of`` and not settled."""
        unpaid = [
            i.due_date
            for i in self.installments
            if i.due_date < self.as_of and i.settled_on is None
        ]
        return min(unpaid, default=None)

    def oldest_unpaid_due_since(self, first: date) -> date | None:
        """Like ``oldest_unpaid_due_date``, among installments due on or after ``first``."""
        unpaid = [
            i.due_date
            for i in self.installments
            if first <= i.due_date < self.as_of and i.settled_on is None
        ]
        return min(unpaid, default=None)

    @property
    def paid_total(self) -> Money:
        return total((line.amount for line in self.lines), self.currency) + self.overpayment


# -- replay -------------------------------------------------------------------------


@dataclass(slots=True)
class _Working:
    """Mutable state of one installment during a replay."""

    number: int
    due_date: date
    owed: dict[Component, int]
    paid: dict[Component, int] = field(default_factory=lambda: dict.fromkeys(Component, 0))
    settled_on: date | None = None
    exact_penalty: Decimal = Decimal(0)
    late_fee: int = 0
    penalised_days: int = 0
    overdue_days: int = 0

    @classmethod
    def of(cls, installment: Installment) -> _Working:
        owed = {
            Component.PRINCIPAL: installment.principal.minor,
            Component.INTEREST: installment.interest.minor,
            Component.FEES: installment.fees.minor,
            Component.PENALTY: 0,
        }
        return cls(installment.number, installment.due_date, owed)

    def left(self, component: Component) -> int:
        return self.owed[component] - self.paid[component]

    def is_settled(self) -> bool:
        return all(self.left(c) <= 0 for c in SCHEDULED)

    def accrue(self, day: date, policy: PenaltyPolicy, pauses: Sequence[PausePeriod]) -> None:
        """Accrue penalty for the overdue days since the last accrual, up to ``day``."""
        if day <= self.due_date or self.settled_on is not None:
            # Not yet overdue, or settled for good (only a replay undoes a
            # settlement): nothing can accrue, and most installments are here.
            return
        overdue = days_past_due(self.due_date, day, pauses)
        days = policy.penalised_days(overdue) - self.penalised_days
        base = self.left(Component.PRINCIPAL)
        if policy.includes_overdue_interest:
            base += self.left(Component.INTEREST)
        if days > 0 and base > 0:
            self.exact_penalty += penalty_interest_exact(Money(base), days, policy)
        fee = policy.late_fee
        crossed = self.overdue_days <= policy.late_fee_threshold < overdue
        if fee is not None and crossed and not self.is_settled():
            self.late_fee = fee.minor
        self.penalised_days += max(days, 0)
        self.overdue_days = max(overdue, self.overdue_days)
        # Rounded once over the exact total, so splitting the accrual at payment
        # dates adds no rounding of its own.
        self.owed[Component.PENALTY] = int(round_half_up(self.exact_penalty)) + self.late_fee

    def pay(self, component: Component, available: int) -> int:
        amount = min(max(self.left(component), 0), available)
        self.paid[component] += amount
        return amount

    def freeze(self, currency: Currency) -> InstallmentPosition:
        return InstallmentPosition(
            number=self.number,
            due_date=self.due_date,
            scheduled={c: Money(self.owed[c], currency) for c in Component},
            paid={c: Money(self.paid[c], currency) for c in Component},
            settled_on=self.settled_on,
        )


def effective_payments(payments: Sequence[Payment], as_of: date) -> list[Payment]:
    """Payments valued on or before ``as_of`` that stand, in (paid_on, payment_id) order.

    A reversal valued on or before ``as_of`` removes itself and the payment it
    names; a later reversal is not yet known on ``as_of``.
    """
    by_id: dict[str, Payment] = {}
    for payment in payments:
        if payment.payment_id in by_id:
            raise ValidationError(
                N_("payment %(payment_id)s appears twice"),
                payment_id=repr(payment.payment_id),
            )
        by_id[payment.payment_id] = payment
    reversed_ids: set[str] = set()
    for payment in payments:
        if payment.reverses is not None and payment.paid_on <= as_of:
            _check_reversal(payment, by_id.get(payment.reverses))
            reversed_ids.add(payment.reverses)
    standing = [
        p
        for p in payments
        if p.reverses is None and p.paid_on <= as_of and p.payment_id not in reversed_ids
    ]
    return sorted(standing, key=lambda p: (p.paid_on, p.payment_id))


def _check_reversal(reversal: Payment, original: Payment | None) -> None:
    if original is None or original.reverses is not None or original.amount != reversal.amount:
        raise ValidationError(
            N_(
                "reversal %(payment_id)s must name a payment of the same amount "
                "(%(reverses)s is missing, a reversal or of another amount)"
            ),
            payment_id=repr(reversal.payment_id),
            reverses=repr(reversal.reverses),
        )


def _check_payment(loan: Loan, payment: Payment) -> None:
    payment_id, loan_id = repr(payment.payment_id), repr(loan.loan_id)
    if payment.loan_id != loan.loan_id or payment.platform != loan.platform:
        raise ValidationError(
            N_(
                "payment %(payment_id)s for loan %(loan_id)s belongs to loan %(other_loan)s "
                "on platform %(platform)s"
            ),
            payment_id=payment_id,
            loan_id=loan_id,
            other_loan=repr(payment.loan_id),
            platform=repr(payment.platform),
        )
    if payment.amount.currency != loan.schedule.currency:
        raise CurrencyMismatch(
            N_(
                "payment %(payment_id)s for loan %(loan_id)s is in %(currency)s, "
                "the loan in %(loan_currency)s"
            ),
            payment_id=payment_id,
            loan_id=loan_id,
            currency=payment.amount.currency,
            loan_currency=loan.schedule.currency,
        )
    if payment.amount.is_negative:
        raise ValidationError(
            N_("payment %(payment_id)s for loan %(loan_id)s has a negative amount"),
            payment_id=payment_id,
            loan_id=loan_id,
        )


def _check_late_fee(loan: Loan, penalty: PenaltyPolicy) -> None:
    fee, currency = penalty.late_fee, loan.schedule.currency
    if fee is not None and fee.currency != currency:
        raise CurrencyMismatch(
            N_("late fee is in %(fee_currency)s, loan %(loan_id)s in %(currency)s"),
            fee_currency=fee.currency,
            loan_id=repr(loan.loan_id),
            currency=currency,
        )


def _allocation_order(
    book: Sequence[_Working], day: date, waterfall: Waterfall
) -> list[tuple[_Working, Component]]:
    """(installment, component) pairs in the order a payment on ``day`` settles them."""
    due = [w for w in book if w.due_date <= day]
    if waterfall.installment_order == "newest-first":
        due.reverse()
    if waterfall.mode == "installment-first":
        order = [(w, c) for w in due for c in waterfall.components]
    else:
        order = [(w, c) for c in waterfall.components for w in due]
    # What is left prepays installments not yet due, earliest first.
    not_due = [w for w in book if w.due_date > day]
    return order + [(w, c) for w in not_due for c in waterfall.components]


def _allocate(
    book: Sequence[_Working], payment: Payment, waterfall: Waterfall
) -> tuple[list[AllocationLine], int]:
    """Apply ``payment``; returns its allocation lines and the unallocated rest."""
    currency = payment.amount.currency
    rest = payment.amount.minor
    lines: list[AllocationLine] = []
    for working, component in _allocation_order(book, payment.paid_on, waterfall):
        if rest == 0:
            break
        amount = working.pay(component, rest)
        if amount:
            rest -= amount
            lines.append(
                AllocationLine(
                    payment.payment_id, working.number, component, Money(amount, currency)
                )
            )
    for working in book:
        if working.settled_on is None and working.is_settled():
            working.settled_on = payment.paid_on
    return lines, rest


def position_as_of(
    loan: Loan,
    payments: Sequence[Payment],
    as_of: date,
    *,
    waterfall: Waterfall = DEFAULT_WATERFALL,
    penalty: PenaltyPolicy = NO_PENALTY,
    pauses: Sequence[PausePeriod] = (),
) -> LoanPosition:
    """Replay ``payments`` on ``loan`` up to ``as_of`` and return its position."""
    for payment in payments:
        _check_payment(loan, payment)
    _check_late_fee(loan, penalty)
    currency = loan.schedule.currency
    book = [_Working.of(i) for i in sorted(loan.schedule.installments, key=lambda i: i.due_date)]
    lines: list[AllocationLine] = []
    overpayment = 0
    for payment in effective_payments(payments, as_of):
        for working in book:
            working.accrue(payment.paid_on, penalty, pauses)
        new_lines, rest = _allocate(book, payment, waterfall)
        lines.extend(new_lines)
        overpayment += rest
    for working in book:
        working.accrue(as_of, penalty, pauses)
    return LoanPosition(
        loan_id=loan.loan_id,
        currency=currency,
        as_of=as_of,
        installments=tuple(w.freeze(currency) for w in book),
        lines=tuple(lines),
        overpayment=Money(overpayment, currency),
    )
