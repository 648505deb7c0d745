"""The relational schema (SQLAlchemy typed declarative), mirrored by the migrations.

Every table carries ``platform_id`` and every unique key includes it, so a
platform's rows can never collide with, or be reached from, another's.
Children point at their parent through ``(platform_id, parent pk)``: the
database itself refuses a payment of platform A booked on a loan of B.
Money is ``BigInteger`` minor units beside a currency column, never a float;
timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from tideover.domain.errors import ValidationError

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
}

RATE_SCALE = 8
# SQLite has no exact decimal type; the rate is kept as text there so that it
# round-trips exactly instead of passing through a binary float.
RATE_SQLITE_TEXT_LENGTH = 40


def utcnow() -> datetime:
    """Wall-clock UTC, used only to stamp when a row was written (not business dates)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValidationError(
                f"timestamp {value.isoformat()} has no time zone; store aware UTC datetimes",
                f"时间戳 {value.isoformat()} 缺少时区；请存储带时区的 UTC 时间",
            )
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def storable_rate(value: Decimal, loan_id: str = "") -> Decimal:
    """``value`` with exactly 8 places; a rate needing more is refused, never rounded."""
    exact = Decimal(value).quantize(Decimal(1).scaleb(-RATE_SCALE))
    if exact != value:
        raise ValidationError(
            f"loan {loan_id!r}: rate {value} has more than {RATE_SCALE} decimal places",
            f"借据 {loan_id!r}：利率 {value} 的小数位超过 {RATE_SCALE} 位",
        )
    return exact


class ExactRate(TypeDecorator[Decimal]):
    """An interest rate as an exact ``Decimal`` with 8 places: NUMERIC(12,8), TEXT on SQLite."""

    impl = Numeric(12, RATE_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(RATE_SQLITE_TEXT_LENGTH))
        return dialect.type_descriptor(Numeric(12, RATE_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = storable_rate(value)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def big_id() -> Mapped[int]:
    # SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias), not BIGINT.
    return mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )


def platform_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("platforms.id", ondelete="RESTRICT"), nullable=False)


JSON_DOC = JSON().with_variant(JSONB(), "postgresql")
CURRENCY = String(3)
EXTERNAL_ID = String(64)
HASH_HEX = String(64)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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


def _loan_fk(ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    """The loan a row belongs to, on the same platform (schedule rows go with their loan)."""
    return ForeignKeyConstraint(
        ["platform_id", "loan_pk"], ["loans.platform_id", "loans.id"], ondelete=ondelete
    )


class InstallmentRow(Base):
    __tablename__ = "installments"
    __table_args__ = (_loan_fk(), UniqueConstraint("platform_id", "loan_pk", "number"))

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
        _loan_fk(ondelete="RESTRICT"),  # money received is never dropped with a loan
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
    __table_args__ = (_loan_fk(), Index(None, "platform_id", "loan_pk"))

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    loan_pk: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))


class DelinquencySnapshotRow(Base):
    """One loan's delinquency on one business date: the bucket history behind roll rates."""

    __tablename__ = "delinquency_snapshots"
    __table_args__ = (_loan_fk(), UniqueConstraint("platform_id", "as_of", "loan_pk"))

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
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


POLICY_STATUSES = ("draft", "in_review", "approved", "active", "retired")
ACTOR = String(200)


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


# --- the daily cycle (migration 0004) ------------------------------------------------------

CYCLE_RUN_STATUSES = ("running", "completed", "failed", "abandoned")
OUTBOX_STATES = ("pending", "sent", "delivered", "failed", "dropped")
QUEUE_STATES = ("open", "assigned", "done", "dropped")
STEP_KEY = String(160)  # "<treatment>#<step index>": ids of at most 64 characters each
POLICY_ID = String(64)


def _states(states: tuple[str, ...]) -> str:
    return "state IN (" + ", ".join(f"'{s}'" for s in states) + ")"


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
        CheckConstraint(_states(OUTBOX_STATES), name="state"),
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
        CheckConstraint(_states(QUEUE_STATES), name="state"),
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


# --- hardship applications and relief plans (migration 0005) -------------------------------

APPLICATION_STATUSES = ("submitted", "under_review", "decided", "closed")
PLAN_STATUSES = ("offered", "accepted", "active", "completed", "broken", "cancelled")
PROMISE_OUTCOMES = ("pending", "kept", "broken")
EVIDENCE_MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # plans.application.MAX_EVIDENCE_BYTES, checked again here
OPTION_ID = String(128)
ROLE = String(64)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _parent_fk(table: str, column: str, ondelete: str = "RESTRICT") -> ForeignKeyConstraint:
    """A parent row of the same platform (``column`` holds the parent's surrogate key)."""
    return ForeignKeyConstraint(
        ["platform_id", column], [f"{table}.platform_id", f"{table}.id"], ondelete=ondelete
    )


class HardshipApplicationRow(Base):
    """A hardship application: the validated document as JSON, its review status and history."""

    __tablename__ = "hardship_applications"
    __table_args__ = (
        UniqueConstraint("platform_id", "application_id"),
        UniqueConstraint("platform_id", "id"),
        Index(None, "platform_id", "status"),
        CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),
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
        _parent_fk("hardship_applications", "application_pk"),
        UniqueConstraint("platform_id", "application_pk", "file_name"),
        CheckConstraint(_in("media_type", EVIDENCE_MEDIA_TYPES), name="media_type"),
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
        _parent_fk("hardship_applications", "application_pk"),
        _loan_fk(ondelete="RESTRICT"),
        UniqueConstraint("platform_id", "plan_id"),
        UniqueConstraint("platform_id", "id"),
        Index(None, "platform_id", "application_pk"),
        Index(None, "platform_id", "loan_pk"),
        CheckConstraint(_in("status", PLAN_STATUSES), name="status"),
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
        _parent_fk("relief_plans", "plan_pk"),
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
        _loan_fk(ondelete="RESTRICT"),
        _parent_fk("relief_plans", "plan_pk"),
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
        _loan_fk(ondelete="RESTRICT"),
        _parent_fk("relief_plans", "plan_pk"),
        UniqueConstraint("platform_id", "promise_id"),
        Index(None, "platform_id", "loan_pk"),
        CheckConstraint("amount_minor > 0", name="amount"),
        CheckConstraint(_in("outcome", PROMISE_OUTCOMES), name="outcome"),
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


# --- holds on contact (migration 0006) ------------------------------------------------------

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
        CheckConstraint(_in("kind", HOLD_KINDS), name="kind"),
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


# --- collectors and callback requests (migration 0007) --------------------------------------

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
        CheckConstraint(_in("role", COLLECTOR_ROLES), name="role"),
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
        _loan_fk(ondelete="RESTRICT"),
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
