"""Use cases of collector queues: assign a date's items, re-assign, list, request a callback.

Assignment (:func:`assign_open_items`) is the fast path of the assignment rule
(:mod:`tideover.queues.assignment`, :mod:`tideover.batch.queues`) between two
set-based steps: it reads the date's open, unassigned items and each active
collector's load, and writes the items placed in one executemany UPDATE by
primary key.  Items already assigned keep their collector, so running it again
for a date only places what is still open.  Every manual change records who
and when on the item and in the audit trail.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from tideover.adapters.repositories import QueueItem
from tideover.batch.queues import assign_items
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.collectors import Collector
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.i18n import N_
from tideover.plans.cases import AUTOMATIC
from tideover.queues.assignment import AssignmentPlan, Desk, OpenItem, why_unassigned
from tideover.services.common import acting, actor_name, now_and_today
from tideover.services.platforms import settings_of
from tideover.services.queues.results import (
    AuditedCallbackRequest,
    AuditedCollectorReassignment,
    AuditedItemReassignment,
    AuditedQueueAssignment,
    CallbackRequest,
    CollectorReassignment,
    ItemMove,
    ItemReassignment,
    LeftOpen,
    ListedItem,
    QueueAssignment,
    QueueList,
    audited,
)
from tideover.services.unit_of_work import UnitOfWork

QUEUE_ASSIGNED = "queue_assigned"
QUEUE_REASSIGNED = "queue_reassigned"
CALLBACK_REQUESTED = "callback_requested"
_REASSIGNABLE = ("open", "assigned")


@dataclass(frozen=True)
class AssignReport:
    as_of: date
    plan: AssignmentPlan
    precedence: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            **self.plan.counts(),
            **{f"first_{k}": v for k, v in sorted(self.precedence.items())},
        }

    def by_collector(self) -> dict[str, int]:
        """Items placed per collector, by collector id."""
        return dict(sorted(Counter(self.plan.assigned.values()).items()))

    def summary(self, platform: str) -> QueueAssignment:
        return QueueAssignment(
            platform=platform,
            as_of=self.as_of,
            counts=self.counts(),
            by_collector=self.by_collector(),
        )


def desk(collector: Collector, loads: dict[str, int]) -> Desk:
    """A collector as assignment sees them on a day (``loads``: that day's items held)."""
    return Desk(
        collector.collector_id,
        frozenset(collector.jurisdictions),
        frozenset(collector.queues),
        collector.daily_capacity,
        loads.get(collector.collector_id, 0),
    )


def desks(collectors: Iterable[Collector], loads: dict[str, int]) -> list[Desk]:
    """The active collectors as assignment sees them on a day."""
    return [desk(c, loads) for c in collectors if c.active]


def assign_open_items(
    uow: UnitOfWork,
    platform: str,
    as_of: date,
    *,
    at: datetime,
    by: str = AUTOMATIC,
    exclude: frozenset[str] = frozenset(),
) -> AssignReport:
    """Places the date's open, unassigned items (inside the caller's open unit of work).

    ``exclude`` names collectors to pass over (absent today).  No commit here: the
    daily cycle calls this in its final transaction, the commands through
    :func:`assign_queue`.
    """
    queues = uow.queues(platform)
    precedence = queues.refresh_precedence(as_of)
    # Locking the collectors serialises concurrent assignments of a platform (PostgreSQL).
    collectors = [
        c
        for c in uow.collectors(platform).list(active=True, lock=True)
        if c.collector_id not in exclude
    ]
    items = [OpenItem(i, j, q, p, first) for i, j, q, p, first in queues.open_unassigned(as_of)]
    plan = assign_items(items, desks(collectors, queues.loads(as_of)))
    queues.assign(plan.assigned, at=at, by=by)
    return AssignReport(as_of, plan, precedence)


def assign_queue(
    *, uow: UnitOfWork, platform: str, as_of: date, clock: Clock | None = None
) -> AuditedQueueAssignment:
    """``tideover queue assign``: the date's open items to collectors, audited."""
    now = (clock or SystemClock()).now()
    with uow:
        summary = assign_open_items(uow, platform, as_of, at=now).summary(platform)
        record = uow.audit(platform).append(QUEUE_ASSIGNED, summary.to_json(), at=now)
        uow.commit()
    return audited(summary, record.seq, AuditedQueueAssignment)


def list_queue(
    *,
    uow: UnitOfWork,
    platform: str,
    as_of: date | None = None,
    collector: str | None = None,
) -> QueueList:
    """Items by date and rank (precedence, priority, id), optionally one collector's.

    An open item without a collector carries ``unassigned_reason``: read from the
    active collectors and their loads of its date as they are now (``None``: one
    of them could take it; the next assignment places it).
    """
    with uow:
        if collector is not None:
            uow.collectors(platform).require(collector)
        queues = uow.queues(platform)
        items = queues.items(as_of=as_of, collector=collector)
        active = uow.collectors(platform).list(active=True)
        days = {i.as_of for i in items if i.state == "open" and i.assigned_to is None}
        loads = {day: queues.loads(day) for day in days}
    reasons: dict[tuple[date, str, str], str | None] = {}
    rows = []
    for item in items:
        reason = None
        if item.as_of in loads and item.state == "open" and item.assigned_to is None:
            key = (item.as_of, item.jurisdiction, item.queue)
            if key not in reasons:
                open_item = OpenItem(item.item_id, item.jurisdiction, item.queue, item.priority)
                why = why_unassigned(open_item, desks(active, loads[item.as_of]))
                reasons[key] = None if why is None else why.value
            reason = reasons[key]
        rows.append(ListedItem.of(item, reason))
    return QueueList(platform=platform, as_of=as_of, collector=collector, items=rows)


# --- re-assignment ---------------------------------------------------------------------------


def reassign_item(
    *,
    uow: UnitOfWork,
    platform: str,
    item_id: int,
    to: str,
    by: str,
    clock: Clock | None = None,
) -> AuditedItemReassignment:
    """Gives one open or assigned item to collector ``to``; refused, changing nothing, when
    ``to`` is unknown, inactive, not permitted for the item's jurisdiction or full that day."""
    by = actor_name(by)
    now = (clock or SystemClock()).now()
    with uow:
        by = acting(uow, platform, by)
        queues = uow.queues(platform)
        item = _reassignable(queues.item(item_id, lock=True), item_id, platform)
        target = _target(uow.collectors(platform).require(to), platform)
        if item.assigned_to == target.collector_id:
            raise Conflict(
                N_("queue item %(item_id)s is already assigned to %(to)s"),
                item_id=item_id,
                to=repr(to),
            )
        _check_permitted(target, [item])
        _check_capacity(target, Counter([item.as_of]), queues.loads)
        queues.move([item.item_id], to=target.collector_id, at=now, by=by)
        change = ItemReassignment(
            platform=platform, by=by, moves=[ItemMove.of(item, target.collector_id)]
        )
        record = uow.audit(platform).append(QUEUE_REASSIGNED, change.to_json(), at=now)
        uow.commit()
    return audited(change, record.seq, AuditedItemReassignment)


def reassign_from(
    *,
    uow: UnitOfWork,
    platform: str,
    source: str,
    by: str,
    to: str | None = None,
    as_of: date | None = None,
    clock: Clock | None = None,
) -> AuditedCollectorReassignment:
    """Moves every item ``source`` holds (state ``assigned``; of ``as_of`` if given).

    With ``to``: all to that collector or, if any check fails, none.  Without:
    the items go back to the open queue and assignment places them among the
    other collectors (never ``source``); those nobody can take stay open.
    """
    by = actor_name(by)
    now = (clock or SystemClock()).now()
    with uow:
        by = acting(uow, platform, by)
        uow.collectors(platform).require(source)
        queues = uow.queues(platform)
        held = queues.held_by(source, as_of=as_of)
        if to is None:
            moves, left = redistribute(uow, platform, held, at=now, by=by, exclude={source})
        else:
            if to == source:
                raise ValidationError(
                    N_("--from and --to are both %(source)s; name another collector"),
                    source=repr(source),
                )
            target = _target(uow.collectors(platform).require(to), platform)
            _check_permitted(target, held)
            _check_capacity(target, Counter(i.as_of for i in held), queues.loads)
            queues.move([i.item_id for i in held], to=target.collector_id, at=now, by=by)
            moves, left = [ItemMove.of(i, target.collector_id) for i in held], []
        change = CollectorReassignment(
            platform=platform, by=by, source=source, moves=moves, left=left
        )
        record = uow.audit(platform).append(QUEUE_REASSIGNED, change.to_json(), at=now)
        uow.commit()
    return audited(change, record.seq, AuditedCollectorReassignment)


def redistribute(
    uow: UnitOfWork,
    platform: str,
    held: list[QueueItem],
    *,
    at: datetime,
    by: str,
    exclude: set[str],
) -> tuple[list[ItemMove], list[LeftOpen]]:
    """Releases ``held`` and assigns their dates again without ``exclude``: (moves, left open).

    Inside the caller's unit of work; the items are moved in rank order with
    every other open item of their dates.
    """
    uow.queues(platform).release([i.item_id for i in held])
    moves: list[ItemMove] = []
    left: list[LeftOpen] = []
    for day in sorted({i.as_of for i in held}):
        plan = assign_open_items(uow, platform, day, at=at, by=by, exclude=frozenset(exclude)).plan
        for i in (i for i in held if i.as_of == day):
            if i.item_id in plan.assigned:
                moves.append(ItemMove.of(i, plan.assigned[i.item_id]))
            else:
                left.append(LeftOpen.released(i, plan.unassigned[i.item_id].value))
    return moves, left


def _reassignable(item: QueueItem | None, item_id: int, platform: str) -> QueueItem:
    if item is None:
        raise NotFound(
            N_("queue item %(item_id)s not found on platform %(platform)s"),
            item_id=item_id,
            platform=repr(platform),
        )
    if item.state not in _REASSIGNABLE:
        raise Conflict(
            N_(
                "queue item %(item_id)s is %(state)s; only open or assigned items can be reassigned"
            ),
            item_id=item_id,
            state=item.state,
        )
    return item


def _target(collector: Collector, platform: str) -> Collector:
    if not collector.active:
        raise Conflict(
            N_(
                "collector %(collector_id)s of platform %(platform)s is inactive; "
                "activate them first (tideover collectors set --active)"
            ),
            collector_id=repr(collector.collector_id),
            platform=repr(platform),
        )
    return collector


def _check_permitted(collector: Collector, items: Iterable[QueueItem]) -> None:
    """Refuses items of a jurisdiction ``collector`` is not permitted for (whether they work
    the item's queue is the team lead's call when moving by hand)."""
    licence = desk(collector, {})
    refused = [i for i in items if not licence.permitted(i.jurisdiction)]
    if refused:
        shown = ", ".join(f"{i.item_id} ({i.jurisdiction or 'unknown'})" for i in refused[:5])
        more = " …" if len(refused) > 5 else ""
        permitted = ", ".join(collector.jurisdictions)
        raise ValidationError(
            N_(
                "collector %(collector_id)s is permitted for %(permitted)s only, not for "
                "the jurisdiction of queue item(s) %(shown)s%(more)s"
            ),
            collector_id=repr(collector.collector_id),
            permitted=permitted,
            shown=shown,
            more=more,
        )


def _check_capacity(
    collector: Collector, wanted: Counter[date], loads: Callable[[date], dict[str, int]]
) -> None:
    """Refuses when ``collector`` would hold more than their daily capacity on any date."""
    for day, extra in sorted(wanted.items()):
        that_day = desk(collector, loads(day))
        if not that_day.has_room_for(extra):
            held, capacity = that_day.load, that_day.capacity
            raise Conflict(
                N_(
                    "collector %(collector_id)s holds %(held)s of %(capacity)s items on "
                    "%(day)s; %(extra)s more would exceed the daily capacity"
                ),
                collector_id=repr(collector.collector_id),
                held=held,
                capacity=capacity,
                day=day.isoformat(),
                extra=extra,
            )


# --- callbacks -------------------------------------------------------------------------------


def request_callback(
    *,
    uow: UnitOfWork,
    platform: str,
    loan_id: str,
    on: date,
    by: str,
    at: clock_time | None = None,
    note: str | None = None,
    callback_id: str | None = None,
    clock: Clock | None = None,
) -> AuditedCallbackRequest:
    """Records a borrower's request to be called back on ``on`` (at ``at``, the platform's
    local time): that day their queue items come first."""
    by = actor_name(by)
    if note is not None and len(note) > 500:
        raise ValidationError(N_("the callback note must be at most 500 characters"))
    callback_id = callback_id or uuid.uuid4().hex
    with uow:
        by = acting(uow, platform, by)
        now, today = now_and_today(uow, platform, clock)
        if on < today:
            raise ValidationError(
                N_("callback date %(on)s is before today (%(today)s) on platform %(platform)s"),
                on=on.isoformat(),
                today=today.isoformat(),
                platform=repr(platform),
            )
        zone = ZoneInfo(settings_of(uow, platform).time_zone)
        when = None if at is None else datetime.combine(on, at, zone)
        uow.queues(platform).add_callback(
            callback_id, loan_id=loan_id, due_on=on, at=when, note=note, by=by
        )
        request = CallbackRequest(
            platform=platform,
            callback_id=callback_id,
            loan_id=loan_id,
            on=on,
            at=when,
            note=note,
            by=by,
        )
        record = uow.audit(platform).append(CALLBACK_REQUESTED, request.to_json(), at=now)
        uow.commit()
    return audited(request, record.seq, AuditedCallbackRequest)
