"""Collector queue items of one platform: precedence, assignment, re-assignment, callbacks.

The daily cycle writes the items (:mod:`tideover.adapters.repositories.cycle`);
this repository answers what assignment asks — the open items of a date, each
collector's load — and writes its decisions set-based: one executemany UPDATE by
primary key for the items placed (never more than the collectors' capacity).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Executable, Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import (
    BorrowerRow,
    CallbackRequestRow,
    LoanRow,
    PromiseToPayRow,
    QueueItemRow,
)
from tideover.adapters.repositories._base import (
    LOANS,
    PlatformScoped,
    among_param,
    dialect_of,
    key_batches,
    platform_param,
)
from tideover.domain.errors import Conflict
from tideover.i18n import N_

# Precedence of an item (migration 0007): what puts it before higher priorities.
CALLBACK, PROMISE_DUE, NONE = 2, 1, 0
_LIVE = ("open", "assigned")  # states whose precedence and assignment may still change
_HELD = ("assigned", "done")  # states that use a collector's capacity for the day


@dataclass(frozen=True, slots=True)
class QueueItem:
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
    assigned_at: datetime | None
    assigned_by: str | None
    due_at: datetime | None
    callback_at: datetime | None
    template: str | None
    tone: str
    segment: str
    offers: list[str]
    summary: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        def stamp(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "item_id": self.item_id,
            "as_of": self.as_of.isoformat(),
            "account_id": self.account_id,
            "borrower_id": self.borrower_id,
            "step": self.step,
            "queue": self.queue,
            "channel": self.channel,
            "jurisdiction": self.jurisdiction,
            "priority": self.priority,
            "precedence": self.precedence,
            "state": self.state,
            "assigned_to": self.assigned_to,
            "assigned_at": stamp(self.assigned_at),
            "assigned_by": self.assigned_by,
            "due_at": stamp(self.due_at),
            "callback_at": stamp(self.callback_at),
            "template": self.template,
            "tone": self.tone,
            "segment": self.segment,
            "offers": list(self.offers),
            "summary": dict(self.summary),
        }


@dataclass(frozen=True, slots=True)
class CallTarget:
    """Whom a queue item calls, about which account, and who holds it: all the call gate
    keeps of an item."""

    item_id: int
    account_id: str
    borrower_id: str
    assigned_to: str | None

    @classmethod
    def of(cls, item: QueueItem) -> CallTarget:
        return cls(item.item_id, item.account_id, item.borrower_id, item.assigned_to)


class QueueRepository(PlatformScoped):
    """Queue items and callback requests of one platform."""

    # --- assignment ------------------------------------------------------------------------

    def refresh_precedence(self, as_of: date) -> dict[str, int]:
        """Puts first the open and assigned items of borrowers with a callback requested for
        ``as_of`` (2) or a pending promise to pay due on it (1); every other item gets 0."""
        t = QueueItemRow
        scope = (t.platform_id == self._platform_id, t.as_of == as_of, t.state.in_(_LIVE))
        self._session.execute(
            update(t)
            .where(*scope, or_(t.precedence != NONE, t.callback_at.is_not(None)))
            .values(precedence=NONE, callback_at=None)
        )
        promised = self._session.execute(
            update(t)
            .where(*scope, t.borrower_id.in_(self._promise_borrowers(as_of)))
            .values(precedence=PROMISE_DUE)
        ).rowcount  # type: ignore[attr-defined]
        c = CallbackRequestRow
        first_time = (
            select(func.min(c.at))
            .join(LoanRow, LoanRow.id == c.loan_pk)
            .join(BorrowerRow, BorrowerRow.id == LoanRow.borrower_pk)
            .where(
                c.platform_id == self._platform_id,
                c.due_on == as_of,
                BorrowerRow.borrower_id == t.borrower_id,
            )
            .scalar_subquery()
        )
        called = self._session.execute(
            update(t)
            .where(*scope, t.borrower_id.in_(self._callback_borrowers(as_of)))
            .values(precedence=CALLBACK, callback_at=first_time)
        ).rowcount  # type: ignore[attr-defined]
        return {"callback": int(called), "promise_due": int(promised)}

    def _promise_borrowers(self, as_of: date) -> Any:
        p = PromiseToPayRow
        return (
            select(BorrowerRow.borrower_id)
            .join(LoanRow, LoanRow.borrower_pk == BorrowerRow.id)
            .join(p, p.loan_pk == LoanRow.id)
            .where(p.platform_id == self._platform_id, p.due == as_of, p.outcome == "pending")
        )

    def _callback_borrowers(self, as_of: date) -> Any:
        c = CallbackRequestRow
        return (
            select(BorrowerRow.borrower_id)
            .join(LoanRow, LoanRow.borrower_pk == BorrowerRow.id)
            .join(c, c.loan_pk == LoanRow.id)
            .where(c.platform_id == self._platform_id, c.due_on == as_of)
        )

    def open_unassigned(self, as_of: date) -> builtins.list[tuple[int, str, str, int, int]]:
        """(id, jurisdiction, queue, priority, precedence) of the date's open, unassigned items."""
        t = QueueItemRow
        query = select(t.id, t.jurisdiction, t.queue, t.priority, t.precedence).where(
            t.platform_id == self._platform_id,
            t.as_of == as_of,
            t.state == "open",
            t.assigned_to.is_(None),
        )
        return [tuple(row) for row in self._session.execute(query)]  # type: ignore[misc]

    def loads(self, as_of: date) -> dict[str, int]:
        """Items of the date each collector holds (assigned or done)."""
        t = QueueItemRow
        query = (
            select(t.assigned_to, func.count())
            .where(
                t.platform_id == self._platform_id,
                t.as_of == as_of,
                t.state.in_(_HELD),
                t.assigned_to.is_not(None),
            )
            .group_by(t.assigned_to)
        )
        return {str(who): int(n) for who, n in self._session.execute(query)}

    def assign(self, assigned: Mapping[int, str], *, at: datetime, by: str) -> int:
        """Gives open items to collectors (one executemany UPDATE by primary key)."""
        written = self._by_id(
            [{"item_id": i, "who": who} for i, who in sorted(assigned.items())],
            from_states=("open",),
            state="assigned",
            assigned_to=bindparam("who"),
            assigned_at=at,
            assigned_by=by,
        )
        if written != len(assigned):
            raise Conflict(
                N_(
                    "queue items changed while being assigned (%(written)s of %(count)s "
                    "written); run the assignment again"
                ),
                written=written,
                count=len(assigned),
            )
        return written

    def _by_id(
        self, params: builtins.list[dict[str, Any]], *, from_states: tuple[str, ...], **values: Any
    ) -> int:
        """One UPDATE per item, by primary key, as one executemany.

        By primary key only: a condition such as ``id IN (...)`` beside the platform
        lets a planner without statistics for the rows the cycle has just written
        (PostgreSQL before ANALYZE, SQLite without ``sqlite_stat1``) scan every item
        of the platform through another index, once per statement.
        """
        if not params:
            return 0
        t: Table = QueueItemRow.__table__  # type: ignore[assignment]
        statement = (
            update(t)
            .where(
                t.c.id == bindparam("item_id"),
                t.c.platform_id == self._platform_id,
                or_(*(t.c.state == state for state in from_states)),  # no IN: executemany
            )
            .values(**values)
        )
        return int(self._session.execute(statement, params).rowcount)  # type: ignore[attr-defined]

    # --- reading and re-assignment ---------------------------------------------------------

    def items(
        self, *, as_of: date | None = None, collector: str | None = None
    ) -> builtins.list[QueueItem]:
        """Items by date, then rank: precedence and priority descending, then id."""
        t = QueueItemRow
        query = select(t).where(t.platform_id == self._platform_id)
        if as_of is not None:
            query = query.where(t.as_of == as_of)
        if collector is not None:
            query = query.where(t.assigned_to == collector)
        query = query.order_by(t.as_of, t.precedence.desc(), t.priority.desc(), t.id)
        return [_item(row) for row in self._session.scalars(query)]

    def page(
        self,
        *,
        as_of: date | None = None,
        collector: str | None = None,
        states: Iterable[str] = (),
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[builtins.list[QueueItem], int]:
        """One page of ``items`` (same filters and rank, ``states`` if given) and the total:
        what a console page shows, without reading the rest of the queue."""
        t = QueueItemRow
        scope = [t.platform_id == self._platform_id]
        if as_of is not None:
            scope.append(t.as_of == as_of)
        if collector is not None:
            scope.append(t.assigned_to == collector)
        wanted = sorted(set(states))
        if wanted:
            scope.append(t.state.in_(wanted))
        total = int(self._session.scalar(select(func.count()).select_from(t).where(*scope)) or 0)
        query = (
            select(*_ITEM_COLUMNS)
            .where(*scope)
            .order_by(t.as_of, t.precedence.desc(), t.priority.desc(), t.id)
            .offset(offset)
            .limit(limit)
        )
        return [QueueItem(*row) for row in self._session.execute(query)], total

    def call_targets(self, as_of: date, *, limit: int) -> builtins.list[CallTarget]:
        """The items assigned to a collector on ``as_of`` (at most ``limit``, by id), as the
        call gate keeps them: four plain columns, nothing else of the item read."""
        t = QueueItemRow.__table__.c
        query = (
            select(t.id, t.account_id, t.borrower_id, t.assigned_to)
            .where(t.platform_id == self._platform_id, t.as_of == as_of, t.state == "assigned")
            .order_by(t.id)
            .limit(limit)
        )
        return [CallTarget(*row) for row in self._session.execute(query)]

    def for_accounts(
        self, account_ids: Iterable[str], *, since: date | None = None
    ) -> builtins.list[QueueItem]:
        """The items of ``account_ids`` (from ``since`` on), newest date first: through the
        (platform, account, date, step) key, never a scan of a date's queue."""
        query = _of_accounts(dialect_of(self._session), since=since is not None)
        bound: dict[str, Any] = {"platform_id": self._platform_id}
        if since is not None:
            bound["since"] = since
        batches = list(key_batches(self._session, account_ids))
        found = [
            QueueItem(*row)
            for batch in batches
            for row in self._session.execute(query, {**bound, "account_ids": list(batch)})
        ]
        if len(batches) > 1:  # each batch in order; all of them in order again
            found.sort(key=lambda i: (_desc(i.as_of), -i.precedence, -i.priority, i.item_id))
        return found

    def item(self, item_id: int, *, lock: bool = False) -> QueueItem | None:
        query = select(QueueItemRow).where(
            QueueItemRow.platform_id == self._platform_id, QueueItemRow.id == item_id
        )
        if lock:
            query = query.with_for_update()
        row = self._session.scalar(query)
        return None if row is None else _item(row)

    def held_by(self, collector_id: str, *, as_of: date | None = None) -> builtins.list[QueueItem]:
        """The items a collector has been given and not yet worked (state ``assigned``)."""
        t = QueueItemRow
        query = select(t).where(
            t.platform_id == self._platform_id,
            t.assigned_to == collector_id,
            t.state == "assigned",
        )
        if as_of is not None:
            query = query.where(t.as_of == as_of)
        query = query.order_by(t.as_of, t.precedence.desc(), t.priority.desc(), t.id)
        return [_item(row) for row in self._session.scalars(query.with_for_update())]

    def move(self, ids: Iterable[int], *, to: str, at: datetime, by: str) -> int:
        """Gives open or assigned items to collector ``to`` (a re-assignment)."""
        return self._by_id(
            [{"item_id": i} for i in sorted(set(ids))],
            from_states=_LIVE,
            state="assigned",
            assigned_to=to,
            assigned_at=at,
            assigned_by=by,
        )

    def release(self, ids: Iterable[int]) -> int:
        """Takes assigned items back into the open queue, with no collector."""
        return self._by_id(
            [{"item_id": i} for i in sorted(set(ids))],
            from_states=("assigned",),
            state="open",
            assigned_to=None,
            assigned_at=None,
            assigned_by=None,
        )

    # --- callback requests -----------------------------------------------------------------

    def add_callback(
        self,
        callback_id: str,
        *,
        loan_id: str,
        due_on: date,
        at: datetime | None,
        note: str | None,
        by: str,
    ) -> None:
        loan_pk = self._require(LoanRow.loan_id, [loan_id], LOANS)[loan_id]
        try:
            with self._session.begin_nested():
                self._session.execute(
                    insert(CallbackRequestRow).values(
                        platform_id=self._platform_id,
                        callback_id=callback_id,
                        loan_pk=loan_pk,
                        due_on=due_on,
                        at=at,
                        note=note,
                        recorded_by=by,
                    )
                )
        except IntegrityError as exc:
            raise Conflict(
                N_("callback %(callback_id)s already exists on platform %(platform_code)s"),
                callback_id=repr(callback_id),
                platform_code=repr(self.platform_code),
            ) from exc

    def callbacks(self, due_on: date) -> builtins.list[dict[str, Any]]:
        c = CallbackRequestRow
        query = (
            select(c.callback_id, LoanRow.loan_id, c.due_on, c.at, c.note, c.recorded_by)
            .join(LoanRow, LoanRow.id == c.loan_pk)
            .where(c.platform_id == self._platform_id, c.due_on == due_on)
            .order_by(c.at, c.callback_id)
        )
        return [dict(row._mapping) for row in self._session.execute(query)]


# ``QueueItem``'s fields in order, as columns: a page of items read without ORM objects
# (their bookkeeping was most of a queue page's time).
_ITEM_COLUMNS = (
    QueueItemRow.id,
    QueueItemRow.as_of,
    QueueItemRow.account_id,
    QueueItemRow.borrower_id,
    QueueItemRow.step,
    QueueItemRow.queue,
    QueueItemRow.channel,
    QueueItemRow.jurisdiction,
    QueueItemRow.priority,
    QueueItemRow.precedence,
    QueueItemRow.state,
    QueueItemRow.assigned_to,
    QueueItemRow.assigned_at,
    QueueItemRow.assigned_by,
    QueueItemRow.due_at,
    QueueItemRow.callback_at,
    QueueItemRow.template,
    QueueItemRow.tone,
    QueueItemRow.segment,
    QueueItemRow.offers,
    QueueItemRow.summary,
)


def _item(row: QueueItemRow) -> QueueItem:
    return QueueItem(
        item_id=row.id,
        as_of=row.as_of,
        account_id=row.account_id,
        borrower_id=row.borrower_id,
        step=row.step,
        queue=row.queue,
        channel=row.channel,
        jurisdiction=row.jurisdiction,
        priority=row.priority,
        precedence=row.precedence,
        state=row.state,
        assigned_to=row.assigned_to,
        assigned_at=row.assigned_at,
        assigned_by=row.assigned_by,
        due_at=row.due_at,
        callback_at=row.callback_at,
        template=row.template,
        tone=row.tone,
        segment=row.segment,
        offers=list(row.offers),
        summary=dict(row.summary),
    )


@cache
def _of_accounts(dialect: str, *, since: bool) -> Executable:
    """The items of the accounts bound as ``account_ids`` (from ``since`` on), newest first."""
    t = QueueItemRow
    query = select(*_ITEM_COLUMNS).where(
        t.platform_id == platform_param(), among_param(dialect, t.account_id, "account_ids")
    )
    if since:
        query = query.where(t.as_of >= bindparam("since"))
    return query.order_by(t.as_of.desc(), t.precedence.desc(), t.priority.desc(), t.id)


def _desc(day: date) -> int:
    return -day.toordinal()
