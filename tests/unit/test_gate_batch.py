"""The set-based gate decides what the per-action gate decides, action by action.

The reference is ``batch.cycle.gate.gate_actions`` (itself the rule of
``compliance.reschedule`` applied to each action in turn, tested in
``test_gate_reschedule.py``).  On random days — every rule pack, one or two
candidate zones, days of clock changes, send times in and out of the windows,
holds, several accounts per borrower and a contact ledger with calls,
conversations, texts and e-mails around the business date — the set-based
path must give every action the same state, instant and rule ids.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.cycle.gate import CONTACT_CHANNEL, GateSettings, PlannedAction, gate_actions
from tideover.batch.cycle.gate_batch import gate_actions_batch
from tideover.compliance.contacts import ActorRole, Channel, Hold, HoldKind, Outcome
from tideover.compliance.gate import compile_pack
from tideover.compliance.ledger import InMemoryLedger, StoredRow
from tideover.compliance.loader import PACK_CODES, load_pack

PACKS = {code: compile_pack(load_pack(code)) for code in PACK_CODES}
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "America/Los_Angeles"]
DAYS = [date(2026, 6, 3), date(2026, 3, 8), date(2026, 10, 25), date(2026, 11, 30)]
LEDGER_CHANNELS = [Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL]
OUTCOMES = [Outcome.CONNECTED, Outcome.CONVERSATION, Outcome.NO_ANSWER, Outcome.DELIVERED]


def action(account: str, borrower: str, zones: tuple[str, ...], channel: str) -> PlannedAction:
    return PlannedAction(
        account_id=account,
        borrower_id=borrower,
        time_zones=zones,
        step="t#0",
        channel=channel,
        template=None,
        tone="neutral",
        queue="q",
        priority=50,
        segment="s",
        arm="",
        treatment="t",
        offers=None,
        dpd=40,
        bucket="M2",
        overdue_minor=1_000,
        balance_minor=100_000,
        score=None,
        band=None,
    )


Day = tuple[date, GateSettings, list[PlannedAction], list[StoredRow]]


@st.composite
def days(draw: st.DrawFn) -> Day:
    as_of = draw(st.sampled_from(DAYS))
    codes = draw(st.lists(st.sampled_from(PACK_CODES), min_size=1, max_size=2, unique=True))
    send_times = {
        channel: time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30, 59])))
        for channel in draw(st.sets(st.sampled_from(sorted(CONTACT_CHANNEL))))
    }
    n_borrowers = draw(st.integers(1, 12))
    borrowers = {
        f"B{b}": tuple(draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True)))
        for b in range(n_borrowers)
    }
    holds: dict[str, tuple[Hold, ...]] = {}
    noon = datetime.combine(as_of, time(12), UTC)
    for borrower in borrowers:
        if draw(st.integers(0, 5)) == 0:
            until = draw(st.sampled_from([None, noon, noon + timedelta(hours=9)]))
            holds[borrower] = (Hold(draw(st.sampled_from(list(HoldKind))), until=until),)
    rows: list[StoredRow] = []
    for borrower in borrowers:
        for _ in range(draw(st.integers(0, 4))):
            at = noon + timedelta(hours=draw(st.integers(-24 * 40, 30)))
            rows.append(
                (
                    borrower,
                    draw(st.sampled_from(["L0", "L1", "old"])),
                    draw(st.sampled_from(LEDGER_CHANNELS)).value,
                    "debtor",
                    None,
                    None,
                    draw(st.integers(0, 7)) == 0,
                    draw(st.sampled_from(OUTCOMES)).value,
                    int(at.timestamp()),
                )
            )
    actions = []
    for i in range(draw(st.integers(0, 30))):
        borrower = draw(st.sampled_from(sorted(borrowers)))
        planned = action(
            f"L{i % 3}",
            borrower,
            borrowers[borrower],
            draw(st.sampled_from(sorted(CONTACT_CHANNEL))),
        )
        actions.append(replace(planned, time_barred=draw(st.booleans())))
    gate = GateSettings(
        tuple(PACKS[c] for c in codes),
        actor=draw(st.sampled_from([ActorRole.CREDITOR, ActorRole.AGENCY])),
        send_times=send_times,
        default_send_time=time(draw(st.integers(0, 23))),
        holds=holds,
    )
    return as_of, gate, actions, rows


def _ledger(rows: list[StoredRow]) -> InMemoryLedger:
    ledger = InMemoryLedger()
    ledger.load_rows(rows)
    return ledger


@settings(max_examples=400, deadline=None)
@given(days())
def test_the_set_based_gate_decides_what_the_per_action_gate_decides(day: Day) -> None:
    as_of, gate, actions, rows = day
    expected = gate_actions(actions, as_of=as_of, ledger=_ledger(rows), settings=gate)
    got = gate_actions_batch(actions, as_of=as_of, ledger=_ledger(rows), settings=gate)
    assert got == expected


def test_a_busy_borrower_is_decided_one_action_at_a_time_and_caps_still_bind() -> None:
    """Six calls in one run for one borrower: the CN daily cap drops the later ones, as the
    per-action gate does; a borrower with a single call takes the kind's decision."""
    day = date(2026, 6, 3)
    zones = ("Asia/Shanghai",)
    calls = [action(f"L{i}", "B0", zones, "robot_call") for i in range(6)]
    calls.append(action("L9", "B1", zones, "robot_call"))
    gate = GateSettings((PACKS["CN"],), send_times={"robot_call": time(10)})
    got = gate_actions_batch(calls, as_of=day, ledger=InMemoryLedger(), settings=gate)
    assert got == gate_actions(calls, as_of=day, ledger=InMemoryLedger(), settings=gate)
    states = [g.state for g in got]
    assert "dropped" in states[:6]
    assert states[6] == "allowed"


