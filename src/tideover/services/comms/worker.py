"""The outbox worker: render, check, gate, send and record each due message, once.

For each due message (``CommsRepository.due``):

1. it is *claimed* (one conditional write, committed) with a lease, so two
   workers never send the same message;
2. a message whose earlier worker died mid-send (lease run out) is first asked
   of its channel (``sent_before``): gone → recorded as sent; not gone → sent;
   unknown → failed ``send_interrupted`` (never guessed into a duplicate);
3. the compliance gate is asked again *now*, on the stored ledger, holds and
   opt-outs (a hold raised since the plan wins); a later allowed time defers
   it, no allowed time drops it; the platform's quiet hours, in the borrower's
   local time, defer it; an opted-out channel is never re-routed unless a
   fallback is given and the gate allows that channel too;
4. it is rendered (active template, else the shipped one) in the borrower's
   language, checked (``MessageCheck``) and measured against its channel;
5. it is sent under the channel's rate limit; a passing failure is tried again
   with back-off, a refusal fails it with the reason;
6. in one transaction: the sending record (hash of the content, template
   version, recipient key), the outbox state, the contact ledger and the audit
   trail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tideover.adapters.channels.email import sender_address
from tideover.adapters.channels.outbound import ChannelFailure, OutboundMessage
from tideover.adapters.channels.pdf import render_letter
from tideover.adapters.repositories import ContactEvent, OutboxWork
from tideover.comms.catalogue import MessageChannel
from tideover.comms.limits import check_length
from tideover.comms.rendering import Rendered, TemplateProblem
from tideover.comms.timing import Quiet, RateLimiter, next_retry, quiet_until
from tideover.compliance.contacts import ActorRole, Attempt, Channel, ContactProfile, Outcome
from tideover.compliance.gate import check, compile_pack
from tideover.domain.borrowers import Borrower
from tideover.domain.clock import Clock, SystemClock
from tideover.domain.delinquency import DelinquencyStatus
from tideover.domain.errors import TideoverError
from tideover.services.channel_settings import CHANNELS, parse_channel_settings
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
from tideover.services.comms.results import OutboxRun
from tideover.services.compliance.checks import ledger_horizon
from tideover.services.jobs import worker_name
from tideover.services.queues.gate_packs import platform_packs
from tideover.services.unit_of_work import UnitOfWork

MESSAGE_SENT = "message_sent"
MESSAGE_HELD = "message_not_sent"
LEASE = timedelta(minutes=5)
BATCH = 200
DEFAULT_RATES = {"sms": 200.0, "app_push": 500.0, "email": 50.0, "letter": 20.0}

# A hook the kill test uses to stop a worker between steps (never set in production).
FaultHook = Callable[[str, int], None]


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


@dataclass
class _Context:
    platform: str
    platform_name: str
    settings: Mapping[str, object]
    quiet: Quiet | None
    sms_signature: str | None
    email_sender: str | None
    checker: MessageCheck
    packs: tuple[object, ...]
    horizon: timedelta


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
    """Sends what is due on ``platform`` now; commits after each message by design (a
    crash loses at most the message in flight, which the next run resolves)."""
    clock = clock or SystemClock()
    started = clock.now()
    name = worker or worker_name()
    limiters = {ch: RateLimiter(r) for ch, r in {**DEFAULT_RATES, **(rates or {})}.items()}
    tally = _Tally()
    with uow_factory() as uow:
        context = _context(uow, platform)
    statuses: dict[date, dict[str, DelinquencyStatus]] = {}
    while limit is None or tally.picked < limit:
        now = clock.now()
        size = BATCH if limit is None else min(BATCH, limit - tally.picked)
        with uow_factory() as uow:
            batch = uow.comms(platform).due(now, limit=size, channels=only or None)
        if not batch:
            break
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
        if not claimed:
            continue
        with uow_factory() as uow:
            borrowers = uow.borrowers(platform).get_many({w.borrower_id for w in claimed})
            for day in {w.as_of for w in claimed} - set(statuses):
                statuses[day] = uow.delinquency(platform).for_date(day)
            active = uow.comms(platform).active_templates(
                {w.template for w in claimed if w.template}
            )
        for index, work in enumerate(claimed):
            if fault is not None:
                fault("message", index)
            _one(
                uow_factory,
                context,
                channels,
                limiters,
                tally,
                work,
                borrowers.get(work.borrower_id),
                statuses.get(work.as_of, {}).get(work.account_id),
                active,
                clock,
                fallback or {},
                fault,
            )
            if progress is not None:
                progress("outbox", tally.sent + tally.failed + tally.dropped, tally.picked)
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


def _context(uow: UnitOfWork, platform: str) -> _Context:
    record = uow.platforms.get(platform)
    name = record.name if record is not None else platform
    stored = dict(record.settings) if record is not None else {}
    chosen = parse_channel_settings(stored.get(CHANNELS) or {})
    quiet = None
    if chosen.quiet_hours.start is not None and chosen.quiet_hours.end is not None:
        quiet = Quiet(chosen.quiet_hours.start, chosen.quiet_hours.end)
    packs = platform_packs(uow, platform)
    return _Context(
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


def message_key(platform: str, message_id: int) -> str:
    """The provider's idempotency key of an outbox message (stable across tries)."""
    return hashlib.sha256(f"tideover:{platform}:{message_id}".encode()).hexdigest()[:32]


