"""Promises to pay of one platform."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Executable, and_, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import (
    LoanRow,
    PromiseToPayRow,
    ReliefPlanRow,
)
from tideover.adapters.repositories._base import LOANS, PLANS, PlatformScoped, platform_param
from tideover.domain.errors import Conflict
from tideover.domain.money import Money, currency
from tideover.i18n import N_
from tideover.plans.lifecycle import Outcome as PromiseOutcome
from tideover.plans.lifecycle import PromiseToPay


@dataclass(frozen=True, slots=True)
class StoredPromise:
    promise: PromiseToPay
    loan_id: str
    plan_id: str | None
    outcome: PromiseOutcome
    decided_on: date | None
    recorded_by: str


class PromiseRepository(PlatformScoped):
    """Promises to pay of one platform, kept or broken by the payments."""

    def add_promise(
        self, promise: PromiseToPay, *, loan_id: str, plan_id: str | None, by: str
    ) -> None:
        loan_pk = self._require(LoanRow.loan_id, [loan_id], LOANS)[loan_id]
        try:
            self._session.execute(
                insert(PromiseToPayRow).values(
                    platform_id=self._platform_id,
                    promise_id=promise.promise_id,
                    loan_pk=loan_pk,
                    plan_pk=None if plan_id is None else self._plan_pk(plan_id),
                    amount_minor=promise.amount.minor,
                    currency=promise.amount.currency.code,
                    made_on=promise.made_on,
                    due=promise.due,
                    outcome=PromiseOutcome.PENDING.value,
                    recorded_by=by,
                )
            )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_("promise %(promise_id)s already exists on platform %(platform_code)s"),
                promise_id=repr(promise.promise_id),
                platform_code=repr(self.platform_code),
            ) from exc

    def promises(self, loan_id: str) -> builtins.list[StoredPromise]:
        rows = self._session.execute(
            _of_loan(), {"platform_id": self._platform_id, "loan_id": loan_id}
        )
        return [_promise(row, loan, plan) for row, loan, plan in rows]

    def all_promises(
        self, *, outcome: PromiseOutcome | None = None
    ) -> builtins.list[StoredPromise]:
        """Every promise of the platform (or those with ``outcome``), by loan, date and id."""
        query = (
            select(PromiseToPayRow, LoanRow.loan_id, ReliefPlanRow.plan_id)
            .join(LoanRow, LoanRow.id == PromiseToPayRow.loan_pk)
            .outerjoin(ReliefPlanRow, ReliefPlanRow.id == PromiseToPayRow.plan_pk)
            .where(PromiseToPayRow.platform_id == self._platform_id)
            .order_by(LoanRow.loan_id, PromiseToPayRow.due, PromiseToPayRow.promise_id)
        )
        if outcome is not None:
            query = query.where(PromiseToPayRow.outcome == outcome.value)
        return [_promise(row, loan, plan) for row, loan, plan in self._session.execute(query)]

    def promises_on(
        self, day: date, *, made_since: date | None = None
    ) -> builtins.list[StoredPromise]:
        """Promises due or decided on ``day``, or made on ``made_since``..``day`` (one query).

        By loan, date and id; ``made_since`` defaults to ``day``.
        """
        t = PromiseToPayRow
        first = day if made_since is None else made_since
        query = (
            select(t, LoanRow.loan_id, ReliefPlanRow.plan_id)
            .join(LoanRow, LoanRow.id == t.loan_pk)
            .outerjoin(ReliefPlanRow, ReliefPlanRow.id == t.plan_pk)
            .where(
                t.platform_id == self._platform_id,
                or_(and_(t.made_on >= first, t.made_on <= day), t.due == day, t.decided_on == day),
            )
            .order_by(LoanRow.loan_id, t.due, t.promise_id)
        )
        return [_promise(row, loan, plan) for row, loan, plan in self._session.execute(query)]

    def promise_count(self) -> int:
        return self._count(PromiseToPayRow)

    def decide_promise(self, promise_id: str, outcome: PromiseOutcome, on: date) -> None:
        """Records a pending promise as kept or broken."""
        self._session.execute(
            update(PromiseToPayRow)
            .where(
                PromiseToPayRow.platform_id == self._platform_id,
                PromiseToPayRow.promise_id == promise_id,
                PromiseToPayRow.outcome == PromiseOutcome.PENDING.value,
            )
            .values(outcome=outcome.value, decided_on=on)
        )
        self._session.flush()

    def _plan_pk(self, plan_id: str) -> int:
        return self._require(ReliefPlanRow.plan_id, [plan_id], PLANS)[plan_id]


def _promise(row: PromiseToPayRow, loan_id: str, plan_id: str | None) -> StoredPromise:
    promise = PromiseToPay(
        row.promise_id, Money(row.amount_minor, currency(row.currency)), row.due, row.made_on
    )
    return StoredPromise(
        promise, loan_id, plan_id, PromiseOutcome(row.outcome), row.decided_on, row.recorded_by
    )


@cache
def _of_loan() -> Executable:
    """One loan's promises by due date and id, with the plan each belongs to."""
    platform = platform_param()
    return (
        select(PromiseToPayRow, LoanRow.loan_id, ReliefPlanRow.plan_id)
        .join(LoanRow, LoanRow.id == PromiseToPayRow.loan_pk)
        .outerjoin(ReliefPlanRow, ReliefPlanRow.id == PromiseToPayRow.plan_pk)
        .where(
            PromiseToPayRow.platform_id == platform,
            LoanRow.platform_id == platform,  # (platform, loan id): no scan of loans
            LoanRow.loan_id == bindparam("loan_id"),
        )
        .order_by(PromiseToPayRow.due, PromiseToPayRow.promise_id)
    )
