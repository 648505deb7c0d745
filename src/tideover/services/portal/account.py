"""What the borrower owes and why, their schedule, where to pay, and their preferences.

A loan is replayed exactly as the daily cycle replays it: on its schedule in
force on the platform's business date (``domain.schedule_in_force``), with the
platform's waterfall, penalty, buckets and the loan's pauses.  So the portal
and the collectors see the same days past due and the same amounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tideover.compliance.holds import HoldRecord
from tideover.domain.allocation import Component, InstallmentPosition
from tideover.domain.clock import Clock
from tideover.domain.delinquency import PausePeriod
from tideover.domain.loans import Loan
from tideover.domain.money import Currency, Money, total
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.redact import mask_name, mask_phone
from tideover.domain.schedule_in_force import CONTRACT, status_in_force, version_in_force
from tideover.plans.lifecycle import ScheduleVersion
from tideover.services.common import now_and_today
from tideover.services.plans.position import OPEN_PLANS
from tideover.services.platforms import settings_of
from tideover.services.portal.results import (
    Account,
    BorrowerOverview,
    Components,
    InstallmentOwed,
    InstallmentState,
    LoanOwed,
    LoanSchedule,
    NextDue,
    PaymentInstructions,
)
from tideover.services.portal.scope import nothing_here, own_loan, own_loans
from tideover.services.unit_of_work import UnitOfWork

CHANNEL_ATTRIBUTE = "preferred_channel"  # in the borrower's attributes until it has a column


def overview(*, uow: UnitOfWork, platform: str, borrower_id: str) -> BorrowerOverview:
    """The signed-in borrower, masked."""
    with uow:
        borrower = uow.borrowers(platform).get(borrower_id)
    if borrower is None:
        raise nothing_here()
    return BorrowerOverview(
        borrower_id=borrower.borrower_id,
        name=mask_name(borrower.name),
        phones=[mask_phone(p.e164) for p in borrower.phones],
        language="en" if borrower.locale.lower().startswith("en") else "zh-CN",
        channel=borrower.attributes.get(CHANNEL_ATTRIBUTE) or None,
    )


def loans_owed(
    *, uow: UnitOfWork, platform: str, borrower_id: str, clock: Clock | None = None
) -> list[LoanOwed]:
    """Every loan of the borrower where it stands today, in the order they were stored."""
    with uow:
        now, today = now_and_today(uow, platform, clock)
        loans = own_loans(uow, platform, borrower_id)
        records = _Records.of(uow, platform, borrower_id, now, [loan.loan_id for loan in loans])
        found = [records.replayed(uow, loan, today) for loan in loans]
    return [LoanOwed.model_validate(s.model_dump(exclude={"installments"})) for s in found]


def loan_schedule(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    loan_id: str,
    clock: Clock | None = None,
) -> LoanSchedule:
    """One of the borrower's loans with every installment of its schedule in force."""
    with uow:
        now, today = now_and_today(uow, platform, clock)
        loan = own_loan(uow, platform, borrower_id, loan_id)
        records = _Records.of(uow, platform, borrower_id, now, [loan_id])
        return records.replayed(uow, loan, today)


def payment_instructions(*, uow: UnitOfWork, platform: str) -> PaymentInstructions:
    """The platform's official repayment accounts, as its settings give them."""
    with uow:
        accounts = settings_of(uow, platform).repayment_accounts
    return PaymentInstructions(
        accounts=[
            Account(payee=a.payee, bank=a.bank, account=a.account, note=a.note) for a in accounts
        ],
        published=bool(accounts),
    )


