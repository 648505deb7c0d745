"""Schedule versions of one platform's loans: the contract's, a plan's, a re-ageing.

Versions are only ever inserted (the database refuses UPDATE and DELETE on them).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Executable, func, insert, select
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import (
    LoanRow,
    ReliefPlanRow,
    ScheduleVersionRow,
)
from tideover.adapters.repositories._base import (
    LOANS,
    PLANS,
    PlatformScoped,
    among_param,
    chunks,
    dialect_of,
    key_batches,
    platform_param,
)
from tideover.domain.errors import Conflict
from tideover.domain.loans import Installment, Schedule
from tideover.domain.money import Money, currency
from tideover.domain.schedule_in_force import InForce, version_in_force
from tideover.i18n import N_
from tideover.plans.lifecycle import ScheduleVersion


def schedule_json(schedule: Schedule) -> list[dict[str, Any]]:
    """Installments in minor units (exact integers), for storage."""
    return [
        {
            "number": i.number,
            "due_date": i.due_date.isoformat(),
            "principal": i.principal.minor,
            "interest": i.interest.minor,
            "fees": i.fees.minor,
        }
        for i in schedule.installments
    ]


def schedule_from_json(items: Sequence[dict[str, Any]], code: str) -> Schedule:
    cur = currency(code)
    return Schedule(
        tuple(
            Installment(
                int(i["number"]),
                date.fromisoformat(i["due_date"]),
                Money(int(i["principal"]), cur),
                Money(int(i["interest"]), cur),
                Money(int(i["fees"]), cur),
            )
            for i in items
        ),
        cur,
    )


class ScheduleRepository(PlatformScoped):
    """The schedule history of one platform's loans."""

    def schedule_history(self, loan_id: str) -> builtins.list[ScheduleVersion]:
        """Every schedule version of the loan, oldest first."""
        query = (
            select(ScheduleVersionRow)
            .join(LoanRow, LoanRow.id == ScheduleVersionRow.loan_pk)
            .where(
                ScheduleVersionRow.platform_id == self._platform_id,
                LoanRow.platform_id == self._platform_id,  # (platform, loan id): no scan of loans
                LoanRow.loan_id == loan_id,
            )
            .order_by(ScheduleVersionRow.version)
        )
        return [
            ScheduleVersion(
                row.version,
                schedule_from_json(row.installments, row.currency),
                row.reason,
                row.effective_from,
            )
            for row in self._session.scalars(query)
        ]

    def schedule_histories(
        self, loan_ids: Iterable[str]
    ) -> dict[str, builtins.list[ScheduleVersion]]:
        """``schedule_history`` of many loans in a few batched queries; loans without
        versions are left out."""
        found: dict[str, builtins.list[ScheduleVersion]] = {}
        query = _histories(dialect_of(self._session))
        for batch in key_batches(self._session, loan_ids):
            bound = {"platform_id": self._platform_id, "loan_ids": list(batch)}
            for row, loan_id in self._session.execute(query, bound):
                found.setdefault(loan_id, []).append(
                    ScheduleVersion(
                        row.version,
                        schedule_from_json(row.installments, row.currency),
                        row.reason,
                        row.effective_from,
                    )
                )
        return found

    def schedules_in_force(
        self, as_of: date
    ) -> dict[int, tuple[InForce, str, builtins.list[dict[str, Any]]]]:
        """By loan key, for every loan with a schedule history: the version in force on
        ``as_of`` (``domain.schedule_in_force``), its currency and its stored installments
        (``schedule_json``).  Two queries: the versions' dates and reasons, then the
        installments of the chosen ones only."""
        c = ScheduleVersionRow.__table__.c
        heads = select(c.loan_pk, c.id, c.version, c.reason, c.effective_from).where(
            c.platform_id == self._platform_id, c.effective_from <= as_of
        )
        by_loan: dict[int, builtins.list[_VersionHead]] = {}
        for loan_pk, pk, version, reason, effective_from in self._session.execute(heads):
            by_loan.setdefault(loan_pk, []).append(
                _VersionHead(pk, version, reason, effective_from)
            )
        chosen: dict[int, tuple[int, InForce]] = {}
        for loan_pk, versions in by_loan.items():
            in_force = version_in_force(versions, as_of)
            if in_force is not None:
                pk = next(v.pk for v in versions if v.version == in_force.version)
                chosen[pk] = (loan_pk, in_force)
        found: dict[int, tuple[InForce, str, builtins.list[dict[str, Any]]]] = {}
        for chunk in chunks(sorted(chosen)):
            query = select(c.id, c.currency, c.installments).where(c.id.in_(chunk))
            for pk, code, installments in self._session.execute(query):
                loan_pk, in_force = chosen[pk]
                found[loan_pk] = (in_force, code, installments)
        return found

    def append_schedule(
        self,
        loan_id: str,
        schedule: Schedule,
        *,
        reason: str,
        effective_from: date,
        plan_id: str | None = None,
    ) -> ScheduleVersion:
        """Adds the next version of the loan's schedule; earlier versions stay as they are."""
        loan_pk = self._require(LoanRow.loan_id, [loan_id], LOANS)[loan_id]
        last = self._session.scalar(
            select(func.max(ScheduleVersionRow.version)).where(
                ScheduleVersionRow.platform_id == self._platform_id,
                ScheduleVersionRow.loan_pk == loan_pk,
            )
        )
        version = ScheduleVersion((last or 0) + 1, schedule, reason, effective_from)
        try:
            self._session.execute(
                insert(ScheduleVersionRow).values(
                    platform_id=self._platform_id,
                    loan_pk=loan_pk,
                    version=version.version,
                    plan_pk=None if plan_id is None else self._plan_pk(plan_id),
                    reason=reason,
                    effective_from=effective_from,
                    currency=schedule.currency.code,
                    installments=schedule_json(schedule),
                )
            )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_(
                    "schedule version %(version)s of loan %(loan_id)s was written "
                    "concurrently; retry"
                ),
                version=version.version,
                loan_id=repr(loan_id),
            ) from exc
        return version

    def _plan_pk(self, plan_id: str) -> int:
        return self._require(ReliefPlanRow.plan_id, [plan_id], PLANS)[plan_id]


class _VersionHead(NamedTuple):
    """A schedule version's key, number, reason and date (``domain.schedule_in_force``)."""

    pk: int
    version: int
    reason: str
    effective_from: date


@cache
def _histories(dialect: str) -> Executable:
    """The schedule versions of the loans bound as ``loan_ids``, by loan and version."""
    platform = platform_param()
    return (
        select(ScheduleVersionRow, LoanRow.loan_id)
        .join(LoanRow, LoanRow.id == ScheduleVersionRow.loan_pk)
        .where(
            ScheduleVersionRow.platform_id == platform,
            LoanRow.platform_id == platform,
            among_param(dialect, LoanRow.loan_id, "loan_ids"),
        )
        .order_by(LoanRow.loan_id, ScheduleVersionRow.version)
    )
