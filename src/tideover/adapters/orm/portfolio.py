"""Platforms, borrowers, loans, schedules, payments, pauses, snapshots, imports (migration 0001)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import (
    CURRENCY,
    EXTERNAL_ID,
    HASH_HEX,
    JSON_DOC,
    Base,
    ExactRate,
    UtcDateTime,
    big_id,
    loan_fk,
    platform_fk,
    utcnow,
)


class PlatformRow(Base):
    __tablename__ = "platforms"

    id: Mapped[int] = big_id()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(CURRENCY)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class BorrowerRow(Base):
    __tablename__ = "borrowers"
    __table_args__ = (
        UniqueConstraint("platform_id", "borrower_id"),
        UniqueConstraint("platform_id", "id"),
        Index(None, "platform_id", "national_id_hash"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    borrower_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    name: Mapped[str] = mapped_column(String(200))
    national_id_ciphertext: Mapped[str | None] = mapped_column(Text)
    national_id_hash: Mapped[str | None] = mapped_column(HASH_HEX)
    address: Mapped[str] = mapped_column(Text)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(320))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)


class BorrowerPhoneRow(Base):
    __tablename__ = "borrower_phones"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform_id", "borrower_pk"],
            ["borrowers.platform_id", "borrowers.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("platform_id", "borrower_pk", "position"),
        Index(None, "platform_id", "e164_hash"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    borrower_pk: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer)
    e164_ciphertext: Mapped[str] = mapped_column(Text)
    e164_hash: Mapped[str] = mapped_column(HASH_HEX)
    region: Mapped[str] = mapped_column(String(2))
    time_zones: Mapped[list[str]] = mapped_column(JSON_DOC)


class LoanRow(Base):
    __tablename__ = "loans"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform_id", "borrower_pk"], ["borrowers.platform_id", "borrowers.id"]
        ),
        UniqueConstraint("platform_id", "loan_id"),
        UniqueConstraint("platform_id", "id"),
        Index(None, "platform_id", "borrower_pk"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    loan_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    borrower_pk: Mapped[int] = mapped_column(BigInteger)
    product: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(CURRENCY)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    annual_rate: Mapped[Decimal] = mapped_column(ExactRate())
    term: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32))
    frequency: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    first_due_date: Mapped[date] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)


class InstallmentRow(Base):
    __tablename__ = "installments"
    __table_args__ = (loan_fk(), UniqueConstraint("platform_id", "loan_pk", "number"))

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    number: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    interest_minor: Mapped[int] = mapped_column(BigInteger)
    fees_minor: Mapped[int] = mapped_column(BigInteger)


class PaymentRow(Base):
    __tablename__ = "payments"
    __table_args__ = (
        loan_fk(ondelete="RESTRICT"),  # money received is never dropped with a loan
        UniqueConstraint("platform_id", "payment_id"),
        Index(None, "platform_id", "loan_pk"),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    payment_id: Mapped[str] = mapped_column(EXTERNAL_ID)
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    paid_on: Mapped[date] = mapped_column(Date)
    reverses: Mapped[str | None] = mapped_column(EXTERNAL_ID)
    channel: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )


class LoanPauseRow(Base):
    __tablename__ = "loan_pauses"
    __table_args__ = (loan_fk(), Index(None, "platform_id", "loan_pk"))

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))


class DelinquencySnapshotRow(Base):
    """One loan's delinquency on one business date: the bucket history behind roll rates."""

    __tablename__ = "delinquency_snapshots"
    # No foreign key: the table is written millions of rows a day, and a key is checked
    # row by row (migrations 0012 and 0013); ``DelinquencyRepository.replace_columns``
    # checks a date's loans in one join instead.
    __table_args__ = (UniqueConstraint("platform_id", "as_of", "loan_pk"),)

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), nullable=False
    )
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[date] = mapped_column(Date)
    dpd: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(String(16))
    oldest_unpaid_due: Mapped[date | None] = mapped_column(Date)
    overdue_principal_minor: Mapped[int] = mapped_column(BigInteger)
    overdue_interest_minor: Mapped[int] = mapped_column(BigInteger)
    overdue_fees_minor: Mapped[int] = mapped_column(BigInteger)
    overdue_penalty_minor: Mapped[int] = mapped_column(BigInteger)
    outstanding_principal_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)


class ImportBatchRow(Base):
    __tablename__ = "import_batches"
    __table_args__ = (Index(None, "platform_id", "created_at"),)

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(HASH_HEX)
    rows: Mapped[int] = mapped_column(Integer)
    written: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), default=utcnow, server_default=func.now()
    )
