"""Relief plans and their approvals, of one platform.

The plan's life is the pure ``tideover.plans.lifecycle`` state machine; this
repository stores what it returns.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import (
    HardshipApplicationRow,
    LoanRow,
    PlanApprovalRow,
    ReliefPlanRow,
)
from tideover.adapters.repositories._base import APPLICATIONS, LOANS, PLANS, PlatformScoped, chunks
from tideover.adapters.repositories.schedules import schedule_from_json, schedule_json
from tideover.domain.errors import Conflict, NotFound
from tideover.i18n import N_
from tideover.plans.approval import Approval, ApprovalRequest
from tideover.plans.lifecycle import Plan, PlanEvent, PlanStatus, ScheduleVersion
from tideover.plans.limits import OfferLimits, parse_limits


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A plan with what it was offered under and where its approval stands."""

    plan: Plan
    application_id: str
    as_of: date
    currency: str
    summary: dict[str, Any]
    limits: OfferLimits
    request: ApprovalRequest
    requested_at: datetime
    approval: Approval | None


@dataclass(frozen=True, slots=True)
class PlanTimeline:
    """A plan's loan and dated status changes, without its schedule (for counting)."""

    plan_id: str
    loan_id: str
    events: tuple[PlanEvent, ...]


class PlanRepository(PlatformScoped):
    """Relief plans and their approval requests of one platform."""

    def add_plan(
        self,
        plan: Plan,
        *,
        application_id: str,
        as_of: date,
        currency_code: str,
        summary: dict[str, Any],
        limits: OfferLimits,
        request: ApprovalRequest,
        requested_at: datetime,
        approval: Approval | None,
    ) -> None:
        """Stores a new offered plan and its approval request (approved when automatic)."""
        loan_pk = self._require(LoanRow.loan_id, [plan.loan_id], LOANS)[plan.loan_id]
        try:
            self._session.execute(
                insert(ReliefPlanRow).values(
                    platform_id=self._platform_id,
                    plan_id=plan.plan_id,
                    application_pk=self._application_pk(application_id),
                    loan_pk=loan_pk,
                    option_id=plan.option_id,
                    as_of=as_of,
                    offered_on=plan.events[0].on,
                    expires_on=plan.expires_on,
                    grace_days=plan.grace_days,
                    currency=currency_code,
                    schedule=schedule_json(plan.schedule),
                    summary=summary,
                    limits=limits.model_dump(mode="json"),
                    **_plan_values(plan),
                )
            )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_("plan %(plan_id)s already exists on platform %(platform_code)s"),
                plan_id=repr(plan.plan_id),
                platform_code=repr(self.platform_code),
            ) from exc
        self._session.execute(
            insert(PlanApprovalRow).values(
                platform_id=self._platform_id,
                plan_pk=self._plan_pk(plan.plan_id),
                request_id=request.request_id,
                requested_by=request.requested_by,
                required_role=request.required_role,
                requested_at=requested_at,
                **_approval_values(approval),
            )
        )
        self._session.flush()

    def plan(self, plan_id: str, *, lock: bool = False) -> StoredPlan | None:
        query = self._plans_query().where(ReliefPlanRow.plan_id == plan_id)
        if lock:
            query = query.with_for_update()
        row = self._session.execute(query).first()
        return None if row is None else _stored_plan(*row)

    def require_plan(self, plan_id: str, *, lock: bool = False) -> StoredPlan:
        stored = self.plan(plan_id, lock=lock)
        if stored is None:
            raise NotFound(
                N_("no plan %(plan_id)s on platform %(platform_code)s"),
                plan_id=repr(plan_id),
                platform_code=repr(self.platform_code),
            )
        return stored

    def plans_for_application(self, application_id: str) -> builtins.list[StoredPlan]:
        query = self._plans_query().where(
            ReliefPlanRow.application_pk == self._application_pk(application_id)
        )
        return [
            _stored_plan(*row) for row in self._session.execute(query.order_by(ReliefPlanRow.id))
        ]

    def plans_with_status(self, *statuses: PlanStatus) -> builtins.list[StoredPlan]:
        """Every plan of the platform in one of ``statuses``, by plan id."""
        query = self._plans_query().where(ReliefPlanRow.status.in_([s.value for s in statuses]))
        return [
            _stored_plan(*row)
            for row in self._session.execute(query.order_by(ReliefPlanRow.plan_id))
        ]

    def plan_timelines(self, until: date) -> builtins.list[PlanTimeline]:
        """Every plan offered on or before ``until`` with its events, by plan id (one query).

        Only the light columns: what a day's plan figures are counted from.
        """
        query = (
            select(ReliefPlanRow.plan_id, LoanRow.loan_id, ReliefPlanRow.events)
            .join(LoanRow, LoanRow.id == ReliefPlanRow.loan_pk)
            .where(
                ReliefPlanRow.platform_id == self._platform_id, ReliefPlanRow.offered_on <= until
            )
            .order_by(ReliefPlanRow.plan_id)
        )
        return [
            PlanTimeline(plan_id, loan_id, _events(events))
            for plan_id, loan_id, events in self._session.execute(query)
        ]

    def plan_totals(self, plan_ids: Iterable[str]) -> dict[str, int]:
        """What each plan's schedule asks in all (principal + interest + fees), minor units."""
        totals: dict[str, int] = {}
        for chunk in chunks(sorted(set(plan_ids))):
            query = select(ReliefPlanRow.plan_id, ReliefPlanRow.schedule).where(
                ReliefPlanRow.platform_id == self._platform_id, ReliefPlanRow.plan_id.in_(chunk)
            )
            for plan_id, schedule in self._session.execute(query):
                totals[plan_id] = sum(
                    int(i["principal"]) + int(i["interest"]) + int(i["fees"]) for i in schedule
                )
        return totals

    def save_plan(self, plan: Plan) -> None:
        """Stores the status, events and start of ``plan`` (its schedule never changes)."""
        self._session.execute(
            update(ReliefPlanRow)
            .where(ReliefPlanRow.id == self._plan_pk(plan.plan_id))
            .values(**_plan_values(plan))
        )
        self._session.flush()

    def record_approval(self, plan_id: str, approval: Approval) -> None:
        try:
            self._session.execute(
                update(PlanApprovalRow)
                .where(
                    PlanApprovalRow.plan_pk == self._plan_pk(plan_id),
                    PlanApprovalRow.approved_by.is_(None),
                )
                .values(**_approval_values(approval))
            )
            self._session.flush()
        except IntegrityError as exc:  # the database's four-eyes check
            raise Conflict(
                N_("approval of plan %(plan_id)s refused by the database: %(orig)s"),
                plan_id=repr(plan_id),
                orig=str(exc.orig),
            ) from exc

    def _plans_query(self) -> Any:
        return (
            select(
                ReliefPlanRow,
                HardshipApplicationRow.application_id,
                LoanRow.loan_id,
                PlanApprovalRow,
            )
            .join(HardshipApplicationRow, HardshipApplicationRow.id == ReliefPlanRow.application_pk)
            .join(LoanRow, LoanRow.id == ReliefPlanRow.loan_pk)
            .join(PlanApprovalRow, PlanApprovalRow.plan_pk == ReliefPlanRow.id)
            .where(ReliefPlanRow.platform_id == self._platform_id)
        )

    def _application_pk(self, application_id: str) -> int:
        return self._require(HardshipApplicationRow.application_id, [application_id], APPLICATIONS)[
            application_id
        ]

    def _plan_pk(self, plan_id: str) -> int:
        return self._require(ReliefPlanRow.plan_id, [plan_id], PLANS)[plan_id]


