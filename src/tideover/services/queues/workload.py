"""What the team lead reads: one collector, and a date's workload across the team.

The same stored items and loads that assignment reads (:mod:`tideover.services.queues.
items`); a reason an open item has no collector is computed as ``list_queue`` gives it.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from tideover.services.queues.collectors import list_collectors
from tideover.services.queues.items import list_queue
from tideover.services.queues.results import CollectorInfo, CollectorLoad, Workload
from tideover.services.unit_of_work import UnitOfWork

PLACEABLE = "placeable"  # an open item one of the active collectors could take now


def show_collector(*, uow: UnitOfWork, platform: str, collector_id: str) -> CollectorInfo:
    """One collector of ``platform``; ``NotFound`` for an id it does not have."""
    with uow:
        return CollectorInfo.of(uow.collectors(platform).require(collector_id))


def workload(*, uow: UnitOfWork, platform: str, as_of: date) -> Workload:
    """The items of ``as_of`` by state, the unassigned ones by reason, and every
    collector's load that day (inactive collectors too, while they still hold items)."""
    queue = list_queue(uow=uow, platform=platform, as_of=as_of)
    listed = list_collectors(uow=uow, platform=platform, as_of=as_of)
    by_state = Counter(item.state for item in queue.items)
    unassigned = Counter(
        item.unassigned_reason or PLACEABLE
        for item in queue.items
        if item.state == "open" and item.assigned_to is None
    )
    collectors = [
        CollectorLoad(
            collector_id=c.collector_id,
            name=c.name,
            team=c.team,
            active=c.active,
            jurisdictions=c.jurisdictions,
            daily_capacity=c.daily_capacity,
            load=c.load or 0,
            room=max(0, c.daily_capacity - (c.load or 0)) if c.active else 0,
        )
        for c in listed.collectors
        if c.active or c.load
    ]
    return Workload(
        platform=platform,
        as_of=as_of,
        items=len(queue.items),
        by_state=dict(sorted(by_state.items())),
        unassigned=dict(sorted(unassigned.items())),
        collectors=collectors,
    )
