"""The stored contact ledger: what is written reads back into the gate's in-memory index."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tideover.adapters.repositories.contacts import ContactEvent, ContactResult
from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Outcome,
    Target,
)
from tideover.compliance.gate import check
from tideover.compliance.ledger import CHANNEL_BIT, CountKind, InMemoryLedger
from tideover.compliance.loader import load_pack
from tideover.domain.errors import Conflict, NotFound, ValidationError
from tideover.services.compliance.checks import ledger_horizon

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
NEW_YORK = "America/New_York"
T0 = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York
PHONE = "+1 212 555 0123"
CALLS = CHANNEL_BIT[Channel.CALL]
EVERY_CHANNEL = sum(CHANNEL_BIT.values())


def contact(
    minutes: int,
    *,
    borrower: str = "b1",
    debt: str = "d1",
    number: str | None = PHONE,
    channel: Channel = Channel.CALL,
    target: Target = Target.DEBTOR,
    recipient: str | None = None,
) -> Attempt:
    return Attempt(
        borrower,
        debt,
        channel,
        ActorRole.AGENCY,
        T0 + timedelta(minutes=minutes),
        target=target,
        recipient_id=recipient,
        number=number,
    )


@pytest.fixture
def platforms(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as uow:
        for code in ("alpha", "beta"):
            uow.platforms.ensure(code, name=code.title(), currency="USD", settings={})
        uow.commit()
    return uow_factory


# A mix of what the gate distinguishes: outcome kinds, debts, numbers, channels,
# inbound calls, late outcomes, contact persons, and another borrower.
HISTORY = [
    ("e1", contact(0), Outcome.NO_ANSWER, False, None),
    ("e2", contact(60), Outcome.VOICEMAIL, False, None),
    ("e3", contact(24 * 60, debt="d2"), Outcome.CONNECTED, False, None),
    ("e4", contact(25 * 60, number="+12125550199"), Outcome.CONVERSATION, False, None),
    ("e5", contact(26 * 60, channel=Channel.SMS, number=None), Outcome.DELIVERED, False, None),
    ("e6", contact(27 * 60), Outcome.CONVERSATION, True, ContactResult.PROMISE_TO_PAY),
    ("e7", contact(2 * 24 * 60), Outcome.PLANNED, False, None),
    (
        "e8",
        contact(2 * 24 * 60 + 5, target=Target.CONTACT_PERSON, recipient="mum"),
        Outcome.CONNECTED,
        False,
        None,
    ),
    ("e9", contact(30, borrower="b2"), Outcome.CONNECTED, False, None),
    ("e10", contact(-30), Outcome.CONVERSATION, False, ContactResult.DISPUTE_RAISED),
]


def events() -> list[ContactEvent]:
    return [
        ContactEvent(eid, attempt, outcome, attempt.planned_at, inbound, result)
        for eid, attempt, outcome, inbound, result in HISTORY
    ]


def test_stored_contacts_answer_the_gate_like_the_in_memory_ledger(platforms: UowFactory) -> None:
    direct = InMemoryLedger()
    for event in events():
        direct.record(event.attempt, event.outcome, inbound=event.inbound)
    with platforms() as uow:
        assert uow.contacts("alpha").add_many(events()) == len(HISTORY)
        uow.commit()
    with platforms() as uow:
        repo = uow.contacts("alpha")
        stored = repo.load_ledger(since=T0 - timedelta(days=30))
        phone = repo.keyed(contact(0)).number
        other = repo.keyed(contact(0, number="+12125550199")).number
    assert phone is not None
    assert phone != PHONE
    assert len(stored) == len(direct) == 9  # the contact person is counted apart
    start, end = (
        int((T0 - timedelta(hours=1)).timestamp()),
        int((T0 + timedelta(days=3)).timestamp()),
    )
    for kind in CountKind:
        for channels in (CALLS, EVERY_CHANNEL):
            for debt in (None, "d1", "d2", "never"):
                expected = direct.count(
                    "b1", start, end, channels=channels, kind=kind, debt_id=debt
                )
                got = stored.count("b1", start, end, channels=channels, kind=kind, debt_id=debt)
                assert got == expected, (kind, channels, debt)
        for raw, keyed in ((PHONE, phone), ("+12125550199", other)):
            expected = direct.count("b1", start, end, channels=CALLS, kind=kind, number=raw)
            assert (
                stored.count("b1", start, end, channels=CALLS, kind=kind, number=keyed) == expected
            )
    assert stored.count("b1", start, end, channels=CALLS, kind=CountKind.ATTEMPTS) == 6
    for inbound in (True, False):
        expected_last = direct.last_conversation(
            "b1", start, end, debt_id=None, include_inbound=inbound
        )
        assert (
            stored.last_conversation("b1", start, end, debt_id=None, include_inbound=inbound)
            == expected_last
        )
    assert stored.recipient_contacts("b1", "mum") == direct.recipient_contacts("b1", "mum") == 1


def test_load_ledger_filters_by_time_and_borrower(platforms: UowFactory) -> None:
    with platforms() as uow:
        uow.contacts("alpha").add_many(events())
        uow.commit()
    whole = int((T0 - timedelta(days=1)).timestamp()), int((T0 + timedelta(days=9)).timestamp())
    with platforms() as uow:
        repo = uow.contacts("alpha")
        later = repo.load_ledger(since=T0 + timedelta(days=1))
        only_b2 = repo.load_ledger(since=T0 - timedelta(days=1), borrower_ids=["b2"])
        history = repo.for_borrower("b1", since=T0)
    # e3, e4 and e7 (e6 is inbound, e5 a text, e8 to a contact person)
    assert later.count("b1", *whole, channels=CALLS, kind=CountKind.ATTEMPTS) == 3
    assert only_b2.count("b2", *whole, channels=CALLS, kind=CountKind.ATTEMPTS) == 1
    assert only_b2.count("b1", *whole, channels=CALLS, kind=CountKind.ATTEMPTS) == 0
    assert [e.attempt_id for e in history] == ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8"]
    promise = next(e for e in history if e.attempt_id == "e6")
    assert promise.result is ContactResult.PROMISE_TO_PAY
    assert promise.inbound


def test_a_late_outcome_replaces_planned(platforms: UowFactory) -> None:
    planned = contact(0)
    with platforms() as uow:
        uow.contacts("alpha").add(ContactEvent("p1", planned, Outcome.PLANNED, planned.planned_at))
        uow.commit()
    window = int(T0.timestamp()), int((T0 + timedelta(hours=1)).timestamp())

    def counts() -> tuple[int, int]:
        with platforms() as uow:
            ledger = uow.contacts("alpha").load_ledger(since=T0 - timedelta(days=1))
        return (
            ledger.count("b1", *window, channels=CALLS, kind=CountKind.CONNECTED),
            ledger.count("b1", *window, channels=CALLS, kind=CountKind.UNANSWERED),
        )

    assert counts() == (1, 1)  # unknown yet: counts as both
    with platforms() as uow:
        event = uow.contacts("alpha").set_outcome("p1", Outcome.NO_ANSWER)
        uow.commit()
    assert event.outcome is Outcome.NO_ANSWER
    assert counts() == (0, 1)
    with platforms() as uow, pytest.raises(NotFound):
        uow.contacts("alpha").set_outcome("nope", Outcome.CONNECTED)


def test_a_result_needs_someone_spoken_to() -> None:
    with pytest.raises(ValidationError) as raised:
        ContactEvent("x", contact(0), Outcome.NO_ANSWER, T0, result=ContactResult.REFUSAL)
    assert "no_answer" in raised.value.en
    assert "no_answer" in raised.value.zh
    with pytest.raises(ValidationError):
        ContactEvent("x", contact(0), Outcome.CONNECTED, T0.replace(tzinfo=None))


def test_contacts_are_scoped_to_their_platform(platforms: UowFactory) -> None:
    with platforms() as uow:
        uow.contacts("alpha").add_many(events())
        uow.contacts("beta").add(ContactEvent("e1", contact(0), Outcome.CONNECTED, T0))
        uow.commit()
    with platforms() as uow:
        alpha, beta = uow.contacts("alpha"), uow.contacts("beta")
        assert alpha.count() == len(HISTORY)
        assert beta.count() == 1
        event = beta.get("e1")
        assert event is not None
        assert event.outcome is Outcome.CONNECTED
        with pytest.raises(Conflict):
            alpha.add(ContactEvent("e1", contact(0), Outcome.CONNECTED, T0))
    with platforms() as uow, pytest.raises(NotFound):
        uow.contacts("gamma")


def test_phone_numbers_are_stored_only_as_keyed_hashes(platforms: UowFactory) -> None:
    with platforms() as uow:
        uow.contacts("alpha").add_many(events())
        uow.commit()
        stored = {
            row[0] for row in uow.session.execute(text("SELECT number_hash FROM contact_events"))
        }
    assert stored
    assert not any(h and "2125550123" in h for h in stored)
    assert all(h is None or len(h) == 64 for h in stored)


def test_many_contacts_round_trip(platforms: UowFactory) -> None:
    """Enough rows to take PostgreSQL's COPY path."""
    many = [
        ContactEvent(
            f"m{i}", contact(i, borrower=f"b{i % 50}"), Outcome.NO_ANSWER, contact(i).planned_at
        )
        for i in range(1500)
    ]
    with platforms() as uow:
        uow.contacts("alpha").add_many(many)
        uow.commit()
    with platforms() as uow:
        ledger = uow.contacts("alpha").load_ledger(since=T0)
    assert len(ledger) == 1500
    day = int(T0.timestamp()), int((T0 + timedelta(days=2)).timestamp())
    assert ledger.count("b7", *day, channels=CALLS, kind=CountKind.UNANSWERED) == 30


