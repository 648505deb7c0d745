"""Background jobs: queued by the console, claimed by a worker, their progress and result.

A worker claims the oldest queued job in one statement (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL; SQLite serialises writers), so two workers never run
one job.  A running job whose heartbeat stopped (its worker died) is queued
again by :meth:`JobRepository.requeue_stale`: a job survives a restart.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tideover.adapters.orm import JobRow, PlatformRow
from tideover.domain.errors import NotFound
from tideover.i18n import N_


@dataclass(frozen=True, slots=True)
class JobRecord:
    job_pk: int
    job_id: str
    platform: str
    kind: str
    params: dict[str, Any]
    state: str
    progress_label: str | None
    progress_done: int
    progress_total: int
    result: dict[str, Any] | None
    error: str | None
    created_by: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobRepository:
    """The job queue of every platform; each job names its platform."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _query(self) -> Any:
        return select(JobRow, PlatformRow.code).join(
            PlatformRow, PlatformRow.id == JobRow.platform_id
        )

    def enqueue(
        self,
        *,
        platform: str,
        job_id: str,
        kind: str,
        params: Mapping[str, Any],
        created_by: int,
        at: datetime,
    ) -> None:
        platform_id = self._session.scalar(
            select(PlatformRow.id).where(PlatformRow.code == platform)
        )
        if platform_id is None:
            raise NotFound(N_("unknown platform %(platform)s"), platform=repr(platform))
        self._session.execute(
            insert(JobRow).values(
                platform_id=platform_id,
                job_id=job_id,
                kind=kind,
                params=dict(params),
                state="queued",
                created_by=created_by,
                created_at=at,
            )
        )
        self._session.flush()

    def get(self, platform: str, job_id: str) -> JobRecord | None:
        found = self._session.execute(
            self._query().where(JobRow.job_id == job_id, PlatformRow.code == platform)
        ).first()
        return None if found is None else _record(*found)

    def list(self, platform: str, *, limit: int = 50, offset: int = 0) -> builtins.list[JobRecord]:
        query = (
            self._query()
            .where(PlatformRow.code == platform)
            .order_by(JobRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_record(row, code) for row, code in self._session.execute(query)]

    def claim_next(self, *, worker: str, at: datetime) -> JobRecord | None:
        """Takes the oldest queued job for ``worker`` (in the caller's transaction)."""
        query = (
            select(JobRow.id)
            .where(JobRow.state == "queued")
            .order_by(JobRow.created_at, JobRow.id)
            .limit(1)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        pk = self._session.scalar(query)
        if pk is None:
            return None
        claimed = self._session.execute(
            update(JobRow)
            .where(JobRow.id == pk, JobRow.state == "queued")
            .values(state="running", started_at=at, heartbeat_at=at, worker=worker)
        )
        self._session.flush()
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        found = self._session.execute(self._query().where(JobRow.id == pk)).first()
        return None if found is None else _record(*found)

    def progress(self, job_pk: int, *, label: str, done: int, total: int, at: datetime) -> None:
        self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_pk)
            .values(
                progress_label=label[:200],
                progress_done=done,
                progress_total=total,
                heartbeat_at=at,
            )
        )
        self._session.flush()

    def finish(
        self,
        job_pk: int,
        *,
        at: datetime,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_pk)
            .values(
                state="failed" if error is not None else "done",
                result=None if result is None else dict(result),
                error=error,
                finished_at=at,
                heartbeat_at=at,
            )
        )
        self._session.flush()

    def requeue_stale(self, *, heartbeat_before: datetime) -> int:
        """Running jobs whose worker stopped beating before ``heartbeat_before`` go back."""
        result = self._session.execute(
            update(JobRow)
            .where(JobRow.state == "running", JobRow.heartbeat_at < heartbeat_before)
            .values(state="queued", worker=None, started_at=None)
        )
        self._session.flush()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _record(row: JobRow, platform: str) -> JobRecord:
    return JobRecord(
        job_pk=row.id,
        job_id=row.job_id,
        platform=platform,
        kind=row.kind,
        params=dict(row.params),
        state=row.state,
        progress_label=row.progress_label,
        progress_done=row.progress_done,
        progress_total=row.progress_total,
        result=None if row.result is None else dict(row.result),
        error=row.error,
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )
