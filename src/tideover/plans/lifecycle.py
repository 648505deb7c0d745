"""The life of a plan, promises to pay and re-aging, as pure functions.

offered (until its expiry) → accepted → active → completed, or broken (an
installment unpaid beyond the grace period) → cancelled or re-offered.  A
re-offer cancels the broken plan and offers a new one whose first event names
it (``reoffer_of``); ``check_reoffer`` holds the limit on re-offers per
application.  Every schedule a plan ever had is kept in ``history``; changes
append, never replace.

Payments count towards a plan's installments in due order: installment k is
kept when the payments made by its due date plus grace cover installments 1..k.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from tideover.domain.loans import Schedule
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.i18n import N_, Clauses, Wording
from tideover.plans.errors import InvalidTransition, OfferExpired, ReofferLimitReached


class PlanStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    COMPLETED = "completed"
    BROKEN = "broken"
    CANCELLED = "cancelled"


class Outcome(StrEnum):
    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


@dataclass(frozen=True, slots=True)
class ScheduleVersion:
    version: int
    schedule: Schedule
    reason: str  # "contract", "plan <option id>", "re-aged", ...
    effective_from: date


@dataclass(frozen=True, slots=True)
class PlanEvent:
    on: date
    status: PlanStatus
    note: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    plan_id: str
    loan_id: str
    option_id: str
    status: PlanStatus
    expires_on: date
    history: tuple[ScheduleVersion, ...]
    events: tuple[PlanEvent, ...]
    grace_days: int = 5
    reaged_on: tuple[date, ...] = ()
    starts_on: date | None = None

    @property
    def schedule(self) -> Schedule:
        """The schedule in force: the latest version."""
        return self.history[-1].schedule


def offer(
    *,
    plan_id: str,
    loan_id: str,
    option_id: str,
    contract: Schedule,
    plan_schedule: Schedule,
    on: date,
    valid_days: int = 14,
    grace_days: int = 5,
    vulnerable: bool = False,
) -> Plan:
    """A new offer; a vulnerable borrower gets twice the grace before a plan counts as broken."""
    return Plan(
        plan_id=plan_id,
        loan_id=loan_id,
        option_id=option_id,
        status=PlanStatus.OFFERED,
        expires_on=on + timedelta(days=valid_days),
        history=(
            ScheduleVersion(1, contract, "contract", on),
            ScheduleVersion(2, plan_schedule, f"plan {option_id}", on),
        ),
        events=(PlanEvent(on, PlanStatus.OFFERED),),
        grace_days=grace_days * 2 if vulnerable else grace_days,
        starts_on=on,
    )


_ALLOWED = {
    PlanStatus.ACCEPTED: {PlanStatus.OFFERED},
    PlanStatus.ACTIVE: {PlanStatus.ACCEPTED},
    PlanStatus.COMPLETED: {PlanStatus.ACTIVE},
    PlanStatus.BROKEN: {PlanStatus.ACTIVE},
    PlanStatus.CANCELLED: {PlanStatus.OFFERED, PlanStatus.ACCEPTED, PlanStatus.ACTIVE,
                           PlanStatus.BROKEN},
}  # fmt: skip


def _move(plan: Plan, to: PlanStatus, on: date, note: str = "") -> Plan:
    if plan.status not in _ALLOWED[to]:
        raise InvalidTransition(
            N_("plan %(plan_id)s is %(status)s; it cannot become %(to)s"),
            plan_id=repr(plan.plan_id),
            status=plan.status,
            to=to,
        )
    return replace(plan, status=to, events=(*plan.events, PlanEvent(on, to, note)))


def accept(plan: Plan, *, on: date) -> Plan:
    """The borrower accepts; refused after the offer's expiry date."""
    if on > plan.expires_on:
        raise OfferExpired(
            N_("plan offer %(plan_id)s expired on %(expires_on)s; accepted on %(on)s"),
            plan_id=repr(plan.plan_id),
            expires_on=plan.expires_on,
            on=on,
        )
    return _move(plan, PlanStatus.ACCEPTED, on)


