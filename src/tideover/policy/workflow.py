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
            f"policy version {number} not found on platform {self.platform!r}",
            f"平台 {self.platform!r} 上没有策略版本 {number}",
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
            raise ValidationError("a rejection needs a reason", "驳回必须说明理由")
        return self._move(number, Status.IN_REVIEW, Status.DRAFT, "reject", actor, at, reason)

    def approve(self, number: int, *, actor: str, at: datetime) -> Ledger:
        version = self.version(number)
        if same_person(_who(actor), version.author):  # one person, however spelled
            raise Conflict(
                f"version {number} was written by {actor!r}: another person must approve it",
                f"版本 {number} 由 {actor!r} 编写：必须由另一人审批（四眼原则）",
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
                f"platform {self.platform!r} has no earlier active version to roll back to",
                f"平台 {self.platform!r} 没有可回滚的上一个生效版本",
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
                f"cannot {action} version {number}: it is {version.status.value}, "
                f"not {start.value}",
                f"无法对版本 {number} 执行 {action}：其状态为 {version.status.value}，"
                f"而不是 {start.value}",
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
            raise ValidationError("event times must carry a time zone", "事件时间必须带时区")
        event = Event(version.number, action, _who(actor), at, before, version.status, note)
        return replace(self._replace(version), events=(*self.events, event))

    def _replace(self, version: Version) -> Ledger:
        others = tuple(v for v in self.versions if v.number != version.number)
        ordered = tuple(sorted((*others, version), key=lambda v: v.number))
        return replace(self, versions=ordered)


def _who(actor: str) -> str:
    name = actor.strip()
    if not name:
        raise ValidationError("an actor is required", "必须注明操作人")
    return name
