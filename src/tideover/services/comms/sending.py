"""One claimed outbox message decided and, if it may go, sent: what came of it.

Nothing here writes to storage: :func:`send_one` returns an :class:`Outcome` that the
worker records (``services.comms.worker``), in batches.  The gate's inputs (holds,
opt-outs, the recent ledger) are read for the whole batch just before it is sent, and
each message sent is added to the in-memory ledger at once, so the caps hold across
the batch as in the daily cycle.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tideover.adapters.channels.outbound import ChannelFailure, OutboundMessage
from tideover.adapters.channels.pdf import render_letter
from tideover.adapters.repositories import OutboxWork, TemplateRecord
from tideover.comms.catalogue import MessageChannel
from tideover.comms.limits import check_length
from tideover.comms.rendering import Rendered
from tideover.comms.timing import Quiet, RateLimiter, next_retry, quiet_until
from tideover.compliance.contacts import ActorRole, Attempt, Channel, ContactProfile, Hold
from tideover.compliance.contacts import Outcome as LedgerOutcome
from tideover.compliance.gate import CompiledPack, check
from tideover.compliance.ledger import InMemoryLedger
from tideover.domain.borrowers import Borrower
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.errors import TideoverError
from tideover.i18n import N_, Bilingual
from tideover.services.comms.channels import Channels
from tideover.services.comms.checking import MessageCheck
from tideover.services.comms.messages import (
    NotSendable,
    choose_template,
    message_values,
    platform_words,
    recipient,
    render_message,
)

# A hook the crash tests use to stop a worker between steps (never set in production).
FaultHook = Callable[[str, int], None]
GATE_CHANNELS = frozenset(c.value for c in Channel)
OUTBOX_CHANNELS = frozenset(c.value for c in MessageChannel)


@dataclass(frozen=True)
class Context:
    """What every message of one platform's run shares."""

    platform: str
    platform_name: str
    settings: Mapping[str, Any]
    quiet: Quiet | None
    sms_signature: str | None
    email_sender: str | None
    checker: MessageCheck
    packs: tuple[CompiledPack, ...]
    horizon: timedelta


@dataclass
class GateState:
    """The gate's inputs for one batch's borrowers, read together just before it."""

    holds: Mapping[str, tuple[Hold, ...]]
    opted_out: Mapping[str, frozenset[str]]
    ledger: InMemoryLedger


@dataclass
class Outcome:
    """What came of one message: its new sending state and what to record with it."""

    work: OutboxWork
    state: str  # sent, retry, deferred, failed, dropped
    fields: dict[str, Any] = field(default_factory=dict)
    contact: tuple[str, Attempt] | None = None  # the ledger's attempt id and attempt
    audit: dict[str, Any] | None = None


def message_key(platform: str, message_id: int) -> str:
    """The provider's idempotency key of an outbox message (stable across tries)."""
    return hashlib.sha256(f"tideover:{platform}:{message_id}".encode()).hexdigest()[:32]


class _Later(Exception):
    def __init__(self, until: datetime, code: str, rule_ids: list[str], channel: str) -> None:
        super().__init__(code)
        self.until, self.code, self.rule_ids, self.channel = until, code, rule_ids, channel


@dataclass(frozen=True)
class Inputs:
    """What one message needs beyond its row."""

    borrower: Borrower | None
    status: DelinquencyStatus | None
    active: Mapping[str, TemplateRecord]
    gate: GateState
    fallback: Mapping[str, str]