def activate(plan: Plan, *, on: date) -> Plan:
    return replace(_move(plan, PlanStatus.ACTIVE, on), starts_on=on)


def cancel(plan: Plan, *, on: date, reason: str) -> Plan:
    return _move(plan, PlanStatus.CANCELLED, on, reason)


def installment_outcomes(plan: Plan, payments: Sequence[Payment], as_of: date) -> list[Outcome]:
    """Kept, broken or pending for each installment of the schedule in force."""
    start = plan.starts_on or plan.history[-1].effective_from
    paid = sorted((p.paid_on, p.amount.minor) for p in payments if p.reverses is None)
    outcomes, due_so_far = [], 0
    for item in plan.schedule.installments:
        due_so_far += item.total.minor
        deadline = item.due_date + timedelta(days=plan.grace_days)
        covered = sum(a for d, a in paid if start <= d <= min(deadline, as_of))
        if covered >= due_so_far:
            outcomes.append(Outcome.KEPT)
        elif as_of > deadline:
            outcomes.append(Outcome.BROKEN)
        else:
            outcomes.append(Outcome.PENDING)
    return outcomes


def review(plan: Plan, payments: Sequence[Payment], *, as_of: date) -> Plan:
    """An active plan becomes completed (all kept) or broken (one unpaid beyond grace)."""
    if plan.status is not PlanStatus.ACTIVE:
        return plan
    outcomes = installment_outcomes(plan, payments, as_of)
    if Outcome.BROKEN in outcomes:
        number = outcomes.index(Outcome.BROKEN) + 1
        return _move(plan, PlanStatus.BROKEN, as_of, f"installment {number} unpaid after grace")
    if all(o is Outcome.KEPT for o in outcomes):
        return _move(plan, PlanStatus.COMPLETED, as_of)
    return plan


REOFFER_NOTE = "re-offer of "  # the first event's note of a re-offered plan, then the old id


def reoffer_of(plan: Plan) -> str | None:
    """The id of the broken plan that ``plan`` re-offers; None for a first offer."""
    note = plan.events[0].note if plan.events else ""
    return note.removeprefix(REOFFER_NOTE) if note.startswith(REOFFER_NOTE) else None


def _require_broken(plan: Plan) -> None:
    if plan.status is not PlanStatus.BROKEN:
        raise InvalidTransition(
            N_("plan %(plan_id)s is %(status)s; only a broken plan is re-offered"),
            plan_id=repr(plan.plan_id),
            status=plan.status,
        )


def check_reoffer(broken: Plan, *, earlier: Sequence[Plan], max_reoffers: int) -> int:
    """The number the re-offer of ``broken`` would be (1 for the first one).

    ``earlier`` are the plans of the same application.  Refused when ``broken``
    is not broken, or when they already hold ``max_reoffers`` re-offers: a
    re-offer reuses the application's income and expenditure statement, and a
    plan that keeps breaking on it says the statement no longer describes the
    borrower.  The borrower is then asked for a new application, which starts
    its own count, so forbearance is never refused by this limit (FCA CONC
    7.3.4R); the limit only stops repeating an offer on stale numbers.  US FFIEC
    Uniform Retail Credit Classification and Account Management Policy (2000)
    likewise asks lenders to limit the number and frequency of extensions,
    deferrals and rewrites of a closed-end loan.  The default is in
    ``OfferLimits.max_reoffers``; docs/plans.md gives the reasons.
    """
    _require_broken(broken)
    done = sum(1 for plan in earlier if reoffer_of(plan) is not None)
    if done >= max_reoffers:
        raise ReofferLimitReached(
            N_(
                "plan %(plan_id)s cannot be re-offered: its application has had %(done)s "
                "re-offers and the offer limits allow %(max_reoffers)s (max_reoffers); "
                "cancel the plan and take a new hardship application with a fresh income "
                "and expenditure statement"
            ),
            plan_id=repr(broken.plan_id),
            done=done,
            max_reoffers=max_reoffers,
        )
    return done + 1


