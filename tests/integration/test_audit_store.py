"""The stored audit trail: append-only in the database, and tampering is caught and named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.audit import GENESIS, append
from tideover.domain.errors import NotFound, ValidationError
from tideover.services.compliance.checks import verify_audit_trail

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PAYLOADS: list[dict[str, Any]] = [
    {"decision": "allowed", "rule_ids": [], "borrower_id": "b1"},
    {"policy": "supportive", "version": 3, "approved_by": "张三", "ratio": 0.25},
    {"plan": {"installments": 6, "first_due": "2026-07-01"}, "note": "hardship — 困难"},
    {"message_sha256": "ab" * 32, "channel": "sms", "nested": {"z": 1, "a": [3, 2, 1]}},
    {"decision": "denied", "rule_ids": ["US-TIME"], "big": 2**53 + 1},
]
KINDS = ["gate_decision", "policy_approval", "plan_decision", "outbound_message", "gate_decision"]


@pytest.fixture
def trail(uow_factory: UowFactory) -> UowFactory:
    """Platforms alpha and beta; alpha's trail holds five records."""
    with uow_factory() as uow:
        for code in ("alpha", "beta"):
            uow.platforms.ensure(code, name=code.title(), currency="CNY", settings={})
        uow.commit()
    for i, (kind, payload) in enumerate(zip(KINDS, PAYLOADS, strict=True)):
        with uow_factory() as uow:
            uow.audit("alpha").append(kind, payload, at=T0 + timedelta(minutes=i))
            uow.commit()
    return uow_factory


def tamper(engine: Engine, *statements: str, **params: str) -> None:
    """Lift the append-only triggers (a deliberate step) and change records behind the app."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER tr_audit_records_no_update"))
            connection.execute(text("DROP TRIGGER tr_audit_records_no_delete"))
        for statement in statements:
            connection.execute(text(statement), params)


def problems(uow_factory: UowFactory, platform: str = "alpha") -> list[tuple[str, int | None]]:
    result = verify_audit_trail(uow=uow_factory(), platform=platform).to_json()
    assert result["ok"] is (not result["issues"])
    return [(i["problem"], i["seq"]) for i in result["issues"]]


def test_stored_records_read_back_exactly_as_hashed(trail: UowFactory) -> None:
    with trail() as uow:
        records = uow.audit("alpha").records()
        head = uow.audit("alpha").head()
    expected: list[Any] = []
    for i, (kind, payload) in enumerate(zip(KINDS, PAYLOADS, strict=True)):
        expected.append(
            append(
                expected, platform="alpha", kind=kind, at=T0 + timedelta(minutes=i), payload=payload
            )
        )
    assert records == expected
    assert records[0].prev_hash == GENESIS
    assert head is not None
    assert (head.seq, head.hash) == (5, records[-1].hash)
    assert problems(trail) == []


def test_each_platform_has_its_own_chain(trail: UowFactory) -> None:
    with trail() as uow:
        first = uow.audit("beta").append("gate_decision", {"x": 1}, at=T0)
        uow.commit()
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert problems(trail, "beta") == []
    with trail() as uow:
        assert uow.audit("alpha").count() == 5
        with pytest.raises(NotFound):
            uow.audit("gamma")


def test_the_database_refuses_to_change_or_remove_records(trail: UowFactory) -> None:
    for statement in (
        "UPDATE audit_records SET kind = 'x' WHERE seq = 2",
        "DELETE FROM audit_records WHERE seq = 5",
    ):
        with trail() as uow, pytest.raises(DBAPIError, match="append-only"):
            uow.session.execute(text(statement))
    assert problems(trail) == []


def test_an_edited_record_is_named(trail: UowFactory, engine: Engine) -> None:
    tamper(engine, 'UPDATE audit_records SET payload = \'{"decision":"denied"}\' WHERE seq = 3')
    assert problems(trail) == [("edited", 3)]


def test_an_edit_with_a_recomputed_hash_is_caught_by_the_next_record(
    trail: UowFactory, engine: Engine
) -> None:
    with trail() as uow:
        second = uow.audit("alpha").records()[1]
    forged = append(
        [second], platform="alpha", kind="plan_decision", at=T0, payload={"forged": True}
    )
    tamper(
        engine,
        "UPDATE audit_records SET payload = :payload, at = :at, hash = :hash WHERE seq = 3",
        payload='{"forged":true}',
        at=forged.at,
        hash=forged.hash,
    )
    assert problems(trail) == [("relinked", 3)]


def test_a_deleted_record_is_named(trail: UowFactory, engine: Engine) -> None:
    tamper(engine, "DELETE FROM audit_records WHERE seq = 2")
    assert problems(trail) == [("deleted", 2)]


def test_records_cut_off_the_end_are_caught_by_the_head(trail: UowFactory, engine: Engine) -> None:
    tamper(engine, "DELETE FROM audit_records WHERE seq >= 4")
    assert problems(trail) == [("truncated", 4)]
    # The next record continues from the head, so the gap stays visible.
    with trail() as uow:
        record = uow.audit("alpha").append("gate_decision", {"after": "cut"}, at=T0)
        uow.commit()
    assert record.seq == 6
    assert ("deleted", 4) in problems(trail)


def test_reordered_records_are_named(trail: UowFactory, engine: Engine) -> None:
    tamper(
        engine,
        "UPDATE audit_records SET seq = 99 WHERE seq = 2",
        "UPDATE audit_records SET seq = 2 WHERE seq = 3",
        "UPDATE audit_records SET seq = 3 WHERE seq = 99",
    )
    found = problems(trail)
    assert ("reordered", 2) in found
    assert {("edited", 2), ("edited", 3)} <= set(found)


def test_an_expected_head_kept_elsewhere_catches_a_rewritten_tail(
    trail: UowFactory, engine: Engine
) -> None:
    with trail() as uow:
        kept = uow.audit("alpha").head()
    assert kept is not None
    # Delete the last record and move the stored head back: the chain alone looks whole.
    with trail() as uow:
        fourth = uow.audit("alpha").records()[3]
    tamper(
        engine,
        "DELETE FROM audit_records WHERE seq = 5",
        f"UPDATE audit_heads SET seq = 4, hash = '{fourth.hash}'",
    )
    assert problems(trail) == []
    result = verify_audit_trail(uow=trail(), platform="alpha", expected_head=kept.hash).to_json()
    assert [i["problem"] for i in result["issues"]] == ["truncated"]


def test_a_missing_head_is_reported(trail: UowFactory, engine: Engine) -> None:
    tamper(engine, "DELETE FROM audit_heads")
    assert problems(trail) == [("head_missing", None)]


def test_kind_must_be_short(trail: UowFactory) -> None:
    with trail() as uow, pytest.raises(ValidationError):
        uow.audit("alpha").append("k" * 33, {}, at=T0)
