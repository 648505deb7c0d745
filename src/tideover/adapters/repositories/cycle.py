"""What the daily cycle stores: its runs, the outbox, collector queue items, KPI snapshots.

Every write is set-based.  A date's results are *replaced* by a rerun, with one
exception that keeps the outbox and queues exactly-once: a message that has
left ``pending`` (sent, delivered, failed) or a queue item a collector has
worked (``done``) is history and stays; the rerun's row for the same
(account, date, step) is then skipped, never written twice.  A queue item
given to a collector but not yet worked (``assigned``) keeps its id and its
collector when the rerun plans it again (open); when the rerun drops it or no
longer plans it (the borrower paid, a hold came in), its assignment is released.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_, update

from tideover.adapters.orm import (
    CycleRollbackRow,
    CycleRunRow,
    DelinquencySnapshotRow,
    KpiSnapshotRow,
    OutboxMessageRow,
    QueueItemRow,
    UserRow,
)
from tideover.adapters.repositories._base import PlatformScoped, bulk_insert, chunks
from tideover.domain.errors import NotFound
from tideover.i18n import N_

# States a rerun may replace; anything else has already reached a borrower or a collector.
_REPLACEABLE_OUTBOX = ("pending", "dropped")
_REPLACEABLE_QUEUE = ("open", "dropped")
# Rolled back: what never reached a borrower or was worked by a collector.
_UNDONE_OUTBOX = ("pending", "dropped")
_UNDONE_QUEUE = ("open", "assigned", "dropped")
# A queue item's assignment, which a rerun keeps for an item it plans again.
_ASSIGNMENT = frozenset({"assigned_to", "assigned_at", "assigned_by"})


@dataclass(frozen=True, slots=True)
class CycleRun:
    run_id: int
    as_of: date
    status: str
    engine: str
    started_at: datetime
    finished_at: datetime | None
    stages: dict[str, Any]
    counts: dict[str, Any]
    versions: dict[str, Any]
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "engine": self.engine,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "stages": self.stages,
            "counts": self.counts,
            "versions": self.versions,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class ReplaceResult:
    written: int
    kept: int  # rows already past pending/open, left as they were
    # Queue items only: assigned items planned again (same id and collector, new content),
    # and assigned items the rerun dropped or no longer planned (their assignment released).
    assignments_kept: int = 0
    assignments_released: int = 0


@dataclass(frozen=True, slots=True)
class RollbackRequest:
    """A request to roll a platform's cycle back to a date, and its decision."""

    request_id: str
    to_date: date
    reason: str
    state: str  # requested, done, rejected
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    removed: dict[str, int] | None


