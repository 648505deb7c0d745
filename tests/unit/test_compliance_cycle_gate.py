"""The daily cycle's gate: legal referrals of time-barred debts, visits queued without a team."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from tideover.batch.cycle.gate import GateSettings, PlannedAction, gate_actions
from tideover.compliance.contacts import ActorRole
from tideover.compliance.gate import compile_pack
from tideover.compliance.ledger import InMemoryLedger
from tideover.compliance.loader import load_pack

DAY = date(2026, 6, 3)


def action(channel: str, zone: str, **kw: Any) -> PlannedAction:
    fields: dict[str, Any] = {
        "account_id": "L0",
        "borrower_id": "B0",
        "time_zones": (zone,),
        "step": "t#0",
        "channel": channel,
        "template": "x",
        "tone": "firm",
        "queue": "q",
        "priority": 50,
        "segment": "late",
        "arm": "",
        "treatment": "t",
        "offers": None,
        "dpd": 90,
        "bucket": "M3",
        "overdue_minor": 1000,
        "balance_minor": 100_000,
        "score": None,
        "band": None,
    }
    fields.update(kw)
    return PlannedAction(**fields)


def settings(code: str, **kw: Any) -> GateSettings:
    return GateSettings((compile_pack(load_pack(code)),), **kw)


def test_a_time_barred_debt_is_not_referred_for_suit() -> None:
    ny = "America/New_York"
    barred = action("legal_referral", ny, time_barred=True)
    live = action("legal_referral", ny, account_id="L1")
    gated = gate_actions(
        [barred, live], as_of=DAY, ledger=InMemoryLedger(), settings=settings("US")
    )
    assert [(g.state, g.rule_ids) for g in gated] == [
        ("dropped", ("US-TBD",)),
        ("allowed", ()),
    ]
    assert gated[0].at is None
    assert gated[1].at == datetime.combine(DAY, time(9), ZoneInfo(ny))
    # Without the rule (CN) a time-barred referral goes ahead as before.
    cn = gate_actions(
        [action("legal_referral", "Asia/Shanghai", time_barred=True)],
        as_of=DAY,
        ledger=InMemoryLedger(),
        settings=settings("CN"),
    )
    assert cn[0].state == "allowed"


def test_a_visit_is_queued_before_its_team_is_known_even_when_moved() -> None:
    # 07:00 is before CN-HOURS opens: the visit moves to 08:00 and keeps "team not known yet".
    early = settings("CN", send_times={"field_visit": time(7)}, actor=ActorRole.CREDITOR)
    (gated,) = gate_actions(
        [action("field_visit", "Asia/Shanghai")], as_of=DAY, ledger=InMemoryLedger(), settings=early
    )
    assert (gated.state, gated.rule_ids) == ("rescheduled", ("CN-HOURS",))
    assert gated.at == datetime.combine(DAY, time(8), ZoneInfo("Asia/Shanghai"))
