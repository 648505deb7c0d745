"""In-memory review simulations and a job queue that keeps what is queued (no worker)."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NoReturn

from tideover.adapters.repositories import JobRecord, StoredSimulation


class FakeSimulationRepository:
    def __init__(self, platform_code: str, simulations: dict[int, StoredSimulation]) -> None:
        self.platform_code = platform_code
        self._simulations = simulations

    def request(
        self,
        *,
        version: int,
        against_version: int | None,
        settings: dict[str, Any],
        job_id: str | None,
        requested_by: str,
        requested_at: datetime,
    ) -> None:
        self._simulations[version] = StoredSimulation(
            version=version,
            against_version=against_version,
            settings=dict(settings),
            job_id=job_id,
            requested_by=requested_by,
            requested_at=requested_at,
            result=None,
            finished_at=None,
        )

    def finish(self, version: int, *, result: dict[str, Any], at: datetime) -> None:
        found = self._simulations[version]
        self._simulations[version] = dataclasses.replace(found, result=result, finished_at=at)

    def get(self, version: int) -> StoredSimulation | None:
        return self._simulations.get(version)


class FakeJobRepository:
    """Jobs are queued and read back; nothing here claims or runs them."""

    def __init__(self, jobs: builtins.list[JobRecord]) -> None:
        self._jobs = jobs

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
        self._jobs.append(
            JobRecord(
                job_pk=len(self._jobs) + 1,
                job_id=job_id,
                platform=platform,
                kind=kind,
                params=dict(params),
                state="queued",
                progress_label=None,
                progress_done=0,
                progress_total=0,
                result=None,
                error=None,
                created_by=created_by,
                created_at=at,
                started_at=None,
                finished_at=None,
            )
        )

    def get(self, platform: str, job_id: str) -> JobRecord | None:
        return next((j for j in self._jobs if (j.platform, j.job_id) == (platform, job_id)), None)

    def list(self, platform: str, *, limit: int = 50, offset: int = 0) -> builtins.list[JobRecord]:
        mine = [j for j in reversed(self._jobs) if j.platform == platform]
        return mine[offset : offset + limit]

    def _runs(self) -> NoReturn:
        raise NotImplementedError("the in-memory job queue has no worker")

    def claim_next(self, *, worker: str, at: datetime) -> JobRecord | None:
        self._runs()

    def progress(self, job_pk: int, *, label: str, done: int, total: int, at: datetime) -> None:
        self._runs()

    def finish(
        self,
        job_pk: int,
        *,
        at: datetime,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        self._runs()

    def requeue_stale(self, *, heartbeat_before: datetime) -> int:
        self._runs()