def test_a_full_ledger_or_a_hold_sends_the_borrower_to_the_per_action_path() -> None:
    day = date(2026, 6, 3)
    zones = ("Asia/Shanghai",)
    ten = datetime.combine(day, time(2), UTC)  # 10:00 in Shanghai, earlier that day
    rows: list[StoredRow] = [
        ("B0", "L0", "call", "debtor", None, None, False, "connected", int(ten.timestamp()) + k)
        for k in range(3)
    ]
    actions = [
        action("L0", "B0", zones, "robot_call"),
        action("L1", "B1", zones, "robot_call"),
        action("L2", "B2", zones, "sms"),
    ]
    gate = GateSettings(
        (PACKS["CN"],),
        send_times={"robot_call": time(11), "sms": time(11)},
        holds={"B2": (Hold(HoldKind.CEASE_CONTACT),)},
    )
    got = gate_actions_batch(actions, as_of=day, ledger=_ledger(rows), settings=gate)
    assert got == gate_actions(actions, as_of=day, ledger=_ledger(rows), settings=gate)
    assert [g.state for g in got] == ["dropped", "allowed", "dropped"]
    assert "CN-FREQ-CONNECTED" in got[0].rule_ids
    assert got[2].rule_ids


def test_a_recent_conversation_sends_the_borrower_to_the_per_action_path() -> None:
    """The US seven-in-seven quiet period reads conversations: the kind's decision would be
    wrong for a borrower who spoke about the debt three days ago."""
    day = date(2026, 6, 3)
    zones = ("America/New_York",)
    spoke = datetime.combine(day - timedelta(days=3), time(16), UTC)
    rows: list[StoredRow] = [
        ("B0", "L0", "call", "debtor", None, None, True, "conversation", int(spoke.timestamp()))
    ]
    actions = [action("L0", "B0", zones, "human_call"), action("L1", "B1", zones, "human_call")]
    gate = GateSettings((PACKS["US"],), actor=ActorRole.AGENCY, send_times={"human_call": time(10)})
    got = gate_actions_batch(actions, as_of=day, ledger=_ledger(rows), settings=gate)
    assert got == gate_actions(actions, as_of=day, ledger=_ledger(rows), settings=gate)
    assert got[0].state == "dropped"
    assert "US-7IN7-QUIET" in got[0].rule_ids
    assert got[1].state == "allowed"


def test_planned_actions_from_rows_are_the_constructors() -> None:
    """Rows become actions equal to the constructor's (zones split, ``time_barred`` false);
    columns that are not the fields go through the constructor and its error."""
    from dataclasses import fields

    import pytest

    from tideover.batch.cycle.stages import actions_from_rows

    names = [f.name for f in fields(PlannedAction) if f.name != "time_barred"]
    made = action("L1", "B1", ("Asia/Shanghai", "Asia/Urumqi"), "sms")
    row = [getattr(made, n) for n in names]
    row[names.index("time_zones")] = "Asia/Shanghai,Asia/Urumqi"
    got = actions_from_rows(names, [row, row])
    assert got == [made, made]
    assert hash(got[0]) == hash(made)
    with pytest.raises(TypeError):
        actions_from_rows([*names, "colour"], [[*row, "red"]])
