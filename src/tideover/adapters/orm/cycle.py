"""Daily-cycle runs, the outbox, collector queue items and KPI snapshots (migration 0004)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    CURRENCY,
    EXTERNAL_ID,
    JSON_DOC,
    POLICY_ID,
    STEP_KEY,
    Base,
    UtcDateTime,
    big_id,
    one_of,
    platform_fk,
    utcnow,
)

CYCLE_RUN_STATUSES = ("running", "completed", "failed", "abandoned")
OUTBOX_STATES = ("pending", "sent", "delivered", "failed", "dropped")
QUEUE_STATES = ("open", "assigned", "done", "dropped")


class CycleRunRow(Base):
    """One run of the daily cycle: when, how long each stage took, what it produced and used."""

    __tablename__ = "cycle_runs"
    __table_args__ = (
        Index(None, "platform_id", "as_of"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in CYCLE_RUN_STATUSES) + ")", name="status"
        ),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    engine: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    stages: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)  # stage -> seconds
    counts: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    versions: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)  # policy, model, rule packs
    error: Mapped[str | None] = mapped_column(Text)


class OutboxMessageRow(Base):
    """One planned automatic contact, exactly once per (platform, account, date, step)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("platform_id", "account_id", "as_of", "step"),
        Index(None, "platform_id", "as_of"),
        Index(None, "platform_id", "state", "scheduled_at"),
        CheckConstraint(one_of("state", OUTBOX_STATES), name="state"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    as_of: Mapped[date] = mapped_column(Date)
    account_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    borrower_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    step: Mapped[str] = mapped_column(STEP_KEY)
    channel: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(128))
    tone: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str] = mapped_column(POLICY_ID)
    arm: Mapped[str] = mapped_column(POLICY_ID)
    treatment: Mapped[str] = mapped_column(POLICY_ID)
    scheduled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(16))
    rescheduled: Mapped[bool] = mapped_column(Boolean)
    rule_ids: Mapped[list[str]] = mapped_column(JSON_DOC)
    run_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class QueueItemRow(Base):
    """One piece of human work (call, visit, referral) in a collector queue."""

    __tablename__ = "queue_items"
    __table_args__ = (
        UniqueConstraint("platform_id", "account_id", "as_of", "step"),
        Index(None, "platform_id", "as_of"),
        Index(None, "platform_id", "queue", "state", "priority"),
        CheckConstraint(one_of("state", QUEUE_STATES), name="state"),
        # Migration 0007: only a collector of the same platform, and only with a collector.
        ForeignKeyConstraint(
            ["platform_id", "assigned_to"],
            ["collectors.platform_id", "collectors.collector_id"],
            ondelete="RESTRICT",
        ),
        Index(None, "platform_id", "assigned_to", "as_of"),
        CheckConstraint("precedence IN (0, 1, 2)", name="precedence"),
        CheckConstraint("state <> 'assigned' OR assigned_to IS NOT NULL", name="assigned_to_whom"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    as_of: Mapped[date] = mapped_column(Date)
    account_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    borrower_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    step: Mapped[str] = mapped_column(STEP_KEY)
    queue: Mapped[str] = mapped_column(POLICY_ID)
    channel: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(128))
    tone: Mapped[str] = mapped_column(String(16))
    segment: Mapped[str] = mapped_column(POLICY_ID)
    arm: Mapped[str] = mapped_column(POLICY_ID)
    treatment: Mapped[str] = mapped_column(POLICY_ID)
    priority: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(16))
    assigned_to: Mapped[str | None] = mapped_column(String(200))
    rescheduled: Mapped[bool] = mapped_column(Boolean)
    rule_ids: Mapped[list[str]] = mapped_column(JSON_DOC)
    offers: Mapped[list[str]] = mapped_column(JSON_DOC)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    run_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    # Migration 0007: where the borrower is (whose collectors may work it), what puts it
    # first (2 callback requested, 1 promise due, 0 neither), who assigned it and when.
    jurisdiction: Mapped[str] = mapped_column(String(16), default="", server_default="")
    precedence: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    callback_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    assigned_by: Mapped[str | None] = mapped_column(String(200))


class KpiSnapshotRow(Base):
    """One figure of a date's KPI snapshot: a count and an amount over a base, by segment and arm.

    Rates are not stored: ``accounts / base_accounts`` and ``amount_minor /
    base_amount_minor`` are computed when read, so nothing is rounded twice.
    """

    __tablename__ = "kpi_snapshots"
    __table_args__ = (UniqueConstraint("platform_id", "as_of", "segment", "arm", "metric", "key"),)

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    as_of: Mapped[date] = mapped_column(Date)
    segment: Mapped[str] = mapped_column(POLICY_ID)
    arm: Mapped[str] = mapped_column(POLICY_ID)
    metric: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    accounts: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    base_accounts: Mapped[int | None] = mapped_column(BigInteger)
    base_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
