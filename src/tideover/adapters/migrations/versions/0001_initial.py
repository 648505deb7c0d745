"""Portfolio core: platforms, borrowers, loans, schedules, payments, pauses, snapshots, imports.

Revision ID: 0001
Revises:
Create Date: 2024-11-28

Every table carries ``platform_id``; every unique key includes it; children
reference their parent through ``(platform_id, parent id)`` so that no row
can point into another platform.  Money is BIGINT minor units; the interest
rate is NUMERIC(12,8) (TEXT on SQLite, which has no exact decimal).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
RATE = sa.Numeric(precision=12, scale=8).with_variant(sa.String(length=40), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def _id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _platform(table: str) -> list[SchemaItem]:
    return [
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=f"fk_{table}_platform_id", ondelete="RESTRICT"
        ),
    ]


def _parent(table: str, parent: str, column: str, ondelete: str | None) -> list[SchemaItem]:
    """``column`` points at a row of ``parent`` on the same platform."""
    return [
        sa.Column(column, sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id", column],
            [f"{parent}.platform_id", f"{parent}.id"],
            name=f"fk_{table}_platform_id_{column}",
            ondelete=ondelete,
        ),
    ]


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False)


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "platforms",
        *_id("platforms"),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("settings", JSON_DOC, nullable=False),
        _created_at(),
        sa.UniqueConstraint("code", name="uq_platforms_code"),
    )
    op.create_table(
        "borrowers",
        *_id("borrowers"),
        *_platform("borrowers"),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("national_id_ciphertext", sa.Text(), nullable=True),
        sa.Column("national_id_hash", sa.String(length=64), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("attributes", JSON_DOC, nullable=False),
        sa.UniqueConstraint(
            "platform_id", "borrower_id", name="uq_borrowers_platform_id_borrower_id"
        ),
        sa.UniqueConstraint("platform_id", "id", name="uq_borrowers_platform_id_id"),
    )
    _index("borrowers", "platform_id", "national_id_hash")
    op.create_table(
        "borrower_phones",
        *_id("borrower_phones"),
        *_platform("borrower_phones"),
        *_parent("borrower_phones", "borrowers", "borrower_pk", ondelete="CASCADE"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("e164_ciphertext", sa.Text(), nullable=False),
        sa.Column("e164_hash", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=2), nullable=False),
        sa.Column("time_zones", JSON_DOC, nullable=False),
        sa.UniqueConstraint(
            "platform_id",
            "borrower_pk",
            "position",
            name="uq_borrower_phones_platform_id_borrower_pk_position",
        ),
    )
    _index("borrower_phones", "platform_id", "e164_hash")
    op.create_table(
        "loans",
        *_id("loans"),
        *_platform("loans"),
        *_parent("loans", "borrowers", "borrower_pk", ondelete=None),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        _money("principal_minor"),
        sa.Column("annual_rate", RATE, nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("first_due_date", sa.Date(), nullable=False),
        sa.Column("attributes", JSON_DOC, nullable=False),
        sa.UniqueConstraint("platform_id", "loan_id", name="uq_loans_platform_id_loan_id"),
        sa.UniqueConstraint("platform_id", "id", name="uq_loans_platform_id_id"),
    )
    _index("loans", "platform_id", "borrower_pk")
    op.create_table(
        "installments",
        *_id("installments"),
        *_platform("installments"),
        *_parent("installments", "loans", "loan_pk", ondelete="CASCADE"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        _money("principal_minor"),
        _money("interest_minor"),
        _money("fees_minor"),
        sa.UniqueConstraint(
            "platform_id", "loan_pk", "number", name="uq_installments_platform_id_loan_pk_number"
        ),
    )
    op.create_table(
        "payments",
        *_id("payments"),
        *_platform("payments"),
        *_parent("payments", "loans", "loan_pk", ondelete="RESTRICT"),
        sa.Column("payment_id", sa.String(length=64), nullable=False),
        _money("amount_minor"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("reverses", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        _created_at(),
        sa.UniqueConstraint("platform_id", "payment_id", name="uq_payments_platform_id_payment_id"),
    )
    _index("payments", "platform_id", "loan_pk")
    op.create_table(
        "loan_pauses",
        *_id("loan_pauses"),
        *_platform("loan_pauses"),
        *_parent("loan_pauses", "loans", "loan_pk", ondelete="CASCADE"),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
    )
    _index("loan_pauses", "platform_id", "loan_pk")
    op.create_table(
        "delinquency_snapshots",
        *_id("delinquency_snapshots"),
        *_platform("delinquency_snapshots"),
        *_parent("delinquency_snapshots", "loans", "loan_pk", ondelete="CASCADE"),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("oldest_unpaid_due", sa.Date(), nullable=True),
        _money("overdue_principal_minor"),
        _money("overdue_interest_minor"),
        _money("overdue_fees_minor"),
        _money("overdue_penalty_minor"),
        _money("outstanding_principal_minor"),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.UniqueConstraint(
            "platform_id",
            "as_of",
            "loan_pk",
            name="uq_delinquency_snapshots_platform_id_as_of_loan_pk",
        ),
    )
    op.create_table(
        "import_batches",
        *_id("import_batches"),
        *_platform("import_batches"),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("written", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        _created_at(),
    )
    _index("import_batches", "platform_id", "created_at")


def downgrade() -> None:
    for table in (
        "import_batches",
        "delinquency_snapshots",
        "loan_pauses",
        "payments",
        "installments",
        "loans",
        "borrower_phones",
        "borrowers",
        "platforms",
    ):
        op.drop_table(table)
