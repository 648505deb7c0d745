"""Users, the PII key ring and cycle roll-back requests (migration 0008)."""

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
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    EXTERNAL_ID,
    JSON_DOC,
    Base,
    UtcDateTime,
    big_id,
    one_of,
    platform_fk,
    utcnow,
)

KEY_STATES = ("active", "rotating", "retired")
ROLLBACK_STATES = ("requested", "done", "rejected")


class UserRow(Base):
    """A person who acts on one platform; deactivated, never deleted (decisions name them)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("platform_id", "name_key"),
        UniqueConstraint("platform_id", "id"),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    username: Mapped[str] = mapped_column(EXTERNAL_ID)
    name_key: Mapped[str] = mapped_column(EXTERNAL_ID)
    display_name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON_DOC)
    active: Mapped[bool] = mapped_column(Boolean)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    created_by: Mapped[str] = mapped_column(EXTERNAL_ID)


class PiiKeyRow(Base):
    """A key that has encrypted personal data: its fingerprint and state, never the key."""

    __tablename__ = "pii_keys"
    __table_args__ = (
        UniqueConstraint("fingerprint"),
        CheckConstraint(one_of("state", KEY_STATES), name="state"),
        Index(
            "ix_pii_keys_one_active",
            "state",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
        Index(
            "ix_pii_keys_one_rotating",
            "state",
            unique=True,
            sqlite_where=text("state = 'rotating'"),
            postgresql_where=text("state = 'rotating'"),
        ),
    )

    id: Mapped[int] = big_id()
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    wrapped_lookup_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CycleRollbackRow(Base):
    """A request to roll a platform's cycle back to a date; another user decides it."""

    __tablename__ = "cycle_rollbacks"
    __table_args__ = (
        UniqueConstraint("platform_id", "request_id"),
        ForeignKeyConstraint(
            ["platform_id", "requested_by"], ["users.platform_id", "users.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(
            ["platform_id", "decided_by"], ["users.platform_id", "users.id"], ondelete="RESTRICT"
        ),
        CheckConstraint(one_of("state", ROLLBACK_STATES), name="state"),
        CheckConstraint("decided_by IS NULL OR decided_by <> requested_by", name="four_eyes"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    request_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    to_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[int] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    removed: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOC)
