"""Holds on contact (migration 0006)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    ACTOR,
    EXTERNAL_ID,
    Base,
    UtcDateTime,
    big_id,
    one_of,
    platform_fk,
    utcnow,
)

HOLD_KINDS = (
    "dispute",
    "cease_contact",
    "legal_representation",
    "breathing_space",
    "bankruptcy",
    "deceased",
    "complaint_under_investigation",
)


class ContactHoldRow(Base):
    """A hold on contacting a borrower (or one of its debts): the gate reads those in force.

    Ended by its planned end or by being lifted; lifting keeps the row (who, when, why).
    One contact raises at most one hold of each kind (``source_attempt_id``).
    """

    __tablename__ = "contact_holds"
    __table_args__ = (
        UniqueConstraint("platform_id", "hold_id"),
        UniqueConstraint("platform_id", "source_attempt_id", "kind"),
        Index(None, "platform_id", "borrower_id"),
        CheckConstraint(one_of("kind", HOLD_KINDS), name="kind"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("(lifted_at IS NULL) = (lifted_by IS NULL)", name="lifted_by_whom"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    hold_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    borrower_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    debt_id: Mapped[str | None] = mapped_column(EXTERNAL_ID)
    kind: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    raised_by: Mapped[str] = mapped_column(ACTOR)
    source_attempt_id: Mapped[str | None] = mapped_column(EXTERNAL_ID)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lifted_by: Mapped[str | None] = mapped_column(ACTOR)
    lift_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
