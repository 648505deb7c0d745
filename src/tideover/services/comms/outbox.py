"""The outbox read and updated by people and providers: lists, receipts, opt-outs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tideover.comms.catalogue import MessageChannel
from tideover.compliance.contacts import Outcome
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.i18n import N_
from tideover.services.comms.results import ConsentResult, OutboxItem, OutboxPage, ReceiptResult
from tideover.services.comms.worker import message_key
from tideover.services.unit_of_work import UnitOfWork

OUTBOX_STATES = ("pending", "sent", "delivered", "failed", "dropped")
MAX_PAGE = 1000
CONSENT_CHANGED = "channel_consent_changed"
RECEIPT = "message_receipt"


def list_outbox(
    *,
    uow: UnitOfWork,
    platform: str,
    first: date | None = None,
    last: date | None = None,
    states: Sequence[str] = (),
    channels: Sequence[str] = (),
    account_id: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> OutboxPage:
    for state in states:
        if state not in OUTBOX_STATES:
            raise ValidationError(
                N_("unknown state %(state)s; states: %(outbox_states)s"),
                state=repr(state),
                outbox_states=tuple(OUTBOX_STATES),
            )
    for channel in channels:
        _channel(channel)
    if not 0 <= offset <= 10**9 or not 1 <= limit <= MAX_PAGE:
        raise ValidationError(
            N_("offset from 0 and a limit from 1 to %(max_page)s"),
            max_page=MAX_PAGE,
        )
    with uow:
        items, total = uow.comms(platform).page(
            first=first,
            last=last,
            states=states,
            channels=channels,
            account_id=account_id,
            offset=offset,
            limit=limit,
        )
    return OutboxPage(
        platform=platform, total=total, offset=offset, items=[OutboxItem.of(w) for w in items]
    )


def record_receipt(
    *, uow: UnitOfWork, platform: str, message_id: int, status: str, clock: Clock | None = None
) -> ReceiptResult:
    """A provider's delivery receipt: a sent message becomes ``delivered`` or ``failed``,
    and its contact in the ledger gets the same outcome."""
    if status not in ("delivered", "failed"):
        raise ValidationError(N_("a receipt is delivered or failed"))
    now = (clock or SystemClock()).now()
    with uow:
        repo = uow.comms(platform)
        work = repo.work(message_id)
        if work is None:
            raise NotFound(
                N_("no outbox message %(message_id)s on platform %(platform)s"),
                message_id=message_id,
                platform=repr(platform),
            )
        if work.send_state not in ("sent", "delivered", "failed") or work.sent_at is None:
            raise Conflict(
                N_("message %(message_id)s has not been sent; a receipt comes after sending"),
                message_id=message_id,
            )
        repo.record(message_id, state=status, at=now, receipt_at=now)
        uow.contacts(platform).set_outcome(
            message_key(platform, message_id),
            Outcome.DELIVERED if status == "delivered" else Outcome.FAILED,
        )
        uow.audit(platform).append(RECEIPT, {"message_id": message_id, "status": status}, at=now)
        uow.commit()
    return ReceiptResult(message_id=message_id, state=status, receipt_at=now)


def set_opt_out(
    *,
    uow: UnitOfWork,
    platform: str,
    borrower_id: str,
    channel: str,
    opted_out: bool,
    source: str,
    clock: Clock | None = None,
) -> ConsentResult:
    """A borrower's opt-out of ``channel`` (e-mail unsubscribe: 12 CFR 1006.6(e)); it stops
    that channel only.  Audited without who the borrower is beyond their id."""
    checked = _channel(channel)
    if not source.strip() or len(source) > 64 or not source.isprintable():
        raise ValidationError(N_("a source of 1 to 64 characters"))
    now = (clock or SystemClock()).now()
    with uow:
        if uow.borrowers(platform).get(borrower_id) is None:
            raise NotFound(
                N_("no borrower %(borrower_id)s on platform %(platform)s"),
                borrower_id=repr(borrower_id),
                platform=repr(platform),
            )
        uow.comms(platform).set_consent(
            borrower_id, checked, opted_out=opted_out, source=source, at=now
        )
        uow.audit(platform).append(
            CONSENT_CHANGED,
            {
                "borrower_id": borrower_id,
                "channel": checked,
                "opted_out": opted_out,
                "source": source,
            },
            at=now,
        )
        uow.commit()
    return ConsentResult(
        borrower_id=borrower_id, channel=checked, opted_out=opted_out, source=source, at=now
    )


def _channel(value: str) -> str:
    try:
        return MessageChannel(value).value
    except ValueError:
        known = ", ".join(c.value for c in MessageChannel)
        raise ValidationError(
            N_("unknown channel %(value)s; channels: %(known)s"), value=repr(value), known=known
        ) from None


def show_outbox_message(*, uow: UnitOfWork, platform: str, message_id: int) -> OutboxItem:
    """One outbox message of ``platform`` (``NotFound`` for another platform's)."""
    with uow:
        work = uow.comms(platform).work(message_id)
    if work is None:
        raise NotFound(
            N_("no outbox message %(message_id)s on platform %(platform)s"),
            message_id=message_id,
            platform=repr(platform),
        )
    return OutboxItem.of(work)