def _plan_values(plan: Plan) -> dict[str, Any]:
    return {
        "status": plan.status.value,
        "starts_on": plan.starts_on,
        "events": [
            {"on": e.on.isoformat(), "status": e.status.value, "note": e.note} for e in plan.events
        ],
    }


def _approval_values(approval: Approval | None) -> dict[str, Any]:
    if approval is None:
        return {"approved_by": None, "approval_role": None, "approved_at": None}
    return {
        "approved_by": approval.approved_by,
        "approval_role": approval.role,
        "approved_at": approval.at,
    }


def _stored_plan(
    row: ReliefPlanRow, application_id: str, loan_id: str, approval: PlanApprovalRow
) -> StoredPlan:
    schedule = schedule_from_json(row.schedule, row.currency)
    plan = Plan(
        plan_id=row.plan_id,
        loan_id=loan_id,
        option_id=row.option_id,
        status=PlanStatus(row.status),
        expires_on=row.expires_on,
        # The loan's full history is in schedule_versions; a plan carries its own schedule.
        history=(ScheduleVersion(1, schedule, f"plan {row.option_id}", row.offered_on),),
        events=tuple(
            PlanEvent(date.fromisoformat(e["on"]), PlanStatus(e["status"]), e["note"])
            for e in row.events
        ),
        grace_days=row.grace_days,
        starts_on=row.starts_on,
    )
    request = ApprovalRequest(
        approval.request_id, row.option_id, approval.requested_by, approval.required_role
    )
    done = None
    if approval.approved_by is not None and approval.approved_at is not None:
        done = Approval(
            approval.request_id,
            approval.approved_by,
            approval.approval_role or "",
            approval.approved_at,
        )
    return StoredPlan(
        plan=plan,
        application_id=application_id,
        as_of=row.as_of,
        currency=row.currency,
        summary=row.summary,
        limits=parse_limits(row.limits),
        request=request,
        requested_at=approval.requested_at,
        approval=done,
    )


def _events(stored: Sequence[dict[str, str]]) -> tuple[PlanEvent, ...]:
    return tuple(
        PlanEvent(date.fromisoformat(e["on"]), PlanStatus(e["status"]), e["note"]) for e in stored
    )
