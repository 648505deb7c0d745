"""The call gate kept in process: what it reads at once, how long it keeps it, what forgets it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.web.conftest import CLOCK, sign_in
from tests.web.isolation_queue import Seeded, seed
from tideover.bootstrap import App
from tideover.compliance.contacts import HoldKind
from tideover.domain.errors import NotFound
from tideover.services.compliance.holds import add_hold
from tideover.services.queues.call_gate import STALE_LIMIT, CallGate
from tideover.services.unit_of_work import UnitOfWork


@pytest.fixture
def seeded(core: App) -> Seeded:
    return seed(core)


def _dispute(core: App, borrower: str) -> None:
    add_hold(
        uow=core.uow(),
        platform="acme",
        borrower_id=borrower,
        kind=HoldKind.DISPUTE,
        reason="disputed in writing",
        by="cco",
        start=datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_a_kept_answer_lasts_its_ttl_and_forget_drops_it(core: App, seeded: Seeded) -> None:
    gate = CallGate(ttl=3600)
    ask = {"uow": core.uow(), "platform": "acme", "item_id": seeded.item, "at": CLOCK.now()}
    assert gate.verdict(collector="agent", **ask).allowed  # type: ignore[arg-type]
    _dispute(core, "B1")  # recorded elsewhere: this gate does not know yet
    assert gate.verdict(collector="agent", **ask).allowed  # type: ignore[arg-type]
    assert not CallGate(ttl=0).verdict(collector="agent", **ask).allowed  # type: ignore[arg-type]
    gate.forget("acme", "B1")
    denied = gate.verdict(collector="agent", **ask)  # type: ignore[arg-type]
    assert not denied.allowed
    assert denied.earliest_allowed is None


def test_the_scope_is_checked_on_a_kept_answer_too(core: App, seeded: Seeded) -> None:
    gate = CallGate(ttl=3600)
    ask = {"uow": core.uow(), "platform": "acme", "item_id": seeded.other_item, "at": CLOCK.now()}
    assert gate.verdict(collector=None, **ask).allowed  # type: ignore[arg-type]  # a team lead
    with pytest.raises(NotFound):
        gate.verdict(collector="agent", **ask)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        gate.verdict(  # type: ignore[arg-type]
            collector=None, **{**ask, "platform": "beta"}
        )


def test_the_kept_answer_never_reads_and_agrees_with_the_full_one(
    core: App, seeded: Seeded
) -> None:
    gate = CallGate(ttl=3600)
    ask = {"platform": "acme", "item_id": seeded.item, "at": CLOCK.now()}
    assert gate.kept_verdict(collector="agent", **ask) is None  # type: ignore[arg-type]
    full = gate.verdict(uow=core.uow(), collector="agent", **ask)  # type: ignore[arg-type]
    kept = gate.kept_verdict(collector="agent", **ask)  # type: ignore[arg-type]
    assert kept == full
    with pytest.raises(NotFound):  # the scope holds on the kept answer too
        gate.kept_verdict(collector="someone else", **ask)  # type: ignore[arg-type]
    gate.forget("acme", "B1")
    assert gate.kept_verdict(collector="agent", **ask) is None  # type: ignore[arg-type]
    assert CallGate(ttl=0).kept_verdict(collector="agent", **ask) is None  # type: ignore[arg-type]


def test_old_day_inputs_answer_while_they_are_read_again_on_their_own_thread(
    core: App, seeded: Seeded
) -> None:
    gate = CallGate(ttl=3600, day_ttl=0.2)
    ask = {"platform": "acme", "item_id": seeded.item, "collector": "agent", "at": CLOCK.now()}
    assert gate.verdict(uow=core.uow(), **ask).allowed  # type: ignore[arg-type]
    _dispute(core, "B1")  # recorded elsewhere
    time.sleep(0.25)
    assert gate.kept_verdict(**ask) is None  # type: ignore[arg-type]  # too old, no refresh
    old = gate.kept_verdict(refresh=core.uow, **ask)  # type: ignore[arg-type]
    assert old is not None
    assert old.allowed  # answered at once from the old inputs
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        renewed = gate.kept_verdict(refresh=core.uow, **ask)  # type: ignore[arg-type]
        if renewed is not None and not renewed.allowed:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the day's inputs were not read again")


def test_day_inputs_too_old_stop_answering_when_they_cannot_be_read_again(
    core: App, seeded: Seeded
) -> None:
    gate = CallGate(ttl=3600, day_ttl=0.1)
    ask = {"platform": "acme", "item_id": seeded.item, "collector": "agent", "at": CLOCK.now()}
    gate.verdict(uow=core.uow(), **ask)  # type: ignore[arg-type]

    def broken() -> UnitOfWork:
        raise RuntimeError("the database is away")

    time.sleep(0.15)
    assert gate.kept_verdict(refresh=broken, **ask) is not None  # type: ignore[arg-type]
    time.sleep(0.1 * STALE_LIMIT)
    assert gate.kept_verdict(refresh=broken, **ask) is None  # type: ignore[arg-type]


def test_an_outcome_logged_through_the_app_is_seen_by_its_next_check(
    core: App, seeded: Seeded
) -> None:
    agent = sign_in(core, "acme", "agent")
    check = f"/api/v1/queue/items/{seeded.item}/call-check"
    assert agent.client.get(check).json()["allowed"] is True
    logged = agent.post(
        f"/api/v1/queue/items/{seeded.item}/outcome", json={"outcome": "cease_contact"}
    )
    assert logged.status_code == 200  # type: ignore[attr-defined]
    after = agent.client.get(check).json()
    assert after["allowed"] is False
    assert any(r.endswith("HOLD") for r in after["rule_ids"]), after["rule_ids"]