def send_one(
    ctx: Context,
    channels: Channels,
    limiters: Mapping[str, RateLimiter],
    work: OutboxWork,
    inputs: Inputs,
    now: datetime,
    fault: FaultHook | None = None,
) -> Outcome:
    key = message_key(ctx.platform, work.message_id)
    channel_name = work.send_channel or work.channel
    try:
        already = False
        if work.send_state == "sending":  # its worker died with it in hand
            channel = channels.get(channel_name)
            before = None if channel is None else channel.sent_before(key)
            if before is None:
                raise NotSendable(
                    "send_interrupted",
                    N_(
                        "a worker stopped while this message was with its provider; whether it "
                        "arrived is unknown, so it is not sent again"
                    ),
                )
            already = before
        borrower = inputs.borrower
        if borrower is None:
            raise NotSendable("no_borrower", N_("the borrower is not on file"))
        if not already:  # a message that went is recorded, not judged again
            channel_name = _gate(ctx, work, borrower, channel_name, now, inputs)
            quiet = quiet_until(now, borrower.candidate_time_zones, ctx.quiet)
            if quiet is not None:
                raise _Later(quiet, "quiet_hours", [], channel_name)
        channel = channels.get(channel_name)
        if channel is None or channel_name not in OUTBOX_CHANNELS:
            raise NotSendable(
                "channel_unavailable",
                N_("no %(channel_name)s channel is set up on this server"),
                channel_name=channel_name,
            )
        outbound, content_hash, version = _prepare(
            ctx, work, borrower, inputs, channel_name, key, now
        )
        if already:
            ref = "recovered"
        else:
            limiter = limiters.get(channel_name)
            if limiter is not None:
                limiter.acquire()
            if fault is not None:
                fault("send", work.message_id)
            ref = channel.send(outbound)
            if fault is not None:
                fault("sent", work.message_id)
        attempt = Attempt(
            borrower.borrower_id,
            work.account_id,
            Channel(channel_name),
            ActorRole.CREDITOR,
            now,
            number=outbound.to,
        )
        # in memory the number is left out: the stored ledger keys it by its look-up hash
        inputs.gate.ledger.record(replace(attempt, number=None), LedgerOutcome.PLANNED)
        return Outcome(
            work,
            "sent",
            {
                "channel": channel_name,
                "provider_ref": ref,
                "content_sha256": content_hash,
                "template_version": version,
                "recipient": outbound.to,
                "language": outbound.language,
                "sent_at": now,
                "error_code": "recovered" if already else None,
                "error": None,
                "rule_ids": [],
            },
            contact=(key, attempt),
            audit={
                "message_id": work.message_id,
                "account_id": work.account_id,
                "borrower_id": work.borrower_id,
                "channel": channel_name,
                "template": work.template,
                "template_version": version,
                "content_sha256": content_hash,
                "language": outbound.language,
                "provider_ref": ref,
                "recovered": already,
            },
        )
    except ChannelFailure as exc:
        attempts = work.attempts + 1
        again = next_retry(now, attempts) if exc.transient else None
        fields = {"attempts": attempts, "error_code": exc.reason, "error": f"{exc.en} / {exc.zh}"}
        if again is not None:
            return Outcome(work, "retry", {**fields, "next_at": again, "rule_ids": []})
        return _held(work, "failed", fields, [])
    except _Later as later:
        return Outcome(
            work,
            "deferred",
            {
                "next_at": later.until,
                "error_code": later.code,
                "error": None,
                "rule_ids": later.rule_ids,
                "channel": later.channel,
            },
        )
    except NotSendable as exc:
        state = "dropped" if exc.reason in ("gate_denied", "opted_out") else "failed"
        rule_ids = list(getattr(exc, "rule_ids", []))
        return _held(
            work, state, {"error_code": exc.reason, "error": f"{exc.en} / {exc.zh}"}, rule_ids
        )
    except TideoverError as exc:  # a template that cannot render, a letter without fonts
        return _held(work, "failed", {"error_code": exc.code, "error": f"{exc.en} / {exc.zh}"}, [])


def _held(work: OutboxWork, state: str, fields: dict[str, Any], rule_ids: list[str]) -> Outcome:
    return Outcome(
        work,
        state,
        {**fields, "rule_ids": rule_ids},
        audit={
            "message_id": work.message_id,
            "account_id": work.account_id,
            "state": state,
            "reason": fields.get("error_code"),
            "rule_ids": rule_ids,
        },
    )


