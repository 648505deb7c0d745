"""Which collector takes an open queue item: the reference rule, one item at a time.

Items are taken in rank order (:func:`rank_key`): ``precedence`` (2 a callback
was requested for the day, 1 a promise to pay falls due, 0 neither), then
``priority`` (:mod:`tideover.queues.priority`), both descending, then id.  An
item goes to the **least-utilised** collector who may take it (:func:`place`):
permitted for the item's jurisdiction
(:func:`tideover.compliance.jurisdictions.permits`), working its queue, with
capacity left for the day.  Utilisation is load ÷ capacity, compared exactly;
equal utilisation goes to the smaller collector id.

An item no collector may take stays unassigned, with the reason:
``no_permitted_collector`` when no collector given is permitted for it and
works its queue, ``capacity_exhausted`` when every such collector is full.
:func:`why_unassigned` reads it from the collectors and their loads as they are
now, which is how a stored item's reason is shown (it is not stored).

This module is the reference.  A whole day's items are placed by the fast path
``tideover.batch.queues.assign_items``, which must give exactly what
:func:`place` gives applied item by item in rank order, each placement adding
one to its collector's load (differential test:
``tests/unit/test_queue_assignment_differential.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from tideover.compliance.jurisdictions import permits

ANY_QUEUE = "*"


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

    def permitted(self, jurisdiction: str) -> bool:
        """Holds the permission ``jurisdiction`` needs; a move by hand may waive the queue,
        never this (``docs/queues.md``, "Re-assignment")."""
        return permits(self.jurisdictions, jurisdiction)

    def may_take(self, item: OpenItem) -> bool:
        """Permitted for the item and working its queue (capacity aside)."""
        return self.works(item.queue) and self.permitted(item.jurisdiction)

    def has_room_for(self, extra: int) -> bool:
        """Whether ``extra`` more items of the day stay within the daily capacity."""
        return self.load + extra <= self.capacity

    @property
    def has_room(self) -> bool:
        return self.has_room_for(1)


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


def rank_key(item: OpenItem) -> tuple[int, int, int]:
    """Sort key: precedence, then priority, both descending; then the item id."""
    return (-item.precedence, -item.priority, item.item_id)


def place(item: OpenItem, desks: Iterable[Desk]) -> Desk | Unassigned:
    """The collector ``item`` goes to with the loads as given, or why nobody may take it.

    Among the collectors who may take it and have room, the least utilised; equal
    utilisation goes to the smaller id, and equal ids to the one given first.
    """
    able = [d for d in desks if d.may_take(item)]
    if not able:
        return Unassigned.NO_PERMITTED_COLLECTOR
    free = [d for d in able if d.has_room]
    if not free:
        return Unassigned.CAPACITY_EXHAUSTED
    return min(free, key=lambda d: (Fraction(d.load, d.capacity), d.collector_id))


def why_unassigned(item: OpenItem, desks: Iterable[Desk]) -> Unassigned | None:
    """Why an open item is not assigned, with the collectors and loads as they are now;
    ``None`` when one of them could still take it (the next assignment places it)."""
    placed = place(item, desks)
    return placed if isinstance(placed, Unassigned) else None
