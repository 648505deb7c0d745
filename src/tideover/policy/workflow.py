"""The life of policy versions on one platform, as pure logic (storage comes later).

draft → in_review → approved → active → retired, with a way back from review
to draft, four eyes (the approver is never the author), exactly one active
version at a time, and rollback to the version that was active before.
Every transition is recorded with who, when and why; times are given, never
read from the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.domain.identity import same_person
from tideover.i18n import N_


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(frozen=True)
class Event:
    version: int
    action: str
    actor: str
    at: datetime
    before: Status | None
    after: Status
    note: str = ""


@dataclass(frozen=True)
class Version:
    number: int
    author: str
    status: Status = Status.DRAFT
    approver: str | None = None
    effective_from: date | None = None


@dataclass(frozen=True)
class Ledger:
    """All versions of one platform's policy and their history."""

    platform: str
    versions: tuple[Version, ...] = ()
    events: tuple[Event, ...] = ()
    activations: tuple[int, ...] = ()  # versions in the order they became active

    @property
    def active(self) -> Version | None:
        return next((v for v in self.versions if v.status is Status.ACTIVE), None)

    def version(self, number: int) -> Version:
        for v in self.versions:
            if v.number == number:
                return v
        raise NotFound(
            N_("policy version %(number)s not found on platform %(platform)s"),
            number=number,
            platform=repr(self.platform),
        )

    def draft(self, *, author: str, at: datetime) -> Ledger:
        """A new draft numbered after the last version."""
        number = max((v.number for v in self.versions), default=0) + 1
        version = Version(number, _who(author))
        return self._record(version, "draft", author, at, None)

    def submit(self, number: int, *, actor: str, at: datetime) -> Ledger:
        return self._move(number, Status.DRAFT, Status.IN_REVIEW, "submit", actor, at)

    def reject(self, number: int, *, actor: str, at: datetime, reason: str) -> Ledger:
        if not reason.strip():
            raise ValidationError(N_("a rejection needs a reason"))
        return self._move(number, Status.IN_REVIEW, Status.DRAFT, "reject", actor, at, reason)

    def approve(self, number: int, *, actor: str, at: datetime) -> Ledger:
        version = self.version(number)
        if same_person(_who(actor), version.author):  # one person, however spelled
            raise Conflict(
                N_("version %(number)s was written by %(actor)s: another person must approve it"),
                number=number,
                actor=repr(actor),
            )
        moved = self._move(number, Status.IN_REVIEW, Status.APPROVED, "approve", actor, at)
        return moved._replace(replace(moved.version(number), approver=_who(actor)))

    def activate(self, number: int, *, actor: str, at: datetime, effective_from: date) -> Ledger:
        """Make an approved version the active one; the previous active one retires."""
        ledger = self._retire_active(actor, at, f"replaced by version {number}")
        ledger = ledger._move(number, Status.APPROVED, Status.ACTIVE, "activate", actor, at)
        version = replace(ledger.version(number), effective_from=effective_from)
        return replace(ledger._replace(version), activations=(*ledger.activations, number))

    def rollback(self, *, actor: str, at: datetime, effective_from: date) -> Ledger:
        """Re-activate the version that was active before the current one."""
        current = self.active
        earlier = [n for n in self.activations[:-1] if current is None or n != current.number]
        if current is None or not earlier:
            raise Conflict(
                N_("platform %(platform)s has no earlier active version to roll back to"),
                platform=repr(self.platform),
            )
        target = earlier[-1]
        ledger = self._retire_active(actor, at, f"rolled back to version {target}")
        ledger = ledger._move(target, Status.RETIRED, Status.ACTIVE, "rollback", actor, at)
        version = replace(ledger.version(target), effective_from=effective_from)
        return replace(ledger._replace(version), activations=(*ledger.activations, target))

    def _retire_active(self, actor: str, at: datetime, note: str) -> Ledger:
        current = self.active
        if current is None:
            return self
        return self._move(current.number, Status.ACTIVE, Status.RETIRED, "retire", actor, at, note)

    def _move(
        self,
        number: int,
        start: Status,
        end: Status,
        action: str,
        actor: str,
        at: datetime,
        note: str = "",
    ) -> Ledger:
        version = self.version(number)
        if version.status is not start:
            raise Conflict(
                N_("cannot %(action)s version %(number)s: it is %(status)s, not %(start)s"),
                action=action,
                number=number,
                status=version.status.value,
                start=start.value,
            )
        return self._record(replace(version, status=end), action, actor, at, start, note)

    def _record(
        self,
        version: Version,
        action: str,
        actor: str,
        at: datetime,
        before: Status | None,
        note: str = "",
    ) -> Ledger:
        if at.tzinfo is None:
            raise ValidationError(N_("event times must carry a time zone"))
        event = Event(version.number, action, _who(actor), at, before, version.status, note)
        return replace(self._replace(version), events=(*self.events, event))

    def _replace(self, version: Version) -> Ledger:
        others = tuple(v for v in self.versions if v.number != version.number)
        ordered = tuple(sorted((*others, version), key=lambda v: v.number))
        return replace(self, versions=ordered)


def _who(actor: str) -> str:
    name = actor.strip()
    if not name:
        raise ValidationError(N_("an actor is required"))
    return name
