"""Holds on contacting a platform's borrowers: added, lifted, and read back for the gate.

A lifted hold keeps its row (lifted when, by whom, why).  The gate asks for
the holds that have not ended by an instant (:meth:`HoldRepository.gate_holds`),
including those that start later, so its earliest-allowed search sees them.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Executable, bindparam, or_, select
from sqlalchemy.orm import Session

from tideover.adapters.orm import ContactHoldRow
from tideover.adapters.repositories._base import (
    HOLDS,
    PlatformScoped,
    among,
    bulk_insert,
    key_batches,
    platform_param,
)
from tideover.compliance.contacts import Hold, HoldKind
from tideover.compliance.holds import HoldRecord
from tideover.domain.errors import Conflict, NotFound
from tideover.i18n import N_

_COLUMNS = (
    ContactHoldRow.hold_id,
    ContactHoldRow.borrower_id,
    ContactHoldRow.kind,
    ContactHoldRow.starts_at,
    ContactHoldRow.reason,
    ContactHoldRow.raised_by,
    ContactHoldRow.debt_id,
    ContactHoldRow.ends_at,
    ContactHoldRow.source_attempt_id,
    ContactHoldRow.lifted_at,
    ContactHoldRow.lifted_by,
    ContactHoldRow.lift_reason,
)


class HoldRepository(PlatformScoped):
    """Holds of one platform."""

    def __init__(self, session: Session, platform_code: str) -> None:
        super().__init__(session, platform_code)

    def add_many(self, holds: Sequence[HoldRecord]) -> int:
        """Stores new holds; a hold id already used on this platform is a ``Conflict``."""
        if not holds:
            return 0
        ids = [h.hold_id for h in holds]
        self._refuse_duplicates(ContactHoldRow.hold_id, ids, HOLDS)
        bulk_insert(self._session, ContactHoldRow, [self._row(h) for h in holds])
        return len(holds)

    def add(self, hold: HoldRecord) -> None:
        self.add_many([hold])

    def get(self, hold_id: str) -> HoldRecord | None:
        found = self._load([ContactHoldRow.hold_id == hold_id])
        return found[0] if found else None

    def raised_by_contact(self, attempt_id: str) -> builtins.list[HoldRecord]:
        """The holds a contact's result raised."""
        return self._load([ContactHoldRow.source_attempt_id == attempt_id])

    def lift(self, hold_id: str, *, at: datetime, by: str, reason: str) -> HoldRecord:
        """Ends a hold at ``at``; lifting one already lifted is a ``Conflict``."""
        row = self._session.scalars(
            select(ContactHoldRow).where(
                ContactHoldRow.platform_id == self._platform_id,
                ContactHoldRow.hold_id == hold_id,
            )
        ).first()
        if row is None:
            raise NotFound(
                N_("no hold %(hold_id)s on platform %(platform_code)s"),
                hold_id=repr(hold_id),
                platform_code=repr(self.platform_code),
            )
        if row.lifted_at is not None:
            raise Conflict(
                N_("hold %(hold_id)s was already lifted at %(lifted_at)s by %(lifted_by)s"),
                hold_id=repr(hold_id),
                lifted_at=row.lifted_at.isoformat(),
                lifted_by=row.lifted_by,
            )
        lifted = self._record([getattr(row, c.key) for c in _COLUMNS])
        # Validated as a whole before anything is written.
        lifted = HoldRecord(
            **{**_fields(lifted), "lifted_at": at, "lifted_by": by, "lift_reason": reason}
        )
        row.lifted_at, row.lifted_by, row.lift_reason = at, by, reason
        self._session.flush()
        return lifted

    def for_borrower(self, borrower_id: str) -> builtins.list[HoldRecord]:
        """Every hold of one borrower, lifted or not, by start."""
        rows = self._session.execute(
            _of_borrower(), {"platform_id": self._platform_id, "borrower_id": borrower_id}
        )
        return [self._record(row) for row in rows]

    def listed(
        self, *, kind: HoldKind | None = None, not_ended_at: datetime | None = None
    ) -> builtins.list[HoldRecord]:
        """The platform's holds by start: of ``kind`` if given, not ended by ``not_ended_at``
        if given (as :meth:`gate_holds` counts them), else every one, lifted or not."""
        where: builtins.list[ColumnElement[bool]] = []
        if kind is not None:
            where.append(ContactHoldRow.kind == kind.value)
        if not_ended_at is not None:
            where += [
                or_(ContactHoldRow.ends_at.is_(None), ContactHoldRow.ends_at > not_ended_at),
                or_(ContactHoldRow.lifted_at.is_(None), ContactHoldRow.lifted_at > not_ended_at),
            ]
        return self._load(where)

    def gate_holds(
        self, *, at: datetime, borrower_ids: Iterable[str] | None = None
    ) -> dict[str, tuple[Hold, ...]]:
        """Holds not ended by ``at``, as the gate reads them, by borrower (all if not given)."""
        not_ended = [
            or_(ContactHoldRow.ends_at.is_(None), ContactHoldRow.ends_at > at),
            or_(ContactHoldRow.lifted_at.is_(None), ContactHoldRow.lifted_at > at),
        ]
        if borrower_ids is None:
            batches: Iterable[builtins.list[HoldRecord]] = [self._load(not_ended)]
        else:
            batches = (
                self._load([*not_ended, among(self._session, ContactHoldRow.borrower_id, batch)])
                for batch in key_batches(self._session, borrower_ids)
            )
        found: dict[str, list[Hold]] = {}
        for batch in batches:
            for record in batch:
                found.setdefault(record.borrower_id, []).append(record.as_gate_hold())
        return {borrower: tuple(holds) for borrower, holds in found.items()}

    def count(self) -> int:
        return self._count(ContactHoldRow)

    def _load(self, where: builtins.list[ColumnElement[bool]]) -> builtins.list[HoldRecord]:
        query = (
            select(*_COLUMNS)
            .where(ContactHoldRow.platform_id == self._platform_id, *where)
            .order_by(ContactHoldRow.starts_at, ContactHoldRow.id)
        )
        return [self._record(row) for row in self._session.execute(query)]

    @staticmethod
    def _record(row: Sequence[Any]) -> HoldRecord:
        """A stored row (the columns of ``_COLUMNS``, in order) as a hold."""
        values = dict(zip((c.key for c in _COLUMNS), row, strict=True))
        values["kind"] = HoldKind(values["kind"])
        return HoldRecord(**values)

    def _row(self, h: HoldRecord) -> dict[str, Any]:
        return {"platform_id": self._platform_id, **_fields(h), "kind": h.kind.value}


def _fields(h: HoldRecord) -> dict[str, Any]:
    return {c.key: getattr(h, c.key) for c in _COLUMNS}


@cache
def _of_borrower() -> Executable:
    """Every hold of one borrower, lifted or not, by start."""
    t = ContactHoldRow
    return (
        select(*_COLUMNS)
        .where(t.platform_id == platform_param(), t.borrower_id == bindparam("borrower_id"))
        .order_by(t.starts_at, t.id)
    )
