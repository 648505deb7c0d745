"""The daily cycle: its runs, the outbox, collector queue items and KPI snapshots.

Revision ID: 0004
Revises: 0003
Create Date: 2026-06-10

``cycle_runs`` records every run (start, end, stage timings, counts, and the
versions of policy, model and rule packs it used).  ``outbox_messages`` and
``queue_items`` hold one row per planned contact, unique per (platform,
account, business date, step), so a rerun can never send a message or queue a
call twice.  ``kpi_snapshots`` keeps counts and amounts with their bases, per
date, segment and experiment arm; rates are computed when read.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
EXTERNAL_ID = sa.String(length=64)
POLICY_ID = sa.String(length=64)
STEP_KEY = sa.String(length=160)
RUN_STATUSES = "'running', 'completed', 'failed', 'abandoned'"
OUTBOX_STATES = "'pending', 'sent', 'delivered', 'failed', 'dropped'"
QUEUE_STATES = "'open', 'assigned', 'done', 'dropped'"


def _keys(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=f"fk_{table}_platform_id", ondelete="RESTRICT"
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
    ]


def _planned(table: str) -> list[SchemaItem]:
    """Columns an outbox message and a queue item share: who, which step, from what policy."""
    return [
        sa.Column("account_id", EXTERNAL_ID, nullable=False),
        sa.Column("borrower_id", EXTERNAL_ID, nullable=False),
        sa.Column("step", STEP_KEY, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("template", sa.String(length=128), nullable=True),
        sa.Column("tone", sa.String(length=16), nullable=False),
        sa.Column("segment", POLICY_ID, nullable=False),
        sa.Column("arm", POLICY_ID, nullable=False),
        sa.Column("treatment", POLICY_ID, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rescheduled", sa.Boolean(), nullable=False),
        sa.Column("rule_ids", JSON_DOC, nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint(
            "platform_id",
            "account_id",
            "as_of",
            "step",
            name=f"uq_{table}_platform_id_account_id_as_of_step",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "cycle_runs",
        *_keys("cycle_runs"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("stages", JSON_DOC, nullable=False),
        sa.Column("counts", JSON_DOC, nullable=False),
        sa.Column("versions", JSON_DOC, nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(f"status IN ({RUN_STATUSES})", name="ck_cycle_runs_status"),
    )
    op.create_index("ix_cycle_runs_platform_id_as_of", "cycle_runs", ["platform_id", "as_of"])
    op.create_table(
        "outbox_messages",
        *_keys("outbox_messages"),
        *_planned("outbox_messages"),
        sa.Column("scheduled_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint(f"state IN ({OUTBOX_STATES})", name="ck_outbox_messages_state"),
    )
    op.create_index(
        "ix_outbox_messages_platform_id_as_of", "outbox_messages", ["platform_id", "as_of"]
    )
    op.create_index(
        "ix_outbox_messages_platform_id_state_scheduled_at",
        "outbox_messages",
        ["platform_id", "state", "scheduled_at"],
    )
    op.create_table(
        "queue_items",
        *_keys("queue_items"),
        *_planned("queue_items"),
        sa.Column("queue", POLICY_ID, nullable=False),
        sa.Column("priority", sa.BigInteger(), nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=True),
        sa.Column("assigned_to", sa.String(length=200), nullable=True),
        sa.Column("offers", JSON_DOC, nullable=False),
        sa.Column("summary", JSON_DOC, nullable=False),
        sa.CheckConstraint(f"state IN ({QUEUE_STATES})", name="ck_queue_items_state"),
    )
    op.create_index("ix_queue_items_platform_id_as_of", "queue_items", ["platform_id", "as_of"])
    op.create_index(
        "ix_queue_items_platform_id_queue_state_priority",
        "queue_items",
        ["platform_id", "queue", "state", "priority"],
    )
    op.create_table(
        "kpi_snapshots",
        *_keys("kpi_snapshots"),
        sa.Column("segment", POLICY_ID, nullable=False),
        sa.Column("arm", POLICY_ID, nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("accounts", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("base_accounts", sa.BigInteger(), nullable=True),
        sa.Column("base_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.UniqueConstraint(
            "platform_id",
            "as_of",
            "segment",
            "arm",
            "metric",
            "key",
            name="uq_kpi_snapshots_platform_id_as_of_segment_arm_metric_key",
        ),
    )


def downgrade() -> None:
    op.drop_table("kpi_snapshots")
    op.drop_index("ix_queue_items_platform_id_queue_state_priority", table_name="queue_items")
    op.drop_index("ix_queue_items_platform_id_as_of", table_name="queue_items")
    op.drop_table("queue_items")
    op.drop_index("ix_outbox_messages_platform_id_state_scheduled_at", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_platform_id_as_of", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_cycle_runs_platform_id_as_of", table_name="cycle_runs")
    op.drop_table("cycle_runs")
