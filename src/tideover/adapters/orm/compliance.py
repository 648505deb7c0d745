"""The contact ledger and the hash-chained audit trail (migration 0002)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    EXTERNAL_ID,
    HASH_HEX,
    Base,
    UtcDateTime,
    big_id,
    platform_fk,
    utcnow,
)


class ContactEventRow(Base):
    """One contact attempt (or inbound call) and its outcome: the ledger the gate reads."""

    __tablename__ = "contact_events"
    __table_args__ = (
        UniqueConstraint("platform_id", "attempt_id"),
        Index(None, "platform_id", "borrower_id", "occurred_at"),
        Index(None, "platform_id", "occurred_at"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    attempt_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    borrower_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    debt_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    channel: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[str | None] = mapped_column(EXTERNAL_ID)
    third_party_role: Mapped[str | None] = mapped_column(String(32))
    number_hash: Mapped[str | None] = mapped_column(HASH_HEX)  # keyed hash, never the number
    automated: Mapped[bool] = mapped_column(Boolean)
    debt_type: Mapped[str] = mapped_column(String(64))
    inbound: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class AuditRecordRow(Base):
    """One hash-chained audit record; append-only (database triggers refuse changes)."""

    __tablename__ = "audit_records"
    __table_args__ = (UniqueConstraint("platform_id", "seq"),)

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[str] = mapped_column(String(40))  # the ISO text that was hashed
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, byte for byte as hashed
    prev_hash: Mapped[str] = mapped_column(HASH_HEX)
    hash: Mapped[str] = mapped_column(HASH_HEX)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class AuditHeadRow(Base):
    """A platform's chain head, kept apart from the records so a cut-off tail shows."""

    __tablename__ = "audit_heads"

    platform_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("platforms.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    )
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(HASH_HEX)
