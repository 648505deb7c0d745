"""Sign-in sessions, API keys, borrowers' one-time codes and background jobs (migration 0009)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
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
    EXTERNAL_ID,
    HASH_HEX,
    JSON_DOC,
    Base,
    UtcDateTime,
    big_id,
    one_of,
    platform_fk,
)

JOB_STATES = ("queued", "running", "done", "failed")


def _user_fk(column: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["platform_id", column], ["users.platform_id", "users.id"], ondelete="RESTRICT"
    )


class WebSessionRow(Base):
    """A signed-in browser: a staff user's or a borrower's, never both."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        UniqueConstraint("token_hash"),
        _user_fk("user_id"),
        CheckConstraint(one_of("subject", ("staff", "borrower")), name="subject"),
        CheckConstraint(
            "(subject = 'staff' AND user_id IS NOT NULL AND borrower_id IS NULL) OR "
            "(subject = 'borrower' AND borrower_id IS NOT NULL AND user_id IS NULL)",
            name="who",
        ),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    token_hash: Mapped[str] = mapped_column(HASH_HEX)
    subject: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    borrower_id: Mapped[str | None] = mapped_column(EXTERNAL_ID)
    csrf_token: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ApiKeyRow(Base):
    """A machine client's key: a public id and the hash of its secret, with its scopes."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_id"), _user_fk("created_by"))

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    key_id: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[str] = mapped_column(HASH_HEX)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON_DOC)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class BorrowerCodeRow(Base):
    """A one-time sign-in code sent to a borrower's phone (its hash, never the code)."""

    __tablename__ = "borrower_codes"
    __table_args__ = (
        Index(None, "platform_id", "phone_hash", "created_at"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    phone_hash: Mapped[str] = mapped_column(HASH_HEX)
    code_hash: Mapped[str] = mapped_column(HASH_HEX)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class JobRow(Base):
    """Long work started from the console, run by a worker, with its progress and result."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("job_id"),
        _user_fk("created_by"),
        CheckConstraint(one_of("state", JOB_STATES), name="state"),
        Index(None, "state", "created_at"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    job_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    state: Mapped[str] = mapped_column(String(16))
    progress_label: Mapped[str | None] = mapped_column(String(200))
    progress_done: Mapped[int] = mapped_column(BigInteger, server_default=text("0"), default=0)
    progress_total: Mapped[int] = mapped_column(BigInteger, server_default=text("0"), default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOC)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    worker: Mapped[str | None] = mapped_column(String(200))
