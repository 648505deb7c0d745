"""Message templates, the outbox's sending record and channel consents of one platform."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from tideover.adapters.orm import (
    ChannelConsentRow,
    MessageTemplateRow,
    OutboxMessageRow,
    OutboxSendRow,
)
from tideover.adapters.pii import PiiCipher
from tideover.adapters.repositories._base import PlatformScoped, bulk_insert, chunks
from tideover.domain.errors import NotFound
from tideover.i18n import N_

# What each sending state makes of the outbox message's own state (the cycle's view).
OUTBOX_STATE_OF = {
    "sending": "pending",
    "retry": "pending",
    "deferred": "pending",
    "sent": "sent",
    "delivered": "delivered",
    "failed": "failed",
    "dropped": "dropped",
}


# The sending record's fields every outcome carries (``record_many``).
RECORDED = (
    "channel",
    "attempts",
    "next_at",
    "lease_until",
    "provider_ref",
    "content_sha256",
    "template_version",
    "recipient_key",
    "language",
    "error_code",
    "error",
    "rule_ids",
    "sent_at",
)


@dataclass(frozen=True, slots=True)
class TemplateRecord:
    name: str
    version: int
    purpose: str
    channel: str
    status: str
    body: dict[str, str]
    subject: dict[str, str]
    sha256: str
    author: str
    approver: str | None
    note: str | None
    created_at: datetime
    decided_at: datetime | None
    activated_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutboxWork:
    """An outbox message with its sending record (``None`` before the first try)."""

    message_id: int
    as_of: date
    account_id: str
    borrower_id: str
    step: str
    channel: str
    template: str | None
    scheduled_at: datetime | None
    state: str  # the outbox message's
    send_state: str | None
    send_channel: str | None
    attempts: int
    next_at: datetime | None
    payload: dict[str, Any] = field(default_factory=dict)
    template_version: str | None = None
    content_sha256: str | None = None
    recipient_key: str | None = None
    error_code: str | None = None
    error: str | None = None
    sent_at: datetime | None = None
    receipt_at: datetime | None = None
    rule_ids: tuple[str, ...] = ()


_WORK_COLUMNS = (
    OutboxMessageRow.id,
    OutboxMessageRow.as_of,
    OutboxMessageRow.account_id,
    OutboxMessageRow.borrower_id,
    OutboxMessageRow.step,
    OutboxMessageRow.channel,
    OutboxMessageRow.template,
    OutboxMessageRow.scheduled_at,
    OutboxMessageRow.state,
    OutboxSendRow.state,
    OutboxSendRow.channel,
    OutboxSendRow.attempts,
    OutboxSendRow.next_at,
    OutboxSendRow.payload,
    OutboxSendRow.template_version,
    OutboxSendRow.content_sha256,
    OutboxSendRow.recipient_key,
    OutboxSendRow.error_code,
    OutboxSendRow.error,
    OutboxSendRow.sent_at,
    OutboxSendRow.receipt_at,
    OutboxSendRow.rule_ids,
)


def _work(row: Sequence[Any]) -> OutboxWork:
    return OutboxWork(
        message_id=row[0],
        as_of=row[1],
        account_id=row[2],
        borrower_id=row[3],
        step=row[4],
        channel=row[5],
        template=row[6],
        scheduled_at=row[7],
        state=row[8],
        send_state=row[9],
        send_channel=row[10],
        attempts=row[11] or 0,
        next_at=row[12],
        payload=dict(row[13] or {}),
        template_version=row[14],
        content_sha256=row[15],
        recipient_key=row[16],
        error_code=row[17],
        error=row[18],
        sent_at=row[19],
        receipt_at=row[20],
        rule_ids=tuple(row[21] or ()),
    )


class CommsRepository(PlatformScoped):
    """Templates, sending records and consents, always of one platform."""

    def __init__(self, session: Session, platform_code: str, cipher: PiiCipher) -> None:
        super().__init__(session, platform_code)
        self._cipher = cipher

    def recipient_key(self, address: str) -> str:
        """The keyed look-up hash of an address (a number, an e-mail): what is recorded."""
        return self._cipher.lookup_hash(address)

    # --- templates ----------------------------------------------------------------------------

    def add_template(self, record: TemplateRecord) -> None:
        self._session.add(
            MessageTemplateRow(
                platform_id=self._platform_id,
                name=record.name,
                version=record.version,
                purpose=record.purpose,
                channel=record.channel,
                status=record.status,
                body=dict(record.body),
                subject=dict(record.subject),
                sha256=record.sha256,
                author=record.author,
                approver=record.approver,
                note=record.note,
                created_at=record.created_at,
            )
        )
        self._session.flush()

    def template_versions(self, name: str, *, lock: bool = False) -> builtins.list[TemplateRecord]:
        query = (
            select(MessageTemplateRow)
            .where(MessageTemplateRow.platform_id == self._platform_id)
            .where(MessageTemplateRow.name == name)
            .order_by(MessageTemplateRow.version)
        )
        if lock:
            query = query.with_for_update()
        return [_template(r) for r in self._session.scalars(query)]

    def templates(self) -> builtins.list[TemplateRecord]:
        query = (
            select(MessageTemplateRow)
            .where(MessageTemplateRow.platform_id == self._platform_id)
            .order_by(MessageTemplateRow.name, MessageTemplateRow.version)
        )
        return [_template(r) for r in self._session.scalars(query)]

    def active_templates(self, names: Iterable[str]) -> dict[str, TemplateRecord]:
        found: dict[str, TemplateRecord] = {}
        for chunk in chunks(sorted(set(names))):
            query = select(MessageTemplateRow).where(
                MessageTemplateRow.platform_id == self._platform_id,
                MessageTemplateRow.name.in_(chunk),
                MessageTemplateRow.status == "active",
            )
            for row in self._session.scalars(query):
                found[row.name] = _template(row)
        return found

    def set_template_status(
        self,
        name: str,
        version: int,
        *,
        status: str,
        at: datetime,
        approver: str | None = None,
        note: str | None = None,
    ) -> None:
        row = self._session.scalar(
            select(MessageTemplateRow).where(
                MessageTemplateRow.platform_id == self._platform_id,
                MessageTemplateRow.name == name,
                MessageTemplateRow.version == version,
            )
        )
        if row is None:
            raise NotFound(
                N_("template %(name)s has no version %(version)s"), name=repr(name), version=version
            )
        row.status = status
        if status == "active":
            row.activated_at = at
        else:
            row.decided_at = at
        if approver is not None:
            row.approver = approver
        if note is not None:
            row.note = note
        self._session.flush()

    # --- consents -----------------------------------------------------------------------------

    def set_consent(
        self, borrower_id: str, channel: str, *, opted_out: bool, source: str, at: datetime
    ) -> None:
        row = self._session.scalar(
            select(ChannelConsentRow).where(
                ChannelConsentRow.platform_id == self._platform_id,
                ChannelConsentRow.borrower_id == borrower_id,
                ChannelConsentRow.channel == channel,
            )
        )
        if row is None:
            self._session.add(
                ChannelConsentRow(
                    platform_id=self._platform_id,
                    borrower_id=borrower_id,
                    channel=channel,
                    opted_out=opted_out,
                    source=source,
                    at=at,
                )
            )
        else:
            row.opted_out, row.source, row.at = opted_out, source, at
        self._session.flush()

    def opt_outs(self, borrower_ids: Iterable[str]) -> dict[str, frozenset[str]]:
        """The channels each borrower opted out of (borrowers without any left out)."""
        found: dict[str, set[str]] = {}
        for chunk in chunks(sorted(set(borrower_ids))):
            query = select(ChannelConsentRow.borrower_id, ChannelConsentRow.channel).where(
                ChannelConsentRow.platform_id == self._platform_id,
                ChannelConsentRow.borrower_id.in_(chunk),
                ChannelConsentRow.opted_out.is_(True),
            )
            for borrower_id, channel in self._session.execute(query):
                found.setdefault(borrower_id, set()).add(channel)
        return {k: frozenset(v) for k, v in found.items()}

    # --- the outbox ---------------------------------------------------------------------------

    def due(
        self, at: datetime, *, limit: int, channels: Sequence[str] | None = None
    ) -> builtins.list[OutboxWork]:
        """Messages to try now, oldest planned first: pending ones never tried whose time has
        come, ones to try again or deferred until now, and ones whose worker's lease ran out
        (a worker that died mid-send; the caller decides what became of them)."""
        m, s = OutboxMessageRow, OutboxSendRow
        query = (
            select(*_WORK_COLUMNS)
            .select_from(m)
            .outerjoin(s, s.message_id == m.id)
            .where(m.platform_id == self._platform_id, m.state == "pending")
            .where(
                or_(
                    and_(s.id.is_(None), or_(m.scheduled_at.is_(None), m.scheduled_at <= at)),
                    and_(s.state.in_(("retry", "deferred")), s.next_at <= at),
                    and_(s.state == "sending", s.lease_until < at),
                )
            )
            .order_by(m.scheduled_at, m.id)
            .limit(limit)
        )
        if channels:
            query = query.where(func.coalesce(s.channel, m.channel).in_(channels))
        return [_work(r) for r in self._session.execute(query)]

    def work(self, message_id: int) -> OutboxWork | None:
        m, s = OutboxMessageRow, OutboxSendRow
        query = (
            select(*_WORK_COLUMNS)
            .select_from(m)
            .outerjoin(s, s.message_id == m.id)
            .where(m.platform_id == self._platform_id, m.id == message_id)
        )
        row = self._session.execute(query).first()
        return None if row is None else _work(row)

    def claim(self, work: OutboxWork, *, worker: str, at: datetime, lease_until: datetime) -> bool:
        """Takes ``work`` for ``worker`` if nobody took it since it was read (one conditional
        write: of two workers, exactly one wins)."""
        s = OutboxSendRow
        if work.send_state is None:
            taken = self._session.execute(
                select(s.id).where(s.message_id == work.message_id)
            ).first()
            if taken is not None:
                return False
            self._session.add(
                OutboxSendRow(
                    platform_id=self._platform_id,
                    message_id=work.message_id,
                    state="sending",
                    channel=work.channel,
                    attempts=0,
                    lease_until=lease_until,
                    worker=worker,
                    payload={},
                    rule_ids=[],
                    updated_at=at,
                )
            )
            self._session.flush()
            return True
        result = self._session.execute(
            update(s)
            .where(s.message_id == work.message_id, s.platform_id == self._platform_id)
            .where(s.state == work.send_state, s.attempts == work.attempts)
            .values(state="sending", worker=worker, lease_until=lease_until, updated_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    def record(self, message_id: int, *, state: str, at: datetime, **fields: Any) -> None:
        """Stores what came of a try; the outbox message's state follows (``OUTBOX_STATE_OF``)."""
        s = OutboxSendRow
        values = {"state": state, "updated_at": at, **fields}
        if state != "sending":
            values.setdefault("lease_until", None)
        self._session.execute(
            update(s)
            .where(s.message_id == message_id, s.platform_id == self._platform_id)
            .values(**values)
        )
        self._session.execute(
            update(OutboxMessageRow)
            .where(
                OutboxMessageRow.id == message_id,
                OutboxMessageRow.platform_id == self._platform_id,
            )
            .values(state=OUTBOX_STATE_OF[state])
        )

    def record_many(self, outcomes: Sequence[Mapping[str, Any]], *, at: datetime) -> None:
        """``record`` for many messages in two statements: each outcome names its
        ``message_id``, ``state`` and every field of :data:`RECORDED` (the worker fills
        them all, so one statement shape serves every row)."""
        if not outcomes:
            return
        # Core tables (not the ORM classes): an UPDATE with a list of rows is then one
        # executemany by ``message_id``, not the ORM's bulk update by primary key.
        s = cast(Table, OutboxSendRow.__table__)
        m = cast(Table, OutboxMessageRow.__table__)
        rows = [
            {
                "b_message_id": o["message_id"],
                "b_updated_at": at,
                **{f"b_{k}": o[k] for k in ("state", *RECORDED)},
            }
            for o in outcomes
        ]
        self._session.execute(
            update(s)
            .where(s.c.message_id == bindparam("b_message_id"))
            .where(s.c.platform_id == self._platform_id)
            .values({k: bindparam(f"b_{k}") for k in ("state", "updated_at", *RECORDED)}),
            rows,
        )
        self._session.execute(
            update(m)
            .where(m.c.id == bindparam("b_id"))
            .where(m.c.platform_id == self._platform_id)
            .values(state=bindparam("b_state")),
            [{"b_id": o["message_id"], "b_state": OUTBOX_STATE_OF[o["state"]]} for o in outcomes],
        )

    def add_messages(
        self, as_of: date, rows: Sequence[Mapping[str, Any]], payloads: Sequence[Mapping[str, Any]]
    ) -> int:
        """Writes messages planned outside the daily cycle (notices, statements) with their own
        values; a message already planned (same account, date and step) is kept as it is."""
        m = OutboxMessageRow
        keys = [(r["account_id"], r["step"]) for r in rows]
        existing: set[tuple[str, str]] = set()
        for chunk in chunks(keys):
            query = select(m.account_id, m.step).where(
                m.platform_id == self._platform_id,
                m.as_of == as_of,
                m.step.in_([k[1] for k in chunk]),
            )
            existing |= {(a, st) for a, st in self._session.execute(query)}
        fresh = [
            ({**row, "platform_id": self._platform_id, "as_of": as_of}, payload)
            for row, payload in zip(rows, payloads, strict=True)
            if (row["account_id"], row["step"]) not in existing
        ]
        bulk_insert(self._session, m, [f[0] for f in fresh])
        self._session.flush()
        ids: dict[tuple[str, str], int] = {}
        for written in chunks([f[0] for f in fresh]):
            found = select(m.id, m.account_id, m.step).where(
                m.platform_id == self._platform_id,
                m.as_of == as_of,
                m.step.in_(sorted({r["step"] for r in written})),
                m.account_id.in_(sorted({r["account_id"] for r in written})),
            )
            ids |= {(a, st): i for i, a, st in self._session.execute(found)}
        sends = [
            {
                "platform_id": self._platform_id,
                "message_id": ids[(row["account_id"], row["step"])],
                "state": "deferred",
                "channel": row["channel"],
                "attempts": 0,
                "next_at": row["scheduled_at"],
                "payload": dict(payload),
                "rule_ids": [],
            }
            for row, payload in fresh
        ]
        bulk_insert(self._session, OutboxSendRow, sends)
        return len(fresh)

    def page(
        self,
        *,
        first: date | None = None,
        last: date | None = None,
        states: Sequence[str] = (),
        channels: Sequence[str] = (),
        account_id: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[builtins.list[OutboxWork], int]:
        """Outbox messages by filter, newest date first, and how many match."""
        m, s = OutboxMessageRow, OutboxSendRow
        where: builtins.list[Any] = [m.platform_id == self._platform_id]
        if first is not None:
            where.append(m.as_of >= first)
        if last is not None:
            where.append(m.as_of <= last)
        if states:
            where.append(m.state.in_(states))
        if channels:
            where.append(func.coalesce(s.channel, m.channel).in_(channels))
        if account_id is not None:
            where.append(m.account_id == account_id)
        base = select(*_WORK_COLUMNS).select_from(m).outerjoin(s, s.message_id == m.id)
        total = self._session.scalar(
            select(func.count()).select_from(m).outerjoin(s, s.message_id == m.id).where(*where)
        )
        rows = self._session.execute(
            base.where(*where).order_by(m.as_of.desc(), m.id).offset(offset).limit(limit)
        )
        return [_work(r) for r in rows], int(total or 0)


def _template(row: MessageTemplateRow) -> TemplateRecord:
    return TemplateRecord(
        name=row.name,
        version=row.version,
        purpose=row.purpose,
        channel=row.channel,
        status=row.status,
        body=dict(row.body),
        subject=dict(row.subject),
        sha256=row.sha256,
        author=row.author,
        approver=row.approver,
        note=row.note,
        created_at=row.created_at,
        decided_at=row.decided_at,
        activated_at=row.activated_at,
    )
