"""The collector's calls: "may I call now?", a call started, its outcome logged.

**May I call now?** (:class:`CallGate`) is asked before every dial, so it is
answered in process: the gate itself is pure (``compliance.gate.check``), and
what it needs of storage — the item, the borrower's candidate time zones, holds
and recent contacts, the platform's compiled packs — is read once and kept for
``ttl`` seconds (packs for ``PACK_TTL``).  A contact or hold recorded through
this process forgets the borrower at once; one recorded elsewhere (another
worker, the daily cycle) is seen within ``ttl``.  The answer is therefore advice
that may be ``ttl`` old, and it is never what lets a call happen:

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

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from tideover.adapters.repositories import QueueItem
from tideover.adapters.repositories.contacts import ContactEvent, ContactResult
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Hold,
    HoldKind,
    Outcome,
)
from tideover.compliance.gate import CompiledPack, check, compile_pack
from tideover.compliance.holds import HoldRecord
from tideover.compliance.ledger import InMemoryLedger
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.services.common import actor_name, now_and_today
from tideover.services.compliance.checks import ledger_horizon
from tideover.services.compliance.holds import HOLD_ADDED, raise_result_hold
from tideover.services.compliance.results import DenialReason, HoldInfo
from tideover.services.plans.promises import add_promise
from tideover.services.plans.results import PromiseInfo
from tideover.services.queues.gate_packs import platform_packs
from tideover.services.queues.work_results import (
    CallVerdict,
    LocalTime,
    LoggedOutcome,
    StartedCall,
)
from tideover.services.queues.workbench import require_item
from tideover.services.unit_of_work import UnitOfWork

CALL_STARTED = "call_started"
QUEUE_OUTCOME = "queue_outcome"
PACK_TTL = 60.0  # seconds: a change of policy or overrides reaches the call check within it
BLOCK = 500  # at most this many of a collector's items are read at once
ACTOR = ActorRole.CREDITOR  # the platform's own collectors act for the creditor
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


# --- the gate's inputs for one item --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GateInputs:
    """What the gate needs to answer for one item, read in one unit of work."""

    item: QueueItem
    zones: tuple[str, ...]
    number: str | None  # the number dialled, as the ledger keys it (its look-up hash)
    holds: tuple[Hold, ...]
    ledger: InMemoryLedger
    packs: tuple[CompiledPack, ...]


@dataclass(frozen=True, slots=True)
class PackSet:
    """The platform's packs compiled, and how far back their rules look in the ledger."""

    compiled: tuple[CompiledPack, ...]
    horizon: timedelta


def read_inputs(
    uow: UnitOfWork,
    platform: str,
    item: QueueItem,
    at: datetime,
    packs: PackSet | None = None,
) -> GateInputs:
    """The gate's inputs for ``item`` at ``at`` (inside an open uow)."""
    return _one(read_many(uow, platform, [item], at, packs), item)


def _one(read: dict[int, GateInputs], item: QueueItem) -> GateInputs:
    if item.item_id not in read:
        raise ValidationError(
            f"borrower {item.borrower_id!r} has no time zone: the gate cannot place a call "
            "in their local time",
            f"借款人 {item.borrower_id!r} 没有时区信息：无法按其当地时间判断能否致电",
        )
    return read[item.item_id]


def read_many(
    uow: UnitOfWork,
    platform: str,
    items: Sequence[QueueItem],
    at: datetime,
    packs: PackSet | None = None,
) -> dict[int, GateInputs]:
    """The gate's inputs for each of ``items`` at ``at``, read together: their borrowers,
    holds and recent contacts in one query each (inside an open uow).  An item whose
    borrower has no time zone is left out: the gate cannot answer for it."""
    chosen = packs if packs is not None else pack_set(uow, platform)
    borrower_ids = sorted({i.borrower_id for i in items})
    borrowers = uow.borrowers(platform).get_many(borrower_ids)
    contacts = uow.contacts(platform)
    ledger = contacts.load_ledger(since=at - chosen.horizon, borrower_ids=borrower_ids)
    holds = uow.holds(platform).gate_holds(at=at, borrower_ids=borrower_ids)
    found = {}
    for item in items:
        borrower = borrowers.get(item.borrower_id)
        if borrower is None or not borrower.candidate_time_zones:
            continue
        number = borrower.phones[0].e164 if borrower.phones else None
        found[item.item_id] = GateInputs(
            item,
            borrower.candidate_time_zones,
            contacts.keyed(_attempt(item, at, number)).number,
            holds.get(item.borrower_id, ()),
            ledger,
            chosen.compiled,
        )
    return found


