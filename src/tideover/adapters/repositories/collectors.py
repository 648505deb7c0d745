"""The collectors of one platform: added, changed, deactivated (never deleted), listed."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from tideover.adapters.orm import CollectorRow
from tideover.adapters.repositories._base import COLLECTORS, PlatformScoped, bulk_insert
from tideover.domain.collectors import Collector, CollectorRole
from tideover.domain.errors import NotFound
from tideover.i18n import N_


class CollectorRepository(PlatformScoped):
    """Collectors of one platform, by their own id."""

    def get(self, collector_id: str) -> Collector | None:
        row = self._session.scalar(
            select(CollectorRow).where(
                CollectorRow.platform_id == self._platform_id,
                CollectorRow.collector_id == collector_id,
            )
        )
        return None if row is None else _collector(row)

    def require(self, collector_id: str) -> Collector:
        """The collector, or ``NotFound`` (an id of another platform is not found either)."""
        found = self.get(collector_id)
        if found is None:
            raise NotFound(
                N_(
                    "%(collector_id)s is not a collector of platform %(platform_code)s; see "
                    "`tideover collectors list`"
                ),
                collector_id=repr(collector_id),
                platform_code=repr(self.platform_code),
            )
        return found

    def list(
        self, *, active: bool | None = None, team: str | None = None, lock: bool = False
    ) -> builtins.list[Collector]:
        """By id; ``lock`` holds the rows until commit (PostgreSQL), serialising assignment."""
        query = select(CollectorRow).where(CollectorRow.platform_id == self._platform_id)
        if lock:
            query = query.with_for_update()
        if active is not None:
            query = query.where(CollectorRow.active.is_(active))
        if team is not None:
            query = query.where(CollectorRow.team == team)
        rows = self._session.scalars(query.order_by(CollectorRow.collector_id))
        return [_collector(row) for row in rows]

    def add_many(self, collectors: Sequence[Collector]) -> int:
        """Stores new collectors; an id already used on this platform is a ``Conflict``."""
        ids = [c.collector_id for c in collectors]
        self._refuse_duplicates(CollectorRow.collector_id, ids, COLLECTORS)
        rows = [{**_values(c), "platform_id": self._platform_id} for c in collectors]
        bulk_insert(self._session, CollectorRow, rows)
        return len(rows)

    def save(self, collector: Collector, *, at: datetime) -> None:
        """Writes every field of a stored collector."""
        done = self._session.execute(
            update(CollectorRow)
            .where(
                CollectorRow.platform_id == self._platform_id,
                CollectorRow.collector_id == collector.collector_id,
            )
            .values(**_values(collector), updated_at=at)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            self.require(collector.collector_id)

    def count(self) -> int:
        return self._count(CollectorRow)


def _values(c: Collector) -> dict[str, Any]:
    return {
        "collector_id": c.collector_id,
        "name": c.name,
        "team": c.team,
        "role": c.role.value,
        "jurisdictions": list(c.jurisdictions),
        "queues": list(c.queues),
        "daily_capacity": c.daily_capacity,
        "active": c.active,
    }


def _collector(row: CollectorRow) -> Collector:
    return Collector(
        collector_id=row.collector_id,
        name=row.name,
        team=row.team,
        role=CollectorRole(row.role),
        jurisdictions=tuple(row.jurisdictions),
        queues=tuple(row.queues),
        daily_capacity=row.daily_capacity,
        active=row.active,
    )
