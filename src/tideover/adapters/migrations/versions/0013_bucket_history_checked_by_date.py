"""The bucket history's loans are checked a date at a time, not row by row.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

``delinquency_snapshots`` gets one row per loan per business date: ten million
rows a run at a large lender.  Its foreign key to ``loans`` was checked by
PostgreSQL row by row, each check a look-up in ``loans`` that also locks the
loan's row (``FOR KEY SHARE``, which writes to the loan's page): inserting a
million rows took 8.2–8.8 s with the key against 2.6–2.8 s without it, most of
the daily cycle's write stage (bench/RESULTS.md).  The key is dropped; the
repository that writes a date (``DelinquencyRepository.replace_columns``) checks
the date's rows against the platform's loans in one join in the same
transaction and refuses the whole date if one names no loan, which is what the
key refused.  No code path deletes a loan (and one with payments, relief plans,
schedule versions, promises to pay or callbacks cannot be deleted: ``RESTRICT``),
so the row locks guarded nothing; a loan deleted by hand now leaves its history
behind, which the downgrade deletes, as the key's ``CASCADE`` would have, before it
puts the key back.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "delinquency_snapshots"
KEY = "fk_delinquency_snapshots_platform_id_loan_pk"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(KEY, type_="foreignkey")


def downgrade() -> None:
    op.execute(
        f"DELETE FROM {TABLE} WHERE NOT EXISTS (SELECT 1 FROM loans l WHERE "
        f"l.platform_id = {TABLE}.platform_id AND l.id = {TABLE}.loan_pk)"
    )
    with op.batch_alter_table(TABLE) as batch:
        batch.create_foreign_key(
            KEY, "loans", ["platform_id", "loan_pk"], ["platform_id", "id"], ondelete="CASCADE"
        )
