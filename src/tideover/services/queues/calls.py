"""The collector's calls: a call started, its outcome logged.

"May I call now?" is advice answered in process (``services.queues.call_gate``);
it is never what lets a call happen.

**A call started** (:func:`start_call`) asks the gate again on the stored ledger
inside the transaction that records the attempt (as ``planned``) and appends the
decision to the audit trail; a denied call is refused (``contact_denied``) and
nothing is recorded.

**An outcome logged** (:func:`log_outcome`) records what came of it in the same
ledger the gate counts, marks the item done and raises what the outcome calls for,
in one transaction:

========================  ==========================  ==================================
collector's outcome       ledger (outcome / result)   also
========================  ==========================  ==================================
reached                   conversation / —
promise                   conversation / promise      a promise to pay (amount, date)
dispute                   conversation / dispute      a dispute hold on that debt
cease_contact             conversation / —            a cease-contact hold, every debt
complaint                 conversation / complaint    a complaint hold, every debt
wrong_party               connected / —               (nobody to discuss the debt with)
no_answer, voicemail      no_answer, voicemail / —
========================  ==========================  ==================================

The dispute and complaint holds are the ones the contact ledger raises for those
results (``compliance.holds.RESULT_HOLDS``: 15 USC 1692g(b), FCA CONC 7.14.1R);
a cease-contact request, even spoken, stops every contact with the borrower
(the packs' ``*-BASE-HOLD`` rules; 15 USC 1692c(c) requires it once written).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from tideover.adapters.repositories import QueueItem
from tideover.adapters.repositories.contacts import ContactEvent, ContactResult
from tideover.compliance.contacts import (
    HoldKind,
    Outcome,
)
from tideover.compliance.holds import HoldRecord
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.i18n import N_, Bilingual
from tideover.services.common import actor_name, now_and_today
from tideover.services.compliance.holds import HOLD_ADDED, raise_result_hold
from tideover.services.compliance.results import HoldInfo
from tideover.services.plans.promises import add_promise
from tideover.services.plans.results import PromiseInfo
from tideover.services.queues.call_gate import CallGate, call_attempt, decide, read_inputs
from tideover.services.queues.work_results import (
    LoggedOutcome,
    StartedCall,
)
from tideover.services.queues.workbench import require_item
from tideover.services.unit_of_work import UnitOfWork

CALL_STARTED = "call_started"
QUEUE_OUTCOME = "queue_outcome"
_WORKABLE = ("open", "assigned")


class CallOutcome(StrEnum):
    REACHED = "reached"
    PROMISE = "promise"
    DISPUTE = "dispute"
    CEASE_CONTACT = "cease_contact"
    COMPLAINT = "complaint"
    WRONG_PARTY = "wrong_party"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"


# What each outcome writes in the contact ledger (module doc).
LEDGER: dict[CallOutcome, tuple[Outcome, ContactResult | None]] = {
    CallOutcome.REACHED: (Outcome.CONVERSATION, None),
    CallOutcome.PROMISE: (Outcome.CONVERSATION, ContactResult.PROMISE_TO_PAY),
    CallOutcome.DISPUTE: (Outcome.CONVERSATION, ContactResult.DISPUTE_RAISED),
    CallOutcome.CEASE_CONTACT: (Outcome.CONVERSATION, None),
    CallOutcome.COMPLAINT: (Outcome.CONVERSATION, ContactResult.COMPLAINT),
    CallOutcome.WRONG_PARTY: (Outcome.CONNECTED, None),
    CallOutcome.NO_ANSWER: (Outcome.NO_ANSWER, None),
    CallOutcome.VOICEMAIL: (Outcome.VOICEMAIL, None),
}


class CallDenied(Conflict):
    """The gate refuses the call now (its reasons and next allowed time are in the check)."""

    code = "contact_denied"


# --- a call started, its outcome logged -----------------------------------------------------


def _workable(item: QueueItem) -> QueueItem:
    if item.state not in _WORKABLE:
        raise Conflict(
            N_("queue item %(item_id)s is %(state)s; only open or assigned items are worked"),
            item_id=item.item_id,
            state=item.state,
        )
    return item


def start_call(
    *,
    uow: UnitOfWork,
    platform: str,
    item_id: int,
    collector: str | None,
    by: str,
    clock: Clock | None = None,
    gate: CallGate | None = None,
) -> StartedCall:
    """Asks the gate on the stored ledger and, if it allows the call now, records the attempt
    as planned and the decision in the audit trail; ``CallDenied`` otherwise."""
    who = actor_name(by)
    with uow:
        now, _ = now_and_today(uow, platform, clock)
        queues = uow.queues(platform)
        require_item(uow, platform, item_id, collector)
        item = _workable(queues.item(item_id, lock=True) or _gone(platform, item_id))
        inputs = read_inputs(uow, platform, item, now)
        verdict = decide(inputs, now)
        if not verdict.allowed:
            first = verdict.reasons[0]
            when = verdict.earliest_allowed
            raise CallDenied(
                N_("the gate denies this call now (%(rule_id)s: %(reason)s)")
                if when is None
                else N_(
                    "the gate denies this call now (%(rule_id)s: %(reason)s); next allowed at "
                    "%(when)s"
                ),
                rule_id=first.rule_id,
                reason=Bilingual(first.en, first.zh),
                when=when.isoformat() if when else "",
            )
        attempt_id = uuid.uuid4().hex
        event = ContactEvent(
            attempt_id, call_attempt(item, now, inputs.number), Outcome.PLANNED, now
        )
        uow.contacts(platform).add(event)
        uow.audit(platform).append(
            CALL_STARTED,
            {
                "item_id": item.item_id,
                "attempt_id": attempt_id,
                "borrower_id": item.borrower_id,
                "debt_id": item.account_id,
                "by": who,
                "packs": verdict.packs,
                "allowed": True,
            },
            at=now,
        )
        uow.commit()
    if gate is not None:
        gate.forget(platform, item.borrower_id)
    return StartedCall(
        item_id=item.item_id,
        attempt_id=attempt_id,
        borrower_id=item.borrower_id,
        debt_id=item.account_id,
        at=now,
        verdict=verdict,
    )


def _gone(platform: str, item_id: int) -> QueueItem:
    raise NotFound(
        N_("queue item %(item_id)s not found on platform %(platform)s"),
        item_id=item_id,
        platform=repr(platform),
    )


def check_outcome(
    outcome: CallOutcome, promise_amount: Decimal | None, promise_due: date | None
) -> None:
    """A promise needs its amount and date; no other outcome takes them."""
    promised = promise_amount is not None or promise_due is not None
    if outcome is CallOutcome.PROMISE and (promise_amount is None or promise_due is None):
        raise ValidationError(N_("a promise to pay needs its amount and date"))
    if outcome is not CallOutcome.PROMISE and promised:
        raise ValidationError(
            N_("an amount and date belong to a promise, not to the outcome %(outcome)s"),
            outcome=outcome.value,
        )


def parse_promise(amount: str, due: str) -> tuple[Decimal | None, date | None]:
    """A form's promise fields (empty: not given) as an amount and a date."""
    value = None
    if amount.strip():
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite():
            raise ValidationError(
                N_("the promised amount %(amount)s is not a number (e.g. 500.00)"),
                amount=repr(amount[:32]),
            )
    day = None
    if due.strip():
        try:
            day = date.fromisoformat(due.strip())
        except ValueError:
            raise ValidationError(
                N_("the promised date %(due)s is not a date (YYYY-MM-DD)"),
                due=repr(due[:32]),
            ) from None
    return value, day


