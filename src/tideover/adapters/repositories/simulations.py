"""The review's simulations of policy versions: requested with the version, finished by a job.

One row per version (``policy_simulations``, migration 0010).  A request stores
what is to be simulated and the job that will do it; the job stores the
comparison when it finishes.  Asking again replaces both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from tideover.adapters.orm import PolicySimulationRow
from tideover.adapters.repositories._base import PlatformScoped


@dataclass(frozen=True, slots=True)
class StoredSimulation:
    """A version's simulation request and, once finished, its result."""

    version: int
    against_version: int | None
    settings: dict[str, Any]
    job_id: str | None
    requested_by: str
    requested_at: datetime
    result: dict[str, Any] | None
    finished_at: datetime | None


class SimulationRepository(PlatformScoped):
    """The simulations attached to one platform's policy versions."""

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
        """Store a request for ``version`` (replacing an earlier one and its result)."""
        self._session.execute(
            delete(PolicySimulationRow).where(
                PolicySimulationRow.platform_id == self._platform_id,
                PolicySimulationRow.version == version,
            )
        )
        self._session.execute(
            insert(PolicySimulationRow).values(
                platform_id=self._platform_id,
                version=version,
                against_version=against_version,
                settings=dict(settings),
                job_id=job_id,
                requested_by=requested_by,
                requested_at=requested_at,
            )
        )
        self._session.flush()

    def finish(self, version: int, *, result: dict[str, Any], at: datetime) -> None:
        """Store the finished comparison of ``version``."""
        self._session.execute(
            update(PolicySimulationRow)
            .where(
                PolicySimulationRow.platform_id == self._platform_id,
                PolicySimulationRow.version == version,
            )
            .values(result=result, finished_at=at)
        )
        self._session.flush()

    def get(self, version: int) -> StoredSimulation | None:
        row = self._session.scalar(
            select(PolicySimulationRow).where(
                PolicySimulationRow.platform_id == self._platform_id,
                PolicySimulationRow.version == version,
            )
        )
        if row is None:
            return None
        return StoredSimulation(
            version=row.version,
            against_version=row.against_version,
            settings=dict(row.settings),
            job_id=row.job_id,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            result=None if row.result is None else dict(row.result),
            finished_at=row.finished_at,
        )
