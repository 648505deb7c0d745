"""Loans and their repayment schedules (the data; maths lives in ``schedules``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from tideover.domain.money import Currency, Money, total


class RepaymentMethod(StrEnum):
    """How principal and interest are spread over the installments."""

    EQUAL_INSTALLMENT = "equal-installment"  # 等额本息 (annuity)
    EQUAL_PRINCIPAL = "equal-principal"  # 等额本金
    INTEREST_ONLY = "interest-only"  # 先息后本 (interest each period, principal at the end)
    BULLET = "bullet"  # principal and all interest at maturity


class Frequency(StrEnum):
    """How often an installment falls due."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    BIWEEKLY = "biweekly"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class Installment:
    """One due amount of a schedule, by component."""

    number: int
    due_date: date
    principal: Money
    interest: Money
    fees: Money

    @property
    def total(self) -> Money:
        return self.principal + self.interest + self.fees


@dataclass(frozen=True, slots=True)
class Schedule:
    """The installments of one loan, in due-date order."""

    installments: tuple[Installment, ...]
    currency: Currency

    @property
    def total_principal(self) -> Money:
        return total((i.principal for i in self.installments), self.currency)

    @property
    def total_interest(self) -> Money:
        return total((i.interest for i in self.installments), self.currency)

    @property
    def total_fees(self) -> Money:
        return total((i.fees for i in self.installments), self.currency)

    @property
    def total_due(self) -> Money:
        return total((i.total for i in self.installments), self.currency)


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """What was agreed: enough to rebuild the schedule."""

    principal: Money
    annual_rate: Decimal  # nominal, as a fraction: Decimal("0.12") is 12 % a year
    term: int  # number of installments
    method: RepaymentMethod
    start_date: date  # disbursement date
    first_due_date: date
    frequency: Frequency = Frequency.MONTHLY


@dataclass(frozen=True, slots=True)
class Loan:
    """One credit agreement (借据) of a borrower on a platform."""

    platform: str
    loan_id: str  # the platform's own id, unique per platform
    borrower_id: str  # the platform's own borrower id
    terms: LoanTerms
    schedule: Schedule
    product: str = ""
    attributes: dict[str, str] = field(default_factory=dict)
