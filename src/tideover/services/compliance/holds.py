"""Use cases of contact holds: add, lift, list; and the hold a contact's result raises.

Every change is appended to the audit trail in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from tideover.adapters.repositories.contacts import ContactEvent
from tideover.compliance.contacts import HoldKind
from tideover.compliance.holds import RESULT_HOLDS, HoldRecord
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import NotFound, UsageError
from tideover.domain.permissions import Permission
from tideover.domain.redact import scrub
from tideover.i18n import N_
from tideover.services.common import acting, acting_with
from tideover.services.compliance.results import (
    BorrowerHolds,
    HoldChange,
    HoldInfo,
    HoldStatus,
    LiftedHolds,
    PlatformHolds,
)
from tideover.services.unit_of_work import UnitOfWork

HOLD_ADDED = "hold_added"
HOLD_LIFTED = "hold_lifted"


def raise_result_hold(
    uow: UnitOfWork, platform: str, event: ContactEvent, clock: Clock
) -> list[HoldInfo]:
    """The hold a dispute or complaint calls for, stored and audited (unless raised before)."""
    if event.result is None or event.result.value not in RESULT_HOLDS:
        return []
    kind, per_debt = RESULT_HOLDS[event.result.value]
    holds = uow.holds(platform)
    if any(h.kind is kind for h in holds.raised_by_contact(event.attempt_id)):
        return []
    hold = HoldRecord(
        hold_id=uuid.uuid4().hex,
        borrower_id=event.attempt.borrower_id,
        kind=kind,
        starts_at=event.at,
        reason=f"contact {event.attempt_id} recorded the result {event.result.value}",
        raised_by=f"contact ledger ({event.attempt.actor.value})",
        debt_id=event.attempt.debt_id if per_debt else None,
        source_attempt_id=event.attempt_id,
    )
    holds.add(hold)
    uow.audit(platform).append(HOLD_ADDED, hold.to_dict(), at=clock.now())
    return [HoldInfo.of(hold)]


def add_hold(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    kind: HoldKind,
    reason: str,
    by: str,
    start: datetime | None = None,
    end: datetime | None = None,
    debt_id: str | None = None,
    hold_id: str | None = None,
    clock: Clock | None = None,
) -> HoldChange:
    """Put a hold on a borrower (or one debt) from ``start`` (default now); audited."""
    now = (clock or SystemClock()).now()
    with uow:
        hold = HoldRecord(
            hold_id=hold_id or uuid.uuid4().hex,
            borrower_id=borrower_id,
            kind=kind,
            starts_at=start or now,
            reason=reason,
            raised_by=acting(uow, platform, by),  # a user, or the borrower themself
            debt_id=debt_id,
            ends_at=end,
        )
        uow.holds(platform).add(hold)
        record = uow.audit(platform).append(HOLD_ADDED, hold.to_dict(), at=now)
        uow.commit()
    return HoldChange.audited(hold, now=now, platform=platform, seq=record.seq)


def lift_hold(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    by: str,
    reason: str,
    hold_id: str | None = None,
    kind: HoldKind | None = None,
    at: datetime | None = None,
    clock: Clock | None = None,
) -> LiftedHolds:
    """Lift one hold (``hold_id``) or every hold of ``kind`` not yet ended; each is audited."""
    if (hold_id is None) == (kind is None):
        raise UsageError(N_("give a hold id or a hold kind to lift"))
    now = (clock or SystemClock()).now()
    when = at or now
    with uow:
        by = acting_with(uow, platform, by, Permission.HOLDS_WRITE)  # lifting is a decision
        repo = uow.holds(platform)
        mine = repo.for_borrower(borrower_id)
        chosen = [
            h
            for h in mine
            if (h.hold_id == hold_id)
            or (kind is not None and h.kind is kind and h.lifted_at is None and h.in_force(when))
        ]
        if not chosen:
            what = hold_id or (kind.value if kind else "")
            raise NotFound(
                N_(
                    "borrower %(borrower_id)s on platform %(platform)s has no hold %(what)s to lift"
                ),
                borrower_id=repr(borrower_id),
                platform=repr(platform),
                what=what,
            )
        lifted = [repo.lift(h.hold_id, at=when, by=by, reason=reason) for h in chosen]
        audit = uow.audit(platform)
        seqs = [audit.append(HOLD_LIFTED, h.to_dict(), at=now).seq for h in lifted]
        uow.commit()
    return LiftedHolds(
        platform=platform,
        borrower_id=borrower_id,
        holds=[
            HoldChange.audited(h, now=now, platform=platform, seq=seq)
            for h, seq in zip(lifted, seqs, strict=True)
        ],
    )


def list_holds(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    include_ended: bool = False,
    clock: Clock | None = None,
) -> BorrowerHolds:
    """A borrower's holds not ended now (every hold with ``include_ended``), by start."""
    now = (clock or SystemClock()).now()
    with uow:
        holds = uow.holds(platform).for_borrower(borrower_id)
    return BorrowerHolds(
        platform=platform,
        borrower_id=borrower_id,
        holds=[
            HoldStatus.at(h, now)
            for h in holds
            if include_ended or h.until is None or h.until > now
        ],
    )


def platform_holds(
    *,
    uow: UnitOfWork,
    platform: str,
    kind: HoldKind | None = None,
    include_ended: bool = False,
    masked: bool = True,
    clock: Clock | None = None,
) -> PlatformHolds:
    """The platform's holds (of ``kind``) not ended now, or every one with ``include_ended``.

    A reason is free text a person typed: ``masked`` shows any ID number, phone or
    e-mail in it masked, for readers who may not see personal data.
    """
    now = (clock or SystemClock()).now()
    with uow:
        holds = uow.holds(platform).listed(kind=kind, not_ended_at=None if include_ended else now)
    shown = [HoldStatus.at(h, now) for h in holds]
    if masked:
        shown = [
            h.model_copy(
                update={
                    "reason": scrub(h.reason),
                    "lift_reason": None if h.lift_reason is None else scrub(h.lift_reason),
                }
            )
            for h in shown
        ]
    return PlatformHolds(
        platform=platform,
        kind=None if kind is None else kind.value,
        in_force_only=not include_ended,
        holds=shown,
    )


def lift_stored_hold(
    *,
    uow: UnitOfWork,
    platform: str,
    hold_id: str,
    by: str,
    reason: str,
    clock: Clock | None = None,
) -> LiftedHolds:
    """Lift hold ``hold_id`` of whichever borrower it is on (the console's lift button)."""
    with uow:
        found = uow.holds(platform).get(hold_id)
    if found is None:
        raise NotFound(
            N_("no hold %(hold_id)s on platform %(platform)s"),
            hold_id=repr(hold_id),
            platform=repr(platform),
        )
    return lift_hold(
        uow=uow,
        platform=platform,
        borrower_id=found.borrower_id,
        by=by,
        reason=reason,
        hold_id=hold_id,
        clock=clock,
    )
