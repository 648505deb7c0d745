"""The policy versions of one platform: their documents, states and workflow events.

The workflow itself is the pure :class:`tideover.policy.workflow.Ledger`; this
repository loads a platform's ledger and stores what a transition changed.
Documents are inserted once and never updated (the database refuses it once
a version has left draft); only a version's status, approver and effective
date move.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import PolicyEventRow, PolicyVersionRow
from tideover.adapters.repositories._base import PlatformScoped
from tideover.domain.errors import Conflict, NotFound
from tideover.i18n import N_
from tideover.policy.workflow import Event, Ledger, Status, Version


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    """A version with its document: the exact text, its SHA-256 and the policy id inside."""

    version: Version
    policy: str
    document: str
    sha256: str
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A workflow event and the effective date it set (activation and rollback only)."""

    event: Event
    effective_from: date | None


# Actions that make a version the active one, in the order the ledger replays them.
_ACTIVATING = ("activate", "rollback")


class PolicyRepository(PlatformScoped):
    """Policy versions and workflow events of one platform."""

    def ledger(self, *, lock: bool = False) -> Ledger:
        """The platform's versions and history; ``lock`` holds the rows until commit."""
        query = (
            select(PolicyVersionRow)
            .where(PolicyVersionRow.platform_id == self._platform_id)
            .order_by(PolicyVersionRow.number)
        )
        if lock:  # FOR UPDATE on PostgreSQL; SQLite serialises writers itself
            query = query.with_for_update()
        versions = tuple(_version(row) for row in self._session.scalars(query))
        events = tuple(stored.event for stored in self.events())
        activations = tuple(e.version for e in events if e.action in _ACTIVATING)
        return Ledger(self.platform_code, versions, events, activations)

    def add(
        self, version: Version, *, policy: str, document: str, sha256: str, at: datetime
    ) -> None:
        """Stores a new version with its document (number and author come from ``version``)."""
        try:
            self._session.execute(
                insert(PolicyVersionRow).values(
                    platform_id=self._platform_id,
                    number=version.number,
                    policy=policy,
                    document=document,
                    sha256=sha256,
                    author=version.author,
                    status=version.status.value,
                    approver=version.approver,
                    effective_from=version.effective_from,
                    submitted_at=at,
                )
            )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_(
                    "policy version %(number)s of platform %(platform_code)s was written "
                    "concurrently; retry"
                ),
                number=version.number,
                platform_code=repr(self.platform_code),
            ) from exc

    def record(self, before: Ledger, after: Ledger) -> builtins.list[Event]:
        """Stores what changed from ``before`` to ``after``; returns the new events.

        A version leaving the active state is written first, so the database's
        one-active-version index never sees two at once.
        """
        old = {v.number: v for v in before.versions}
        changed = [v for v in after.versions if v.number in old and old[v.number] != v]
        changed.sort(key=lambda v: old[v.number].status is not Status.ACTIVE)
        pks = self._pks_by_number()
        try:
            for version in changed:
                self._session.execute(
                    update(PolicyVersionRow)
                    .where(PolicyVersionRow.id == pks[version.number])
                    .values(
                        status=version.status.value,
                        approver=version.approver,
                        effective_from=version.effective_from,
                    )
                )
            new_events = builtins.list(after.events[len(before.events) :])
            for event in new_events:
                effective = after.version(event.version).effective_from
                self._session.execute(
                    insert(PolicyEventRow).values(
                        platform_id=self._platform_id,
                        version_pk=pks[event.version],
                        action=event.action,
                        actor=event.actor,
                        at=event.at,
                        before=None if event.before is None else event.before.value,
                        after=event.after.value,
                        effective_from=effective if event.action in _ACTIVATING else None,
                        note=event.note,
                    )
                )
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_(
                    "platform %(platform_code)s: the policy versions changed concurrently or "
                    "the change breaks a rule of the workflow; retry"
                ),
                platform_code=repr(self.platform_code),
            ) from exc
        return new_events

    def get(self, number: int) -> StoredPolicy:
        row = self._session.scalars(
            select(PolicyVersionRow).where(
                PolicyVersionRow.platform_id == self._platform_id,
                PolicyVersionRow.number == number,
            )
        ).first()
        if row is None:
            raise NotFound(
                N_("policy version %(number)s not found on platform %(platform_code)s"),
                number=number,
                platform_code=repr(self.platform_code),
            )
        return _stored(row)

    def active(self) -> StoredPolicy | None:
        row = self._session.scalars(
            select(PolicyVersionRow).where(
                PolicyVersionRow.platform_id == self._platform_id,
                PolicyVersionRow.status == Status.ACTIVE.value,
            )
        ).first()
        return None if row is None else _stored(row)

    def list(self) -> builtins.list[StoredPolicy]:
        query = (
            select(PolicyVersionRow)
            .where(PolicyVersionRow.platform_id == self._platform_id)
            .order_by(PolicyVersionRow.number)
        )
        return [_stored(row) for row in self._session.scalars(query)]

    def events(self, number: int | None = None) -> builtins.list[StoredEvent]:
        """Workflow events in the order they happened (of one version, or all)."""
        query = (
            select(PolicyEventRow, PolicyVersionRow.number)
            .join(PolicyVersionRow, PolicyVersionRow.id == PolicyEventRow.version_pk)
            .where(PolicyEventRow.platform_id == self._platform_id)
            .order_by(PolicyEventRow.id)
        )
        if number is not None:
            query = query.where(PolicyVersionRow.number == number)
        return [_event(row, version) for row, version in self._session.execute(query)]

    def _pks_by_number(self) -> dict[int, int]:
        query = select(PolicyVersionRow.number, PolicyVersionRow.id).where(
            PolicyVersionRow.platform_id == self._platform_id
        )
        return dict(self._session.execute(query).all())


def _version(row: PolicyVersionRow) -> Version:
    return Version(row.number, row.author, Status(row.status), row.approver, row.effective_from)


def _stored(row: PolicyVersionRow) -> StoredPolicy:
    return StoredPolicy(_version(row), row.policy, row.document, row.sha256, row.submitted_at)


def _event(row: PolicyEventRow, number: int) -> StoredEvent:
    before = None if row.before is None else Status(row.before)
    event = Event(number, row.action, row.actor, row.at, before, Status(row.after), row.note)
    return StoredEvent(event, row.effective_from)