def log_outcome(
    *,
    uow: UnitOfWork,
    platform: str,
    item_id: int,
    collector: str | None,
    by: str,
    outcome: CallOutcome,
    attempt_id: str | None = None,
    promise_amount: Decimal | None = None,
    promise_due: date | None = None,
    clock: Clock | None = None,
    gate: CallGate | None = None,
) -> LoggedOutcome:
    """Records the outcome of a call on the item (the attempt ``start_call`` recorded, or a
    new contact now), marks the item done and raises what the outcome calls for."""
    who = actor_name(by)
    check_outcome(outcome, promise_amount, promise_due)
    clock = clock or SystemClock()
    ledger_outcome, result = LEDGER[outcome]
    with uow:
        now, _ = now_and_today(uow, platform, clock)
        require_item(uow, platform, item_id, collector)
        item = _workable(uow.queues(platform).item(item_id, lock=True) or _gone(platform, item_id))
        contacts = uow.contacts(platform)
        if attempt_id is not None:
            _started_for(contacts.get(attempt_id), item, attempt_id)
            event = contacts.set_outcome(attempt_id, ledger_outcome, result=result, at=now)
        else:
            borrower = uow.borrowers(platform).get(item.borrower_id)
            number = borrower.phones[0].e164 if borrower and borrower.phones else None
            attempt = contacts.keyed(call_attempt(item, now, number))
            event = ContactEvent(uuid.uuid4().hex, attempt, ledger_outcome, now, False, result)
            contacts.add(event)
        raised = raise_result_hold(uow, platform, event, clock)
        if outcome is CallOutcome.CEASE_CONTACT:
            raised.append(_cease_contact(uow, platform, event, who, now))
        promise: PromiseInfo | None = None
        if outcome is CallOutcome.PROMISE:
            assert promise_amount is not None
            assert promise_due is not None
            promise = add_promise(
                uow,
                platform,
                loan_id=item.account_id,
                amount=promise_amount,
                due=promise_due,
                by=who,
                clock=clock,
            )
        uow.cycle(platform).mark_queue_items(item.as_of, {(item.account_id, item.step): "done"})
        record = uow.audit(platform).append(
            QUEUE_OUTCOME,
            {
                "item_id": item.item_id,
                "attempt_id": event.attempt_id,
                "borrower_id": item.borrower_id,
                "debt_id": item.account_id,
                "outcome": outcome.value,
                "ledger_outcome": ledger_outcome.value,
                "ledger_result": None if result is None else result.value,
                "promise_id": None if promise is None else promise.promise_id,
                "holds": [h.hold_id for h in raised],
                "by": who,
            },
            at=now,
        )
        uow.commit()
    if gate is not None:
        gate.forget(platform, item.borrower_id)
    return LoggedOutcome(
        item_id=item.item_id,
        attempt_id=event.attempt_id,
        outcome=outcome.value,
        ledger_outcome=ledger_outcome.value,
        ledger_result=None if result is None else result.value,
        at=now,
        by=who,
        promise=promise,
        holds_raised=raised,
        audit_seq=record.seq,
    )


