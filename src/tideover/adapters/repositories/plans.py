"""Hardship applications, evidence, relief plans, schedule history and promises of one platform.

The review and plan life are the pure ``tideover.plans`` state machines; this
repository stores what they return.  Schedule versions are only ever inserted
(the database refuses UPDATE and DELETE on them).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import (
    EvidenceDocumentRow,
    HardshipApplicationRow,
    LoanRow,
    PlanApprovalRow,
    PromiseToPayRow,
    ReliefPlanRow,
    ScheduleVersionRow,
)
from tideover.adapters.repositories._base import PlatformScoped, chunks
from tideover.domain.errors import Conflict, NotFound
from tideover.domain.loans import Installment, Schedule
from tideover.domain.money import Money, currency
from tideover.domain.schedule_in_force import InForce, version_in_force
from tideover.plans.application import EvidenceDocument, parse_application
from tideover.plans.approval import Approval, ApprovalRequest
from tideover.plans.cases import ApplicationCase, ApplicationStatus, Outcome, Reason, StatusChange
from tideover.plans.lifecycle import Outcome as PromiseOutcome
from tideover.plans.lifecycle import Plan, PlanEvent, PlanStatus, PromiseToPay, ScheduleVersion
from tideover.plans.limits import OfferLimits, parse_limits


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An evidence document's metadata and its bytes (already checked against each other)."""

    document: EvidenceDocument
    content: bytes


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
class StoredPromise:
    promise: PromiseToPay
    loan_id: str
    plan_id: str | None
    outcome: PromiseOutcome
    decided_on: date | None
    recorded_by: str


@dataclass(frozen=True, slots=True)
class PlanTimeline:
    """A plan's loan and dated status changes, without its schedule (for counting)."""

    plan_id: str
    loan_id: str
    events: tuple[PlanEvent, ...]


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


