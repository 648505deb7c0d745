"""The borrower asks to stop contact, disputes a debt, or complains: each is a hold at once.

- *Stop contact* puts a ``cease_contact`` hold on every debt of the borrower
  (15 USC 1692c(c) for a written request to an agency; FCA CONC 7.9.4R to
  honour how a customer asks to be contacted; Tideover applies it everywhere).
- *Dispute* puts a ``dispute`` hold on the one loan disputed: collection of it
  stops until the dispute is resolved (15 USC 1692g(b); FCA CONC 7.14.1R).
- *Complaint* puts a ``complaint_under_investigation`` hold on every debt while
  the complaint is investigated, as a complaint recorded in a conversation does
  (``tideover.compliance.holds.RESULT_HOLDS``).

The compliance gate blocks by these holds (each pack's ``hold`` rules); only
staff lift them (``tideover holds lift``).  A request whose hold is already in
force adds nothing and says so.  The borrower's words are kept as the hold's
reason (and so in the audit trail), at most ``MAX_NOTE`` characters.
"""

from __future__ import annotations

from tideover.compliance.contacts import HoldKind
from tideover.compliance.holds import HoldRecord
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import ValidationError
from tideover.i18n import N_
from tideover.services.compliance.holds import add_hold
from tideover.services.portal.results import PortalHold, RequestKind, RequestRecorded
from tideover.services.portal.scope import borrower_actor, own_loan
from tideover.services.unit_of_work import UnitOfWork

MAX_NOTE = 400
HOLD_OF: dict[RequestKind, HoldKind] = {
    "stop_contact": HoldKind.CEASE_CONTACT,
    "dispute": HoldKind.DISPUTE,
    "complaint": HoldKind.COMPLAINT,
}
_REASON = {
    "stop_contact": "the borrower asked in the portal to stop contact",
    "dispute": "the borrower disputes this loan in the portal",
    "complaint": "the borrower complained in the portal",
}


def make_request(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    request: RequestKind,
    note: str = "",
    loan_id: str | None = None,
    clock: Clock | None = None,
) -> RequestRecorded:
    """Put the request's hold on the borrower (a dispute: on ``loan_id``, one of theirs)."""
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise ValidationError(N_("please keep it to %(max_note)s characters"), max_note=MAX_NOTE)
    if request == "dispute" and not loan_id:
        raise ValidationError(N_("choose the loan you dispute"))
    kind = HOLD_OF[request]
    debt_id = loan_id if request == "dispute" else None
    now = (clock or SystemClock()).now()
    with uow:
        if loan_id:
            own_loan(uow, platform, borrower_id, loan_id)
        current = uow.holds(platform).for_borrower(borrower_id)
    existing = next(
        (h for h in current if h.kind is kind and h.debt_id == debt_id and h.in_force(now)), None
    )
    if existing is not None:
        return RequestRecorded(
            request=request, hold=_shown(existing, borrower_id), already_in_force=True
        )
    reason = _REASON[request] + (f": {text}" if text else "")
    change = add_hold(
        uow=uow,
        platform=platform,
        borrower_id=borrower_id,
        kind=kind,
        reason=reason,
        by=borrower_actor(borrower_id),
        debt_id=debt_id,
        start=now,
        clock=clock,
    )
    hold = PortalHold(
        hold_id=change.hold_id,
        kind=change.kind,
        loan_id=change.debt_id,
        since=change.starts_at,
        until=change.until,
        asked_by_you=True,
    )
    return RequestRecorded(request=request, hold=hold, already_in_force=False)


def my_holds(
    *, uow: UnitOfWork, platform: str, borrower_id: str, clock: Clock | None = None
) -> list[PortalHold]:
    """The holds in force on the borrower now, oldest first."""
    now = (clock or SystemClock()).now()
    with uow:
        holds = uow.holds(platform).for_borrower(borrower_id)
    return [_shown(h, borrower_id) for h in holds if h.in_force(now)]


def _shown(hold: HoldRecord, borrower_id: str) -> PortalHold:
    # Staff's reasons are not shown: they may name staff or notes meant for staff.
    return PortalHold(
        hold_id=hold.hold_id,
        kind=hold.kind.value,
        loan_id=hold.debt_id,
        since=hold.starts_at,
        until=hold.until,
        asked_by_you=hold.raised_by == borrower_actor(borrower_id),
    )
