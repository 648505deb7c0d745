"""The audit trail of one platform: hash-chained records, appended and never changed.

Records are built by the pure :func:`tideover.compliance.audit.append` and
stored as hashed (the payload as its canonical JSON text, the instant as its
ISO text), so reading them back reproduces the hash exactly on SQLite and
PostgreSQL alike.  This repository only inserts records; the database refuses
UPDATE and DELETE on them.  The chain head (last sequence number and hash)
lives in its own table: it continues the chain even when the newest records
were removed, and locking it serialises concurrent appends.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tideover.adapters.orm import AuditHeadRow, AuditRecordRow
from tideover.adapters.repositories._base import PlatformScoped
from tideover.compliance.audit import AuditRecord, append, canonical_json
from tideover.domain.errors import Conflict, ValidationError
from tideover.i18n import N_


@dataclass(frozen=True, slots=True)
class AuditHead:
    seq: int
    hash: str


class AuditRepository(PlatformScoped):
    """Append-only audit records of one platform."""

    def append(self, kind: str, payload: Mapping[str, Any], *, at: datetime) -> AuditRecord:
        """Chains a new record after the head and stores it (in the caller's transaction)."""
        if not kind or len(kind) > 32:
            raise ValidationError(
                N_("audit record kind %(kind)s must be 1 to 32 characters"),
                kind=repr(kind),
            )
        head = self._locked_head()
        # Continue from the stored head, not from the newest surviving record, so
        # that records removed from the end stay visible as a gap.
        anchor = [] if head is None else [AuditRecord(head.seq, "", "", "", {}, "", head.hash)]
        record = append(anchor, platform=self.platform_code, kind=kind, at=at, payload=payload)
        try:
            self._session.execute(
                insert(AuditRecordRow).values(
                    platform_id=self._platform_id,
                    seq=record.seq,
                    kind=record.kind,
                    at=record.at,
                    payload=canonical_json(record.payload).decode(),
                    prev_hash=record.prev_hash,
                    hash=record.hash,
                )
            )
            self._move_head(head, record)
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_(
                    "audit trail of platform %(platform_code)s: record %(seq)s was written "
                    "concurrently; retry"
                ),
                platform_code=repr(self.platform_code),
                seq=record.seq,
            ) from exc
        return record

    def append_many(
        self, entries: Sequence[tuple[str, Mapping[str, Any]]], *, at: datetime
    ) -> builtins.list[AuditRecord]:
        """``append`` for many records at once: the head is locked and moved once and the
        records are written in one statement (the outbox worker's batches)."""
        if not entries:
            return []
        for kind, _ in entries:
            if not kind or len(kind) > 32:
                raise ValidationError(
                    N_("audit record kind %(kind)s must be 1 to 32 characters"),
                    kind=repr(kind),
                )
        head = self._locked_head()
        chain = [] if head is None else [AuditRecord(head.seq, "", "", "", {}, "", head.hash)]
        written: builtins.list[AuditRecord] = []
        for kind, payload in entries:
            record = append(chain, platform=self.platform_code, kind=kind, at=at, payload=payload)
            chain = [record]
            written.append(record)
        try:
            self._session.execute(
                insert(AuditRecordRow),
                [
                    {
                        "platform_id": self._platform_id,
                        "seq": r.seq,
                        "kind": r.kind,
                        "at": r.at,
                        "payload": canonical_json(r.payload).decode(),
                        "prev_hash": r.prev_hash,
                        "hash": r.hash,
                    }
                    for r in written
                ],
            )
            self._move_head(head, written[-1])
            self._session.flush()
        except IntegrityError as exc:
            raise Conflict(
                N_(
                    "audit trail of platform %(platform_code)s: records from %(seq)s were "
                    "written concurrently; retry"
                ),
                platform_code=repr(self.platform_code),
                seq=written[0].seq,
            ) from exc
        return written

    def records(self) -> builtins.list[AuditRecord]:
        """Every record in storage order (the order they were written in)."""
        query = (
            select(
                AuditRecordRow.seq,
                AuditRecordRow.kind,
                AuditRecordRow.at,
                AuditRecordRow.payload,
                AuditRecordRow.prev_hash,
                AuditRecordRow.hash,
            )
            .where(AuditRecordRow.platform_id == self._platform_id)
            .order_by(AuditRecordRow.id)
        )
        return [
            AuditRecord(seq, self.platform_code, kind, at, json.loads(payload), prev, digest)
            for seq, kind, at, payload, prev, digest in self._session.execute(query)
        ]

    def head(self) -> AuditHead | None:
        query = select(AuditHeadRow.seq, AuditHeadRow.hash).where(
            AuditHeadRow.platform_id == self._platform_id
        )
        row = self._session.execute(query).first()
        return None if row is None else AuditHead(row.seq, row.hash)

    def count(self) -> int:
        return self._count(AuditRecordRow)

    def _locked_head(self) -> AuditHead | None:
        query = select(AuditHeadRow.seq, AuditHeadRow.hash).where(
            AuditHeadRow.platform_id == self._platform_id
        )
        # FOR UPDATE on PostgreSQL; SQLite ignores it and serialises writers itself.
        row = self._session.execute(query.with_for_update()).first()
        return None if row is None else AuditHead(row.seq, row.hash)

    def _move_head(self, head: AuditHead | None, record: AuditRecord) -> None:
        if head is None:
            self._session.execute(
                insert(AuditHeadRow).values(
                    platform_id=self._platform_id, seq=record.seq, hash=record.hash
                )
            )
            return
        self._session.execute(
            update(AuditHeadRow)
            .where(AuditHeadRow.platform_id == self._platform_id, AuditHeadRow.seq == head.seq)
            .values(seq=record.seq, hash=record.hash)
        )
