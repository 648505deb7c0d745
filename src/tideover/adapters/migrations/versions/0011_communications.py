"""Communications: message templates, the outbox's sending record, channel consents.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

``message_templates`` keeps every version of a platform's named templates
(draft → approved by someone else → active → retired); ``outbox_sends`` how
each outbox message is being sent (claimed by one worker, what was sent as
hashes, what came of it); ``channel_consents`` a borrower's opt-out of one
channel.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TEMPLATE_STATES = ("draft", "approved", "active", "retired", "rejected")
SEND_STATES = ("sending", "retry", "deferred", "sent", "delivered", "failed", "dropped")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _platform(table: str) -> list[SchemaItem]:
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
        "message_templates",
        *_platform("message_templates"),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("body", JSON_DOC, nullable=False),
        sa.Column("subject", JSON_DOC, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("approver", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("activated_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint(
            "platform_id", "name", "version", name="uq_message_templates_platform_id_name_version"
        ),
        sa.CheckConstraint(_one_of("status", TEMPLATE_STATES), name="ck_message_templates_status"),
    )
    op.create_index(
        "ix_message_templates_platform_id_name_status",
        "message_templates",
        ["platform_id", "name", "status"],
    )
    op.create_table(
        "outbox_sends",
        *_platform("outbox_sends"),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name="fk_outbox_sends_message_id",
            ondelete="CASCADE",
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", TIMESTAMP, nullable=True),
        sa.Column("lease_until", TIMESTAMP, nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("payload", JSON_DOC, nullable=False),
        sa.Column("template_version", sa.String(64), nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=True),
        sa.Column("recipient_key", sa.String(64), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("provider_ref", sa.String(200), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("rule_ids", JSON_DOC, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("receipt_at", TIMESTAMP, nullable=True),
        sa.Column("updated_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("message_id", name="uq_outbox_sends_message_id"),
        sa.CheckConstraint(_one_of("state", SEND_STATES), name="ck_outbox_sends_state"),
    )
    op.create_index(
        "ix_outbox_sends_platform_id_state_next_at",
        "outbox_sends",
        ["platform_id", "state", "next_at"],
    )
    op.create_table(
        "channel_consents",
        *_platform("channel_consents"),
        sa.Column("borrower_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint(
            "platform_id",
            "borrower_id",
            "channel",
            name="uq_channel_consents_platform_id_borrower_id_channel",
        ),
    )


def downgrade() -> None:
    op.drop_table("channel_consents")
    op.drop_index("ix_outbox_sends_platform_id_state_next_at", table_name="outbox_sends")
    op.drop_table("outbox_sends")
    op.drop_index("ix_message_templates_platform_id_name_status", table_name="message_templates")
    op.drop_table("message_templates")