def reoffer(
    broken: Plan, *, plan_id: str, option_id: str, plan_schedule: Schedule, on: date,
    valid_days: int = 14,
) -> tuple[Plan, Plan]:  # fmt: skip
    """Cancel a broken plan and offer a new one that carries its whole schedule history."""
    _require_broken(broken)
    cancelled = cancel(broken, on=on, reason=f"re-offered as {plan_id}")
    version = ScheduleVersion(len(broken.history) + 1, plan_schedule, f"plan {option_id}", on)
    new = replace(
        broken,
        plan_id=plan_id,
        option_id=option_id,
        status=PlanStatus.OFFERED,
        expires_on=on + timedelta(days=valid_days),
        history=(*broken.history, version),
        events=(PlanEvent(on, PlanStatus.OFFERED, f"{REOFFER_NOTE}{broken.plan_id}"),),
        starts_on=on,
    )
    return cancelled, new


# -- promises to pay ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromiseToPay:
    promise_id: str
    amount: Money
    due: date
    made_on: date


def promise_outcome(
    promise: PromiseToPay, payments: Sequence[Payment], *, as_of: date, grace_days: int = 0
) -> Outcome:
    """Kept when payments from the promise to its date (plus grace) reach its amount."""
    deadline = promise.due + timedelta(days=grace_days)
    paid = sum(
        p.amount.minor
        for p in payments
        if p.reverses is None and promise.made_on <= p.paid_on <= min(deadline, as_of)
    )
    if paid >= promise.amount.minor:
        return Outcome.KEPT
    return Outcome.BROKEN if as_of > deadline else Outcome.PENDING


# -- re-aging ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReagingRule:
    """When a plan's account may be brought current (re-aged).

    Defaults from the US FFIEC Uniform Retail Credit Classification and Account
    Management Policy (65 FR 36903, 2000): three consecutive payments, an
    account open at least nine months, at most once in 12 months and twice in
    five years.  Platforms set their own.
    """

    consecutive_payments: int = 3
    min_months_on_book: int = 9
    max_in_12_months: int = 1
    max_in_5_years: int = 2


def consecutive_kept(outcomes: Sequence[Outcome]) -> int:
    """Kept installments in a row, counted back from the latest one decided."""
    decided = [o for o in outcomes if o is not Outcome.PENDING]
    count = 0
    for outcome in reversed(decided):
        if outcome is not Outcome.KEPT:
            break
        count += 1
    return count


def reage(
    plan: Plan,
    payments: Sequence[Payment],
    *,
    as_of: date,
    months_on_book: int,
    rule: ReagingRule = ReagingRule(),
) -> Plan:
    """Bring the account current: a new schedule version from ``as_of``, history kept."""
    kept = consecutive_kept(installment_outcomes(plan, payments, as_of))
    last_year = [d for d in plan.reaged_on if (as_of - d).days < 365]
    last_five = [d for d in plan.reaged_on if (as_of - d).days < 5 * 365]
    need = rule.consecutive_payments
    checks = (
        (kept < need, Wording(N_("%(kept)s consecutive kept payments (need %(need)s)"),
                              kept=kept, need=need)),
        (months_on_book < rule.min_months_on_book,
         Wording(N_("%(months)s months on book (need %(need)s)"),
                 months=months_on_book, need=rule.min_months_on_book)),
        (len(last_year) >= rule.max_in_12_months,
         Wording(N_("already re-aged in the last 12 months"))),
        (len(last_five) >= rule.max_in_5_years, Wording(N_("re-aged too often in five years"))),
        (plan.status is not PlanStatus.ACTIVE,
         Wording(N_("plan is %(status)s"), status=plan.status)),
    )  # fmt: skip
    problems = Clauses(why for bad, why in checks if bad)
    if problems:
        raise InvalidTransition(
            N_("plan %(plan_id)s cannot be re-aged: %(problems)s"),
            plan_id=repr(plan.plan_id),
            problems=problems,
        )
    version = ScheduleVersion(len(plan.history) + 1, plan.schedule, "re-aged", as_of)
    return replace(plan, history=(*plan.history, version), reaged_on=(*plan.reaged_on, as_of))
