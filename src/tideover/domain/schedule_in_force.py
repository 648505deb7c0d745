"""The schedule in force on a business date, and which payments count towards it.

Relief plans and re-aging append versions to a loan's schedule history
(``schedule_versions``); the contract is version 1.  On a business date D:

1. The schedule **in force** is the latest version (highest number) whose
   ``effective_from`` is on or before D.  A loan without such a version is
   replayed on its contract schedule with all its payments.
2. A ``contract`` version is the original agreement: every payment counts.
3. Any other version (a plan's schedule) was built from what was still owed when
   it took effect, so it is replayed with the payments valued **on or after** its
   ``effective_from`` only.  Earlier payments were allocated to the schedules
   before it and are already reflected in what it covers; replaying them again
   would count them twice.  This is the window the plan review counts a plan's
   installments in (``plans.lifecycle.installment_outcomes``: ``starts_on <=
   paid_on``).  A reversal goes with the payment it reverses: it counts in the
   window of its original (a bounced payment from before a plan does not reopen
   the plan's installments).
4. A ``re-aged`` version (``plans.lifecycle.reage``) brings the account current
   on its ``effective_from`` E without forgiving anything.  Its payments are those
   of the version it re-ages (the window of the latest earlier version that is not
   itself re-aged).  From E only installments due on or after E age: days past
   due, the oldest unpaid due date and the count of installments past due ignore
   earlier ones.  What those still owe stays owed and overdue, and penalty is
   computed as before.  With the default oldest-first waterfall, later payments
   settle the older arrears first, so a shortfall surfaces on (and ages from) an
   installment due after E.

``status_in_force`` is the one-loan reference of this rule on the domain's
allocation; the daily cycle computes the same thing for the whole portfolio
at once (``tideover.batch.stored_positions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from tideover.domain.allocation import (
    DEFAULT_WATERFALL,
    LoanPosition,
    Waterfall,
    position_as_of,
)
from tideover.domain.delinquency import (
    DEFAULT_BUCKETS,
    BucketScheme,
    DelinquencyStatus,
    PausePeriod,
    delinquency_of,
)
from tideover.domain.loans import Loan, Schedule
from tideover.domain.payments import Payment
from tideover.domain.penalty import NO_PENALTY, PenaltyPolicy

CONTRACT = "contract"
"""Reason of the version that is the original agreement (all payments count)."""
REAGED = "re-aged"
"""Reason of a re-aging version (``plans.lifecycle.reage`` writes it)."""


class VersionHead(Protocol):
    """What choosing the version in force needs to know of one schedule version."""

    @property
    def version(self) -> int: ...

    @property
    def reason(self) -> str: ...

    @property
    def effective_from(self) -> date: ...


class ScheduleVersionLike(VersionHead, Protocol):
    @property
    def schedule(self) -> Schedule: ...


@dataclass(frozen=True, slots=True)
class InForce:
    """The version in force on a date: from when payments count, from when debt ages.

    ``payments_from`` None: every payment counts; ``ages_from`` None: every
    installment past due ages.
    """

    version: int
    payments_from: date | None
    ages_from: date | None


def version_in_force(versions: Sequence[VersionHead], as_of: date) -> InForce | None:
    """The rule above for ``versions`` (any order) on ``as_of``; None: the contract schedule."""
    ordered = sorted(versions, key=lambda v: v.version)
    current = [v for v in ordered if v.effective_from <= as_of]
    if not current:
        return None
    chosen = current[-1]
    ages_from = chosen.effective_from if chosen.reason == REAGED else None
    # A re-aged version keeps the payments of the version it re-ages.
    base = next((v for v in reversed(current) if v.reason != REAGED), None)
    if base is None or base.reason == CONTRACT:
        return InForce(chosen.version, None, ages_from)
    return InForce(chosen.version, base.effective_from, ages_from)


def payments_in_window(payments: Sequence[Payment], since: date | None) -> list[Payment]:
    """The payments valued on or after ``since`` (all when None); a reversal goes with its
    original (by itself when the original is unknown, so the allocation refuses it)."""
    if since is None:
        return list(payments)
    by_id = {p.payment_id: p for p in payments}
    kept = []
    for payment in payments:
        anchor = payment
        if payment.reverses is not None:
            anchor = by_id.get(payment.reverses, payment)
        if anchor.paid_on >= since:
            kept.append(payment)
    return kept


def status_in_force(
    loan: Loan,
    payments: Sequence[Payment],
    as_of: date,
    *,
    versions: Sequence[ScheduleVersionLike] = (),
    waterfall: Waterfall = DEFAULT_WATERFALL,
    penalty: PenaltyPolicy = NO_PENALTY,
    pauses: Sequence[PausePeriod] = (),
    scheme: BucketScheme = DEFAULT_BUCKETS,
) -> tuple[LoanPosition, DelinquencyStatus]:
    """The loan replayed on the schedule in force on ``as_of``, and its delinquency."""
    chosen = version_in_force(versions, as_of)
    counted: Sequence[Payment] = payments
    ages_from = None
    if chosen is not None:
        schedule = next(v.schedule for v in versions if v.version == chosen.version)
        loan = replace(loan, schedule=schedule)
        counted = payments_in_window(payments, chosen.payments_from)
        ages_from = chosen.ages_from
    position = position_as_of(
        loan, counted, as_of, waterfall=waterfall, penalty=penalty, pauses=pauses
    )
    status = delinquency_of(position, pauses=pauses, scheme=scheme, ages_from=ages_from)
    return position, status
