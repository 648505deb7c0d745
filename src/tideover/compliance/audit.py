"""Audit chain (pure part): append-only, hash-chained records and their verification.

Each record's hash is sha256 over the previous record's hash and the canonical
JSON (sorted keys, no spaces, UTF-8) of its own body, so editing, deleting or
reordering any record breaks the chain at that point.  Storage comes later and
keeps these records as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tideover.i18n import N_, Worded, Wording

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int  # 1, 2, 3 ... within one platform's chain
    platform: str
    kind: str  # gate_decision, policy_approval, plan_decision, outbound_message ...
    at: str  # ISO 8601 UTC instant
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "platform": self.platform,
            "kind": self.kind,
            "at": self.at,
            "payload": self.payload,
        }


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical_json(body)).hexdigest()


def append(
    chain: Sequence[AuditRecord],
    *,
    platform: str,
    kind: str,
    at: datetime,
    payload: Mapping[str, Any],
) -> AuditRecord:
    """The next record after ``chain``'s last (``chain`` is not modified)."""
    if at.utcoffset() is None:
        raise ValueError("audit instants must be time-zone aware")
    prev = chain[-1] if chain else None
    body = {
        "seq": prev.seq + 1 if prev else 1,
        "platform": platform,
        "kind": kind,
        "at": at.isoformat(),
        "payload": json.loads(canonical_json(payload)),  # stored as it will be hashed
    }
    prev_hash = prev.hash if prev else GENESIS
    return AuditRecord(
        body["seq"],
        platform,
        kind,
        body["at"],
        body["payload"],
        prev_hash,
        record_hash(prev_hash, body),
    )


class Problem(StrEnum):
    EDITED = "edited"  # content no longer matches its hash
    DELETED = "deleted"  # a sequence number is missing
    REORDERED = "reordered"  # a record is out of sequence
    RELINKED = "relinked"  # hash recomputed after an edit: the next record no longer links
    TRUNCATED = "truncated"  # the chain ends before the expected head


@dataclass(frozen=True, slots=True)
class ChainIssue(Worded):
    problem: Problem
    seq: int  # the sequence number concerned
    index: int  # position in the list given to verify
    wording: Wording


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    issues: tuple[ChainIssue, ...]


def verify(records: Sequence[AuditRecord], *, expected_head: str | None = None) -> Verification:
    """Say which record was edited, deleted or reordered.

    ``expected_head`` (the last hash, kept apart from the records) also
    catches records cut off the end, which no chain can see by itself.
    """
    issues = _order_issues(records) + _gap_issues(records) + _content_issues(records)
    last = max(records, key=lambda r: r.seq) if records else None
    if expected_head is not None and (last.hash if last else GENESIS) != expected_head:
        seq = last.seq if last else 0
        issues.append(
            ChainIssue(
                Problem.TRUNCATED,
                seq + 1,
                len(records),
                Wording(N_("the chain ends at record %(seq)s, not at the expected head"), seq=seq),
            )
        )
    return Verification(not issues, tuple(issues))


def _order_issues(records: Sequence[AuditRecord]) -> list[ChainIssue]:
    issues = []
    for index in range(1, len(records)):
        before, record = records[index - 1], records[index]
        if record.seq <= before.seq:
            issues.append(
                ChainIssue(
                    Problem.REORDERED,
                    record.seq,
                    index,
                    Wording(
                        N_("record %(seq)s comes after record %(before_seq)s"),
                        seq=record.seq,
                        before_seq=before.seq,
                    ),
                )
            )
    return issues


def _gap_issues(records: Sequence[AuditRecord]) -> list[ChainIssue]:
    present = {r.seq for r in records}
    issues = []
    for seq in range(1, max(present, default=0) + 1):
        if seq not in present:
            issues.append(
                ChainIssue(
                    Problem.DELETED,
                    seq,
                    -1,
                    Wording(N_("record %(seq)s is missing"), seq=seq),
                )
            )
    return issues


def _content_issues(records: Sequence[AuditRecord]) -> list[ChainIssue]:
    issues = []
    position = {id(r): i for i, r in enumerate(records)}
    previous: AuditRecord | None = None
    for record in sorted(records, key=lambda r: r.seq):
        index = position[id(record)]
        if record_hash(record.prev_hash, record.body()) != record.hash:
            issues.append(
                ChainIssue(
                    Problem.EDITED,
                    record.seq,
                    index,
                    Wording(
                        N_("record %(seq)s was edited: its content does not match its hash"),
                        seq=record.seq,
                    ),
                )
            )
        elif (record.seq == 1 and record.prev_hash != GENESIS) or (
            previous is not None
            and previous.seq == record.seq - 1
            and record.prev_hash != previous.hash
        ):
            issues.append(
                ChainIssue(
                    Problem.RELINKED,
                    record.seq - 1,
                    index,
                    Wording(
                        N_(
                            "record %(seq)s was altered and re-hashed: record %(record_seq)s no "
                            "longer links to it"
                        ),
                        seq=record.seq - 1,
                        record_seq=record.seq,
                    ),
                )
            )
        previous = record
    return issues
