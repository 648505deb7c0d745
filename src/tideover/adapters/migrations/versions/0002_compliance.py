"""Compliance storage: the contact ledger and the append-only, hash-chained audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-06-01

``contact_events`` holds every contact attempt and its outcome, per platform,
indexed for the gate's questions (one borrower over a time window; a whole
platform since a horizon).  Phone numbers are kept only as their keyed look-up
hash.  ``audit_records`` is append-only: triggers on both SQLite and
PostgreSQL refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so altering
a record takes a deliberate DDL step first; the hash chain still shows it.
``audit_heads`` keeps each chain's last sequence number and hash apart from the
records, so records cut off the end are caught, and serialises appends.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
SQLITE_TRIGGERS = {"UPDATE": "tr_audit_records_no_update", "DELETE": "tr_audit_records_no_delete"}
PG_FUNCTION = "tideover_audit_append_only"


def _id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _platform(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["platform_id"], ["platforms.id"], name=f"fk_{table}_platform_id", ondelete="RESTRICT"
    )


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "contact_events",
        *_id("contact_events"),
        sa.Column("platform_id", ID, nullable=False),
        _platform("contact_events"),
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("borrower_id", sa.String(length=64), nullable=False),
        sa.Column("debt_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=True),
        sa.Column("third_party_role", sa.String(length=32), nullable=True),
        sa.Column("number_hash", sa.String(length=64), nullable=True),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("debt_type", sa.String(length=64), nullable=False),
        sa.Column("inbound", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        _created_at(),
        sa.UniqueConstraint(
            "platform_id", "attempt_id", name="uq_contact_events_platform_id_attempt_id"
        ),
    )
    op.create_index(
        "ix_contact_events_platform_id_borrower_id_occurred_at",
        "contact_events",
        ["platform_id", "borrower_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_contact_events_platform_id_occurred_at",
        "contact_events",
        ["platform_id", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "audit_records",
        *_id("audit_records"),
        sa.Column("platform_id", ID, nullable=False),
        _platform("audit_records"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        _created_at(),
        sa.UniqueConstraint("platform_id", "seq", name="uq_audit_records_platform_id_seq"),
    )
    op.create_table(
        "audit_heads",
        sa.Column("platform_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("platform_id", name="pk_audit_heads"),
        _platform("audit_heads"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_records is append-only (% refused)', TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER tr_audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            "CREATE TRIGGER tr_audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        return
    for action, name in SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {action} ON audit_records "
            f"BEGIN SELECT RAISE(ABORT, 'audit_records is append-only ({action} refused)'); END"
        )


def downgrade() -> None:
    op.drop_table("audit_heads")
    op.drop_table("audit_records")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_index("ix_contact_events_platform_id_occurred_at", table_name="contact_events")
    op.drop_index(
        "ix_contact_events_platform_id_borrower_id_occurred_at", table_name="contact_events"
    )
    op.drop_table("contact_events")
