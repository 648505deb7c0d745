"""Hardship applications, evidence, plans, approvals, schedules, promises (migration 0005)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    ACTOR,
    CURRENCY,
    EXTERNAL_ID,
    HASH_HEX,
    JSON_DOC,
    OPTION_ID,
    ROLE,
    Base,
    UtcDateTime,
    big_id,
    loan_fk,
    one_of,
    parent_fk,
    platform_fk,
    utcnow,
)

APPLICATION_STATUSES = ("submitted", "under_review", "decided", "closed")
PLAN_STATUSES = ("offered", "accepted", "active", "completed", "broken", "cancelled")
PROMISE_OUTCOMES = ("pending", "kept", "broken")
EVIDENCE_MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # plans.application.MAX_EVIDENCE_BYTES, checked again here


class HardshipApplicationRow(Base):
    """A hardship application: the validated document as JSON, its review status and history."""

    __tablename__ = "hardship_applications"
    __table_args__ = (
        UniqueConstraint("platform_id", "application_id"),
        UniqueConstraint("platform_id", "id"),
        Index(None, "platform_id", "status"),
        CheckConstraint(one_of("status", APPLICATION_STATUSES), name="status"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    application_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    loan_id: Mapped[str | None] = mapped_column(EXTERNAL_ID)
    submitted_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(32))
    vulnerable: Mapped[bool] = mapped_column(Boolean)
    document: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    plan_option_id: Mapped[str | None] = mapped_column(OPTION_ID)
    decline_reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON_DOC)
    history: Mapped[list[dict[str, str]]] = mapped_column(JSON_DOC)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class EvidenceDocumentRow(Base):
    """One evidence document of an application, its bytes kept in the database (see 0005)."""

    __tablename__ = "hardship_evidence"
    __table_args__ = (
        parent_fk("hardship_applications", "application_pk"),
        UniqueConstraint("platform_id", "application_pk", "file_name"),
        CheckConstraint(one_of("media_type", EVIDENCE_MEDIA_TYPES), name="media_type"),
        CheckConstraint(f"size_bytes > 0 AND size_bytes <= {MAX_EVIDENCE_BYTES}", name="size"),
        CheckConstraint("length(content) = size_bytes", name="content_size"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    application_pk: Mapped[int] = mapped_column(BigInteger)
    document_type: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(HASH_HEX)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class ReliefPlanRow(Base):
    """A plan offered for a loan: the option, its schedule, status, expiry and the limits used."""

    __tablename__ = "relief_plans"
    __table_args__ = (
        parent_fk("hardship_applications", "application_pk"),
        loan_fk(ondelete="RESTRICT"),
        UniqueConstraint("platform_id", "plan_id"),
        UniqueConstraint("platform_id", "id"),
        Index(None, "platform_id", "application_pk"),
        Index(None, "platform_id", "loan_pk"),
        CheckConstraint(one_of("status", PLAN_STATUSES), name="status"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    plan_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    application_pk: Mapped[int] = mapped_column(BigInteger)
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    option_id: Mapped[str] = mapped_column(OPTION_ID)
    status: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    offered_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(CURRENCY)
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOC)  # minor units
    summary: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    limits: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)  # as offered under
    events: Mapped[list[dict[str, str]]] = mapped_column(JSON_DOC)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class PlanApprovalRow(Base):
    """A plan's approval request: who asked, the role it needs, who approved (never the asker)."""

    __tablename__ = "plan_approvals"
    __table_args__ = (
        parent_fk("relief_plans", "plan_pk"),
        UniqueConstraint("platform_id", "plan_pk"),
        UniqueConstraint("platform_id", "request_id"),
        CheckConstraint("approved_by IS NULL OR approved_by <> requested_by", name="four_eyes"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    plan_pk: Mapped[int] = mapped_column(BigInteger)
    request_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    requested_by: Mapped[str] = mapped_column(ACTOR)
    required_role: Mapped[str] = mapped_column(ROLE)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approved_by: Mapped[str | None] = mapped_column(ACTOR)
    approval_role: Mapped[str | None] = mapped_column(ROLE)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ScheduleVersionRow(Base):
    """One version of a loan's schedule; append-only (database triggers refuse changes)."""

    __tablename__ = "schedule_versions"
    __table_args__ = (
        loan_fk(ondelete="RESTRICT"),
        parent_fk("relief_plans", "plan_pk"),
        UniqueConstraint("platform_id", "loan_pk", "version"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    plan_pk: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(CURRENCY)
    installments: Mapped[list[dict[str, Any]]] = mapped_column(JSON_DOC)  # minor units
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class PromiseToPayRow(Base):
    """A promise to pay an amount by a date, and whether it was kept."""

    __tablename__ = "promises_to_pay"
    __table_args__ = (
        loan_fk(ondelete="RESTRICT"),
        parent_fk("relief_plans", "plan_pk"),
        UniqueConstraint("platform_id", "promise_id"),
        Index(None, "platform_id", "loan_pk"),
        CheckConstraint("amount_minor > 0", name="amount"),
        CheckConstraint(one_of("outcome", PROMISE_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    promise_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    plan_pk: Mapped[int | None] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    made_on: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    decided_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(ACTOR)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