@dataclass(frozen=True)
class _Records:
    """What the borrower's loans are read with, loaded once per request (inside a uow)."""

    platform: str
    settings: PlatformSettings
    pauses: dict[str, list[PausePeriod]]
    open_plans: dict[str, tuple[str, str]]  # loan id: (plan id, status)
    holds: list[HoldRecord]  # in force now

    @classmethod
    def of(
        cls, uow: UnitOfWork, platform: str, borrower_id: str, now: datetime, loan_ids: list[str]
    ) -> _Records:
        # Open plans are the platform's, read as ``plans.position.open_plan_of`` reads them.
        return cls(
            platform=platform,
            settings=settings_of(uow, platform),
            pauses=uow.loans(platform).pauses_by_loan(loan_ids),
            open_plans={
                p.plan.loan_id: (p.plan.plan_id, p.plan.status.value)
                for p in uow.plans(platform).plans_with_status(*OPEN_PLANS)
            },
            holds=[h for h in uow.holds(platform).for_borrower(borrower_id) if h.in_force(now)],
        )

    def replayed(self, uow: UnitOfWork, loan: Loan, today: date) -> LoanSchedule:
        kinds = {h.kind.value for h in self.holds if h.debt_id in (None, loan.loan_id)}
        return replay(
            loan,
            uow.payments(self.platform).for_loan(loan.loan_id),
            uow.schedules(self.platform).schedule_history(loan.loan_id),
            self.pauses.get(loan.loan_id, []),
            self.settings,
            today,
            plan=self.open_plans.get(loan.loan_id),
            holds=sorted(kinds),
        )


def replay(
    loan: Loan,
    payments: Sequence[Payment],
    versions: Sequence[ScheduleVersion],
    pauses: Sequence[PausePeriod],
    settings: PlatformSettings,
    as_of: date,
    *,
    plan: tuple[str, str] | None = None,
    holds: Sequence[str] = (),
) -> LoanSchedule:
    """``loan`` on ``as_of`` as the borrower reads it (pure: the records are given)."""
    position, status = status_in_force(
        loan,
        payments,
        as_of,
        versions=versions,
        waterfall=settings.waterfall,
        penalty=settings.penalty,
        pauses=pauses,
        scheme=settings.buckets,
    )
    cur = position.currency
    chosen = version_in_force(versions, as_of)
    reason = (
        CONTRACT
        if chosen is None
        else next(v.reason for v in versions if v.version == chosen.version)
    )
    rows = [_installment(i, as_of, cur) for i in position.installments]
    upcoming = next((r for r in rows if r.state in ("due_today", "upcoming")), None)
    return LoanSchedule(
        loan_id=loan.loan_id,
        product=loan.product,
        currency=cur.code,
        as_of=as_of,
        principal=loan.terms.principal.amount,
        annual_rate=loan.terms.annual_rate,
        start_date=loan.terms.start_date,
        schedule=reason,
        dpd=status.dpd,
        oldest_unpaid_due=status.oldest_unpaid_due,
        overdue=_components(status.overdue, cur),
        outstanding=_components({c: position.outstanding(c) for c in Component}, cur),
        installments_overdue=sum(1 for r in rows if r.state == "overdue"),
        next_due=None
        if upcoming is None
        else NextDue(due_date=upcoming.due_date, amount=upcoming.outstanding),
        plan_id=None if plan is None else plan[0],
        plan_status=None if plan is None else plan[1],
        holds=list(holds),
        installments=rows,
    )


def _components(amounts: dict[Component, Money], cur: Currency) -> Components:
    zero = Money.zero(cur)
    part = {c: amounts.get(c, zero) for c in Component}
    return Components(
        principal=part[Component.PRINCIPAL].amount,
        interest=part[Component.INTEREST].amount,
        fees=part[Component.FEES].amount,
        penalty=part[Component.PENALTY].amount,
        total=total(part.values(), cur).amount,
    )


def _installment(item: InstallmentPosition, as_of: date, cur: Currency) -> InstallmentOwed:
    left = item.outstanding_total
    state: InstallmentState
    if left.minor <= 0:
        state = "paid"
    elif item.due_date < as_of:
        state = "overdue"
    elif item.due_date == as_of:
        state = "due_today"
    else:
        state = "upcoming"
    return InstallmentOwed(
        number=item.number,
        due_date=item.due_date,
        due=_components(item.scheduled, cur),
        paid=total(item.paid.values(), cur).amount,
        outstanding=left.amount,
        state=state,
        days_overdue=(as_of - item.due_date).days if state == "overdue" else 0,
    )
