"""A stored loan as relief sees it: its schedule in force, the payments that count, its open plan.

Every use case that prices plan options for a stored loan (``plans options``
with a stored loan, ``plans offer``, ``plans reoffer``) loads the loan with
``load_for_relief``, so the options are built on where the account stands and
not on its contract.  The rules are ``tideover.domain.schedule_in_force``'s,
the daily cycle's: the latest schedule version in effect on the date, the
payments valued from that version on (all of them on the contract), and for a
re-aged version only the installments due from the re-aging on age.

A loan whose plan is open (offered, accepted or active) gets no second plan
from a new application (``LoanHasOpenPlan``): to change it, the plan is
cancelled first (an offer too, expired or not), and the next application is
priced on the schedule in force then.  A loan that was re-aged, or whose plan
completed, broke or was cancelled, is priced on its schedule in force
(docs/plans.md, "A loan that already had a plan").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tideover.adapters.repositories import StoredPlan
from tideover.domain.errors import Conflict, NotFound
from tideover.domain.loans import Loan
from tideover.domain.payments import Payment
from tideover.domain.platforms import PlatformSettings
from tideover.domain.schedule_in_force import InForce, payments_in_window, version_in_force
from tideover.i18n import N_
from tideover.plans.lifecycle import PlanStatus
from tideover.services.platforms import settings_of
from tideover.services.unit_of_work import UnitOfWork

OPEN_PLANS = (PlanStatus.OFFERED, PlanStatus.ACCEPTED, PlanStatus.ACTIVE)
"""A plan in one of these is open: its loan gets no other plan until it ends."""


class LoanHasOpenPlan(Conflict):
    """A new application or offer on a loan whose plan is still open."""

    code = "loan_has_open_plan"


@dataclass(frozen=True, slots=True)
class ReliefPosition:
    """A stored loan on its schedule in force on ``as_of``, ready to be priced."""

    platform: str
    as_of: date
    loan: Loan  # with the schedule in force (the contract when the loan has no history)
    payments: tuple[Payment, ...]  # those that count towards that schedule
    settings: PlatformSettings  # the platform's waterfall and penalty
    in_force: InForce | None  # None: the contract, every payment counts
    open_plan: StoredPlan | None  # the loan's plan that is offered, accepted or active

    @property
    def ages_from(self) -> date | None:
        """From when installments age (a re-aged schedule); None: all of them."""
        return None if self.in_force is None else self.in_force.ages_from

    def require_no_open_plan(self, application_id: str) -> None:
        """``LoanHasOpenPlan`` when the loan's plan is open (``require_no_open_plan``)."""
        require_no_open_plan(self.open_plan, application_id=application_id)


def require_no_open_plan(found: StoredPlan | None, *, application_id: str) -> None:
    """``LoanHasOpenPlan`` when ``found`` is a loan's open plan, saying what to do instead."""
    if found is None:
        return
    plan, owner = found.plan, found.application_id
    raise LoanHasOpenPlan(
        N_(
            "application %(application_id)s: loan %(loan_id)s already has plan "
            "%(plan_id)s (%(status)s, application %(owner)s); a loan has one open "
            "plan at a time: to change it, cancel it first (`plans cancel`), then "
            "the loan is priced where it stands"
        ),
        application_id=repr(application_id),
        loan_id=repr(plan.loan_id),
        plan_id=repr(plan.plan_id),
        status=plan.status,
        owner=repr(owner),
    )


def open_plan_of(uow: UnitOfWork, platform: str, loan_id: str) -> StoredPlan | None:
    """The loan's open plan, if any (inside an open uow)."""
    open_plans = uow.plans(platform).plans_with_status(*OPEN_PLANS)
    return next((p for p in open_plans if p.plan.loan_id == loan_id), None)


def load_for_relief(uow: UnitOfWork, platform: str, loan_id: str, as_of: date) -> ReliefPosition:
    """The loan ``loan_id`` of ``platform`` as relief prices it on ``as_of`` (inside an open uow).

    ``NotFound`` when the platform has no such loan.
    """
    loan = uow.loans(platform).get(loan_id)
    if loan is None:
        raise NotFound(
            N_("no loan %(loan_id)s on platform %(platform)s"),
            loan_id=repr(loan_id),
            platform=repr(platform),
        )
    payments = uow.payments(platform).for_loan(loan_id)
    versions = uow.schedules(platform).schedule_history(loan_id)
    chosen = version_in_force(versions, as_of)
    if chosen is not None:
        schedule = next(v.schedule for v in versions if v.version == chosen.version)
        loan = replace(loan, schedule=schedule)
        payments = payments_in_window(payments, chosen.payments_from)
    return ReliefPosition(
        platform=platform,
        as_of=as_of,
        loan=loan,
        payments=tuple(payments),
        settings=settings_of(uow, platform),
        in_force=chosen,
        open_plan=open_plan_of(uow, platform, loan_id),
    )
