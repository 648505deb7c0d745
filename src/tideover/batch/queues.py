"""A day's open queue items given to collectors: pure, deterministic and capacity-bound.

Items are taken in rank order — ``precedence`` (2 a callback was requested for
the day, 1 a promise to pay falls due, 0 neither), then ``priority`` (expected
amount at stake × urgency), both descending, then id — and each goes to the
**least-utilised** collector who may take it: permitted for the item's
jurisdiction (:func:`tideover.compliance.jurisdictions.permits`), working its
queue, with capacity left for the day.  Utilisation is load ÷ capacity; equal
utilisation goes to the smaller collector id.

An item no collector may take stays unassigned, with the reason:
``no_permitted_collector`` when no collector given is permitted for it and
works its queue, ``capacity_exhausted`` when every such collector is full.

Because capacity only ever runs down, an item is left unassigned only when
every collector who could have taken it was already full, so no lower-ranked
item can go to one of them afterwards, and the reason still holds when the run
ends: :func:`why_unassigned` gives it again from the collectors' loads, which is
how it is read later (it is not stored on the item).  The caller passes active
collectors only, with ``load`` = the items of the day they already hold
(assigned or done); the items already assigned are not passed again.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tideover.compliance.jurisdictions import permits

ANY_QUEUE = "*"
MAX_CAPACITY = 10_000  # items per collector per day (also checked by the database)


class Unassigned(StrEnum):
    NO_PERMITTED_COLLECTOR = "no_permitted_collector"
    CAPACITY_EXHAUSTED = "capacity_exhausted"


@dataclass(frozen=True, slots=True)
class OpenItem:
    """What assignment needs of one open, unassigned queue item."""

    item_id: int
    jurisdiction: str
    queue: str
    priority: int
    precedence: int = 0


@dataclass(frozen=True, slots=True)
class Desk:
    """One active collector as assignment sees them on a day."""

    collector_id: str
    jurisdictions: frozenset[str]
    queues: frozenset[str]  # ``ANY_QUEUE`` works every queue
    capacity: int  # items per day
    load: int = 0  # items of the day already held (assigned or done)

    def works(self, queue: str) -> bool:
        return ANY_QUEUE in self.queues or queue in self.queues

    def may_take(self, item: OpenItem) -> bool:
        """Permitted for the item and working its queue (capacity aside)."""
        return self.works(item.queue) and permits(self.jurisdictions, item.jurisdiction)


@dataclass(frozen=True)
class AssignmentPlan:
    assigned: dict[int, str] = field(default_factory=dict)  # item id -> collector id
    unassigned: dict[int, Unassigned] = field(default_factory=dict)
    # (jurisdiction, queue) pairs no collector given may work at all.
    unworkable: frozenset[tuple[str, str]] = frozenset()

    def counts(self) -> dict[str, int]:
        reasons = list(self.unassigned.values())
        return {
            "assigned": len(self.assigned),
            **{reason.value: reasons.count(reason) for reason in Unassigned},
        }


def why_unassigned(item: OpenItem, desks: Sequence[Desk]) -> Unassigned | None:
    """Why an open item is not assigned, with the collectors and loads as they are now;
    ``None`` when one of them could still take it (the next assignment places it)."""
    able = [d for d in desks if d.may_take(item)]
    if not able:
        return Unassigned.NO_PERMITTED_COLLECTOR
    if all(d.load >= d.capacity for d in able):
        return Unassigned.CAPACITY_EXHAUSTED
    return None


def rank_key(item: OpenItem) -> tuple[int, int, int]:
    """Sort key: precedence, then priority, both descending; then the item id."""
    return (-item.precedence, -item.priority, item.item_id)


def assign_items(items: Iterable[OpenItem], desks: Sequence[Desk]) -> AssignmentPlan:
    """Every item either assigned to a collector or left with its reason (see module doc)."""
    ordered = sorted(desks, key=lambda d: d.collector_id)
    load = [d.load for d in ordered]
    capacity = [d.capacity for d in ordered]
    # One heap of (utilisation, collector index, load when pushed) per (jurisdiction, queue):
    # those collectors' loads only grow, so a stale entry is simply pushed again when seen.
    heaps: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
    unworkable: set[tuple[str, str]] = set()
    assigned: dict[int, str] = {}
    unassigned: dict[int, Unassigned] = {}
    for item in sorted(items, key=rank_key):
        key = (item.jurisdiction, item.queue)
        heap = heaps.get(key)
        if heap is None:
            able = [i for i, desk in enumerate(ordered) if desk.may_take(item)]
            if not able:
                unworkable.add(key)
            heap = heaps[key] = [
                (load[i] / capacity[i], i, load[i]) for i in able if load[i] < capacity[i]
            ]
            heapq.heapify(heap)
        chosen = _least_utilised(heap, load, capacity)
        if chosen is None:
            unassigned[item.item_id] = (
                Unassigned.NO_PERMITTED_COLLECTOR
                if key in unworkable
                else Unassigned.CAPACITY_EXHAUSTED
            )
            continue
        load[chosen] += 1
        assigned[item.item_id] = ordered[chosen].collector_id
        if load[chosen] < capacity[chosen]:
            heapq.heappush(heap, (load[chosen] / capacity[chosen], chosen, load[chosen]))
    return AssignmentPlan(assigned, unassigned, frozenset(unworkable))


def _least_utilised(
    heap: list[tuple[float, int, int]], load: list[int], capacity: list[int]
) -> int | None:
    """Pops the collector with the lowest current utilisation and room left, if any.

    Utilisation is a ratio of two integers of at most ``MAX_CAPACITY``: two different
    ratios differ by at least 1 / MAX_CAPACITY², far above a double's rounding, and
    equal ratios divide to the same double, so the float order is the exact order.
    """
    while heap:
        _, index, seen = heap[0]
        if load[index] >= capacity[index]:
            heapq.heappop(heap)  # full: stays full for the rest of the run
        elif seen != load[index]:  # given work through another heap since pushed
            heapq.heapreplace(heap, (load[index] / capacity[index], index, load[index]))
        else:
            heapq.heappop(heap)
            return index
    return None
