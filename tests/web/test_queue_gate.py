"""The call gate kept in process: what it reads at once, how long it keeps it, what forgets it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.web.conftest import CLOCK, sign_in
from tests.web.isolation_queue import Seeded, seed
from tideover.bootstrap import App
from tideover.compliance.contacts import HoldKind
from tideover.domain.errors import NotFound
from tideover.services.compliance.holds import add_hold
from tideover.services.queues.call_gate import CallGate


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