def test_the_gate_denies_the_eighth_call_in_seven_days_from_stored_contacts(
    platforms: UowFactory,
) -> None:
    # 12 CFR 1006.14(b)(2): at most 7 call attempts per debt within 7 consecutive days.
    pack = load_pack("US")
    calls = [contact(day * 24 * 60) for day in range(7)]
    with platforms() as uow:
        uow.contacts("alpha").add_many(
            [ContactEvent(f"c{i}", c, Outcome.NO_ANSWER, c.planned_at) for i, c in enumerate(calls)]
        )
        uow.commit()
    eighth = contact(6 * 24 * 60 + 120)  # 7 June 12:00 New York: 7 calls on 1-7 June
    profile = ContactProfile("b1", (NEW_YORK,))
    with platforms() as uow:
        repo = uow.contacts("alpha")
        ledger = repo.load_ledger(since=eighth.planned_at - ledger_horizon(pack))
        decision = check(repo.keyed(eighth), ledger, profile, pack)
        other_debt = check(repo.keyed(contact(6 * 24 * 60 + 120, debt="d9")), ledger, profile, pack)
    assert not decision.allowed
    assert decision.rule_ids == ("US-7IN7-ATTEMPTS",)
    assert decision.earliest_allowed is not None
    local = decision.earliest_allowed.astimezone(ZoneInfo(NEW_YORK))
    assert (local.month, local.day, local.hour) == (6, 8, 8)  # the first call's day drops out
    assert other_debt.allowed
