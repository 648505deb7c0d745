"""Message templates, the outbox's sending record and channel consents (migration 0011)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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
    ACTOR,
    EXTERNAL_ID,
    HASH_HEX,
    JSON_DOC,
    Base,
    UtcDateTime,
    big_id,
    one_of,
    platform_fk,
    utcnow,
)

TEMPLATE_STATES = ("draft", "approved", "active", "retired", "rejected")
# sending: claimed by a worker (its lease); sent/delivered/failed/dropped: final (delivered
# and failed can still follow a receipt); retry: a passing failure, tried again at next_at;
# deferred: the gate or quiet hours said later (next_at).
SEND_STATES = ("sending", "retry", "deferred", "sent", "delivered", "failed", "dropped")


class MessageTemplateRow(Base):
    """One version of one named template: its text in every language, and its review."""

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("platform_id", "name", "version"),
        Index(None, "platform_id", "name", "status"),
        CheckConstraint(one_of("status", TEMPLATE_STATES), name="status"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    body: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)  # language -> text
    subject: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    sha256: Mapped[str] = mapped_column(HASH_HEX)
    author: Mapped[str] = mapped_column(ACTOR)
    approver: Mapped[str | None] = mapped_column(ACTOR)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OutboxSendRow(Base):
    """How one outbox message is being sent: at most one row per message, claimed by one
    worker at a time; what was sent (hashes, never the text) and what came of it."""

    __tablename__ = "outbox_sends"
    __table_args__ = (
        UniqueConstraint("message_id"),
        Index(None, "platform_id", "state", "next_at"),
        CheckConstraint(one_of("state", SEND_STATES), name="state"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    message_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("outbox_messages.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))  # the channel it goes on (a fallback's)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    worker: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)  # a notice's own values
    template_version: Mapped[str | None] = mapped_column(String(64))
    content_sha256: Mapped[str | None] = mapped_column(HASH_HEX)
    recipient_key: Mapped[str | None] = mapped_column(HASH_HEX)
    language: Mapped[str | None] = mapped_column(String(8))
    provider_ref: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    rule_ids: Mapped[list[str]] = mapped_column(JSON_DOC)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    receipt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class ChannelConsentRow(Base):
    """A borrower's opt-out of one channel (12 CFR 1006.6(e)); absent means no opt-out."""

    __tablename__ = "channel_consents"
    __table_args__ = (UniqueConstraint("platform_id", "borrower_id", "channel"),)

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    borrower_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    channel: Mapped[str] = mapped_column(String(16))
    opted_out: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(64))  # portal, reply, staff, unsubscribe link
    at: Mapped[datetime] = mapped_column(UtcDateTime())
