"""The review of a platform's active plans and pending promises for one business date.

``review_plans`` applies the pure lifecycle (``tideover.plans.lifecycle``) to
what is stored: an active plan whose schedule is paid is completed, one with
an installment unpaid beyond its grace (doubled for a vulnerable borrower when
it was offered) is broken, and one with enough consecutive kept payments is
re-aged.  Pending promises are decided kept or broken.  Decisions are taken
for ``as_of`` only, never by the clock, and each is appended to the audit
trail.  A second review for the same date finds nothing left to decide.

Re-aging is recorded as a decision (a ``re-aged`` schedule version and a
``plan_reaged`` audit record).  The delinquency engine (the daily cycle and
``tideover delinquency``) replays each loan on its schedule in force
(``tideover.domain.schedule_in_force``): from the re-aging date only
installments due on or after it age, so the account is current that day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import date, datetime

from tideover.adapters.repositories import StoredPlan
from tideover.domain.clock import Clock
from tideover.domain.errors import ValidationError
from tideover.domain.payments import Payment
from tideover.domain.schedule_in_force import REAGED
from tideover.i18n import N_
from tideover.plans import ApplicationStatus, InvalidTransition, cases, lifecycle
from tideover.plans.cases import AUTOMATIC
from tideover.plans.lifecycle import (
    Outcome,
    Plan,
    PlanStatus,
    ReagingRule,
    ScheduleVersion,
    consecutive_kept,
    installment_outcomes,
)
from tideover.services.common import now_and_today
from tideover.services.plans.promises import check_grace, decide_promises
from tideover.services.plans.results import (
    CaseBrief,
    PlanDecision,
    PlanReview,
    ReagingDecision,
    ReagingRuleInfo,
)
from tideover.services.unit_of_work import UnitOfWork

DEFAULT_RULE = (
    ReagingRule()
)  # FFIEC 2000: 3 payments, 9 months on book, 1 in 12 months, 2 in 5 years


def check_rule(rule: ReagingRule) -> ReagingRule:
    """A re-aging rule with positive counts (a zero would re-age without any payment)."""
    values = asdict(rule)
    bad = {k: v for k, v in values.items() if v < (0 if k == "min_months_on_book" else 1)}
    if bad:
        raise ValidationError(
            N_("re-aging rule %(values)s: %(bad)s must be at least 1 (months on book at least 0)"),
            values=values,
            bad=sorted(bad),
        )
    return rule


def review_plans(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    promise_grace_days: int = 0,
    rule: ReagingRule = DEFAULT_RULE,
    cancel_broken: bool = False,
    clock: Clock | None = None,
) -> PlanReview:
    """Decide what ``as_of`` decides for the platform's active plans and pending promises.

    ``as_of`` may not be after the platform's business date (a review never
    decides the future).  A broken plan waits for a person to re-offer or
    cancel it, unless ``cancel_broken`` cancels it at once.
    """
    check_grace(promise_grace_days)
    check_rule(rule)
    with uow:
        now, today = now_and_today(uow, platform, clock)
        if as_of > today:
            raise ValidationError(
                N_(
                    "review of platform %(platform)s as of %(as_of)s: that is after its "
                    "business date %(today)s; a review decides only what has happened"
                ),
                platform=repr(platform),
                as_of=as_of,
                today=today,
            )
        repo = uow.plans(platform)
        active = repo.plans_with_status(PlanStatus.ACTIVE)
        loans = {p.plan.loan_id for p in active}
        loans |= {p.loan_id for p in uow.promises(platform).all_promises(outcome=Outcome.PENDING)}
        payments = {loan: uow.payments(platform).for_loan(loan) for loan in sorted(loans)}
        decisions: list[ReagingDecision | PlanDecision] = []
        for listed in active:
            stored = repo.require_plan(listed.plan.plan_id, lock=True)
            if stored.plan.status is PlanStatus.ACTIVE:
                decisions += _review_plan(
                    uow, platform, stored, payments[stored.plan.loan_id], as_of, rule,
                    cancel_broken, now,
                )  # fmt: skip
        promises = decide_promises(
            uow,
            platform,
            as_of=as_of,
            grace_days=promise_grace_days,
            payments=payments,
            at=now,
        )
        uow.commit()
    return PlanReview(
        platform=platform,
        as_of=as_of,
        promise_grace_days=promise_grace_days,
        reaging_rule=ReagingRuleInfo.of(rule),
        active_plans_reviewed=len(active),
        plans=decisions,
        promises=promises,
    )


def _review_plan(
    uow: UnitOfWork,
    platform: str,
    stored: StoredPlan,
    payments: Sequence[Payment],
    as_of: date,
    rule: ReagingRule,
    cancel_broken: bool,
    now: datetime,
) -> list[ReagingDecision | PlanDecision]:
    """The decisions for one active plan: completed, broken (and cancelled), or re-aged."""
    repo, audit = uow.plans(platform), uow.audit(platform)
    reviewed = lifecycle.review(stored.plan, payments, as_of=as_of)
    if reviewed.status is PlanStatus.ACTIVE:
        reaged = _reage(uow, platform, stored, payments, as_of, rule)
        if reaged is not None:
            audit.append("plan_reaged", reaged.to_json(), at=now)
            return [reaged]
        return []
    repo.save_plan(reviewed)
    decisions: list[ReagingDecision | PlanDecision] = [PlanDecision.of(reviewed, as_of, AUTOMATIC)]
    audit.append(f"plan_{reviewed.status.value}", decisions[-1].to_json(), at=now)
    last = reviewed
    if reviewed.status is PlanStatus.BROKEN and cancel_broken:
        last = lifecycle.cancel(reviewed, on=as_of, reason=f"{AUTOMATIC}: broken")
        repo.save_plan(last)
        decisions.append(PlanDecision.of(last, as_of, AUTOMATIC))
        audit.append("plan_cancelled", decisions[-1].to_json(), at=now)
    if last.status is not PlanStatus.BROKEN:
        _close_application(uow, platform, stored, now)
    return decisions


def _close_application(uow: UnitOfWork, platform: str, stored: StoredPlan, now: datetime) -> None:
    """A completed or cancelled plan closes the application that was decided with it."""
    applications = uow.applications(platform)
    case = applications.require_application(stored.application_id, lock=True)
    if case.status is ApplicationStatus.DECIDED and case.plan_option_id == stored.plan.option_id:
        closed = cases.close(case, at=now, by=AUTOMATIC)
        applications.save_case(closed)
        uow.audit(platform).append("hardship_closed", CaseBrief.of(closed).to_json(), at=now)


def _reage(
    uow: UnitOfWork,
    platform: str,
    stored: StoredPlan,
    payments: Sequence[Payment],
    as_of: date,
    rule: ReagingRule,
) -> ReagingDecision | None:
    """Re-age the plan's loan when the rule allows it on ``as_of``; None otherwise.

    Only installments due after the loan's last re-aging and by ``as_of`` count,
    so the same payments never re-age an account twice (and a second review of
    the same date finds none).  Earlier re-agings come from the loan's schedule
    history, as the FFIEC limits are per account.
    """
    schedules, plan = uow.schedules(platform), stored.plan
    history = schedules.schedule_history(plan.loan_id)
    kept = _kept_since_last_reage(plan, payments, as_of, history)
    if kept < rule.consecutive_payments:
        return None
    loan = uow.loans(platform).get(plan.loan_id)
    assert loan is not None  # the plan's foreign key keeps its loan
    earlier = tuple(v.effective_from for v in history if v.reason == REAGED)
    try:
        reaged = lifecycle.reage(
            replace(plan, reaged_on=earlier),
            payments,
            as_of=as_of,
            months_on_book=_months_between(loan.terms.start_date, as_of),
            rule=rule,
        )
    except InvalidTransition:
        return None  # not yet allowed (months on book, or too often): nothing to decide
    version = schedules.append_schedule(
        plan.loan_id, reaged.schedule, reason=REAGED, effective_from=as_of, plan_id=plan.plan_id
    )
    return ReagingDecision.model_validate(
        {
            **PlanDecision.fields_of(plan, as_of, AUTOMATIC),
            "status": "reaged",
            "note": f"{kept} consecutive kept payments; brought current as of {as_of}",
            "schedule_version": version.version,
            "consecutive_kept": kept,
            "rule": ReagingRuleInfo.of(rule),
            # From this date only installments due on or after it age (domain.schedule_in_force).
            "ages_from": as_of,
        }
    )


def _kept_since_last_reage(
    plan: Plan, payments: Sequence[Payment], as_of: date, history: Sequence[ScheduleVersion]
) -> int:
    last = max((v.effective_from for v in history if v.reason == REAGED), default=None)
    outcomes = installment_outcomes(plan, payments, as_of)
    counted = [
        outcome
        for outcome, item in zip(outcomes, plan.schedule.installments, strict=True)
        if item.due_date <= as_of and (last is None or item.due_date > last)
    ]
    return consecutive_kept(counted)


def _months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (a month counts once its day is reached)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(months - (1 if end.day < start.day else 0), 0)
