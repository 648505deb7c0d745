"""Users of each platform, the PII key ring, and requests to roll a platform's cycle back.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``users`` keeps the people who act on a platform: their name as they sign in,
the key that name is compared through (``tideover.domain.identity.name_key``:
NFKC, case-folded, invisible characters removed — unique per platform, so
``Ops1`` and ``ｏｐｓ１`` cannot be two users), their roles, whether they are
active, and, for the console, a password hash and the lock-out counters.
Users are deactivated, never deleted: decisions name them.

``pii_keys`` is the installation's key ring: the fingerprint of each key
that has encrypted personal data (a keyed hash, never the key), which one is
active, and the look-up hash key wrapped (encrypted) under it, so that the
keyed hashes survive a key rotation.  At most one key is active and at most
one is being rotated to.

``cycle_rollbacks`` keeps each request to roll a platform's daily cycle back
to a date: who asked, why, who approved (another user), when it was done.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
EXTERNAL_ID = sa.String(length=64)
KEY_STATES = "'active', 'rotating', 'retired'"
ROLLBACK_STATES = "'requested', 'done', 'rejected'"


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
        "users",
        *_platform("users"),
        sa.Column("username", EXTERNAL_ID, nullable=False),
        sa.Column("name_key", EXTERNAL_ID, nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("roles", JSON_DOC, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("created_by", EXTERNAL_ID, nullable=False),
        sa.UniqueConstraint("platform_id", "name_key", name="uq_users_platform_id_name_key"),
        sa.UniqueConstraint("platform_id", "id", name="uq_users_platform_id_id"),
        sa.CheckConstraint("failed_logins >= 0", name="ck_users_failed_logins"),
    )
    op.create_table(
        "pii_keys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pii_keys"),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("wrapped_lookup_key", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False),
        sa.Column("retired_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint("fingerprint", name="uq_pii_keys_fingerprint"),
        sa.CheckConstraint(f"state IN ({KEY_STATES})", name="ck_pii_keys_state"),
    )
    # One active key and one key being rotated to, at most (partial unique indexes).
    for state in ("active", "rotating"):
        op.create_index(
            f"ix_pii_keys_one_{state}",
            "pii_keys",
            ["state"],
            unique=True,
            sqlite_where=sa.text(f"state = '{state}'"),
            postgresql_where=sa.text(f"state = '{state}'"),
        )
    op.create_table(
        "cycle_rollbacks",
        *_platform("cycle_rollbacks"),
        sa.Column("request_id", EXTERNAL_ID, nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=True),
        sa.Column("removed", JSON_DOC, nullable=True),
        sa.UniqueConstraint(
            "platform_id", "request_id", name="uq_cycle_rollbacks_platform_id_request_id"
        ),
        sa.ForeignKeyConstraint(
            ["platform_id", "requested_by"],
            ["users.platform_id", "users.id"],
            name="fk_cycle_rollbacks_platform_id_requested_by",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id", "decided_by"],
            ["users.platform_id", "users.id"],
            name="fk_cycle_rollbacks_platform_id_decided_by",
            ondelete="RESTRICT",
        ),
        sa.CheckConstraint(f"state IN ({ROLLBACK_STATES})", name="ck_cycle_rollbacks_state"),
        # Four eyes, enforced by the database too: the requester never decides.
        sa.CheckConstraint(
            "decided_by IS NULL OR decided_by <> requested_by", name="ck_cycle_rollbacks_four_eyes"
        ),
    )


def downgrade() -> None:
    op.drop_table("cycle_rollbacks")
    for state in ("active", "rotating"):
        op.drop_index(f"ix_pii_keys_one_{state}", table_name="pii_keys")
    op.drop_table("pii_keys")
    op.drop_table("users")
