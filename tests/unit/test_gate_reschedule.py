"""Reschedule or drop: the rule for one action, and the day's gate against it.

The reference is :mod:`tideover.compliance.reschedule`.  The daily cycle's gate
(``batch.cycle.gate.gate_actions``) turns a day's planned actions into
attempts, shares one contact profile per borrower and one ledger for the run;
on random days (packs, zones, send times, channels, holds, several accounts per
borrower, daylight-saving changes) what it decides must be what the rule
decides for each action in turn, and every decision must keep the rule's
promises: an allowed action goes at its planned instant, a moved one later on
the same local date where every pack allows it, a dropped one nowhere.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tideover.batch.cycle.gate import (
    CONTACT_CHANNEL,
    GatedAction,
    GateSettings,
    PlannedAction,
    gate_actions,
)
from tideover.compliance.contacts import (
    ActorRole,
    Attempt,
    Channel,
    ContactProfile,
    Decision,
    Hold,
    HoldKind,
    LegalReferral,
    Outcome,
)
from tideover.compliance.gate import check, compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import PACK_CODES, load_pack
from tideover.compliance.reschedule import (
    Scheduled,
    next_instant,
    schedule_contact,
    schedule_referral,
)

PACKS = {code: compile_pack(load_pack(code)) for code in PACK_CODES}
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "Europe/Dublin", "America/Chicago"]
# Ordinary days and the spring and autumn clock changes of 2026 (US and Europe).
DAYS = [
    date(2026, 6, 3),
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 11, 1),
]
SHANGHAI = ZoneInfo("Asia/Shanghai")


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


@st.composite
def days(draw: st.DrawFn) -> tuple[date, GateSettings, list[PlannedAction]]:
    as_of = draw(st.sampled_from(DAYS))
    codes = draw(st.lists(st.sampled_from(PACK_CODES), min_size=1, max_size=2, unique=True))
    send_times = {
        channel: time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30, 59])))
        for channel in draw(st.sets(st.sampled_from(sorted(CONTACT_CHANNEL))))
    }
    borrowers = {
        f"B{b}": tuple(draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True)))
        for b in range(draw(st.integers(1, 3)))
    }
    holds: dict[str, tuple[Hold, ...]] = {}
    for borrower in borrowers:
        if draw(st.booleans()):
            noon = datetime.combine(as_of, time(12), UTC)
            until = draw(st.sampled_from([None, noon, noon + timedelta(hours=9)]))
            holds[borrower] = (Hold(draw(st.sampled_from(list(HoldKind))), until=until),)
    actions = []
    for i in range(draw(st.integers(0, 14))):
        borrower = draw(st.sampled_from(sorted(borrowers)))
        planned = action(
            f"L{i % 4}",
            borrower,
            borrowers[borrower],
            draw(st.sampled_from(sorted(CONTACT_CHANNEL))),
        )
        actions.append(replace(planned, time_barred=draw(st.booleans())))
    gate = GateSettings(
        tuple(PACKS[c] for c in codes),
        send_times=send_times,
        default_send_time=time(draw(st.integers(0, 23))),
        holds=holds,
    )
    return as_of, gate, actions


def one_by_one(
    actions: list[PlannedAction], as_of: date, gate: GateSettings
) -> list[tuple[str, datetime | None, tuple[str, ...]]]:
    """The rule applied to each action in turn, its promises checked as it goes."""
    ledger = InMemoryLedger()
    decided = []
    for a in actions:
        zone = ZoneInfo(a.time_zones[0])
        planned = datetime.combine(as_of, gate.send_time(a.channel), zone).astimezone(UTC)
        channel = CONTACT_CHANNEL[a.channel]
        if channel is None:
            referral = LegalReferral(
                a.borrower_id, a.account_id, gate.actor, planned, time_barred=a.time_barred
            )
            done = schedule_referral(referral, gate.packs)
            assert done.state != "rescheduled"  # a referral is never moved
        else:
            attempt = Attempt(
                a.borrower_id,
                a.account_id,
                channel,
                gate.actor,
                planned,
                automated=a.channel in gate.automated,
                visitors=None if channel is Channel.VISIT else (),
            )
            profile = ContactProfile(a.borrower_id, a.time_zones, gate.holds.get(a.borrower_id, ()))
            done = schedule_contact(
                attempt,
                business_date=as_of,
                zone=zone,
                ledger=ledger,
                profile=profile,
                packs=gate.packs,
            )
            _promises_kept(done, attempt, ledger, profile, gate, as_of, zone)
            if done.at is not None:
                ledger.record(replace(attempt, planned_at=done.at), Outcome.PLANNED)
        decided.append((done.state, done.at, done.rule_ids))
    return decided


def _promises_kept(
    done: Scheduled,
    attempt: Attempt,
    ledger: InMemoryLedger,
    profile: ContactProfile,
    gate: GateSettings,
    as_of: date,
    zone: ZoneInfo,
) -> None:
    if done.state == "dropped":
        assert done.at is None
        return
    assert done.at is not None
    if done.state == "allowed":
        assert done.at == attempt.planned_at
    else:
        assert done.at > attempt.planned_at
        assert done.rule_ids  # moved because some rule denied the planned instant
    assert done.at.astimezone(zone).date() == as_of
    moved = replace(attempt, planned_at=done.at)
    assert all(check(moved, ledger, profile, pack).allowed for pack in gate.packs)


@settings(max_examples=300, deadline=None)
@given(days())
def test_the_days_gate_is_the_rule_action_by_action(
    day: tuple[date, GateSettings, list[PlannedAction]],
) -> None:
    as_of, gate, actions = day
    gated = gate_actions(actions, as_of=as_of, ledger=InMemoryLedger(), settings=gate)
    assert [g.action for g in gated] == actions
    assert [(g.state, g.at, g.rule_ids) for g in gated] == one_by_one(actions, as_of, gate)


def _decision(earliest: datetime | None) -> Decision:
    return Decision(False, (), "v", earliest)


def test_the_next_instant_is_the_latest_earliest_unless_one_pack_says_never() -> None:
    eight = datetime(2026, 6, 3, 0, tzinfo=UTC)
    nine = eight + timedelta(hours=1)
    assert next_instant([_decision(nine), _decision(eight)]) == nine
    assert next_instant([_decision(nine), _decision(None)]) is None


def test_a_contact_is_moved_within_the_day_and_dropped_when_only_tomorrow_would_do() -> None:
    cn = (PACKS["CN"],)
    profile = ContactProfile("B0", ("Asia/Shanghai",))
    day = date(2026, 6, 3)

    def sms_at(hour: int, minute: int = 0) -> Scheduled:
        planned = datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)
        attempt = Attempt("B0", "L0", Channel.SMS, ActorRole.CREDITOR, planned)
        return schedule_contact(
            attempt,
            business_date=day,
            zone=SHANGHAI,
            ledger=InMemoryLedger(),
            profile=profile,
            packs=cn,
        )

    early = sms_at(6, 30)
    assert (early.state, early.rule_ids) == ("rescheduled", ("CN-HOURS",))
    assert early.at == datetime.combine(day, time(8), SHANGHAI)
    late = sms_at(22)  # 22:00 is refused and the window opens tomorrow: tomorrow plans it
    assert (late.state, late.at, late.rule_ids) == ("dropped", None, ("CN-HOURS",))
    assert sms_at(12) == Scheduled("allowed", datetime.combine(day, time(12), SHANGHAI), ())


def test_a_hold_without_end_drops_and_a_referral_of_a_time_barred_debt_is_dropped() -> None:
    day = date(2026, 6, 3)
    planned = datetime.combine(day, time(10), SHANGHAI).astimezone(UTC)
    held = ContactProfile("B0", ("Asia/Shanghai",), holds=(Hold(HoldKind.DISPUTE),))
    attempt = Attempt("B0", "L0", Channel.CALL, ActorRole.CREDITOR, planned)
    on_hold = schedule_contact(
        attempt,
        business_date=day,
        zone=SHANGHAI,
        ledger=InMemoryLedger(),
        profile=held,
        packs=(PACKS["CN"],),
    )
    assert on_hold.state == "dropped"
    assert on_hold.rule_ids
    barred = LegalReferral("B0", "L0", ActorRole.CREDITOR, planned, time_barred=True)
    assert schedule_referral(barred, (PACKS["US"],)) == Scheduled("dropped", None, ("US-TBD",))
    live = replace(barred, time_barred=False)
    assert schedule_referral(live, (PACKS["US"],)) == Scheduled("allowed", planned, ())


def test_the_gate_keeps_the_ledger_across_a_borrowers_accounts() -> None:
    """Caps count the borrower's earlier allowed contacts of the run: the rule sees them."""
    day = date(2026, 6, 3)
    calls = [action(f"L{i}", "B0", ("Asia/Shanghai",), "robot_call") for i in range(6)]
    gate = GateSettings((PACKS["CN"],), send_times={"robot_call": time(10)})
    gated: list[GatedAction] = gate_actions(
        calls, as_of=day, ledger=InMemoryLedger(), settings=gate
    )
    assert [(g.state, g.at, g.rule_ids) for g in gated] == one_by_one(calls, day, gate)
    assert {g.state for g in gated[:3]} == {"allowed"}
    assert any(g.state != "allowed" for g in gated[3:])  # CN caps calls to a debtor per day
