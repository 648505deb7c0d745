"""The in-memory contact ledger: counting windows, filters and late arrivals."""

from __future__ import annotations

from array import array
from datetime import UTC, datetime, timedelta
from typing import Any

from tideover.compliance.contacts import ActorRole, Attempt, Channel, Outcome, Target
from tideover.compliance.ledger import CHANNEL_BIT, CountKind, InMemoryLedger, pack_event

T0 = datetime(2026, 6, 3, 0, 0, tzinfo=UTC)
CALLS = CHANNEL_BIT[Channel.CALL]


def a(minutes: int, **kw: Any) -> Attempt:
    fields: dict[str, Any] = {"channel": Channel.CALL, "debt_id": "d1", "number": "n1"}
    fields.update(kw)
    return Attempt(
        borrower_id="b1",
        actor=ActorRole.AGENCY,
        planned_at=T0 + timedelta(minutes=minutes),
        **fields,
    )


def stamp(minutes: int) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp())


def test_counts_respect_window_kind_debt_and_number() -> None:
    ledger = InMemoryLedger()
    ledger.record(a(10), Outcome.NO_ANSWER)
    ledger.record(a(20, debt_id="d2"), Outcome.CONNECTED)
    ledger.record(a(30, number="n2"), Outcome.VOICEMAIL)
    ledger.record(a(40, channel=Channel.SMS), Outcome.DELIVERED)
    ledger.record(a(50), Outcome.CONVERSATION, inbound=True)
    count = ledger.count
    assert count("b1", stamp(0), stamp(60), channels=CALLS, kind=CountKind.ATTEMPTS) == 3
    assert count("b1", stamp(15), stamp(60), channels=CALLS, kind=CountKind.ATTEMPTS) == 2
    assert count("b1", stamp(0), stamp(30), channels=CALLS, kind=CountKind.ATTEMPTS) == 2
    assert count("b1", stamp(0), stamp(60), channels=CALLS, kind=CountKind.UNANSWERED) == 2
    assert count("b1", stamp(0), stamp(60), channels=CALLS, kind=CountKind.CONNECTED) == 1
    assert (
        count("b1", stamp(0), stamp(60), channels=CALLS, kind=CountKind.ATTEMPTS, debt_id="d1") == 2
    )
    assert (
        count("b1", stamp(0), stamp(60), channels=CALLS, kind=CountKind.ATTEMPTS, number="n2") == 1
    )
    assert (
        count("b1", stamp(0), stamp(60), channels=CALLS, kind=CountKind.ATTEMPTS, number="never")
        == 0
    )
    everything = sum(CHANNEL_BIT.values())
    assert count("b1", stamp(0), stamp(60), channels=everything, kind=CountKind.ATTEMPTS) == 4
    assert count("nobody", 0, stamp(60), channels=everything, kind=CountKind.ATTEMPTS) == 0


def test_last_conversation_includes_inbound_only_when_asked() -> None:
    ledger = InMemoryLedger()
    ledger.record(a(10), Outcome.CONVERSATION)
    ledger.record(a(50), Outcome.CONVERSATION, inbound=True)
    last = ledger.last_conversation
    assert last("b1", 0, stamp(60), debt_id="d1", include_inbound=True) == stamp(50)
    assert last("b1", 0, stamp(60), debt_id="d1", include_inbound=False) == stamp(10)
    assert last("b1", 0, stamp(40), debt_id=None, include_inbound=True) == stamp(10)
    assert last("b1", stamp(20), stamp(40), debt_id=None, include_inbound=True) is None
    assert last("b1", 0, stamp(60), debt_id="d9", include_inbound=True) is None


def test_late_outcomes_are_kept_in_time_order() -> None:
    ledger = InMemoryLedger()
    ledger.record(a(30), Outcome.NO_ANSWER)
    ledger.record(a(10), Outcome.NO_ANSWER)
    assert ledger.count("b1", stamp(0), stamp(20), channels=CALLS, kind=CountKind.ATTEMPTS) == 1
    assert len(ledger) == 2


def test_third_party_contacts_are_counted_per_recipient_not_as_debtor_contacts() -> None:
    ledger = InMemoryLedger()
    ledger.record(a(10, target=Target.THIRD_PARTY, recipient_id="r1"), Outcome.CONVERSATION)
    assert ledger.recipient_contacts("b1", "r1") == 1
    assert ledger.recipient_contacts("b1", "r2") == 0
    assert ledger.count("b1", 0, stamp(60), channels=CALLS, kind=CountKind.ATTEMPTS) == 0


def test_bulk_loaded_events_count_like_recorded_ones() -> None:
    ledger = InMemoryLedger()
    events = array("q", [pack_event(stamp(m), 0, 2, False, 1, 1) for m in (40, 10, 25)])
    ledger.load_packed("b1", ["d1"], ["n1"], events)
    assert (
        ledger.count(
            "b1", stamp(0), stamp(30), channels=CALLS, kind=CountKind.ATTEMPTS, debt_id="d1"
        )
        == 2
    )
