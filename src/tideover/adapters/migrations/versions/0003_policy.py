"""Policy versions: each version's exact document and hash, its state, and its workflow events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-06-08

``policy_versions`` keeps the submitted text byte for byte with its SHA-256,
the author, status, approver and effective date.  The database holds the
workflow's promises even against direct SQL: at most one active version per
platform (a partial unique index, on SQLite and PostgreSQL alike), the approver
is never the author, an active version has an effective date, and triggers
refuse to change the text, hash, author or number of a version once it has
left draft, or to delete it.  ``policy_events`` records who did what and when.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
ACTOR = sa.String(length=200)
STATUSES = "'draft', 'in_review', 'approved', 'active', 'retired'"
# A version's content is frozen once it leaves draft (submitted for review, approved, ...).
CONTENT_CHANGED = (
    "NEW.document <> OLD.document OR NEW.sha256 <> OLD.sha256 OR NEW.author <> OLD.author "
    "OR NEW.number <> OLD.number OR NEW.policy <> OLD.policy OR NEW.platform_id <> OLD.platform_id"
)
PG_FUNCTION = "tideover_policy_version_frozen"


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_versions"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name="fk_policy_versions_platform_id",
            ondelete="RESTRICT",
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("author", ACTOR, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approver", ACTOR, nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("submitted_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("platform_id", "number", name="uq_policy_versions_platform_id_number"),
        sa.UniqueConstraint("platform_id", "id", name="uq_policy_versions_platform_id_id"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="ck_policy_versions_status"),
        sa.CheckConstraint(
            "approver IS NULL OR approver <> author", name="ck_policy_versions_four_eyes"
        ),
        sa.CheckConstraint(
            "status <> 'active' OR effective_from IS NOT NULL",
            name="ck_policy_versions_effective",
        ),
    )
    op.create_index(
        "ux_policy_versions_one_active",
        "policy_versions",
        ["platform_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "policy_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_policy_events"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["platforms.id"],
            name="fk_policy_events_platform_id",
            ondelete="RESTRICT",
        ),
        sa.Column("version_pk", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id", "version_pk"],
            ["policy_versions.platform_id", "policy_versions.id"],
            name="fk_policy_events_platform_id_version_pk",
            ondelete="RESTRICT",
        ),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", ACTOR, nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("before", sa.String(length=16), nullable=True),
        sa.Column("after", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index(
        "ix_policy_events_platform_id_version_pk",
        "policy_events",
        ["platform_id", "version_pk"],
        unique=False,
    )
    _frozen_triggers()


def _frozen_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' THEN IF OLD.status <> 'draft' THEN "
            "RAISE EXCEPTION 'policy version % is %: it cannot be deleted', OLD.number, "
            "OLD.status; END IF; RETURN OLD; END IF; "
            f"IF OLD.status <> 'draft' AND ({CONTENT_CHANGED}) THEN "
            "RAISE EXCEPTION 'policy version % is %: its document cannot change', OLD.number, "
            "OLD.status; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER tr_policy_versions_frozen BEFORE UPDATE OR DELETE ON policy_versions "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        return
    op.execute(
        "CREATE TRIGGER tr_policy_versions_frozen BEFORE UPDATE ON policy_versions "
        f"WHEN OLD.status <> 'draft' AND ({CONTENT_CHANGED}) "
        "BEGIN SELECT RAISE(ABORT, 'policy version is submitted: its document cannot change'); END"
    )
    op.execute(
        "CREATE TRIGGER tr_policy_versions_no_delete BEFORE DELETE ON policy_versions "
        "WHEN OLD.status <> 'draft' "
        "BEGIN SELECT RAISE(ABORT, 'policy version is submitted: it cannot be deleted'); END"
    )


def downgrade() -> None:
    op.drop_index("ix_policy_events_platform_id_version_pk", table_name="policy_events")
    op.drop_table("policy_events")
    op.drop_index("ux_policy_versions_one_active", table_name="policy_versions")
    op.drop_table("policy_versions")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