def _one(
    uow_factory: Callable[[], UnitOfWork],
    ctx: _Context,
    channels: Channels,
    limiters: Mapping[str, RateLimiter],
    tally: _Tally,
    work: OutboxWork,
    borrower: Borrower | None,
    status: DelinquencyStatus | None,
    active: Mapping[str, object],
    clock: Clock,
    fallback: Mapping[str, str],
    fault: FaultHook | None,
) -> None:
    now = clock.now()
    channel_name = work.send_channel or work.channel
    key = message_key(ctx.platform, work.message_id)
    try:
        if work.send_state == "sending":  # its worker died with it in hand
            channel = channels.get(channel_name)
            before = None if channel is None else channel.sent_before(key)
            if before is True:
                _finish(uow_factory, ctx, tally, work, "sent", now, error_code="recovered")
                return
            if before is None:
                raise NotSendable(
                    "send_interrupted",
                    "a worker stopped while this message was with its provider; whether it "
                    "arrived is unknown, so it is not sent again",
                    "发送过程中工作进程中断，无法确认是否已送达，因此不再重发",
                )
        if borrower is None:
            raise NotSendable("no_borrower", "the borrower is not on file", "找不到该借款人")
        channel_name = _gate(uow_factory, ctx, work, borrower, channel_name, now, fallback)
        quiet = quiet_until(now, borrower.candidate_time_zones, ctx.quiet)
        if quiet is not None:
            _defer(uow_factory, ctx, tally, work, quiet, now, "quiet_hours", [], channel_name)
            return
        channel = channels.get(channel_name)
        if channel is None or channel_name not in {c.value for c in MessageChannel}:
            raise NotSendable(
                "channel_unavailable",
                f"no {channel_name} channel is set up on this server",
                f"本服务器未开通 {channel_name} 渠道",
            )
        chosen = choose_template(work.template, active)  # type: ignore[arg-type]
        to = recipient(borrower, channel_name)
        local_today = (
            now.astimezone(ZoneInfo(borrower.candidate_time_zones[0])).date()
            if borrower.candidate_time_zones
            else now.date()
        )
        values = message_values(
            work,
            borrower,
            status,
            platform_words(ctx.settings, ctx.platform_name, _lang(borrower)),
            local_today,
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
            raise NotSendable(
                "message_check",
                f"the message checker flags the text ({', '.join(rule_ids)}: {findings[0].en})",
                f"消息检查未通过（{'、'.join(rule_ids)}：{findings[0].zh}）",
            )
        subject = prepared.subject.text if prepared.subject else None
        too_long = check_length(mc, prepared.body.text, subject)
        if too_long is not None:
            raise NotSendable("too_long", too_long.en, too_long.zh)
        attachments: tuple[tuple[str, bytes], ...] = ()
        if mc is MessageChannel.LETTER:
            pdf = render_letter(
                sender=ctx.platform_name,
                date_line=values["today"].isoformat() if isinstance(values["today"], date) else "",
                subject=subject or "",
                body=prepared.body.text,
                language=prepared.language,
            )
            attachments = (("letter.pdf", pdf),)
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
        content = prepared.body.text if subject is None else f"{subject}\n\n{prepared.body.text}"
        if attachments:
            content_hash = hashlib.sha256(attachments[0][1]).hexdigest()
        else:
            content_hash = hashlib.sha256(content.encode("utf-8")).hexdigest()
        limiter = limiters.get(channel_name)
        if limiter is not None:
            limiter.acquire()
        if fault is not None:
            fault("send", work.message_id)
        ref = channel.send(outbound)
        if fault is not None:
            fault("sent", work.message_id)
        _sent(
            uow_factory,
            ctx,
            tally,
            work,
            now,
            channel_name,
            ref,
            content_hash,
            chosen.version,
            to,
            prepared.language,
        )
    except ChannelFailure as exc:
        attempts = work.attempts + 1
        again = next_retry(now, attempts) if exc.transient else None
        if again is not None:
            tally.retried += 1
            _finish(
                uow_factory,
                ctx,
                tally,
                work,
                "retry",
                now,
                attempts=attempts,
                next_at=again,
                error_code=exc.reason,
                error=f"{exc.en} / {exc.zh}",
                count=False,
            )
        else:
            _finish(
                uow_factory,
                ctx,
                tally,
                work,
                "failed",
                now,
                attempts=attempts,
                error_code=exc.reason,
                error=f"{exc.en} / {exc.zh}",
            )
    except NotSendable as exc:
        state = "dropped" if exc.reason in ("gate_denied", "opted_out") else "failed"
        _finish(
            uow_factory,
            ctx,
            tally,
            work,
            state,
            now,
            error_code=exc.reason,
            error=f"{exc.en} / {exc.zh}",
            rule_ids=getattr(exc, "rule_ids", []),
        )
    except _Deferred as later:
        _defer(
            uow_factory,
            ctx,
            tally,
            work,
            later.until,
            now,
            "gate_later",
            later.rule_ids,
            later.channel,
        )
    except (TemplateProblem, TideoverError) as exc:
        _finish(
            uow_factory,
            ctx,
            tally,
            work,
            "failed",
            now,
            error_code=exc.code,
            error=f"{exc.en} / {exc.zh}",
        )


def _lang(borrower: Borrower) -> str:
    return "en" if borrower.locale.lower().startswith("en") else "zh-CN"


class _Deferred(Exception):
    def __init__(self, until: datetime, rule_ids: list[str], channel: str) -> None:
        super().__init__()
        self.until, self.rule_ids, self.channel = until, rule_ids, channel


def _gate(
    uow_factory: Callable[[], UnitOfWork],
    ctx: _Context,
    work: OutboxWork,
    borrower: Borrower,
    channel_name: str,
    now: datetime,
    fallback: Mapping[str, str],
) -> str:
    """The channel to send on now: the planned one if the gate allows it; its fallback if
    one is given and allowed; else ``_Deferred`` (a later time) or ``NotSendable``."""
    if channel_name not in {c.value for c in Channel}:
        return channel_name  # not a contact the gate knows (refused later as unavailable)
    with uow_factory() as uow:
        holds = uow.holds(ctx.platform).gate_holds(at=now, borrower_ids=[borrower.borrower_id])
        opted = (
            uow.comms(ctx.platform)
            .opt_outs([borrower.borrower_id])
            .get(borrower.borrower_id, frozenset())
        )
        ledger = uow.contacts(ctx.platform).load_ledger(
            since=now - ctx.horizon, borrower_ids=[borrower.borrower_id]
        )
    if not borrower.candidate_time_zones:
        raise NotSendable("no_time_zone", "the borrower has no time zone", "该借款人没有时区信息")
    profile = ContactProfile(
        borrower.borrower_id,
        borrower.candidate_time_zones,
        holds=holds.get(borrower.borrower_id, ()),
        opted_out=frozenset(Channel(c) for c in opted if c in {x.value for x in Channel}),
    )
    candidates = [channel_name] + ([fallback[channel_name]] if channel_name in fallback else [])
    first_denial: tuple[list[str], datetime | None] | None = None
    for candidate in candidates:
        attempt = Attempt(
            borrower.borrower_id, work.account_id, Channel(candidate), ActorRole.CREDITOR, now
        )
        decisions = [check(attempt, ledger, profile, pack) for pack in ctx.packs]  # type: ignore[arg-type]
        if all(d.allowed for d in decisions):
            return candidate
        rule_ids = sorted({r for d in decisions for r in d.rule_ids})
        earliest = None
        if all(d.allowed or d.earliest_allowed is not None for d in decisions):
            earliest = max(
                (d.earliest_allowed for d in decisions if d.earliest_allowed), default=None
            )
        if first_denial is None:
            first_denial = (rule_ids, earliest)
    assert first_denial is not None
    rule_ids, earliest = first_denial
    if earliest is not None:
        raise _Deferred(earliest, rule_ids, channel_name)
    reason = "opted_out" if channel_name in opted else "gate_denied"
    exc = NotSendable(
        reason,
        f"the compliance gate denies this message now ({', '.join(rule_ids)})",
        f"合规闸门不允许发送此消息（{'、'.join(rule_ids)}）",
    )
    exc.rule_ids = rule_ids  # type: ignore[attr-defined]
    raise exc


def _defer(
    uow_factory: Callable[[], UnitOfWork],
    ctx: _Context,
    tally: _Tally,
    work: OutboxWork,
    until: datetime,
    now: datetime,
    code: str,
    rule_ids: list[str],
    channel: str,
) -> None:
    tally.deferred += 1
    with uow_factory() as uow:
        uow.comms(ctx.platform).record(
            work.message_id,
            state="deferred",
            at=now,
            next_at=until,
            error_code=code,
            error=None,
            rule_ids=rule_ids,
            channel=channel,
        )
        uow.commit()


def _finish(
    uow_factory: Callable[[], UnitOfWork],
    ctx: _Context,
    tally: _Tally,
    work: OutboxWork,
    state: str,
    now: datetime,
    *,
    count: bool = True,
    rule_ids: list[str] | None = None,
    **fields: object,
) -> None:
    if count:
        if state == "sent":
            tally.sent += 1
        elif state == "dropped":
            tally.dropped += 1
        else:
            tally.failed += 1
    with uow_factory() as uow:
        uow.comms(ctx.platform).record(
            work.message_id, state=state, at=now, rule_ids=rule_ids or [], **fields
        )
        if state in ("failed", "dropped"):
            uow.audit(ctx.platform).append(
                MESSAGE_HELD,
                {
                    "message_id": work.message_id,
                    "account_id": work.account_id,
                    "state": state,
                    "reason": fields.get("error_code"),
                    "rule_ids": rule_ids or [],
                },
                at=now,
            )
        uow.commit()


def _sent(
    uow_factory: Callable[[], UnitOfWork],
    ctx: _Context,
    tally: _Tally,
    work: OutboxWork,
    now: datetime,
    channel: str,
    ref: str,
    content_hash: str,
    version: str,
    to: str,
    language: str,
) -> None:
    tally.sent += 1
    tally.by_channel[channel] = tally.by_channel.get(channel, 0) + 1
    with uow_factory() as uow:
        comms = uow.comms(ctx.platform)
        key = comms.recipient_key(to)
        comms.record(
            work.message_id,
            state="sent",
            at=now,
            channel=channel,
            provider_ref=ref,
            content_sha256=content_hash,
            template_version=version,
            recipient_key=key,
            language=language,
            sent_at=now,
            error_code=None,
            error=None,
            rule_ids=[],
        )
        attempt = Attempt(
            work.borrower_id, work.account_id, Channel(channel), ActorRole.CREDITOR, now, number=to
        )
        uow.contacts(ctx.platform).add(
            ContactEvent(message_key(ctx.platform, work.message_id), attempt, Outcome.PLANNED, now)
        )
        uow.audit(ctx.platform).append(
            MESSAGE_SENT,
            {
                "message_id": work.message_id,
                "account_id": work.account_id,
                "borrower_id": work.borrower_id,
                "channel": channel,
                "template": work.template,
                "template_version": version,
                "content_sha256": content_hash,
                "recipient_key": key,
                "language": language,
                "provider_ref": ref,
            },
            at=now,
        )
        uow.commit()