def pack_set(uow: UnitOfWork, platform: str) -> PackSet:
    packs = platform_packs(uow, platform)
    return PackSet(tuple(compile_pack(p) for p in packs), max(ledger_horizon(p) for p in packs))


def _attempt(item: QueueItem, at: datetime, number: str | None) -> Attempt:
    return Attempt(item.borrower_id, item.account_id, Channel.CALL, ACTOR, at, number=number)


def decide(inputs: GateInputs, at: datetime) -> CallVerdict:
    """Every pack's decision on a call now, combined: allowed only if every pack allows it;
    the next allowed time is the first that every pack allows (None if none would)."""
    item = inputs.item
    profile = ContactProfile(item.borrower_id, inputs.zones, holds=inputs.holds)
    attempt = _attempt(item, at, inputs.number)
    decisions = [check(attempt, inputs.ledger, profile, pack) for pack in inputs.packs]
    allowed = all(d.allowed for d in decisions)
    earliest = None if allowed else _next_allowed(inputs, attempt, profile, decisions)
    reasons = [r for d in decisions for r in d.reasons]
    return CallVerdict(
        item_id=item.item_id,
        borrower_id=item.borrower_id,
        debt_id=item.account_id,
        channel=Channel.CALL.value,
        checked_at=at,
        allowed=allowed,
        packs=[p.code for p in inputs.packs],
        rule_ids=list(dict.fromkeys(r.rule_id for r in reasons)),
        reasons=[DenialReason.of(r) for r in reasons],
        earliest_allowed=earliest,
        earliest_allowed_local=[]
        if earliest is None
        else [LocalTime(zone=z, at=earliest.astimezone(ZoneInfo(z))) for z in inputs.zones],
    )


def _next_allowed(
    inputs: GateInputs, attempt: Attempt, profile: ContactProfile, decisions: list[Decision]
) -> datetime | None:
    """The latest of the packs' earliest times, checked again until all agree (a few rounds:
    one pack's window can open after another's closes)."""
    for _ in range(4):
        if any(not d.allowed and d.earliest_allowed is None for d in decisions):
            return None
        candidate = max((d.earliest_allowed for d in decisions if d.earliest_allowed), default=None)
        if candidate is None:
            return None
        later = replace(attempt, planned_at=candidate)
        decisions = [check(later, inputs.ledger, profile, pack) for pack in inputs.packs]
        if all(d.allowed for d in decisions):
            return candidate
    return None


# --- may I call now? ----------------------------------------------------------------------


@dataclass(slots=True)
class _Kept:
    inputs: GateInputs
    read_at: float


