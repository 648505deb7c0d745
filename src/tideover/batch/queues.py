"""A day's open queue items given to collectors at once: the fast path of the assignment rule.

The rule is :func:`tideover.queues.assignment.place` (the reference): items in
rank order (``rank_key``), each to the least-utilised collector who may take it
and has room, else left with its reason.  :func:`assign_items` gives exactly
what ``place`` gives applied item by item, each placement adding one to its
collector's load (differential test:
``tests/unit/test_queue_assignment_differential.py``), but keeps one heap of
collectors per (jurisdiction, queue) instead of scanning every collector for
every item.

Because capacity only ever runs down, an item is left unassigned only when
every collector who could have taken it was already full, so no lower-ranked
item can go to one of them afterwards, and the reason still holds when the run
ends: ``why_unassigned`` gives it again from the collectors' loads.  The caller
passes active collectors only, with ``load`` = the items of the day they
already hold (assigned or done); the items already assigned are not passed
again.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from tideover.queues.assignment import AssignmentPlan, Desk, OpenItem, Unassigned, rank_key


def assign_items(items: Iterable[OpenItem], desks: Sequence[Desk]) -> AssignmentPlan:
    """Every item either assigned to a collector or left with its reason: ``place`` item by
    item in rank order (see the module doc)."""
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

    Utilisation is a ratio of two integers of at most ``MAX_DAILY_CAPACITY`` (10,000,
    ``domain.collectors``): two different ratios differ by at least 1 / 10,000², far
    above a double's rounding, and equal ratios divide to the same double, so the float
    order is the exact order ``place`` compares.
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
