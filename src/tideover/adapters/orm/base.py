"""Column types, naming, the declarative base and the helpers every table module shares."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Numeric,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from tideover.domain.errors import ValidationError
from tideover.i18n import N_

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
                N_("timestamp %(timestamp)s has no time zone; store aware UTC datetimes"),
                timestamp=value.isoformat(),
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
            N_("loan %(loan_id)s: rate %(value)s has more than %(rate_scale)s decimal places"),
            loan_id=repr(loan_id),
            value=value,
            rate_scale=RATE_SCALE,
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


def loan_fk(ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    """The loan a row belongs to, on the same platform (schedule rows go with their loan)."""
    return ForeignKeyConstraint(
        ["platform_id", "loan_pk"], ["loans.platform_id", "loans.id"], ondelete=ondelete
    )


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK that ``column`` holds one of ``values``."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def parent_fk(table: str, column: str, ondelete: str = "RESTRICT") -> ForeignKeyConstraint:
    """A parent row of the same platform (``column`` holds the parent's surrogate key)."""
    return ForeignKeyConstraint(
        ["platform_id", column], [f"{table}.platform_id", f"{table}.id"], ondelete=ondelete
    )


ACTOR = String(200)
STEP_KEY = String(160)  # "<treatment>#<step index>": ids of at most 64 characters each
POLICY_ID = String(64)
OPTION_ID = String(128)
ROLE = String(64)