class PlanRepository(PlatformScoped):
    """Applications, evidence, plans, schedule versions and promises to pay of one platform."""

    # -- applications ------------------------------------------------------------------

    def add_application(self, case: ApplicationCase, evidence: Sequence[EvidenceFile]) -> None:
        """Stores a new application with its evidence; a repeated id is a ``Conflict``."""
        app = case.application
        try:
            self._session.execute(
                insert(HardshipApplicationRow).values(
                    platform_id=self._platform_id,
                    application_id=app.application_id,
                    loan_id=app.loan_id,
                    submitted_on=app.submitted_on,
                    reason=app.reason.value,
                    vulnerable=app.vulnerable,
                    document=app.model_dump(mode="json"),
                    **_case_values(case),
                )
            )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                f"hardship application {app.application_id!r} already exists on platform "
                f"{self.platform_code!r}",
                f"平台 {self.platform_code!r} 上已存在困难申请 {app.application_id!r}",
            ) from exc
        pk = self._application_pk(app.application_id)
        for item in evidence:
            doc = item.document
            self._session.execute(
                insert(EvidenceDocumentRow).values(
                    platform_id=self._platform_id,
                    application_pk=pk,
                    document_type=doc.document_type.value,
                    file_name=doc.file_name,
                    media_type=doc.media_type,
                    size_bytes=doc.size_bytes,
                    sha256=doc.sha256,
                    content=item.content,
                )
            )
        self._session.flush()

    def application(self, application_id: str, *, lock: bool = False) -> ApplicationCase | None:
        query = select(HardshipApplicationRow).where(
            HardshipApplicationRow.platform_id == self._platform_id,
            HardshipApplicationRow.application_id == application_id,
        )
        if lock:  # FOR UPDATE on PostgreSQL; SQLite serialises writers itself
            query = query.with_for_update()
        row = self._session.scalars(query).first()
        return None if row is None else _case(row)

    def require_application(self, application_id: str, *, lock: bool = False) -> ApplicationCase:
        case = self.application(application_id, lock=lock)
        if case is None:
            raise NotFound(
                f"no hardship application {application_id!r} on platform {self.platform_code!r}",
                f"平台 {self.platform_code!r} 上没有困难申请 {application_id!r}",
            )
        return case

    def save_case(self, case: ApplicationCase) -> None:
        """Stores the review state of ``case`` (its document never changes)."""
        self._session.execute(
            update(HardshipApplicationRow)
            .where(
                HardshipApplicationRow.id == self._application_pk(case.application.application_id)
            )
            .values(**_case_values(case))
        )
        self._session.flush()

    def evidence(self, application_id: str) -> builtins.list[EvidenceDocument]:
        """Metadata of the application's documents, by file name."""
        query = (
            select(EvidenceDocumentRow)
            .where(
                EvidenceDocumentRow.platform_id == self._platform_id,
                EvidenceDocumentRow.application_pk == self._application_pk(application_id),
            )
            .order_by(EvidenceDocumentRow.file_name)
        )
        return [
            EvidenceDocument.model_validate(
                {
                    "document_type": row.document_type,
                    "file_name": row.file_name,
                    "media_type": row.media_type,
                    "size_bytes": row.size_bytes,
                    "sha256": row.sha256,
                }
            )
            for row in self._session.scalars(query)
        ]

    def evidence_content(self, application_id: str, file_name: str) -> bytes | None:
        query = select(EvidenceDocumentRow.content).where(
            EvidenceDocumentRow.platform_id == self._platform_id,
            EvidenceDocumentRow.application_pk == self._application_pk(application_id),
            EvidenceDocumentRow.file_name == file_name,
        )
        content = self._session.scalar(query)
        return None if content is None else bytes(content)

    def _application_pk(self, application_id: str) -> int:
        return self._require(
            HardshipApplicationRow.application_id, [application_id], "application", "困难申请"
        )[application_id]

    # -- plans -------------------------------------------------------------------------

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
        loan_pk = self._require(LoanRow.loan_id, [plan.loan_id], "loan", "借据")[plan.loan_id]
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
                f"plan {plan.plan_id!r} already exists on platform {self.platform_code!r}",
                f"平台 {self.platform_code!r} 上已存在还款方案 {plan.plan_id!r}",
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
                f"no plan {plan_id!r} on platform {self.platform_code!r}",
                f"平台 {self.platform_code!r} 上没有还款方案 {plan_id!r}",
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
                f"approval of plan {plan_id!r} refused by the database: {exc.orig}",
                f"数据库拒绝了还款方案 {plan_id!r} 的审批：{exc.orig}",
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

    def _plan_pk(self, plan_id: str) -> int:
        return self._require(ReliefPlanRow.plan_id, [plan_id], "plan", "还款方案")[plan_id]

    # -- schedule history --------------------------------------------------------------

    def schedule_history(self, loan_id: str) -> builtins.list[ScheduleVersion]:
        """Every schedule version of the loan, oldest first."""
        query = (
            select(ScheduleVersionRow)
            .join(LoanRow, LoanRow.id == ScheduleVersionRow.loan_pk)
            .where(ScheduleVersionRow.platform_id == self._platform_id, LoanRow.loan_id == loan_id)
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
        for chunk in chunks(sorted(set(loan_ids))):
            query = (
                select(ScheduleVersionRow, LoanRow.loan_id)
                .join(LoanRow, LoanRow.id == ScheduleVersionRow.loan_pk)
                .where(
                    ScheduleVersionRow.platform_id == self._platform_id,
                    LoanRow.loan_id.in_(chunk),
                )
                .order_by(LoanRow.loan_id, ScheduleVersionRow.version)
            )
            for row, loan_id in self._session.execute(query):
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
        loan_pk = self._require(LoanRow.loan_id, [loan_id], "loan", "借据")[loan_id]
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
                f"schedule version {version.version} of loan {loan_id!r} was written "
                "concurrently; retry",
                f"借据 {loan_id!r} 的还款计划版本 {version.version} 被并发写入，请重试",
            ) from exc
        return version

    # -- promises to pay ---------------------------------------------------------------

    def add_promise(
        self, promise: PromiseToPay, *, loan_id: str, plan_id: str | None, by: str
    ) -> None:
        loan_pk = self._require(LoanRow.loan_id, [loan_id], "loan", "借据")[loan_id]
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
                f"promise {promise.promise_id!r} already exists on platform {self.platform_code!r}",
                f"平台 {self.platform_code!r} 上已存在还款承诺 {promise.promise_id!r}",
            ) from exc

    def promises(self, loan_id: str) -> builtins.list[StoredPromise]:
        query = (
            select(PromiseToPayRow, LoanRow.loan_id, ReliefPlanRow.plan_id)
            .join(LoanRow, LoanRow.id == PromiseToPayRow.loan_pk)
            .outerjoin(ReliefPlanRow, ReliefPlanRow.id == PromiseToPayRow.plan_pk)
            .where(PromiseToPayRow.platform_id == self._platform_id, LoanRow.loan_id == loan_id)
            .order_by(PromiseToPayRow.due, PromiseToPayRow.promise_id)
        )
        return [_promise(row, loan, plan) for row, loan, plan in self._session.execute(query)]

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


def _case_values(case: ApplicationCase) -> dict[str, Any]:
    return {
        "status": case.status.value,
        "outcome": None if case.outcome is None else case.outcome.value,
        "plan_option_id": case.plan_option_id,
        "decline_reasons": [{"code": r.code, "en": r.en, "zh": r.zh} for r in case.decline_reasons],
        "history": [
            {"status": h.status.value, "at": h.at.isoformat(), "by": h.by, "note": h.note}
            for h in case.history
        ],
    }


def _case(row: HardshipApplicationRow) -> ApplicationCase:
    return ApplicationCase(
        application=parse_application(row.document),
        status=ApplicationStatus(row.status),
        history=tuple(
            StatusChange(
                ApplicationStatus(h["status"]), datetime.fromisoformat(h["at"]), h["by"], h["note"]
            )
            for h in row.history
        ),
        outcome=None if row.outcome is None else Outcome(row.outcome),
        plan_option_id=row.plan_option_id,
        decline_reasons=tuple(Reason(r["code"], r["en"], r["zh"]) for r in row.decline_reasons),
    )


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


def _promise(row: PromiseToPayRow, loan_id: str, plan_id: str | None) -> StoredPromise:
    promise = PromiseToPay(
        row.promise_id, Money(row.amount_minor, currency(row.currency)), row.due, row.made_on
    )
    return StoredPromise(
        promise, loan_id, plan_id, PromiseOutcome(row.outcome), row.decided_on, row.recorded_by
    )


class _VersionHead(NamedTuple):
    """A schedule version's key, number, reason and date (``domain.schedule_in_force``)."""

    pk: int
    version: int
    reason: str
    effective_from: date
