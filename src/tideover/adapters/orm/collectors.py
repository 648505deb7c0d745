"""Collectors and callback requests (migration 0007)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    ACTOR,
    EXTERNAL_ID,
    JSON_DOC,
    Base,
    UtcDateTime,
    big_id,
    loan_fk,
    one_of,
    platform_fk,
    utcnow,
)

COLLECTOR_ROLES = ("collector", "team_lead")
MAX_DAILY_CAPACITY = 10_000


class CollectorRow(Base):
    """A collector of one platform: team, role, permitted jurisdictions, queues, daily capacity.

    Deactivated, never deleted: queue items name their collector through a
    same-platform foreign key.
    """

    __tablename__ = "collectors"
    __table_args__ = (
        UniqueConstraint("platform_id", "collector_id"),
        CheckConstraint(one_of("role", COLLECTOR_ROLES), name="role"),
        CheckConstraint(
            f"daily_capacity >= 0 AND daily_capacity <= {MAX_DAILY_CAPACITY}", name="capacity"
        ),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    collector_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    jurisdictions: Mapped[list[str]] = mapped_column(JSON_DOC)
    queues: Mapped[list[str]] = mapped_column(JSON_DOC)
    daily_capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CallbackRequestRow(Base):
    """A borrower's request to be called back about a loan on a date (optionally at a time)."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        loan_fk(ondelete="RESTRICT"),
        UniqueConstraint("platform_id", "callback_id"),
        Index(None, "platform_id", "due_on"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    callback_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(ACTOR)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
