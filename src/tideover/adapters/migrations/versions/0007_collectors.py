"""Collectors, callback requests, and the assignment of queue items to collectors.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-15

``collectors`` keeps each collector of a platform: team, role, the
jurisdictions they are permitted to work, the queues they work, their daily
capacity and whether they are active.  Collectors are deactivated, never
deleted, so a queue item's ``assigned_to`` always names a row of the same
platform (a foreign key on ``(platform_id, assigned_to)``).

``callback_requests`` keeps a borrower's request to be called back on a date
(optionally at a time), for a loan of the same platform; with promises to pay
due that day it puts the borrower's queue items first.

``queue_items`` gains the item's ``jurisdiction`` (computed by the cycle's
dispatch; rows written before this revision hold ``''``, unknown, which no
collector is permitted for), its ``precedence`` (2 callback requested, 1
promise due, 0 neither), the requested callback time, and who assigned it
and when.  Why an open item is still unassigned is not stored: it is read
from the collectors as they are (writing it on every item left over each day
would rewrite most of the table).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
EXTERNAL_ID = sa.String(length=64)
ACTOR = sa.String(length=200)
ROLES = "'collector', 'team_lead'"


def _platform(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=f"fk_{table}_platform_id", ondelete="RESTRICT"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "collectors",
        *_platform("collectors"),
        sa.Column("collector_id", EXTERNAL_ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("jurisdictions", JSON_DOC, nullable=False),
        sa.Column("queues", JSON_DOC, nullable=False),
        sa.Column("daily_capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint(
            "platform_id", "collector_id", name="uq_collectors_platform_id_collector_id"
        ),
        sa.CheckConstraint(f"role IN ({ROLES})", name="ck_collectors_role"),
        sa.CheckConstraint(
            "daily_capacity >= 0 AND daily_capacity <= 10000", name="ck_collectors_capacity"
        ),
    )
    op.create_table(
        "callback_requests",
        *_platform("callback_requests"),
        sa.Column("callback_id", EXTERNAL_ID, nullable=False),
        sa.Column("loan_pk", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id", "loan_pk"],
            ["loans.platform_id", "loans.id"],
            name="fk_callback_requests_platform_id_loan_pk",
            ondelete="RESTRICT",
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", ACTOR, nullable=False),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint(
            "platform_id", "callback_id", name="uq_callback_requests_platform_id_callback_id"
        ),
    )
    op.create_index(
        "ix_callback_requests_platform_id_due_on", "callback_requests", ["platform_id", "due_on"]
    )
    # SQLite cannot add a foreign key or a CHECK to an existing table: batch mode
    # rebuilds it there (named constraints and indexes are carried over); PostgreSQL
    # gets plain ALTER TABLE statements.
    with op.batch_alter_table("queue_items") as batch:
        batch.add_column(
            sa.Column("jurisdiction", sa.String(length=16), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("precedence", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("callback_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("assigned_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("assigned_by", ACTOR, nullable=True))
        batch.create_foreign_key(
            "fk_queue_items_platform_id_assigned_to",
            "collectors",
            ["platform_id", "assigned_to"],
            ["platform_id", "collector_id"],
            ondelete="RESTRICT",
        )
        batch.create_check_constraint(
            "ck_queue_items_precedence", sa.text("precedence IN (0, 1, 2)")
        )
        batch.create_check_constraint(
            "ck_queue_items_assigned_to_whom",
            sa.text("state <> 'assigned' OR assigned_to IS NOT NULL"),
        )
        batch.create_index(
            "ix_queue_items_platform_id_assigned_to_as_of",
            ["platform_id", "assigned_to", "as_of"],
        )


def downgrade() -> None:
    with op.batch_alter_table("queue_items") as batch:
        batch.drop_index("ix_queue_items_platform_id_assigned_to_as_of")
        batch.drop_constraint("ck_queue_items_assigned_to_whom", type_="check")
        batch.drop_constraint("ck_queue_items_precedence", type_="check")
        batch.drop_constraint("fk_queue_items_platform_id_assigned_to", type_="foreignkey")
        batch.drop_column("assigned_by")
        batch.drop_column("assigned_at")
        batch.drop_column("callback_at")
        batch.drop_column("precedence")
        batch.drop_column("jurisdiction")
    op.drop_index("ix_callback_requests_platform_id_due_on", table_name="callback_requests")
    op.drop_table("callback_requests")
    op.drop_table("collectors")
