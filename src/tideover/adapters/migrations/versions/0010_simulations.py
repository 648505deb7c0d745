"""Simulations attached to policy versions: the review's Monte Carlo of a candidate.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

``policy_simulations`` keeps, for each submitted version, the simulation of it
against the version active when it was submitted (``tideover.services.simulate``):
with which settings, the background job that runs it, who
asked and when, and — once finished — the whole comparison as JSON.  One row per
version; running it again replaces the result.  While the job runs, its state
and progress are the job's (``jobs``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "policy_simulations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_simulations"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name="fk_policy_simulations_platform_id",
            ondelete="RESTRICT",
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("against_version", sa.Integer(), nullable=True),
        sa.Column("settings", JSON_DOC, nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("result", JSON_DOC, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint(
            "platform_id", "version", name="uq_policy_simulations_platform_id_version"
        ),
        sa.ForeignKeyConstraint(
            ["platform_id", "version"],
            ["policy_versions.platform_id", "policy_versions.number"],
            name="fk_policy_simulations_platform_id_version",
            ondelete="RESTRICT",
        ),
    )


def downgrade() -> None:
    op.drop_table("policy_simulations")
