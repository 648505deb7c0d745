"""Audit chain: hash-linked records; verify says which record was edited, deleted or moved."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tideover.compliance.audit import (
    AuditRecord,
    Problem,
    append,
    record_hash,
    verify,
)

START = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)


def chain(n: int = 5) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    for i in range(n):
        records.append(
            append(
                records,
                platform="p1",
                kind="gate_decision",
                at=START + timedelta(minutes=i),
                payload={"attempt": f"a{i}", "allowed": i % 2 == 0, "rules": ["CN-HOURS"]},
            )
        )
    return records


def problems(records: list[AuditRecord], **kw: str) -> list[tuple[Problem, int]]:
    return [(issue.problem, issue.seq) for issue in verify(records, **kw).issues]


def test_an_untouched_chain_verifies() -> None:
    records = chain()
    assert verify(records).ok
    assert verify(records, expected_head=records[-1].hash).ok
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[1].prev_hash == records[0].hash


def test_an_edited_payload_is_named() -> None:
    records = chain()
    records[2] = dataclasses.replace(records[2], payload={**records[2].payload, "allowed": False})
    assert problems(records) == [(Problem.EDITED, 3)]
    issue = verify(records).issues[0]
    assert "record 3 was edited" in issue.en
    assert "第 3 条记录被修改" in issue.zh


def test_an_edit_with_a_recomputed_hash_is_caught_by_the_next_link() -> None:
    records = chain()
    forged = dataclasses.replace(records[2], payload={"attempt": "a2", "allowed": True})
    forged = dataclasses.replace(forged, hash=record_hash(forged.prev_hash, forged.body()))
    records[2] = forged
    assert problems(records) == [(Problem.RELINKED, 3)]


def test_a_deleted_record_is_named() -> None:
    records = chain()
    del records[1]
    assert (Problem.DELETED, 2) in problems(records)


def test_reordered_records_are_named() -> None:
    records = chain()
    records[1], records[2] = records[2], records[1]
    assert problems(records) == [(Problem.REORDERED, 2)]


def test_a_cut_off_tail_needs_the_expected_head() -> None:
    records = chain()
    head = records[-1].hash
    assert verify(records[:-2]).ok  # no chain can see its own missing tail
    assert problems(records[:-2], expected_head=head) == [(Problem.TRUNCATED, 4)]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        append([], platform="p1", kind="x", at=datetime(2026, 1, 1), payload={})  # noqa: DTZ001


@given(index=st.integers(0, 5), value=st.text(min_size=1, max_size=8))
def test_any_single_edit_is_detected_at_its_record(index: int, value: str) -> None:
    records = chain(6)
    edited = dataclasses.replace(records[index], payload={**records[index].payload, "x": value})
    records[index] = edited
    assert problems(records) == [(Problem.EDITED, index + 1)]
