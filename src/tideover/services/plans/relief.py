"""Use cases of stored relief plans: options for an application, offer, approve, accept, cancel.

Offer limits come from the platform's active policy (its ``offers`` section);
every decision is appended to the audit trail.  A stored loan is priced on its
schedule in force, and not while another plan of it is open
(``tideover.services.plans.position``).  Re-offering a broken plan is in
``tideover.services.plans.reoffer``, which uses the helpers here
(``chosen_option``, ``audit_plan``, ``priced_options``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tideover.adapters.repositories import StoredPlan
from tideover.domain.clock import Clock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.i18n import N_, Bilingual, Clauses
from tideover.plans import (
    ApplicationCase,
    ApplicationStatus,
    ApprovalRequest,
    Evaluation,
    HardshipApplication,
    InvalidTransition,
    OfferExpired,
    OfferLimits,
    OptionsResult,
    cases,
    lifecycle,
    limits_from_offers,
    require_within_limits,
)
from tideover.plans import approve as approve_request
from tideover.plans.cases import AUTOMATIC
from tideover.plans.lifecycle import Plan, PlanStatus
from tideover.policy.document import parse_policy
from tideover.services.common import acting, actor_name, approval_roles, now_and_today
from tideover.services.identity.users import resolve_actor
from tideover.services.plans.options import price_position
from tideover.services.plans.position import OPEN_PLANS, ReliefPosition, load_for_relief
from tideover.services.plans.results import (
    ApplicationDetail,
    ApplicationInfo,
    CaseBrief,
    OptionSummary,
    PlanDetail,
    PlanInfo,
    ScheduleVersionInfo,
)
from tideover.services.policy.versions import document_sha256
from tideover.services.unit_of_work import UnitOfWork


def offer_limits_of(uow: UnitOfWork, platform: str, offers: str | None = None) -> OfferLimits:
    """The active policy's offer limits (inside an open uow); the defaults without a policy.

    ``offers`` names the policy's entry; by default the one of the segment
    ``hardship``, else the only entry.
    """
    stored = uow.policies(platform).active()
    if stored is None:
        return OfferLimits()
    number = stored.version.number
    if document_sha256(stored.document) != stored.sha256:
        raise Conflict(
            N_("platform %(platform)s: policy version %(number)s does not match its SHA-256"),
            platform=repr(platform),
            number=number,
        )
    policy = parse_policy(stored.document, source=f"{platform} policy version {number}").policy
    hardship = next((s.offers for s in policy.segments if s.id == "hardship"), None)
    only = next(iter(policy.offers)) if len(policy.offers) == 1 else None
    name = offers or hardship or only
    if name is None or name not in policy.offers:
        raise ValidationError(
            N_(
                "platform %(platform)s, policy version %(number)s: choose the offers "
                "with --offers (one of %(offers)s); %(name)s is not there"
            ),
            platform=repr(platform),
            number=number,
            offers=sorted(policy.offers),
            name=repr(name),
        )
    return limits_from_offers(policy.offers[name])


def priced_options(
    uow: UnitOfWork,
    platform: str,
    application: HardshipApplication,
    loan_id: str,
    as_of: date,
    limits: OfferLimits,
    score: Decimal | None,
) -> tuple[ReliefPosition, OptionsResult]:
    """The application's options on the loan where it stands on ``as_of`` (inside an open uow).

    The loan is the application's own (``ValidationError`` otherwise), taken on its
    schedule in force; ``LoanHasOpenPlan`` while one of its plans is open.
    """
    if application.loan_id not in (None, loan_id):
        raise ValidationError(
            N_(
                "application %(application_id)s is for loan %(application_loan_id)s, not "
                "%(loan_id)s"
            ),
            application_id=repr(application.application_id),
            application_loan_id=repr(application.loan_id),
            loan_id=repr(loan_id),
        )
    position = load_for_relief(uow, platform, loan_id, as_of)
    return position, price_position(position, application, as_of=as_of, limits=limits, score=score)


def options_for_application(
    *,
    uow: UnitOfWork,
    platform: str,
    application_id: str,
    loan_id: str,
    as_of: date | None = None,
    limits: OfferLimits | None = None,
    offers: str | None = None,
    score: Decimal | None = None,
    clock: Clock | None = None,
) -> OptionsResult:
    """Options for a stored application and loan under the active policy's limits (read only).

    ``as_of`` defaults to the platform's business date; ``limits`` overrides the policy's.
    """
    with uow:
        _, today = now_and_today(uow, platform, clock)
        case = uow.applications(platform).require_application(application_id)
        chosen = limits or offer_limits_of(uow, platform, offers)
        _, result = priced_options(
            uow, platform, case.application, loan_id, as_of or today, chosen, score
        )
    return result


def offer_plan(
    *,
    uow: UnitOfWork,
    platform: str,
    application_id: str,
    loan_id: str,
    option_id: str,
    by: str,
    as_of: date | None = None,
    offers: str | None = None,
    score: Decimal | None = None,
    clock: Clock | None = None,
) -> PlanInfo:
    """Offer one option of an application under review; approved at once when automatic."""
    requester = actor_name(by)
    with uow:
        requester = acting(uow, platform, requester)
        now, today = now_and_today(uow, platform, clock)
        repo = uow.plans(platform)
        case = uow.applications(platform).require_application(application_id, lock=True)
        if case.status is not ApplicationStatus.UNDER_REVIEW:
            raise InvalidTransition(
                N_(
                    "application %(application_id)s is %(status)s; plans are offered while "
                    "it is under review"
                ),
                application_id=repr(application_id),
                status=case.status,
            )
        plans_so_far = repo.plans_for_application(application_id)
        if any(p.plan.status in OPEN_PLANS for p in plans_so_far):
            raise Conflict(
                N_("application %(application_id)s already has an open plan; cancel it first"),
                application_id=repr(application_id),
            )
        limits = offer_limits_of(uow, platform, offers)
        when = as_of or today
        position, result = priced_options(
            uow, platform, case.application, loan_id, when, limits, score
        )
        evaluation = chosen_option(result, option_id, limits)
        option = evaluation.option
        plan = lifecycle.offer(
            plan_id=f"{application_id}-{len(plans_so_far) + 1}",
            loan_id=loan_id,
            option_id=option_id,
            contract=position.loan.schedule,
            plan_schedule=option.schedule,
            on=today,
            valid_days=limits.offer_valid_days,
            vulnerable=case.application.vulnerable,
        )
        request = ApprovalRequest(plan.plan_id, option_id, requester, evaluation.approval or "")
        approval = None
        if request.required_role == AUTOMATIC:
            approval = approve_request(
                request, approver=AUTOMATIC, approver_roles=frozenset(), limits=limits, at=now
            )
        repo.add_plan(
            plan,
            application_id=application_id,
            as_of=when,
            currency_code=result.snapshot.currency.code,
            summary=OptionSummary.of(evaluation).to_json(),
            limits=limits,
            request=request,
            requested_at=now,
            approval=approval,
        )
        stored = repo.require_plan(plan.plan_id)
        audit_plan(uow, platform, "plan_offered", stored, now, requester)
        if approval is not None:
            _approved(uow, platform, stored, case, now)
        uow.commit()
    return PlanInfo.of(stored)


def chosen_option(result: OptionsResult, option_id: str, limits: OfferLimits) -> Evaluation:
    found = next((e for e in result.evaluations if e.option.option_id == option_id), None)
    if found is None:
        known = ", ".join(e.option.option_id for e in result.evaluations)
        raise NotFound(
            N_("no plan option %(option_id)s for loan %(loan_id)s; options: %(known)s"),
            option_id=repr(option_id),
            loan_id=repr(result.snapshot.loan_id),
            known=known,
        )
    require_within_limits(found.option, limits)
    if not found.offered:
        raise ValidationError(
            N_("plan option %(option_id)s cannot be offered: %(reasons)s"),
            option_id=repr(option_id),
            reasons=Clauses(Bilingual(r.en, r.zh) for r in found.reasons),
        )
    return found


def approve_plan(
    *,
    uow: UnitOfWork,
    platform: str,
    plan_id: str,
    by: str,
    role: str | None = None,
    clock: Clock | None = None,
) -> PlanInfo:
    """Approve an offered plan: never by its requester, and by a role high enough.

    The approver is a stored user; their roles are the ones they hold (``role``, when
    given, must be one of them: nobody approves with a role they claim but lack).
    """
    approver = actor_name(by)
    with uow:
        user = resolve_actor(uow, platform, approver)
        approver = user.username
        held = approval_roles(user)
        if role is not None and role not in held:
            raise ValidationError(
                N_("%(approver)s does not hold the role %(role)s (holds %(held)s)"),
                approver=repr(approver),
                role=repr(role),
                held=tuple(sorted(held)),
            )
        now, today = now_and_today(uow, platform, clock)
        repo = uow.plans(platform)
        stored = repo.require_plan(plan_id, lock=True)
        plan = stored.plan
        if plan.status is not PlanStatus.OFFERED or stored.approval is not None:
            raise InvalidTransition(
                N_(
                    "plan %(plan_id)s is %(status)s; only an offer awaiting approval can be "
                    "approved"
                )
                if stored.approval is None
                else N_(
                    "plan %(plan_id)s is %(status)s, approved by %(approver)s; only an offer "
                    "awaiting approval can be approved"
                ),
                plan_id=repr(plan_id),
                status=plan.status,
                approver=stored.approval.approved_by if stored.approval is not None else "",
            )
        _not_expired(plan, today)
        approval = approve_request(
            stored.request,
            approver=approver,
            approver_roles=frozenset({role}) if role is not None else held,
            limits=stored.limits,
            at=now,
        )
        repo.record_approval(plan_id, approval)
        stored = repo.require_plan(plan_id)
        case = uow.applications(platform).require_application(stored.application_id, lock=True)
        _approved(uow, platform, stored, case, now)
        uow.commit()
    return PlanInfo.of(stored)


def _approved(
    uow: UnitOfWork, platform: str, stored: StoredPlan, case: ApplicationCase, now: datetime
) -> None:
    """Audit the approval and decide the application: approved with this plan."""
    approval = stored.approval
    assert approval is not None  # callers store the approval first
    audit_plan(uow, platform, "plan_approved", stored, now, approval.approved_by)
    decided = cases.approve(
        case, plan_option_id=stored.plan.option_id, at=now, by=approval.approved_by
    )
    uow.applications(platform).save_case(decided)
    uow.audit(platform).append("hardship_approved", CaseBrief.of(decided).to_json(), at=now)


def _not_expired(plan: Plan, on: date) -> None:
    if on > plan.expires_on:
        raise OfferExpired(
            N_("plan offer %(plan_id)s expired on %(expires_on)s; today is %(on)s"),
            plan_id=repr(plan.plan_id),
            expires_on=plan.expires_on,
            on=on,
        )


def accept_plan(
    *,
    uow: UnitOfWork,
    platform: str,
    plan_id: str,
    by: str = "borrower",
    clock: Clock | None = None,
) -> PlanInfo:
    """The borrower accepts an approved, unexpired offer: the plan becomes the loan's schedule.

    Accepted and active on the same business date; the contract (first time)
    and the plan's schedule are appended to the loan's schedule history.
    """
    who = actor_name(by)
    with uow:
        who = acting(uow, platform, who)
        now, today = now_and_today(uow, platform, clock)
        repo = uow.plans(platform)
        stored = repo.require_plan(plan_id, lock=True)
        if stored.plan.status is not PlanStatus.OFFERED:
            raise InvalidTransition(
                N_("plan %(plan_id)s is %(status)s; only an offer can be accepted"),
                plan_id=repr(plan_id),
                status=stored.plan.status,
            )
        if stored.approval is None:
            raise InvalidTransition(
                N_("plan %(plan_id)s awaits approval by %(required_role)s"),
                plan_id=repr(plan_id),
                required_role=repr(stored.request.required_role),
            )
        plan = lifecycle.activate(lifecycle.accept(stored.plan, on=today), on=today)
        repo.save_plan(plan)
        if not uow.schedules(platform).schedule_history(plan.loan_id):
            loan = uow.loans(platform).get(plan.loan_id)
            assert loan is not None  # the plan's foreign key keeps its loan
            uow.schedules(platform).append_schedule(
                plan.loan_id, loan.schedule, reason="contract", effective_from=loan.terms.start_date
            )
        uow.schedules(platform).append_schedule(
            plan.loan_id,
            plan.schedule,
            reason=f"plan {plan.option_id}",
            effective_from=today,
            plan_id=plan_id,
        )
        stored = repo.require_plan(plan_id)
        audit_plan(uow, platform, "plan_accepted", stored, now, who)
        uow.commit()
    return PlanInfo.of(stored)


def cancel_plan(
    *,
    uow: UnitOfWork,
    platform: str,
    plan_id: str,
    by: str,
    reason: str,
    clock: Clock | None = None,
) -> PlanInfo:
    """Cancel a plan; an application decided with it is closed."""
    who = actor_name(by)
    if not reason.strip():
        raise ValidationError(
            N_("cancelling plan %(plan_id)s needs a reason"), plan_id=repr(plan_id)
        )
    with uow:
        who = acting(uow, platform, who)
        now, today = now_and_today(uow, platform, clock)
        repo = uow.plans(platform)
        stored = repo.require_plan(plan_id, lock=True)
        repo.save_plan(lifecycle.cancel(stored.plan, on=today, reason=f"{who}: {reason}"))
        case = uow.applications(platform).require_application(stored.application_id, lock=True)
        if (
            case.status is ApplicationStatus.DECIDED
            and case.plan_option_id == stored.plan.option_id
        ):
            closed = cases.close(case, at=now, by=who)
            uow.applications(platform).save_case(closed)
            uow.audit(platform).append("hardship_closed", CaseBrief.of(closed).to_json(), at=now)
        stored = repo.require_plan(plan_id)
        audit_plan(uow, platform, "plan_cancelled", stored, now, who, reason=reason)
        uow.commit()
    return PlanInfo.of(stored)


def show_plan(*, uow: UnitOfWork, platform: str, plan_id: str) -> PlanDetail:
    """The plan, its approval, events and the loan's schedule history."""
    with uow:
        stored = uow.plans(platform).require_plan(plan_id)
        history = uow.schedules(platform).schedule_history(stored.plan.loan_id)
    return PlanDetail.model_validate(
        {
            **PlanInfo.fields_of(stored),
            "schedule_history": [ScheduleVersionInfo.of(v) for v in history],
        }
    )


def audit_plan(
    uow: UnitOfWork,
    platform: str,
    kind: str,
    stored: StoredPlan,
    at: datetime,
    by: str,
    **extra: str | int,
) -> None:
    uow.audit(platform).append(kind, {**PlanInfo.of(stored).brief(), "by": by, **extra}, at=at)


def show_application(*, uow: UnitOfWork, platform: str, application_id: str) -> ApplicationDetail:
    """An application: its state, history, evidence and every plan offered for it."""
    with uow:
        applications = uow.applications(platform)
        case = applications.require_application(application_id)
        evidence = applications.evidence(application_id)
        plans = uow.plans(platform).plans_for_application(application_id)
    return ApplicationDetail.model_validate(
        {
            **ApplicationInfo.fields_with(case, evidence),
            "plans": [PlanInfo.of(p) for p in plans],
        }
    )
