"""What the collector and queue use cases return: collectors, queue items, assignments,
moves and callbacks.

Field names and order are the JSON the CLI prints with ``--json`` and the API
serves; change them only together with ``docs/queues.md``.  A change that is
audited is returned as the audit record's content (the model the trail keeps,
written with ``to_json``) followed by ``audit_seq``, its place in the trail.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from pydantic import ConfigDict, Field, JsonValue

from tideover.adapters.repositories import QueueItem
from tideover.domain.collectors import Collector
from tideover.services.results import Instant, Result

R = TypeVar("R", bound=Result)


def audited(content: Result, seq: int, result: type[R]) -> R:
    """``result``: the audited ``content`` and its place in the trail (``audit_seq``)."""
    return result.model_validate({**dict(content), "audit_seq": seq})


class CollectorInfo(Result):
    """A collector: team, role, permitted jurisdictions, queues worked, items per day."""

    collector_id: str
    name: str
    team: str
    role: str
    jurisdictions: list[str]
    queues: list[str]
    daily_capacity: int
    active: bool

    @classmethod
    def of(cls, collector: Collector) -> CollectorInfo:
        return cls.model_validate(collector.to_json())


class ListedCollector(CollectorInfo):
    """A collector as listed; ``load``: the items they hold on the date asked for, if any."""

    load: int | None = None


class AddedCollectors(Result):
    platform: str
    collectors: list[CollectorInfo]


class CollectorList(Result):
    platform: str
    as_of: date | None
    collectors: list[ListedCollector]


class CollectorImport(Result):
    """A collectors file applied: the ids added and changed, how many were already so."""

    platform: str
    file: str
    added: list[str]
    changed: list[str]
    unchanged: int


class ItemMove(Result):
    """One queue item moved from one collector (or none: it was open) to another (or none:
    back to the open queue)."""

    # ``from`` is a Python keyword: the field is ``source``, written ``from``.
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    item_id: int
    as_of: date
    account_id: str
    step: str
    jurisdiction: str
    source: str | None = Field(alias="from")
    to: str | None

    @classmethod
    def of(cls, item: QueueItem, to: str | None) -> ItemMove:
        return cls(
            item_id=item.item_id,
            as_of=item.as_of,
            account_id=item.account_id,
            step=item.step,
            jurisdiction=item.jurisdiction,
            source=item.assigned_to,
            to=to,
        )


class LeftOpen(ItemMove):
    """An item back in the open queue, with the reason nobody may take it."""

    reason: str

    @classmethod
    def released(cls, item: QueueItem, reason: str) -> LeftOpen:
        return cls.model_validate({**dict(ItemMove.of(item, None)), "reason": reason})


class CollectorChange(Result):
    """A collector's change as audited: the fields changed (name → new value) and the items
    handed on because of it."""

    platform: str
    by: str
    collector_id: str
    changed: dict[str, JsonValue]
    moves: list[ItemMove]
    left: list[LeftOpen]


class ChangedCollector(CollectorChange):
    """A collector's change and the collector as it now is."""

    collector: CollectorInfo


class QueueAssignment(Result):
    """A date's open items placed: counts (assigned, left by reason, put first by reason)
    and items per collector."""

    platform: str
    as_of: date
    counts: dict[str, int]
    by_collector: dict[str, int]


class AuditedQueueAssignment(QueueAssignment):
    audit_seq: int


class ListedItem(Result):
    """A queue item; ``unassigned_reason`` says why an open one has no collector (None: one
    of the active collectors could take it now)."""

    item_id: int
    as_of: date
    account_id: str
    borrower_id: str
    step: str
    queue: str
    channel: str
    jurisdiction: str
    priority: int
    precedence: int
    state: str
    assigned_to: str | None
    assigned_at: Instant | None
    assigned_by: str | None
    due_at: Instant | None
    callback_at: Instant | None
    template: str | None
    tone: str
    segment: str
    offers: list[str]
    summary: dict[str, JsonValue]
    unassigned_reason: str | None

    @classmethod
    def of(cls, item: QueueItem, unassigned_reason: str | None) -> ListedItem:
        return cls.model_validate({**item.to_json(), "unassigned_reason": unassigned_reason})


class QueueList(Result):
    platform: str
    as_of: date | None
    collector: str | None
    items: list[ListedItem]


class ItemReassignment(Result):
    """One item given by hand to another collector."""

    platform: str
    by: str
    moves: list[ItemMove]


class AuditedItemReassignment(ItemReassignment):
    audit_seq: int


class CollectorReassignment(Result):
    """Every item a collector holds moved: to one collector, or by the rules among the others
    (``left``: those nobody else may take)."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    platform: str
    by: str
    source: str = Field(alias="from")
    moves: list[ItemMove]
    left: list[LeftOpen]


class AuditedCollectorReassignment(CollectorReassignment):
    audit_seq: int


class CallbackRequest(Result):
    """A borrower's request to be called back on a day (at a time, the platform's local one)."""

    platform: str
    callback_id: str
    loan_id: str
    on: date
    at: Instant | None
    note: str | None
    by: str


class AuditedCallbackRequest(CallbackRequest):
    audit_seq: int


class CollectorLoad(Result):
    """A collector's day: the items held against the daily capacity, and the room left."""

    collector_id: str
    name: str
    team: str
    active: bool
    jurisdictions: list[str]
    daily_capacity: int
    load: int
    room: int


class Workload(Result):
    """A date's queue as the team lead sees it: items by state, open items nobody holds
    by the reason nobody may take them (``placeable``: the next assignment places them), and
    each collector's load."""

    platform: str
    as_of: date
    items: int
    by_state: dict[str, int]
    unassigned: dict[str, int]
    collectors: list[CollectorLoad]
