"""Simulations attached to policy versions (migration 0010)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tideover.adapters.orm.base import ACTOR, JSON_DOC, Base, UtcDateTime, big_id, platform_fk


class PolicySimulationRow(Base):
    """The review's simulation of one submitted version against the one active then.

    ``result`` is the comparison as JSON once the job has finished; while it runs the
    job (``job_id``) holds its state and progress.  One row per version.
    """

    __tablename__ = "policy_simulations"
    __table_args__ = (
        UniqueConstraint("platform_id", "version"),
        ForeignKeyConstraint(
            ["platform_id", "version"],
            ["policy_versions.platform_id", "policy_versions.number"],
            ondelete="RESTRICT",
        ),
    )

    id: Mapped[int] = big_id()
    platform_id: Mapped[int] = platform_fk()
    version: Mapped[int] = mapped_column(Integer)
    against_version: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON_DOC)
    job_id: Mapped[str | None] = mapped_column(String(36))
    requested_by: Mapped[str] = mapped_column(ACTOR)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOC)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