class CycleRepository(PlatformScoped):
    """The daily cycle's rows of one platform."""

    # --- runs ------------------------------------------------------------------------------

    def start_run(self, as_of: date, *, engine: str, at: datetime) -> int:
        """Records a run as ``running``; an earlier run of the date still running is abandoned."""
        self._session.execute(
            update(CycleRunRow)
            .where(
                CycleRunRow.platform_id == self._platform_id,
                CycleRunRow.as_of == as_of,
                CycleRunRow.status == "running",
            )
            .values(status="abandoned")
        )
        result = self._session.execute(
            insert(CycleRunRow)
            .values(
                platform_id=self._platform_id,
                as_of=as_of,
                status="running",
                engine=engine,
                started_at=at,
                stages={},
                counts={},
                versions={},
            )
            .returning(CycleRunRow.id)
        )
        return int(result.scalar_one())

    def finish_run(
        self,
        run_id: int,
        *,
        status: str,
        at: datetime,
        stages: Mapping[str, Any],
        counts: Mapping[str, Any],
        versions: Mapping[str, Any],
        error: str | None = None,
    ) -> None:
        done = self._session.execute(
            update(CycleRunRow)
            .where(CycleRunRow.platform_id == self._platform_id, CycleRunRow.id == run_id)
            .values(
                status=status,
                finished_at=at,
                stages=dict(stages),
                counts=dict(counts),
                versions=dict(versions),
                error=error,
            )
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            raise NotFound(
                N_("cycle run %(run_id)s not found on platform %(platform_code)s"),
                run_id=run_id,
                platform_code=repr(self.platform_code),
            )

    def runs(self, as_of: date | None = None) -> builtins.list[CycleRun]:
        query = select(CycleRunRow).where(CycleRunRow.platform_id == self._platform_id)
        if as_of is not None:
            query = query.where(CycleRunRow.as_of == as_of)
        return [_run(row) for row in self._session.scalars(query.order_by(CycleRunRow.id))]

    def last_completed_date(self, *, before: date | None = None) -> date | None:
        """The latest business date with a completed run (strictly before ``before``)."""
        query = select(func.max(CycleRunRow.as_of)).where(
            CycleRunRow.platform_id == self._platform_id, CycleRunRow.status == "completed"
        )
        if before is not None:
            query = query.where(CycleRunRow.as_of < before)
        return self._session.scalar(query)

    # --- rolling back ----------------------------------------------------------------------

    def add_rollback(
        self, *, to_date: date, reason: str, requested_by: int, at: datetime
    ) -> RollbackRequest:
        """A new request, numbered ``RB-1``, ``RB-2``… per platform."""
        t = CycleRollbackRow
        count = self._session.scalar(
            select(func.count()).select_from(t).where(t.platform_id == self._platform_id)
        )
        request_id = f"RB-{int(count or 0) + 1}"
        self._session.execute(
            insert(t).values(
                platform_id=self._platform_id,
                request_id=request_id,
                to_date=to_date,
                reason=reason,
                state="requested",
                requested_by=requested_by,
                requested_at=at,
            )
        )
        found = self.rollback(request_id)
        assert found is not None
        return found

    def rollback(self, request_id: str) -> RollbackRequest | None:
        found = self._rollbacks(CycleRollbackRow.request_id == request_id)
        return found[0] if found else None

    def rollbacks(self) -> builtins.list[RollbackRequest]:
        """Every request of the platform, newest first."""
        return self._rollbacks(None)

    def decide_rollback(
        self,
        request_id: str,
        *,
        state: str,
        decided_by: int,
        at: datetime,
        removed: Mapping[str, int] | None = None,
    ) -> None:
        """A requested rollback becomes ``done`` or ``rejected`` (once: a decided one stays)."""
        t = CycleRollbackRow
        changed = self._session.execute(
            update(t)
            .where(
                t.platform_id == self._platform_id,
                t.request_id == request_id,
                t.state == "requested",
            )
            .values(
                state=state,
                decided_by=decided_by,
                decided_at=at,
                removed=None if removed is None else dict(removed),
            )
        )
        if not getattr(changed, "rowcount", 0):
            raise NotFound(
                N_("no open rollback request %(request_id)s on platform %(platform_code)s"),
                request_id=repr(request_id),
                platform_code=repr(self.platform_code),
            )

    def remove_from(self, first: date, *, note: str) -> dict[str, int]:
        """Undo the cycle from ``first`` on: its runs are marked abandoned (``note`` as their
        error), and what they produced that no borrower or collector has seen yet is deleted —
        pending outbox messages, open and assigned queue items, KPI snapshots, delinquency
        snapshots.  Sent messages, worked items and the contact ledger are history and stay."""
        mine = self._platform_id
        runs = self._session.execute(
            update(CycleRunRow)
            .where(
                CycleRunRow.platform_id == mine,
                CycleRunRow.as_of >= first,
                CycleRunRow.status != "abandoned",
            )
            .values(status="abandoned", error=note)
        )
        removed = {"runs": int(getattr(runs, "rowcount", 0) or 0)}
        targets: tuple[tuple[str, Any, tuple[str, ...] | None], ...] = (
            ("outbox_messages", OutboxMessageRow, _UNDONE_OUTBOX),
            ("queue_items", QueueItemRow, _UNDONE_QUEUE),
            ("kpi_rows", KpiSnapshotRow, None),
            ("delinquency_rows", DelinquencySnapshotRow, None),
        )
        for name, model, states in targets:
            condition = [model.platform_id == mine, model.as_of >= first]
            if states is not None:
                condition.append(model.state.in_(states))
            done = self._session.execute(delete(model).where(*condition))
            removed[name] = int(getattr(done, "rowcount", 0) or 0)
        for name, model, states in targets[:2]:
            assert states is not None
            kept = self._session.scalar(
                select(func.count())
                .select_from(model)
                .where(model.platform_id == mine, model.as_of >= first)
            )
            removed[f"{name}_kept"] = int(kept or 0)
        return removed

    def _rollbacks(self, condition: Any) -> builtins.list[RollbackRequest]:
        t = CycleRollbackRow
        asked, decided = UserRow.__table__.alias("asked"), UserRow.__table__.alias("decided")
        query = (
            select(t, asked.c.username, decided.c.username)
            .join(asked, (asked.c.platform_id == t.platform_id) & (asked.c.id == t.requested_by))
            .outerjoin(
                decided, (decided.c.platform_id == t.platform_id) & (decided.c.id == t.decided_by)
            )
            .where(t.platform_id == self._platform_id)
            .order_by(t.id.desc())
        )
        if condition is not None:
            query = query.where(condition)
        return [
            RollbackRequest(
                request_id=row.request_id,
                to_date=row.to_date,
                reason=row.reason,
                state=row.state,
                requested_by=requester,
                requested_at=row.requested_at,
                decided_by=decider,
                decided_at=row.decided_at,
                removed=None if row.removed is None else dict(row.removed),
            )
            for row, requester, decider in self._session.execute(query)
        ]

    # --- outbox and queues -----------------------------------------------------------------

    def replace_outbox(self, as_of: date, rows: Sequence[Mapping[str, Any]]) -> ReplaceResult:
        """The date's outbox becomes ``rows``, except messages already past ``pending``."""
        return self._replace(OutboxMessageRow, _REPLACEABLE_OUTBOX, as_of, rows)

    def replace_queue_items(self, as_of: date, rows: Sequence[Mapping[str, Any]]) -> ReplaceResult:
        """The date's queue items become ``rows``, except items a collector already worked;
        an assigned item planned again keeps its id and collector (see the module doc)."""
        t = QueueItemRow
        scope = (t.platform_id == self._platform_id, t.as_of == as_of)
        assigned = {
            (account, step): item_id
            for item_id, account, step in self._session.execute(
                select(t.id, t.account_id, t.step).where(*scope, t.state == "assigned")
            )
        }
        carried: builtins.list[dict[str, Any]] = []
        others: builtins.list[Mapping[str, Any]] = []
        for row in rows:
            key = (row["account_id"], row["step"])
            if key in assigned and row["state"] == "open":
                # New content, same item: who has it, since when and by whom stay as they were.
                kept = {k: v for k, v in row.items() if k not in _ASSIGNMENT}
                carried.append({**kept, "id": assigned.pop(key), "state": "assigned"})
            else:
                others.append(row)
        released = builtins.list(assigned.values())
        for chunk in chunks(released):
            self._session.execute(delete(t).where(*scope, t.id.in_(chunk)))
        if carried:
            self._session.execute(update(t), carried)  # bulk UPDATE by primary key
        # The carried items now stand like history: ``_replace`` writes no second row for them.
        replaced = self._replace(t, _REPLACEABLE_QUEUE, as_of, others)
        return ReplaceResult(
            written=replaced.written,
            kept=replaced.kept - len(carried),
            assignments_kept=len(carried),
            assignments_released=len(released),
        )

    def outbox(self, as_of: date) -> builtins.list[dict[str, Any]]:
        return self._plain(OutboxMessageRow, as_of)

    def queue_items(self, as_of: date) -> builtins.list[dict[str, Any]]:
        return self._plain(QueueItemRow, as_of)

    def mark_outbox(self, as_of: date, states: Mapping[tuple[str, str], str]) -> int:
        """Pending messages of the date, keyed by (account, step), move on to their new state."""
        return self._mark(OutboxMessageRow, ("pending",), as_of, states)

    def mark_queue_items(self, as_of: date, states: Mapping[tuple[str, str], str]) -> int:
        """Open or assigned items of the date, keyed by (account, step), move to their state."""
        return self._mark(QueueItemRow, ("open", "assigned"), as_of, states)

    def _mark(
        self,
        model: type[OutboxMessageRow] | type[QueueItemRow],
        from_states: tuple[str, ...],
        as_of: date,
        states: Mapping[tuple[str, str], str],
    ) -> int:
        changed = 0
        by_state: dict[str, list[tuple[str, str]]] = {}
        for key, state in states.items():
            by_state.setdefault(state, []).append(key)
        for state, keys in sorted(by_state.items()):
            for chunk in chunks(sorted(keys)):
                result = self._session.execute(
                    update(model)
                    .where(
                        model.platform_id == self._platform_id,
                        model.as_of == as_of,
                        model.state.in_(from_states),
                        tuple_(model.account_id, model.step).in_(chunk),
                    )
                    .values(state=state)
                )
                changed += int(getattr(result, "rowcount", 0) or 0)
        return changed

    def _replace(
        self,
        model: type[OutboxMessageRow] | type[QueueItemRow],
        replaceable: tuple[str, ...],
        as_of: date,
        rows: Sequence[Mapping[str, Any]],
    ) -> ReplaceResult:
        scope = (model.platform_id == self._platform_id, model.as_of == as_of)
        self._session.execute(delete(model).where(*scope, model.state.in_(replaceable)))
        kept = {
            (account, step)
            for account, step in self._session.execute(
                select(model.account_id, model.step).where(*scope)
            )
        }
        fresh = [
            {**row, "platform_id": self._platform_id, "as_of": as_of}
            for row in rows
            if (row["account_id"], row["step"]) not in kept
        ]
        bulk_insert(self._session, model, fresh)
        return ReplaceResult(written=len(fresh), kept=len(kept))

    def _plain(
        self, model: type[OutboxMessageRow] | type[QueueItemRow], as_of: date
    ) -> builtins.list[dict[str, Any]]:
        """Rows of the date as plain dicts without surrogate keys or write stamps."""
        query = (
            select(model)
            .where(model.platform_id == self._platform_id, model.as_of == as_of)
            .order_by(model.account_id, model.step)
        )
        skip = {"id", "platform_id", "created_at", "run_id"}
        return [
            {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key not in skip}
            for row in self._session.scalars(query)
        ]

    # --- KPIs ------------------------------------------------------------------------------

    def replace_kpis(self, as_of: date, rows: Sequence[Mapping[str, Any]]) -> int:
        self._session.execute(
            delete(KpiSnapshotRow).where(
                KpiSnapshotRow.platform_id == self._platform_id, KpiSnapshotRow.as_of == as_of
            )
        )
        bulk_insert(
            self._session,
            KpiSnapshotRow,
            [{**row, "platform_id": self._platform_id, "as_of": as_of} for row in rows],
        )
        return len(rows)

    def kpis(self, first: date, last: date) -> builtins.list[dict[str, Any]]:
        """KPI rows with ``first <= as_of <= last``, by date, segment, arm, metric and key."""
        t = KpiSnapshotRow
        query = (
            select(
                t.as_of,
                t.segment,
                t.arm,
                t.metric,
                t.key,
                t.accounts,
                t.amount_minor,
                t.base_accounts,
                t.base_amount_minor,
                t.currency,
            )
            .where(t.platform_id == self._platform_id, t.as_of.between(first, last))
            .order_by(t.as_of, t.segment, t.arm, t.metric, t.key)
        )
        return [dict(row._mapping) for row in self._session.execute(query)]


def _run(row: CycleRunRow) -> CycleRun:
    return CycleRun(
        row.id,
        row.as_of,
        row.status,
        row.engine,
        row.started_at,
        row.finished_at,
        row.stages,
        row.counts,
        row.versions,
        row.error,
    )