class CallGate:
    """Answers "may I call now?" from what it keeps in process (module doc).

    One per process (the web app keeps one); thread-safe.  ``ttl`` 0 reads
    storage on every question.
    """

    def __init__(self, *, ttl: float = 2.0, max_items: int = 20_000) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._items: dict[tuple[str, int], _Kept] = {}
        self._packs: dict[str, tuple[PackSet, float]] = {}
        self._lock = threading.Lock()

    def verdict(
        self,
        *,
        uow: UnitOfWork,
        platform: str,
        item_id: int,
        collector: str | None,
        at: datetime,
    ) -> CallVerdict:
        """The gate's verdict on calling the item's borrower at ``at``; ``NotFound`` for an
        item outside the caller's scope (``collector``: their own items only)."""
        kept = self._kept(platform, item_id)
        if kept is None:
            with uow:
                item = require_item(uow, platform, item_id, collector)
                packs = self._compiled(uow, platform)
                block = [item]
                if collector is not None and item.state == "assigned":
                    # The collector's other items are asked next: read them all at once.
                    block = self._held(uow, platform, collector, item)
                read = read_many(uow, platform, block, at, packs)
            for inputs in read.values():
                self._keep(platform, _Kept(inputs, time.monotonic()))
            kept = _Kept(_one(read, item), time.monotonic())
        elif collector is not None and kept.inputs.item.assigned_to != collector:
            raise NotFound(
                f"queue item {item_id} not found on platform {platform!r}",
                f"平台 {platform!r} 上没有队列工单 {item_id}",
            )
        return decide(kept.inputs, at)

    @staticmethod
    def _held(uow: UnitOfWork, platform: str, collector: str, item: QueueItem) -> list[QueueItem]:
        """The collector's assigned items of ``item``'s date (``item`` among them)."""
        held, _ = uow.queues(platform).page(
            as_of=item.as_of, collector=collector, states=("assigned",), limit=BLOCK
        )
        return held if any(i.item_id == item.item_id for i in held) else [item, *held]

    def forget(self, platform: str, borrower_id: str) -> None:
        """Drops what is kept of the borrower (a contact or hold was just recorded)."""
        with self._lock:
            for key in [
                k
                for k, v in self._items.items()
                if k[0] == platform and v.inputs.item.borrower_id == borrower_id
            ]:
                del self._items[key]

    def _kept(self, platform: str, item_id: int) -> _Kept | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            kept = self._items.get((platform, item_id))
        if kept is None or time.monotonic() - kept.read_at > self.ttl:
            return None
        return kept

    def _keep(self, platform: str, kept: _Kept) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()  # a burst of distinct items: start again rather than grow
            self._items[(platform, kept.inputs.item.item_id)] = kept

    def _compiled(self, uow: UnitOfWork, platform: str) -> PackSet:
        with self._lock:
            found = self._packs.get(platform)
        if found is not None and time.monotonic() - found[1] <= PACK_TTL:
            return found[0]
        packs = pack_set(uow, platform)
        with self._lock:
            self._packs[platform] = (packs, time.monotonic())
        return packs


# --- a call started, its outcome logged -----------------------------------------------------


def _workable(item: QueueItem) -> QueueItem:
    if item.state not in _WORKABLE:
        raise Conflict(
            f"queue item {item.item_id} is {item.state}; only open or assigned items are worked",
            f"队列工单 {item.item_id} 的状态为 {item.state}；只能处理待分配或已分配的工单",
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
                f"the gate denies this call now ({first.rule_id}: {first.en})"
                + (f"; next allowed at {when.isoformat()}" if when else ""),
                f"合规闸门现在不允许致电（{first.rule_id}：{first.zh}）"
                + (f"；最早可于 {when.isoformat()} 致电" if when else ""),
            )
        attempt_id = uuid.uuid4().hex
        event = ContactEvent(attempt_id, _attempt(item, now, inputs.number), Outcome.PLANNED, now)
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
        f"queue item {item_id} not found on platform {platform!r}",
        f"平台 {platform!r} 上没有队列工单 {item_id}",
    )


def check_outcome(
    outcome: CallOutcome, promise_amount: Decimal | None, promise_due: date | None
) -> None:
    """A promise needs its amount and date; no other outcome takes them."""
    promised = promise_amount is not None or promise_due is not None
    if outcome is CallOutcome.PROMISE and (promise_amount is None or promise_due is None):
        raise ValidationError(
            "a promise to pay needs its amount and date", "还款承诺需要填写金额和日期"
        )
    if outcome is not CallOutcome.PROMISE and promised:
        raise ValidationError(
            f"an amount and date belong to a promise, not to the outcome {outcome.value}",
            f"金额和日期只用于还款承诺，不适用于结果 {outcome.value}",
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
                f"the promised amount {amount[:32]!r} is not a number (e.g. 500.00)",
                f"承诺金额 {amount[:32]!r} 不是数字（例如 500.00）",
            )
    day = None
    if due.strip():
        try:
            day = date.fromisoformat(due.strip())
        except ValueError:
            raise ValidationError(
                f"the promised date {due[:32]!r} is not a date (YYYY-MM-DD)",
                f"承诺日期 {due[:32]!r} 不是有效日期（YYYY-MM-DD）",
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
            attempt = contacts.keyed(_attempt(item, now, number))
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
            f"no call {attempt_id!r} started for queue item {item.item_id}",
            f"队列工单 {item.item_id} 没有已开始的通话 {attempt_id!r}",
        )
    if event.outcome is not Outcome.PLANNED:
        raise Conflict(
            f"call {attempt_id!r} already has the outcome {event.outcome.value}",
            f"通话 {attempt_id!r} 已记录结果 {event.outcome.value}",
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
