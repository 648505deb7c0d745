"""The outbox worker: render, check, gate, send and record each due message, once.

For each batch of due messages (``CommsRepository.due``, at most ``BATCH``):

1. they are *claimed* (one conditional write each, committed) with a lease, so two
   workers never send the same message;
2. the gate's inputs for the batch's borrowers — holds, opt-outs, the recent contact
   ledger — are read *now*, after the plan, so a hold raised since the plan wins;
3. each message is decided and sent (``services.comms.sending``): a message whose
   earlier worker died mid-send is first asked of its channel (``sent_before``); the
   gate decides again (a later allowed time defers, none drops); the platform's
   quiet hours defer, in the borrower's local time; an opted-out channel is never
   re-routed unless a fallback is given and the gate allows that channel; the
   message is rendered, checked and measured; it is sent under the channel's rate;
   a passing failure is tried again with back-off, a refusal fails it;
4. what came of the messages is recorded every ``FLUSH`` messages (and at the end of
   the batch) in one transaction: the sending record (hash of the content, template
   version, recipient key), the outbox state, the contact ledger and the audit trail.
   A crash before a flush leaves its messages claimed; the next worker resolves each
   through its channel's journal (sent → recorded, never sent again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tideover.adapters.channels.email import sender_address
from tideover.adapters.repositories import ContactEvent, OutboxWork
from tideover.comms.timing import Quiet, RateLimiter
from tideover.compliance.contacts import Outcome as LedgerOutcome
from tideover.compliance.gate import compile_pack
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.delinquency import DelinquencyStatus
from tideover.services.channel_settings import CHANNELS, parse_channel_settings
from tideover.services.comms.channels import Channels
from tideover.services.comms.checking import MessageCheck
from tideover.services.comms.results import OutboxRun
from tideover.services.comms.sending import (
    Context,
    FaultHook,
    GateState,
    Inputs,
    Outcome,
    message_key,
    send_one,
)
from tideover.services.compliance.checks import ledger_horizon
from tideover.services.jobs import worker_name
from tideover.services.queues.gate_packs import platform_packs
from tideover.services.unit_of_work import UnitOfWork

MESSAGE_SENT = "message_sent"
MESSAGE_HELD = "message_not_sent"
LEASE = timedelta(minutes=5)
BATCH = 200
FLUSH = 50  # outcomes recorded together (at most this many resolved by a journal on a crash)
FLUSH_SECONDS = 1.0
DEFAULT_RATES = {"sms": 200.0, "app_push": 500.0, "email": 50.0, "letter": 20.0}

__all__ = ["message_key", "run_outbox"]


@dataclass
class _Tally:
    picked: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    skipped: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        if outcome.state == "sent":
            self.sent += 1
            channel = str(outcome.fields["channel"])
            self.by_channel[channel] = self.by_channel.get(channel, 0) + 1
        elif outcome.state == "retry":
            self.retried += 1
        elif outcome.state == "deferred":
            self.deferred += 1
        elif outcome.state == "dropped":
            self.dropped += 1
        else:
            self.failed += 1


def run_outbox(
    *,
    uow_factory: Callable[[], UnitOfWork],
    platform: str,
    channels: Channels,
    clock: Clock | None = None,
    limit: int | None = None,
    only: tuple[str, ...] = (),
    rates: Mapping[str, float] | None = None,
    fallback: Mapping[str, str] | None = None,
    worker: str | None = None,
    fault: FaultHook | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> OutboxRun:
    """Sends what is due on ``platform`` now (see the module doc); commits the claims and
    each flush of outcomes by design."""
    clock = clock or SystemClock()
    started = clock.now()
    name = worker or worker_name()
    limiters = {ch: RateLimiter(r) for ch, r in {**DEFAULT_RATES, **(rates or {})}.items()}
    tally = _Tally()
    with uow_factory() as uow:
        ctx = _context(uow, platform)
    statuses: dict[date, dict[str, DelinquencyStatus]] = {}
    while limit is None or tally.picked < limit:
        now = clock.now()
        size = BATCH if limit is None else min(BATCH, limit - tally.picked)
        claimed = _claim(uow_factory, platform, now, size, only, name, tally)
        if claimed is None:
            break
        if not claimed:
            continue
        ids = sorted({w.borrower_id for w in claimed})
        with uow_factory() as uow:
            borrowers = uow.borrowers(platform).get_many(ids)
            for day in {w.as_of for w in claimed} - set(statuses):
                statuses[day] = uow.delinquency(platform).for_date(day)
            active = uow.comms(platform).active_templates(
                {w.template for w in claimed if w.template}
            )
            gate = GateState(
                uow.holds(platform).gate_holds(at=now, borrower_ids=ids),
                uow.comms(platform).opt_outs(ids),
                uow.contacts(platform).load_ledger(since=now - ctx.horizon, borrower_ids=ids),
            )
        pending: list[Outcome] = []
        flushed_at = time.monotonic()
        for index, work in enumerate(claimed):
            if fault is not None:
                fault("message", index)
            inputs = Inputs(
                borrowers.get(work.borrower_id),
                statuses.get(work.as_of, {}).get(work.account_id),
                active,
                gate,
                fallback or {},
            )
            outcome = send_one(ctx, channels, limiters, work, inputs, clock.now(), fault)
            tally.add(outcome)
            pending.append(outcome)
            if len(pending) >= FLUSH or time.monotonic() - flushed_at > FLUSH_SECONDS:
                _record(uow_factory, platform, pending, clock)
                pending, flushed_at = [], time.monotonic()
                if progress is not None:
                    progress("outbox", tally.sent + tally.failed + tally.dropped, tally.picked)
        _record(uow_factory, platform, pending, clock)
    return OutboxRun(
        platform=platform,
        started_at=started,
        finished_at=clock.now(),
        picked=tally.picked,
        sent=tally.sent,
        deferred=tally.deferred,
        retried=tally.retried,
        failed=tally.failed,
        dropped=tally.dropped,
        skipped=tally.skipped,
        by_channel=tally.by_channel,
    )


def _claim(
    uow_factory: Callable[[], UnitOfWork],
    platform: str,
    now: datetime,
    size: int,
    only: tuple[str, ...],
    name: str,
    tally: _Tally,
) -> list[OutboxWork] | None:
    """The batch this worker took (None: nothing is due)."""
    with uow_factory() as uow:
        batch = uow.comms(platform).due(now, limit=size, channels=only or None)
    if not batch:
        return None
    claimed = []
    with uow_factory() as uow:
        repo = uow.comms(platform)
        for work in batch:
            if repo.claim(work, worker=name, at=now, lease_until=now + LEASE):
                claimed.append(work)
            else:
                tally.skipped += 1
        uow.commit()
    tally.picked += len(batch)
    return claimed


def _record(
    uow_factory: Callable[[], UnitOfWork], platform: str, outcomes: list[Outcome], clock: Clock
) -> None:
    """The outcomes, in one transaction: sending records and outbox states (two statements),
    the ledger (one), the audit trail (one, the chain's head moved once)."""
    if not outcomes:
        return
    now = clock.now()
    with uow_factory() as uow:
        comms = uow.comms(platform)
        rows, events, audited = [], [], []
        for outcome in outcomes:
            work, fields = outcome.work, dict(outcome.fields)
            to = fields.pop("recipient", None)
            row: dict[str, object] = {
                "message_id": work.message_id,
                "state": outcome.state,
                "channel": work.send_channel or work.channel,
                "attempts": work.attempts,
                "next_at": None,
                "lease_until": None,
                "provider_ref": None,
                "content_sha256": None,
                "template_version": None,
                "recipient_key": None if to is None else comms.recipient_key(str(to)),
                "language": None,
                "error_code": None,
                "error": None,
                "rule_ids": [],
                "sent_at": None,
            }
            row.update({k: v for k, v in fields.items() if k in row})
            rows.append(row)
            if outcome.contact is not None:
                key, attempt = outcome.contact
                events.append(ContactEvent(key, attempt, LedgerOutcome.PLANNED, attempt.planned_at))
            if outcome.audit is not None:
                payload = dict(outcome.audit)
                if outcome.state == "sent":
                    payload["recipient_key"] = row["recipient_key"]
                audited.append((MESSAGE_SENT if outcome.state == "sent" else MESSAGE_HELD, payload))
        comms.record_many(rows, at=now)
        if events:
            uow.contacts(platform).add_many(events)
        uow.audit(platform).append_many(audited, at=now)
        uow.commit()


def _context(uow: UnitOfWork, platform: str) -> Context:
    record = uow.platforms.get(platform)
    name = record.name if record is not None else platform
    stored = dict(record.settings) if record is not None else {}
    chosen = parse_channel_settings(stored.get(CHANNELS) or {})
    quiet = None
    if chosen.quiet_hours.start is not None and chosen.quiet_hours.end is not None:
        quiet = Quiet(chosen.quiet_hours.start, chosen.quiet_hours.end)
    packs = platform_packs(uow, platform)
    return Context(
        platform=platform,
        platform_name=name,
        settings=stored,
        quiet=quiet,
        sms_signature=chosen.sms.signature,
        email_sender=sender_address(chosen.email.sender_address, chosen.email.sender_name),
        checker=MessageCheck(packs, sender_names={"zh-CN": name, "en": name}),
        packs=tuple(compile_pack(p) for p in packs),
        horizon=max(ledger_horizon(p) for p in packs),
    )
