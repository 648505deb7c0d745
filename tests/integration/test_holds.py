"""Stored holds: raised by disputes and complaints, added and lifted by hand, read by the gate.

Also the platform's stricter rule overrides, refused when looser at ``platform set``
and applied when ``compliance check --platform`` runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tideover.adapters.unit_of_work import SqlAlchemyUnitOfWork
from tideover.cli import main
from tideover.compliance.contacts import ActorRole, Attempt, Channel, HoldKind, Outcome
from tideover.compliance.holds import HoldRecord
from tideover.domain.clock import FixedClock
from tideover.domain.errors import Conflict, NotFound, UsageError
from tideover.services.compliance.checks import (
    ContactResult,
    check_attempt,
    record_contact,
    set_contact_outcome,
    verify_audit_trail,
)
from tideover.services.compliance.holds import add_hold, lift_hold, list_holds

UowFactory = Callable[[], SqlAlchemyUnitOfWork]
PLATFORM, OTHER = "acme-us", "other"
NEW_YORK = "America/New_York"
T0 = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # 10:00 in New York, a Monday
CLOCK = FixedClock(T0)


@pytest.fixture
def uow(uow_factory: UowFactory) -> UowFactory:
    with uow_factory() as opened:
        for code in (PLATFORM, OTHER):
            opened.platforms.ensure(code, name=code, currency="USD", settings={})
        opened.commit()
    return uow_factory


def hold(hold_id: str = "h1", **changes: Any) -> HoldRecord:
    fields: dict[str, Any] = {
        "hold_id": hold_id,
        "borrower_id": "b1",
        "kind": HoldKind.CEASE_CONTACT,
        "starts_at": T0,
        "reason": "written request to stop",
        "raised_by": "agent-7",
    }
    return HoldRecord(**(fields | changes))


def document(at: datetime = T0 + timedelta(hours=1), debt: str = "d1") -> dict[str, Any]:
    return {
        "attempt": {
            "borrower_id": "b1",
            "debt_id": debt,
            "channel": "call",
            "actor": "agency",
            "planned_at": at.isoformat(),
        },
        "borrower": {"time_zones": [NEW_YORK]},
    }


def gate(uow: UowFactory, **changes: Any) -> dict[str, Any]:
    return check_attempt(
        pack="US", document=document(**changes), uow=uow(), platform=PLATFORM, clock=CLOCK
    ).to_json()


def call(at: datetime = T0, debt: str = "d1") -> Attempt:
    return Attempt("b1", debt, Channel.CALL, ActorRole.AGENCY, at)


# -- repository -------------------------------------------------------------------------


def test_holds_read_back_and_the_gate_sees_only_those_not_ended(uow: UowFactory) -> None:
    day = timedelta(days=1)
    with uow() as w:
        w.holds(PLATFORM).add_many(
            [
                hold("open"),
                hold("ended", ends_at=T0 + day, kind=HoldKind.BREATHING_SPACE),
                hold("later", starts_at=T0 + 3 * day, debt_id="d2", kind=HoldKind.DISPUTE),
                hold("other-borrower", borrower_id="b2"),
            ]
        )
        w.holds(OTHER).add(hold("open"))  # the same id on another platform is fine
        w.commit()
    with uow() as w:
        repo = w.holds(PLATFORM)
        assert repo.get("open") == hold("open")
        assert [h.hold_id for h in repo.for_borrower("b1")] == ["open", "ended", "later"]
        at_two_days = repo.gate_holds(at=T0 + 2 * day, borrower_ids=["b1"])
        kinds = sorted(h.kind.value for h in at_two_days["b1"])
        assert kinds == ["cease_contact", "dispute"]  # the future one too: it has a start
        assert set(repo.gate_holds(at=T0)) == {"b1", "b2"}
        lifted = repo.lift("open", at=T0 + day, by="supervisor", reason="request withdrawn")
        assert lifted.until == T0 + day
        with pytest.raises(Conflict, match="already lifted"):
            repo.lift("open", at=T0 + day, by="supervisor", reason="again")
        with pytest.raises(NotFound):
            repo.lift("nope", at=T0, by="x", reason="y")
        with pytest.raises(Conflict):
            repo.add(hold("later"))
        w.commit()
    with uow() as w:
        left = w.holds(PLATFORM).gate_holds(at=T0 + 5 * day, borrower_ids=["b1"])
        assert [h.kind for h in left["b1"]] == [HoldKind.DISPUTE]  # the lifted one is gone
        assert w.holds(OTHER).for_borrower("b1")[0].lifted_at is None  # platforms apart


def test_the_database_refuses_an_unknown_kind(uow: UowFactory, engine: Engine) -> None:
    with uow() as w:
        w.holds(PLATFORM).add(hold())
        w.commit()
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE contact_holds SET kind = 'holiday'"))


# -- services ---------------------------------------------------------------------------


def test_a_dispute_raises_a_hold_on_that_debt_in_the_same_transaction(uow: UowFactory) -> None:
    saved = record_contact(
        uow=uow(),
        platform=PLATFORM,
        attempt=call(),
        outcome=Outcome.CONVERSATION,
        result=ContactResult.DISPUTE_RAISED,
        attempt_id="c1",
        clock=CLOCK,
    ).to_json()
    [raised] = saved["holds_raised"]
    assert (raised["kind"], raised["debt_id"], raised["starts_at"]) == (
        "dispute",
        "d1",
        T0.isoformat(),
    )
    denied = gate(uow)
    assert (denied["allowed"], denied["rule_ids"]) == (False, ["US-BASE-HOLD"])
    assert gate(uow, debt="d2")["allowed"]  # a dispute holds only the debt disputed
    with uow() as w:
        kinds = [r.kind for r in w.audit(PLATFORM).records()]
    assert kinds == ["hold_added", "gate_decision", "gate_decision"]
    assert verify_audit_trail(uow=uow(), platform=PLATFORM).to_json()["ok"]


def test_a_complaint_found_later_holds_every_debt_once(uow: UowFactory) -> None:
    record_contact(
        uow=uow(), platform=PLATFORM, attempt=call(), outcome=Outcome.PLANNED, attempt_id="c1"
    )
    assert gate(uow)["allowed"]
    for _ in range(2):
        saved = set_contact_outcome(
            uow=uow(),
            platform=PLATFORM,
            attempt_id="c1",
            outcome=Outcome.CONVERSATION,
            result=ContactResult.COMPLAINT,
            clock=CLOCK,
        ).to_json()
    assert saved["holds_raised"] == []  # the second time: raised already
    listed = list_holds(uow=uow(), platform=PLATFORM, borrower_id="b1", clock=CLOCK).to_json()
    [held] = listed["holds"]
    assert (held["kind"], held["debt_id"], held["in_force"]) == (
        "complaint_under_investigation",
        None,
        True,
    )
    decision = gate(uow, debt="d2")
    assert decision["rule_ids"] == ["US-BASE-HOLD"]
    assert decision["earliest_allowed"] is None  # open-ended: no later time would do


def test_a_refusal_raises_nothing(uow: UowFactory) -> None:
    saved = record_contact(
        uow=uow(),
        platform=PLATFORM,
        attempt=call(),
        outcome=Outcome.CONVERSATION,
        result=ContactResult.REFUSAL,
    ).to_json()
    assert saved["holds_raised"] == []
    with uow() as w:
        assert w.holds(PLATFORM).count() == 0


def test_holds_added_and_lifted_by_hand_are_audited(uow: UowFactory) -> None:
    later = T0 + timedelta(days=2)
    added = add_hold(
        uow=uow(),
        platform=PLATFORM,
        borrower_id="b1",
        kind=HoldKind.BREATHING_SPACE,
        reason="moratorium notified by the Insolvency Service",
        by="agent-7",
        end=T0 + timedelta(days=60),
        hold_id="bs-1",
        clock=CLOCK,
    ).to_json()
    assert (added["in_force"], added["audit_seq"]) == (True, 1)
    denied = gate(uow)
    assert denied["rule_ids"] == ["US-BASE-HOLD"]
    assert denied["earliest_allowed"] is not None  # the moratorium's end
    with pytest.raises(UsageError):
        lift_hold(uow=uow(), platform=PLATFORM, borrower_id="b1", by="x", reason="y")
    with pytest.raises(NotFound):  # lifting needs the right borrower
        lift_hold(
            uow=uow(), platform=PLATFORM, borrower_id="b2", by="x", reason="y", hold_id="bs-1"
        )
    [lifted] = lift_hold(
        uow=uow(),
        platform=PLATFORM,
        borrower_id="b1",
        kind=HoldKind.BREATHING_SPACE,
        by="supervisor",
        reason="moratorium cancelled",
        at=later,
        clock=CLOCK,
    ).to_json()["holds"]
    assert (lifted["lifted_at"], lifted["lifted_by"]) == (later.isoformat(), "supervisor")
    assert gate(uow, at=later + timedelta(hours=1))["allowed"]
    ended = list_holds(uow=uow(), platform=PLATFORM, borrower_id="b1", clock=FixedClock(later))
    assert ended.to_json()["holds"] == []
    every = list_holds(uow=uow(), platform=PLATFORM, borrower_id="b1", include_ended=True)
    assert len(every.holds) == 1
    with uow() as w:
        records = w.audit(PLATFORM).records()
    assert [r.kind for r in records] == [
        "hold_added",
        "gate_decision",
        "hold_lifted",
        "gate_decision",
    ]
    assert records[2].payload["lift_reason"] == "moratorium cancelled"


# -- command line -----------------------------------------------------------------------


@pytest.fixture
def cli_database(
    engine: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    from tideover.bootstrap import open_app

    monkeypatch.setenv("TIDEOVER_LOCALE", "en")
    monkeypatch.setenv("TIDEOVER_DATABASE_URL", database_url)
    monkeypatch.setenv("TIDEOVER_DATA_DIR", str(tmp_path))
    with open_app() as app, app.uow() as w:
        w.platforms.ensure(PLATFORM, name="Acme US", currency="USD", settings={})
        w.commit()
    return engine


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main.run(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_hold_commands_add_list_and_lift(
    cli_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    attempt = tmp_path / "attempt.json"
    # Planned in 2030: after the hold starts, whatever today's date is.
    attempt.write_text(json.dumps(document(at=datetime(2030, 6, 3, 14, tzinfo=UTC))))
    check = ["compliance", "check", "--pack", "US", "--platform", PLATFORM, "--attempt"]
    scope = ["--platform", PLATFORM, "--borrower", "b1"]
    assert run([*check, str(attempt)], capsys)[0] == 0
    add = ["compliance", "hold", "add", *scope, "--kind", "legal_representation"]
    code, out, err = run([*add, "--reason", "solicitor letter", "--by", "ann", "--json"], capsys)
    assert code == 0, err
    hold_id = json.loads(out)["hold_id"]
    code, out, _ = run([*check, str(attempt), "--json"], capsys)
    assert (code, json.loads(out)["rule_ids"]) == (1, ["US-BASE-HOLD", "US-3P-CEASE"])
    code, out, _ = run(["compliance", "hold", "list", *scope], capsys)
    assert code == 0
    assert "solicitor" in out
    code, _, err = run([*add[:-1], "holiday", "--reason", "r", "--by", "ann"], capsys)
    assert code != 0
    assert "holiday" in err
    lift = ["compliance", "hold", "lift", *scope, "--id", hold_id, "--by", "bob"]
    code, out, err = run([*lift, "--reason", "representation ended"], capsys)
    assert code == 0, err
    assert f"lifted hold {hold_id}" in out
    assert run([*check, str(attempt)], capsys)[0] == 0
    code, out, _ = run(["compliance", "hold", "list", *scope, "--all", "--json"], capsys)
    assert [h["lifted_by"] for h in json.loads(out)] == ["bob"]


def test_stricter_overrides_are_saved_and_applied_looser_ones_refused(
    cli_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "settings.json"
    set_platform = ["platform", "set", PLATFORM, "--name", "Acme US", "--currency", "USD"]
    settings.write_text(json.dumps({"rule_overrides": {"US": {"US-7IN7-ATTEMPTS": {"limit": 9}}}}))
    code, _, err = run([*set_platform, "--settings", str(settings)], capsys)
    assert code == 1
    assert "US-7IN7-ATTEMPTS would become looser" in err
    settings.write_text(json.dumps({"rule_overrides": {"US": {"US-7IN7-ATTEMPTS": {"limit": 2}}}}))
    code, _, err = run([*set_platform, "--settings", str(settings)], capsys)
    assert code == 0, err

    start = datetime(2026, 5, 30, 13, 0, tzinfo=UTC)  # 09:00 New York
    attempt = tmp_path / "attempt.json"
    for day in range(2):
        attempt.write_text(json.dumps(document(at=start + timedelta(days=day))))
        record = ["compliance", "record", "--platform", PLATFORM, "--attempt", str(attempt)]
        assert run([*record, "--outcome", "no_answer"], capsys)[0] == 0
    attempt.write_text(json.dumps(document(at=T0 + timedelta(days=2))))
    check = ["compliance", "check", "--platform", PLATFORM, "--attempt", str(attempt), "--json"]
    code, out, _ = run([*check, "--pack", "US"], capsys)
    decision = json.loads(out)
    assert (code, decision["rule_ids"]) == (1, ["US-7IN7-ATTEMPTS"])
    code, out, _ = run(["compliance", "rules", "--pack", "US", "--json"], capsys)
    assert decision["pack_version"] != json.loads(out)["version"]  # the tightened pack's own
    code, out, _ = run([*check, "--pack", "US-NYC"], capsys)  # US overrides reach overlays
    assert "US-7IN7-ATTEMPTS" in json.loads(out)["rule_ids"]


# -- whole-platform ledger load ----------------------------------------------------------


def test_the_set_based_ledger_load_matches_recording_each_contact(uow: UowFactory) -> None:
    import random

    from tideover.adapters.repositories.contacts import ContactEvent
    from tideover.compliance.contacts import Target
    from tideover.compliance.ledger import CHANNEL_BIT, CountKind, InMemoryLedger

    rng = random.Random(5)
    events = []
    for i in range(400):
        borrower = f"b{rng.randrange(7)}"
        target = Target.CONTACT_PERSON if rng.random() < 0.1 else Target.DEBTOR
        when = T0 - timedelta(seconds=rng.randrange(10 * 86400), microseconds=rng.randrange(10**6))
        attempt = Attempt(
            borrower,
            f"d{rng.randrange(3)}",
            rng.choice([Channel.CALL, Channel.SMS]),
            ActorRole.AGENCY,
            when,
            target=target,
            recipient_id="r1" if target is Target.CONTACT_PERSON else None,
            number=rng.choice([None, "+1 212 555 0123", "+1 212 555 0124"]),
        )
        outcome = rng.choice([Outcome.NO_ANSWER, Outcome.CONVERSATION, Outcome.PLANNED])
        events.append(ContactEvent(f"c{i}", attempt, outcome, when, rng.random() < 0.1))
    with uow() as w:
        w.contacts(PLATFORM).add_many(events)
        w.commit()
    since = T0 - timedelta(days=8)
    with uow() as w:
        repo = w.contacts(PLATFORM)
        loaded = repo.load_ledger(since=since)
        some = repo.load_ledger(since=since, borrower_ids=["b1", "b2", "b1"])
        expected = InMemoryLedger()  # one event at a time, as stored
        for e in (e for b in range(7) for e in repo.for_borrower(f"b{b}", since=since)):
            expected.record(e.attempt, e.outcome, at=e.at, inbound=e.inbound)
        number = repo.keyed(events[0].attempt).number
    assert len(loaded) == len(expected) > 0
    edge = int(since.timestamp())
    for b in (f"b{i}" for i in range(7)):
        for kind in CountKind:
            args = (b, edge, int(T0.timestamp()) + 1)
            options: dict[str, Any] = {"channels": CHANNEL_BIT[Channel.CALL], "kind": kind}
            assert loaded.count(*args, **options) == expected.count(*args, **options)
            assert loaded.count(*args, **options, number=number) == expected.count(
                *args, **options, number=number
            )
        assert loaded.recipient_contacts(b, "r1") == expected.recipient_contacts(b, "r1")
        assert loaded.last_conversation(
            b, edge, int(T0.timestamp()), debt_id="d1", include_inbound=True
        ) == expected.last_conversation(
            b, edge, int(T0.timestamp()), debt_id="d1", include_inbound=True
        )
    assert some.count("b1", edge, int(T0.timestamp()) + 1, channels=3, kind=CountKind.ATTEMPTS) > 0
    assert some.count("b3", edge, int(T0.timestamp()) + 1, channels=3, kind=CountKind.ATTEMPTS) == 0
