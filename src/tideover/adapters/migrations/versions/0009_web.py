"""Sign-in sessions, API keys, one-time codes for borrowers, and background jobs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

``web_sessions`` keeps each signed-in browser: the SHA-256 of its cookie token
(never the token), whose session it is (a staff user or a borrower of the same
platform), its CSRF token, and when it expires or was ended.  Signing in always
creates a new row (no session fixation).

``api_keys`` keeps machine clients' keys per platform: a public key id, the
SHA-256 of the secret part, the scopes granted, who created it and when it was
revoked.

``borrower_codes`` keeps the one-time sign-in codes sent to borrowers' phones:
the keyed hash of the phone, the SHA-256 of the code, when it expires, how many
wrong tries it has had and when it was used.

``jobs`` keeps long work started from the console (a daily cycle, an impact
preview, a model training): what to run, its progress and its result, so that
a job survives a restart of the web process and any worker may take it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
EXTERNAL_ID = sa.String(length=64)
HASH_HEX = sa.String(length=64)
JOB_STATES = "'queued', 'running', 'done', 'failed'"


def _platform(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=f"fk_{table}_platform_id", ondelete="RESTRICT"
        ),
    ]


def _user_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["platform_id", column],
        ["users.platform_id", "users.id"],
        name=f"fk_{table}_platform_id_{column}",
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        *_platform("web_sessions"),
        sa.Column("token_hash", HASH_HEX, nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("borrower_id", EXTERNAL_ID, nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
        _user_fk("web_sessions", "user_id"),
        sa.CheckConstraint("subject IN ('staff', 'borrower')", name="ck_web_sessions_subject"),
        sa.CheckConstraint(
            "(subject = 'staff' AND user_id IS NOT NULL AND borrower_id IS NULL) OR "
            "(subject = 'borrower' AND borrower_id IS NOT NULL AND user_id IS NULL)",
            name="ck_web_sessions_who",
        ),
    )
    op.create_table(
        "api_keys",
        *_platform("api_keys"),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", HASH_HEX, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", JSON_DOC, nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=True),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint("key_id", name="uq_api_keys_key_id"),
        _user_fk("api_keys", "created_by"),
    )
    op.create_table(
        "borrower_codes",
        *_platform("borrower_codes"),
        sa.Column("phone_hash", HASH_HEX, nullable=False),
        sa.Column("code_hash", HASH_HEX, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("attempts >= 0", name="ck_borrower_codes_attempts"),
    )
    op.create_index(
        "ix_borrower_codes_platform_id_phone_hash_created_at",
        "borrower_codes",
        ["platform_id", "phone_hash", "created_at"],
    )
    op.create_table(
        "jobs",
        *_platform("jobs"),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", JSON_DOC, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress_label", sa.String(length=200), nullable=True),
        sa.Column("progress_done", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("progress_total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("result", JSON_DOC, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=True),
        sa.Column("heartbeat_at", TIMESTAMP, nullable=True),
        sa.Column("finished_at", TIMESTAMP, nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.UniqueConstraint("job_id", name="uq_jobs_job_id"),
        _user_fk("jobs", "created_by"),
        sa.CheckConstraint(f"state IN ({JOB_STATES})", name="ck_jobs_state"),
    )
    op.create_index("ix_jobs_state_created_at", "jobs", ["state", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_state_created_at", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(
        "ix_borrower_codes_platform_id_phone_hash_created_at", table_name="borrower_codes"
    )
    op.drop_table("borrower_codes")
    op.drop_table("api_keys")
    op.drop_table("web_sessions")
