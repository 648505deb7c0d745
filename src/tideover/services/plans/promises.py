"""Use cases of promises to pay: record one, list them, decide the pending ones.

A promise is recorded on the platform's business date; it is decided kept or
broken only by a review for a given date (``tideover plans review --as-of``),
never by the clock, with the pure rule ``tideover.plans.lifecycle.promise_outcome``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from tideover.domain.clock import Clock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.domain.loans import Loan
from tideover.domain.money import Money, to_decimal
from tideover.domain.payments import Payment
from tideover.i18n import N_
from tideover.plans.lifecycle import Outcome, PlanStatus, PromiseToPay, promise_outcome
from tideover.services.common import acting, now_and_today
from tideover.services.plans.results import PromiseDecision, PromiseInfo, PromiseList
from tideover.services.unit_of_work import UnitOfWork

MAX_GRACE_DAYS = 31


def check_grace(days: int, what: str = "promise grace") -> int:
    """A grace period in whole days, 0 to ``MAX_GRACE_DAYS``."""
    if not 0 <= days <= MAX_GRACE_DAYS:
        raise ValidationError(
            N_("%(what)s of %(days)s days must be between 0 and %(max_grace_days)s"),
            what=what,
            days=days,
            max_grace_days=MAX_GRACE_DAYS,
        )
    return days


def _amount(text: str | Decimal, loan: Loan) -> Money:
    """The promised amount in the loan's currency: positive, no finer than its minor unit."""
    cur = loan.terms.principal.currency
    value = to_decimal(text)
    exact = value * cur.minor_per_major
    if value <= 0 or exact != exact.to_integral_value():
        raise ValidationError(
            N_(
                "promise for loan %(loan_id)s: amount %(text)s must be positive with at "
                "most the %(code)s minor unit (e.g. 500.00)"
            ),
            loan_id=repr(loan.loan_id),
            text=text,
            code=cur.code,
        )
    return Money(int(exact), cur)


def record_promise(
    *,
    uow: UnitOfWork,
    platform: str,
    loan_id: str,
    amount: str | Decimal,
    due: date,
    by: str,
    clock: Clock | None = None,
) -> PromiseInfo:
    """Record a borrower's promise to pay ``amount`` on the loan by ``due``.

    Made on the platform's business date; ``due`` may not be before it.  One
    pending promise per loan at a time, so that one payment never keeps two.
    The promise belongs to the loan's active plan when it has one.
    """
    with uow:
        report = add_promise(
            uow, platform, loan_id=loan_id, amount=amount, due=due, by=by, clock=clock
        )
        uow.commit()
    return report


def add_promise(
    uow: UnitOfWork,
    platform: str,
    *,
    loan_id: str,
    amount: str | Decimal,
    due: date,
    by: str,
    clock: Clock | None = None,
) -> PromiseInfo:
    """``record_promise`` inside the caller's open unit of work (no commit): for a use case
    that records a promise with other changes, such as a collector's call outcome."""
    who = acting(uow, platform, by)
    now, today = now_and_today(uow, platform, clock)
    loan = uow.loans(platform).get(loan_id)
    if loan is None:
        raise NotFound(
            N_(
                "no loan %(loan_id)s on platform %(platform)s; a promise is recorded on "
                "a loan of the same platform"
            ),
            loan_id=repr(loan_id),
            platform=repr(platform),
        )
    money = _amount(amount, loan)
    if due < today:
        raise ValidationError(
            N_(
                "promise for loan %(loan_id)s: date %(due)s is before today (%(today)s) "
                "on platform %(platform)s"
            ),
            loan_id=repr(loan_id),
            due=due,
            today=today,
            platform=repr(platform),
        )
    repo = uow.plans(platform)
    promises = uow.promises(platform)
    earlier = promises.promises(loan_id)
    pending = [p for p in earlier if p.outcome is Outcome.PENDING]
    if pending:
        first = pending[0].promise
        raise Conflict(
            N_(
                "loan %(loan_id)s already has promise %(promise_id)s pending (due "
                "%(due)s); it is decided by `plans review` first"
            ),
            loan_id=repr(loan_id),
            promise_id=repr(first.promise_id),
            due=first.due,
        )
    active = [
        p.plan.plan_id
        for p in repo.plans_with_status(PlanStatus.ACTIVE)
        if p.plan.loan_id == loan_id
    ]
    promise = PromiseToPay(f"PTP-{promises.promise_count() + 1}", money, due, today)
    plan_id = active[0] if active else None
    promises.add_promise(promise, loan_id=loan_id, plan_id=plan_id, by=who)
    [stored] = [p for p in promises.promises(loan_id) if p.promise == promise]
    report = PromiseInfo.of(stored)
    uow.audit(platform).append("promise_recorded", report.to_json(), at=now)
    return report


def list_promises(*, uow: UnitOfWork, platform: str, loan_id: str | None = None) -> PromiseList:
    """The platform's promises (or one loan's), by loan, date and id."""
    with uow:
        if loan_id is None:
            stored = uow.promises(platform).all_promises()
        else:
            if uow.loans(platform).get(loan_id) is None:
                raise NotFound(
                    N_("no loan %(loan_id)s on platform %(platform)s"),
                    loan_id=repr(loan_id),
                    platform=repr(platform),
                )
            stored = uow.promises(platform).promises(loan_id)
    return PromiseList([PromiseInfo.of(p) for p in stored])


def decide_promises(
    uow: UnitOfWork,
    platform: str,
    *,
    as_of: date,
    grace_days: int,
    payments: Mapping[str, Sequence[Payment]],
    at: datetime,
) -> list[PromiseDecision]:
    """Decide every pending promise that is kept or broken on ``as_of`` (inside an open uow).

    Each decision is stored with ``as_of`` as its date and appended to the audit
    trail; promises still pending are left as they are.
    """
    repo, decided = uow.promises(platform), []
    for stored in repo.all_promises(outcome=Outcome.PENDING):
        outcome = promise_outcome(
            stored.promise, payments.get(stored.loan_id, ()), as_of=as_of, grace_days=grace_days
        )
        if outcome is Outcome.PENDING:
            continue
        repo.decide_promise(stored.promise.promise_id, outcome, as_of)
        report = PromiseDecision.model_validate(
            {
                **PromiseInfo.fields_of(stored),
                "outcome": outcome.value,
                "decided_on": as_of,
                "grace_days": grace_days,
            }
        )
        uow.audit(platform).append(f"promise_{outcome.value}", report.to_json(), at=at)
        decided.append(report)
    return decided
