"""What the daily cycle needs to know about each account beyond its payments.

The policy's feature catalogue (``tideover.policy.features``) has flags that
live in the working tables, not in the loan book: an open hardship case, a
vulnerable borrower, a disputed debt, promises to pay, the last time someone
was reached.  Each question is one set-based query over one platform; the
answers come back keyed by loan (or by borrower, for contacts), never as ORM
objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from tideover.adapters.orm import (
    ContactEventRow,
    ContactHoldRow,
    HardshipApplicationRow,
    LoanRow,
    PromiseToPayRow,
    ReliefPlanRow,
)
from tideover.adapters.repositories._base import PlatformScoped

# Applications still open, or decided and not yet closed (a granted case stays
# "granted" until its plan ends and the case is closed).
OPEN_APPLICATION = ("submitted", "under_review", "decided")
# Plans that are on the table or running.
LIVE_PLAN = ("offered", "accepted", "active")
# Outcomes in which the borrower (or their inbox) was actually reached.
REACHED = ("connected", "conversation", "delivered")
BROKEN_PROMISE_WINDOW = timedelta(days=90)  # the catalogue's "in the last 90 days"


@dataclass(frozen=True, slots=True)
class AccountFlags:
    """Loan ids per flag, broken promises per loan, and each borrower's last reached contact."""

    hardship: frozenset[str]
    vulnerable: frozenset[str]
    disputed_borrowers: frozenset[str]  # a dispute hold on the borrower as a whole
    disputed_loans: frozenset[str]  # a dispute hold on one debt
    promise_active: frozenset[str]
    broken_promises: dict[str, int]
    last_reached: dict[str, datetime]  # borrower id -> last outbound contact that reached them


class AccountFlagsRepository(PlatformScoped):
    """The per-account flags of one platform for one business date."""

    def flags(self, *, as_of: date, day_start: datetime, day_end: datetime) -> AccountFlags:
        """Flags on ``as_of``; ``day_start``/``day_end`` bound the date in the platform's zone."""
        return AccountFlags(
            hardship=frozenset(self._hardship_loans()),
            vulnerable=frozenset(self._vulnerable_loans()),
            disputed_borrowers=frozenset(self._disputes(day_start, per_debt=False)),
            disputed_loans=frozenset(self._disputes(day_start, per_debt=True)),
            promise_active=frozenset(self._pending_promises(as_of)),
            broken_promises=self._broken_promises(as_of),
            last_reached=self._last_reached(day_end),
        )

    def _loan_ids(self, query: Any) -> Iterable[str]:
        return (row[0] for row in self._session.execute(query) if row[0] is not None)

    def _hardship_loans(self) -> Iterable[str]:
        applications = select(HardshipApplicationRow.loan_id).where(
            HardshipApplicationRow.platform_id == self._platform_id,
            HardshipApplicationRow.status.in_(OPEN_APPLICATION),
            # A declined case is decided but grants nothing.
            or_(
                HardshipApplicationRow.outcome.is_(None),
                HardshipApplicationRow.outcome != "declined",
            ),
        )
        plans = (
            select(LoanRow.loan_id)
            .join(ReliefPlanRow, ReliefPlanRow.loan_pk == LoanRow.id)
            .where(
                ReliefPlanRow.platform_id == self._platform_id,
                ReliefPlanRow.status.in_(LIVE_PLAN),
            )
        )
        return {*self._loan_ids(applications), *self._loan_ids(plans)}

    def _vulnerable_loans(self) -> Iterable[str]:
        query = select(HardshipApplicationRow.loan_id).where(
            HardshipApplicationRow.platform_id == self._platform_id,
            HardshipApplicationRow.vulnerable.is_(True),
        )
        return set(self._loan_ids(query))

    def _disputes(self, at: datetime, *, per_debt: bool) -> Iterable[str]:
        column = ContactHoldRow.debt_id if per_debt else ContactHoldRow.borrower_id
        query = select(column).where(
            ContactHoldRow.platform_id == self._platform_id,
            ContactHoldRow.kind == "dispute",
            ContactHoldRow.debt_id.is_not(None) if per_debt else ContactHoldRow.debt_id.is_(None),
            or_(ContactHoldRow.ends_at.is_(None), ContactHoldRow.ends_at > at),
            or_(ContactHoldRow.lifted_at.is_(None), ContactHoldRow.lifted_at > at),
        )
        return set(self._loan_ids(query))

    def _promises(self, *where: Any) -> Any:
        return (
            select(LoanRow.loan_id, func.count())
            .join(PromiseToPayRow, PromiseToPayRow.loan_pk == LoanRow.id)
            .where(PromiseToPayRow.platform_id == self._platform_id, *where)
            .group_by(LoanRow.loan_id)
        )

    def _pending_promises(self, as_of: date) -> Iterable[str]:
        query = self._promises(
            PromiseToPayRow.outcome == "pending",
            PromiseToPayRow.made_on <= as_of,
            PromiseToPayRow.due >= as_of,
        )
        return {loan_id for loan_id, _ in self._session.execute(query)}

    def _broken_promises(self, as_of: date) -> dict[str, int]:
        query = self._promises(
            PromiseToPayRow.outcome == "broken",
            and_(
                PromiseToPayRow.decided_on > as_of - BROKEN_PROMISE_WINDOW,
                PromiseToPayRow.decided_on <= as_of,
            ),
        )
        return {loan_id: int(n) for loan_id, n in self._session.execute(query)}

    def _last_reached(self, before: datetime) -> dict[str, datetime]:
        query = (
            select(ContactEventRow.borrower_id, func.max(ContactEventRow.occurred_at))
            .where(
                ContactEventRow.platform_id == self._platform_id,
                ContactEventRow.inbound.is_(False),
                ContactEventRow.outcome.in_(REACHED),
                ContactEventRow.occurred_at < before,
            )
            .group_by(ContactEventRow.borrower_id)
        )
        return {borrower: at for borrower, at in self._session.execute(query) if at is not None}
