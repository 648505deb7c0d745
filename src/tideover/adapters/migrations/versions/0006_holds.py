"""Holds on contact: dispute, cease contact, representation, Breathing Space and the rest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

``contact_holds`` keeps each hold on a borrower (or one debt) with its start,
optional planned end, reason and who raised it; lifting a hold fills
``lifted_at``, ``lifted_by`` and ``lift_reason`` and keeps the row, so the
history of a borrower's holds stays readable beside the audit trail.  A
contact whose result is a dispute or a complaint raises at most one hold of
each kind (unique on ``source_attempt_id`` and ``kind``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
EXTERNAL_ID = sa.String(length=64)
ACTOR = sa.String(length=200)
REASON = sa.String(length=500)
HOLD_KINDS = (
    "'dispute', 'cease_contact', 'legal_representation', 'breathing_space', 'bankruptcy', "
    "'deceased', 'complaint_under_investigation'"
)


def upgrade() -> None:
    op.create_table(
        "contact_holds",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contact_holds"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name="fk_contact_holds_platform_id",
            ondelete="RESTRICT",
        ),
        sa.Column("hold_id", EXTERNAL_ID, nullable=False),
        sa.Column("borrower_id", EXTERNAL_ID, nullable=False),
        sa.Column("debt_id", EXTERNAL_ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=True),
        sa.Column("reason", REASON, nullable=False),
        sa.Column("raised_by", ACTOR, nullable=False),
        sa.Column("source_attempt_id", EXTERNAL_ID, nullable=True),
        sa.Column("lifted_at", TIMESTAMP, nullable=True),
        sa.Column("lifted_by", ACTOR, nullable=True),
        sa.Column("lift_reason", REASON, nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("platform_id", "hold_id", name="uq_contact_holds_platform_id_hold_id"),
        sa.UniqueConstraint(
            "platform_id",
            "source_attempt_id",
            "kind",
            name="uq_contact_holds_platform_id_source_attempt_id_kind",
        ),
        sa.CheckConstraint(f"kind IN ({HOLD_KINDS})", name="ck_contact_holds_kind"),
        sa.CheckConstraint(
            "ends_at IS NULL OR ends_at > starts_at", name="ck_contact_holds_ends_after_start"
        ),
        sa.CheckConstraint(
            "(lifted_at IS NULL) = (lifted_by IS NULL)", name="ck_contact_holds_lifted_by_whom"
        ),
    )
    op.create_index(
        "ix_contact_holds_platform_id_borrower_id",
        "contact_holds",
        ["platform_id", "borrower_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_contact_holds_platform_id_borrower_id", table_name="contact_holds")
    op.drop_table("contact_holds")
