"""Re-offering a broken relief plan: the application reviewed again and a new plan offered.

A broken plan (``plans review``) waits for a person: ``plans cancel`` ends it
(as ``plans review --cancel-broken`` does for the system), ``reoffer_plan``
gives the borrower a new offer.  The options are generated again from the
application's income and expenditure on the account's position on the
business date, under the active policy's offer limits exactly as for ``plans
offer``.  The position is the loan replayed on its schedule in force
(``domain.schedule_in_force``: the broken plan's schedule, with the payments
made since it started), not on the contract: a borrower who kept part of a plan
owes its missed installments, not the contract's arrears and their penalty.
The chosen option (by default the best ranked one offered, which is
affordable) becomes plan ``<application>-<n>``.  In the same unit of work the
broken plan is cancelled ("re-offered as ..."), the application goes from
decided back to under review with the reason "plan <id> broken", and the new
offer waits for approval by a person other than the one who re-offered it,
which decides the application again.  An application allows
``OfferLimits.max_reoffers`` re-offers (default 2; docs/plans.md says why).
Three audit records (``plan_cancelled``, ``hardship_reopened``,
``plan_reoffered``), one commit; a refusal changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tideover.domain.clock import Clock
from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.plans import (
    ApprovalRequest,
    Evaluation,
    OfferLimits,
    OptionsResult,
    cases,
    lifecycle,
)
from tideover.plans.cases import AUTOMATIC
from tideover.services.common import acting, actor_name, now_and_today
from tideover.services.plans.relief import (
    audit_plan,
    chosen_option,
    offer_limits_of,
    priced_options,
)
from tideover.services.plans.results import CaseBrief, OptionSummary, PlanInfo, ReofferedPlan
from tideover.services.unit_of_work import UnitOfWork


def reoffer_plan(
    *,
    uow: UnitOfWork,
    platform: str,
    plan_id: str,
    by: str,
    option_id: str | None = None,
    as_of: date | None = None,
    offers: str | None = None,
    score: Decimal | None = None,
    clock: Clock | None = None,
) -> ReofferedPlan:
    """Cancel the broken plan ``plan_id``, re-open its application and offer a new plan.

    ``option_id`` defaults to the best ranked option offered; ``as_of`` (the
    account's position) to the platform's business date; ``offers`` names the
    active policy's offers entry as for ``plans offer``.
    """
    requester = actor_name(by)
    with uow:
        requester = acting(uow, platform, requester)
        now, today = now_and_today(uow, platform, clock)
        repo = uow.plans(platform)
        broken = repo.require_plan(plan_id, lock=True)
        application_id = broken.application_id
        case = uow.applications(platform).require_application(application_id, lock=True)
        earlier = repo.plans_for_application(application_id)
        limits = offer_limits_of(uow, platform, offers)
        number = lifecycle.check_reoffer(
            broken.plan, earlier=[p.plan for p in earlier], max_reoffers=limits.max_reoffers
        )
        new_id = f"{application_id}-{len(earlier) + 1}"
        reopened = cases.reopen(
            case, reason=f"plan {plan_id} broken; re-offered as {new_id}", at=now, by=requester
        )
        when = _position_date(as_of, today, plan_id)
        _, result = priced_options(
            uow, platform, case.application, broken.plan.loan_id, when, limits, score
        )
        evaluation = _choose(result, option_id, limits, plan_id)
        option = evaluation.option
        cancelled, new = lifecycle.reoffer(
            broken.plan,
            plan_id=new_id,
            option_id=option.option_id,
            plan_schedule=option.schedule,
            on=today,
            valid_days=limits.offer_valid_days,
        )
        request = ApprovalRequest(
            new_id, option.option_id, requester, _approver_role(evaluation, limits)
        )
        repo.save_plan(cancelled)
        audit_plan(uow, platform, "plan_cancelled", repo.require_plan(plan_id), now, requester,
                   reason=f"re-offered as {new_id}")  # fmt: skip
        uow.applications(platform).save_case(reopened)
        uow.audit(platform).append(
            "hardship_reopened",
            {
                **CaseBrief.of(reopened).to_json(),
                "note": reopened.history[-1].note,
                "plan_id": plan_id,
            },
            at=now,
        )
        repo.add_plan(
            new,
            application_id=application_id,
            as_of=when,
            currency_code=result.snapshot.currency.code,
            summary=OptionSummary.of(evaluation).to_json(),
            limits=limits,
            request=request,
            requested_at=now,
            approval=None,
        )
        stored = repo.require_plan(new_id)
        audit_plan(uow, platform, "plan_reoffered", stored, now, requester, reoffer=number,
                   max_reoffers=limits.max_reoffers)  # fmt: skip
        uow.commit()
    return ReofferedPlan.model_validate(
        {**PlanInfo.fields_of(stored), "reoffer": number, "max_reoffers": limits.max_reoffers}
    )


def _position_date(as_of: date | None, today: date, plan_id: str) -> date:
    """``as_of``, else the business date; never after it (the account as it stands)."""
    when = as_of or today
    if when > today:
        raise ValidationError(
            N_(
                "re-offer of plan %(plan_id)s as of %(when)s: that is after the business "
                "date %(today)s; a re-offer is built on the account as it stands"
            ),
            plan_id=repr(plan_id),
            when=when,
            today=today,
        )
    return when


def _choose(
    result: OptionsResult, option_id: str | None, limits: OfferLimits, plan_id: str
) -> Evaluation:
    """The named option (checked as for ``plans offer``), else the best ranked one offered."""
    if option_id is not None:
        return chosen_option(result, option_id, limits)
    if not result.offered:
        snap = result.snapshot
        raise ValidationError(
            N_(
                "plan %(plan_id)s: no option for loan %(loan_id)s as of %(as_of)s is "
                "affordable within the offer limits; cancel the plan or take a new "
                "hardship application"
            ),
            plan_id=repr(plan_id),
            loan_id=repr(snap.loan_id),
            as_of=snap.as_of,
        )
    return result.offered[0]


def _approver_role(evaluation: Evaluation, limits: OfferLimits) -> str:
    """The option's own approval level, at least the first one: a re-offer is never automatic.

    A plan granted again after one broke is where rescheduling can hide a loss
    or repeat an arrangement the borrower cannot keep, so a second person looks
    at each one (segregation of duties, as in ``tideover.plans.approval``).
    """
    if evaluation.approval not in (None, AUTOMATIC):
        return str(evaluation.approval)
    if not limits.approval_levels:
        raise ValidationError(
            N_("a re-offer needs a person's approval, but the offer limits name no approval level"),
        )
    return limits.approval_levels[0].role