def _prepare(
    ctx: Context,
    work: OutboxWork,
    borrower: Borrower,
    inputs: Inputs,
    channel_name: str,
    key: str,
    now: datetime,
) -> tuple[OutboundMessage, str, str]:
    chosen = choose_template(work.template, inputs.active)
    to = recipient(borrower, channel_name)
    zones = borrower.candidate_time_zones
    today: date = now.astimezone(ZoneInfo(zones[0])).date() if zones else now.date()
    language = "en" if borrower.locale.lower().startswith("en") else "zh-CN"
    values = message_values(
        work,
        borrower,
        inputs.status,
        platform_words(ctx.settings, ctx.platform_name, language),
        today,
        chosen.text.purpose,
    )
    prepared = render_message(chosen, values, borrower.locale)
    mc = MessageChannel(channel_name)
    whole = prepared.body
    if prepared.subject is not None:  # the subject and body are one message to the reader
        whole = Rendered(
            f"{prepared.subject.text}\n\n{whole.text}",
            f"{prepared.subject.shape}\n\n{whole.shape}",
            prepared.subject.free_values + whole.free_values,
        )
    findings = ctx.checker.rendered(whole, mc, prepared.language)
    if findings:
        rule_ids = sorted({r for f in findings for r in f.rule_ids})
        exc = NotSendable(
            "message_check",
            N_("the message checker flags the text (%(rule_ids)s: %(finding)s)"),
            rule_ids=tuple(rule_ids),
            finding=Bilingual(findings[0].en, findings[0].zh),
        )
        exc.rule_ids = rule_ids  # type: ignore[attr-defined]
        raise exc
    subject = prepared.subject.text if prepared.subject else None
    too_long = check_length(mc, prepared.body.text, subject)
    if too_long is not None:
        raise NotSendable("too_long", too_long.wording)
    attachments: tuple[tuple[str, bytes], ...] = ()
    if mc is MessageChannel.LETTER:
        pdf = render_letter(
            sender=ctx.platform_name,
            date_line=today.isoformat(),
            subject=subject or "",
            body=prepared.body.text,
            language=prepared.language,
        )
        attachments = (("letter.pdf", pdf),)
    content = prepared.body.text if subject is None else f"{subject}\n\n{prepared.body.text}"
    digest = hashlib.sha256(attachments[0][1] if attachments else content.encode("utf-8"))
    outbound = OutboundMessage(
        key=key,
        channel=channel_name,
        to=to,
        text=prepared.body.text,
        platform=ctx.platform,
        purpose=chosen.text.purpose.value,
        language=prepared.language,
        subject=subject,
        sender=ctx.email_sender if mc is MessageChannel.EMAIL else ctx.sms_signature,
        attachments=attachments,
    )
    return outbound, digest.hexdigest(), chosen.version


def _gate(
    ctx: Context,
    work: OutboxWork,
    borrower: Borrower,
    channel_name: str,
    now: datetime,
    inputs: Inputs,
) -> str:
    """The channel to send on now: the planned one if the gate allows it; its fallback if
    one is given and the gate allows it; else ``_Later`` or ``NotSendable``."""
    if channel_name not in GATE_CHANNELS:
        return channel_name  # not a contact the gate knows (refused as unavailable)
    if not borrower.candidate_time_zones:
        raise NotSendable("no_time_zone", N_("the borrower has no time zone"))
    opted = inputs.gate.opted_out.get(borrower.borrower_id, frozenset())
    profile = ContactProfile(
        borrower.borrower_id,
        borrower.candidate_time_zones,
        holds=inputs.gate.holds.get(borrower.borrower_id, ()),
        opted_out=frozenset(Channel(c) for c in opted if c in GATE_CHANNELS),
    )
    fallback = inputs.fallback.get(channel_name)
    candidates = [channel_name] + ([fallback] if fallback in GATE_CHANNELS else [])
    first: tuple[list[str], datetime | None] | None = None
    for candidate in candidates:
        attempt = Attempt(
            borrower.borrower_id, work.account_id, Channel(candidate), ActorRole.CREDITOR, now
        )
        decisions = [check(attempt, inputs.gate.ledger, profile, pack) for pack in ctx.packs]
        if all(d.allowed for d in decisions):
            return candidate
        rule_ids = sorted({r for d in decisions for r in d.rule_ids})
        earliest = None
        if all(d.allowed or d.earliest_allowed is not None for d in decisions):
            earliest = max(
                (d.earliest_allowed for d in decisions if d.earliest_allowed), default=None
            )
        if first is None:
            first = (rule_ids, earliest)
    assert first is not None
    rule_ids, earliest = first
    if earliest is not None:
        raise _Later(earliest, "gate_later", rule_ids, channel_name)
    reason = "opted_out" if channel_name in opted else "gate_denied"
    exc = NotSendable(
        reason,
        N_("the compliance gate denies this message now (%(rule_ids)s)"),
        rule_ids=tuple(rule_ids),
    )
    exc.rule_ids = rule_ids  # type: ignore[attr-defined]
    raise exc
