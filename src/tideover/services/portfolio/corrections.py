"""Repairing a stored payment: reverse it, or correct its amount or date; audited.

A payment recorded wrongly (an absurd amount, the wrong day) is never edited or
deleted: a reversal valued on the same day removes it from every position from
then on (``domain.allocation.effective_payments``), and a correction adds the
right payment after the reversal.  Whoever does it is a user who may import
payments; the reason and the amounts go to the audit trail.  This is how a
platform poisoned by one bad payment is repaired.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.domain.money import Money
from tideover.domain.payments import Payment
from tideover.domain.permissions import Permission
from tideover.i18n import N_, Bilingual
from tideover.ingest.against_loan import net_paid, payment_loan_errors
from tideover.services.common import acting_with
from tideover.services.results import Result
from tideover.services.unit_of_work import UnitOfWork

MAX_REASON = 500


class PaymentRepair(Result):
    """What a repair wrote: the reversal and, for a correction, the new payment."""

    platform: str
    loan_id: str
    reversed_payment: str
    reversal: str
    amount_reversed: str
    corrected_payment: str | None
    corrected_amount: str | None
    corrected_paid_on: date | None
    by: str


def repair_payment(
    *,
    uow: UnitOfWork,
    platform: str,
    payment_id: str,
    by: str,
    reason: str,
    amount: Decimal | None = None,
    paid_on: date | None = None,
    clock: Clock | None = None,
) -> PaymentRepair:
    """Reverse ``payment_id``; with ``amount`` and/or ``paid_on``, record the corrected
    payment too (the same loan, the other fields kept).  One transaction."""
    if not reason.strip() or len(reason) > MAX_REASON:
        raise ValidationError(
            N_("a repair needs a reason of 1 to %(max_reason)s characters"),
            max_reason=MAX_REASON,
        )
    now = (clock or SystemClock()).now()
    with uow:
        who = acting_with(uow, platform, by, Permission.IMPORTS_WRITE)
        payments = uow.payments(platform)
        original = payments.existing([payment_id]).get(payment_id)
        if original is None:
            raise NotFound(
                N_("no payment %(payment_id)s on platform %(platform)s"),
                payment_id=repr(payment_id),
                platform=repr(platform),
            )
        if original.reverses is not None:
            raise Conflict(
                N_("payment %(payment_id)s is itself a reversal; reverse the payment it names"),
                payment_id=repr(payment_id),
            )
        on_loan = payments.for_loan(original.loan_id)
        if any(p.reverses == payment_id for p in on_loan):
            raise Conflict(
                N_("payment %(payment_id)s is already reversed"), payment_id=repr(payment_id)
            )
        reversal = Payment(
            platform=platform,
            payment_id=_free_id(f"{payment_id}-R", {p.payment_id for p in on_loan}),
            loan_id=original.loan_id,
            amount=original.amount,
            paid_on=original.paid_on,  # the original never counted: it was wrong from the start
            reverses=payment_id,
        )
        written = [reversal]
        corrected: Payment | None = None
        if amount is not None or paid_on is not None:
            new_amount = (
                original.amount
                if amount is None
                else Money.of(str(amount), original.amount.currency)
            )
            corrected = Payment(
                platform=platform,
                payment_id=_free_id(f"{payment_id}-C", {p.payment_id for p in on_loan}),
                loan_id=original.loan_id,
                amount=new_amount,
                paid_on=paid_on or original.paid_on,
                channel=original.channel,
            )
            _check_against_loan(uow, platform, corrected, [*on_loan, reversal])
            written.append(corrected)
        payments.add_many(written)
        result = PaymentRepair(
            platform=platform,
            loan_id=original.loan_id,
            reversed_payment=payment_id,
            reversal=reversal.payment_id,
            amount_reversed=str(original.amount.amount),
            corrected_payment=None if corrected is None else corrected.payment_id,
            corrected_amount=None if corrected is None else str(corrected.amount.amount),
            corrected_paid_on=None if corrected is None else corrected.paid_on,
            by=who,
        )
        uow.audit(platform).append(
            "payment_repaired", {**result.to_json(), "reason": reason.strip()}, at=now
        )
        uow.commit()
    return result


def _free_id(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem2``, ``stem3``... whichever is not yet taken on the loan."""
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}{n}"
    return candidate


def _check_against_loan(
    uow: UnitOfWork, platform: str, payment: Payment, standing: list[Payment]
) -> None:
    """The corrected payment passes the checks an import would make of it."""
    if payment.amount.minor <= 0:
        raise ValidationError(N_("a payment must be positive"))
    loan = uow.loans(platform).get(payment.loan_id)
    if loan is None:  # the payment's foreign key keeps its loan
        raise NotFound(N_("no loan %(loan_id)s"), loan_id=repr(payment.loan_id))
    errors = payment_loan_errors(
        0, payment, loan, paid_before=net_paid(standing, loan.schedule.currency)
    )
    if errors:
        first = errors[0]
        raise ValidationError(
            N_("the corrected payment %(payment_id)s is refused: %(reason)s"),
            payment_id=repr(payment.payment_id),
            reason=Bilingual(first.reason_en, first.reason_zh),
        )