def _started_for(event: ContactEvent | None, item: QueueItem, attempt_id: str) -> None:
    """The attempt must be this item's call, started and not yet given an outcome."""
    if (
        event is None
        or event.attempt.borrower_id != item.borrower_id
        or event.attempt.debt_id != item.account_id
    ):
        raise NotFound(
            N_("no call %(attempt_id)s started for queue item %(item_id)s"),
            attempt_id=repr(attempt_id),
            item_id=item.item_id,
        )
    if event.outcome is not Outcome.PLANNED:
        raise Conflict(
            N_("call %(attempt_id)s already has the outcome %(outcome)s"),
            attempt_id=repr(attempt_id),
            outcome=event.outcome.value,
        )


def _cease_contact(
    uow: UnitOfWork, platform: str, event: ContactEvent, by: str, now: datetime
) -> HoldInfo:
    """The cease-contact hold a borrower's request raises: every debt, from the call on."""
    hold = HoldRecord(
        hold_id=uuid.uuid4().hex,
        borrower_id=event.attempt.borrower_id,
        kind=HoldKind.CEASE_CONTACT,
        starts_at=min(event.at, now).astimezone(UTC),
        reason=f"contact {event.attempt_id}: the borrower asked that contact cease",
        raised_by=f"collector {by}",
        source_attempt_id=event.attempt_id,
    )
    uow.holds(platform).add(hold)
    uow.audit(platform).append(HOLD_ADDED, hold.to_dict(), at=now)
    return HoldInfo.of(hold)
