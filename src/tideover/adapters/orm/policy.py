"""Policy versions and their events (migration 0003)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    ACTOR,
    HASH_HEX,
    Base,
    UtcDateTime,
    big_id,
    platform_fk,
)

POLICY_STATUSES = ("draft", "in_review", "approved", "active", "retired")


class PolicyVersionRow(Base):
    """One version of a platform's policy: the exact document text, its hash and its state.

    The database keeps the rules the workflow promises even against direct SQL:
    at most one active version per platform (a partial unique index), the
    approver is never the author, an active version has an effective date, and
    (triggers, see migration 0003) the text of a submitted version never changes.
    """

    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("platform_id", "number"),
        UniqueConstraint("platform_id", "id"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in POLICY_STATUSES) + ")", name="status"
        ),
        CheckConstraint("approver IS NULL OR approver <> author", name="four_eyes"),
        CheckConstraint("status <> 'active' OR effective_from IS NOT NULL", name="effective"),
        Index(
            "ux_policy_versions_one_active",
            "platform_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    number: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(String(64))  # the document's own ``policy`` id
    document: Mapped[str] = mapped_column(Text)  # the submitted text, byte for byte (UTF-8)
    sha256: Mapped[str] = mapped_column(HASH_HEX)
    author: Mapped[str] = mapped_column(ACTOR)
    status: Mapped[str] = mapped_column(String(16))
    approver: Mapped[str | None] = mapped_column(ACTOR)
    effective_from: Mapped[date | None] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PolicyEventRow(Base):
    """One workflow step on a policy version: who did what, when, from which state to which."""

    __tablename__ = "policy_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform_id", "version_pk"],
            ["policy_versions.platform_id", "policy_versions.id"],
            ondelete="RESTRICT",
        ),
        Index(None, "platform_id", "version_pk"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    version_pk: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(ACTOR)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    before: Mapped[str | None] = mapped_column(String(16))
    after: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
