"""Hardship applications, their evidence, relief plans, schedule history and promises to pay.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

``hardship_applications`` keeps the validated application document as JSON
with its review status and history.  ``hardship_evidence`` keeps each
document's bytes in the database, beside its type, size and SHA-256: an
application and its evidence commit or roll back together (no orphan file, no
row pointing at a missing one), are backed up and scoped to the platform like
every other row, and the 10 MiB limit keeps them small.  ``relief_plans``
holds each offered plan (option, schedule, expiry, the limits it was offered
under) and ``plan_approvals`` its approval request; the database refuses an
approver who is the requester.  ``schedule_versions`` is append-only
(triggers refuse UPDATE and DELETE): every schedule a loan ever had is kept.
``promises_to_pay`` records amount, date and whether the promise was kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
EXTERNAL_ID = sa.String(length=64)
OPTION_ID = sa.String(length=128)
ACTOR = sa.String(length=200)
ROLE = sa.String(length=64)
APPLICATION_STATUSES = "'submitted', 'under_review', 'decided', 'closed'"
PLAN_STATUSES = "'offered', 'accepted', 'active', 'completed', 'broken', 'cancelled'"
PROMISE_OUTCOMES = "'pending', 'kept', 'broken'"
MEDIA_TYPES = "'application/pdf', 'image/jpeg', 'image/png'"
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
SQLITE_TRIGGERS = {
    "UPDATE": "tr_schedule_versions_no_update",
    "DELETE": "tr_schedule_versions_no_delete",
}
PG_FUNCTION = "tideover_schedule_versions_append_only"


def _keys(table: str) -> list[SchemaItem]:
    return [
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.Column("platform_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"], ["platforms.id"], name=f"fk_{table}_platform_id", ondelete="RESTRICT"
        ),
    ]


def _parent(table: str, parent: str, column: str, *, nullable: bool = False) -> list[SchemaItem]:
    """A column holding a parent's surrogate key, and the same-platform foreign key."""
    return [
        sa.Column(column, sa.BigInteger(), nullable=nullable),
        sa.ForeignKeyConstraint(
            ["platform_id", column],
            [f"{parent}.platform_id", f"{parent}.id"],
            name=f"fk_{table}_platform_id_{column}",
            ondelete="RESTRICT",
        ),
    ]


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", TIMESTAMP, server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    _applications()
    _plans()
    op.create_table(
        "schedule_versions",
        *_keys("schedule_versions"),
        *_parent("schedule_versions", "loans", "loan_pk"),
        sa.Column("version", sa.Integer(), nullable=False),
        *_parent("schedule_versions", "relief_plans", "plan_pk", nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("installments", JSON_DOC, nullable=False),
        _created_at(),
        sa.UniqueConstraint(
            "platform_id",
            "loan_pk",
            "version",
            name="uq_schedule_versions_platform_id_loan_pk_version",
        ),
    )
    _append_only_triggers()
    op.create_table(
        "promises_to_pay",
        *_keys("promises_to_pay"),
        sa.Column("promise_id", EXTERNAL_ID, nullable=False),
        *_parent("promises_to_pay", "loans", "loan_pk"),
        *_parent("promises_to_pay", "relief_plans", "plan_pk", nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", ACTOR, nullable=False),
        _created_at(),
        sa.UniqueConstraint(
            "platform_id", "promise_id", name="uq_promises_to_pay_platform_id_promise_id"
        ),
        sa.CheckConstraint("amount_minor > 0", name="ck_promises_to_pay_amount"),
        sa.CheckConstraint(f"outcome IN ({PROMISE_OUTCOMES})", name="ck_promises_to_pay_outcome"),
    )
    op.create_index(
        "ix_promises_to_pay_platform_id_loan_pk", "promises_to_pay", ["platform_id", "loan_pk"]
    )


def _applications() -> None:
    op.create_table(
        "hardship_applications",
        *_keys("hardship_applications"),
        sa.Column("application_id", EXTERNAL_ID, nullable=False),
        sa.Column("loan_id", EXTERNAL_ID, nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("vulnerable", sa.Boolean(), nullable=False),
        sa.Column("document", JSON_DOC, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("plan_option_id", OPTION_ID, nullable=True),
        sa.Column("decline_reasons", JSON_DOC, nullable=False),
        sa.Column("history", JSON_DOC, nullable=False),
        _created_at(),
        sa.UniqueConstraint(
            "platform_id",
            "application_id",
            name="uq_hardship_applications_platform_id_application_id",
        ),
        sa.UniqueConstraint("platform_id", "id", name="uq_hardship_applications_platform_id_id"),
        sa.CheckConstraint(
            f"status IN ({APPLICATION_STATUSES})", name="ck_hardship_applications_status"
        ),
    )
    op.create_index(
        "ix_hardship_applications_platform_id_status",
        "hardship_applications",
        ["platform_id", "status"],
    )
    op.create_table(
        "hardship_evidence",
        *_keys("hardship_evidence"),
        *_parent("hardship_evidence", "hardship_applications", "application_pk"),
        sa.Column("document_type", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        _created_at(),
        sa.UniqueConstraint(
            "platform_id",
            "application_pk",
            "file_name",
            name="uq_hardship_evidence_platform_id_application_pk_file_name",
        ),
        sa.CheckConstraint(
            f"media_type IN ({MEDIA_TYPES})", name="ck_hardship_evidence_media_type"
        ),
        sa.CheckConstraint(
            f"size_bytes > 0 AND size_bytes <= {MAX_EVIDENCE_BYTES}",
            name="ck_hardship_evidence_size",
        ),
        sa.CheckConstraint(
            "length(content) = size_bytes", name="ck_hardship_evidence_content_size"
        ),
    )


def _plans() -> None:
    op.create_table(
        "relief_plans",
        *_keys("relief_plans"),
        sa.Column("plan_id", EXTERNAL_ID, nullable=False),
        *_parent("relief_plans", "hardship_applications", "application_pk"),
        *_parent("relief_plans", "loans", "loan_pk"),
        sa.Column("option_id", OPTION_ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("schedule", JSON_DOC, nullable=False),
        sa.Column("summary", JSON_DOC, nullable=False),
        sa.Column("limits", JSON_DOC, nullable=False),
        sa.Column("events", JSON_DOC, nullable=False),
        _created_at(),
        sa.UniqueConstraint("platform_id", "plan_id", name="uq_relief_plans_platform_id_plan_id"),
        sa.UniqueConstraint("platform_id", "id", name="uq_relief_plans_platform_id_id"),
        sa.CheckConstraint(f"status IN ({PLAN_STATUSES})", name="ck_relief_plans_status"),
    )
    op.create_index(
        "ix_relief_plans_platform_id_application_pk",
        "relief_plans",
        ["platform_id", "application_pk"],
    )
    op.create_index(
        "ix_relief_plans_platform_id_loan_pk", "relief_plans", ["platform_id", "loan_pk"]
    )
    op.create_table(
        "plan_approvals",
        *_keys("plan_approvals"),
        *_parent("plan_approvals", "relief_plans", "plan_pk"),
        sa.Column("request_id", EXTERNAL_ID, nullable=False),
        sa.Column("requested_by", ACTOR, nullable=False),
        sa.Column("required_role", ROLE, nullable=False),
        sa.Column("requested_at", TIMESTAMP, nullable=False),
        sa.Column("approved_by", ACTOR, nullable=True),
        sa.Column("approval_role", ROLE, nullable=True),
        sa.Column("approved_at", TIMESTAMP, nullable=True),
        sa.UniqueConstraint("platform_id", "plan_pk", name="uq_plan_approvals_platform_id_plan_pk"),
        sa.UniqueConstraint(
            "platform_id", "request_id", name="uq_plan_approvals_platform_id_request_id"
        ),
        sa.CheckConstraint(
            "approved_by IS NULL OR approved_by <> requested_by", name="ck_plan_approvals_four_eyes"
        ),
    )


def _append_only_triggers() -> None:
    """A schedule version, once written, is history: it is never changed or removed."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'schedule_versions is append-only (% refused)', TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER tr_schedule_versions_append_only BEFORE UPDATE OR DELETE "
            f"ON schedule_versions FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        return
    for action, name in SQLITE_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {action} ON schedule_versions "
            f"BEGIN SELECT RAISE(ABORT, 'schedule_versions is append-only ({action} refused)'); END"
        )


def downgrade() -> None:
    op.drop_index("ix_promises_to_pay_platform_id_loan_pk", table_name="promises_to_pay")
    op.drop_table("promises_to_pay")
    op.drop_table("schedule_versions")  # its triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    op.drop_table("plan_approvals")
    op.drop_index("ix_relief_plans_platform_id_loan_pk", table_name="relief_plans")
    op.drop_index("ix_relief_plans_platform_id_application_pk", table_name="relief_plans")
    op.drop_table("relief_plans")
    op.drop_table("hardship_evidence")
    op.drop_index("ix_hardship_applications_platform_id_status", table_name="hardship_applications")
    op.drop_table("hardship_applications")
