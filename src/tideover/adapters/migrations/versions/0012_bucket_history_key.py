"""The bucket history keeps one foreign key: its loan's, which implies its platform's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09

``delinquency_snapshots`` is the table the daily cycle writes most: one row per
loan per business date, millions of rows a run at a large lender.  PostgreSQL
checks each foreign key of a new row by a lookup in the referenced table, row by
row.  The row's ``(platform_id, loan_pk) → loans`` key already proves its
platform exists (a loan's ``platform_id`` is itself a key to ``platforms``), so
the separate ``platform_id → platforms`` key checked nothing more and cost
3.7 s a million rows written (bench/RESULTS.md).  A platform still cannot be
deleted while it has loans, and a loan's history goes with it (``CASCADE``).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "delinquency_snapshots"
KEY = "fk_delinquency_snapshots_platform_id"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(KEY, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.create_foreign_key(KEY, "platforms", ["platform_id"], ["id"], ondelete="RESTRICT")
